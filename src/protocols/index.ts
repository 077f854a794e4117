/**
 * The protocol registry the pipeline reads. Order matters only for probing when no
 * port hint decides: earlier entries are asked first.
 */
import type { ProtocolDescriptor } from '../dissect/contract.js';
import { dnsDescriptor } from './dns/index.js';
import { bittorrentDescriptor } from './bittorrent/index.js';
import { ftpDescriptor } from './ftp/index.js';
import { smtpDescriptor } from './smtp/index.js';
import { pop3Descriptor } from './pop3/index.js';
import { imapDescriptor } from './imap/index.js';
import { httpDescriptor } from './http/index.js';
import { http2Descriptor } from './http2/index.js';
import { tlsDescriptor } from './tls/index.js';
import { quicDescriptor } from './quic/index.js';
import { socksDescriptor } from './socks/index.js';

export const PROTOCOLS: readonly ProtocolDescriptor[] = [
  dnsDescriptor,
  // Before BitTorrent (its UDP probes take high-entropy datagrams); QUIC's long header check is exact.
  quicDescriptor,
  // Before BitTorrent: its MSE probe takes any high-entropy opening, and TLS's header check is exact.
  tlsDescriptor,
  // Before BitTorrent too: a SOCKS greeting is 3 bytes, exact, and MSE would wait on it for more.
  socksDescriptor,
  bittorrentDescriptor,
  ftpDescriptor,
  smtpDescriptor,
  pop3Descriptor,
  imapDescriptor,
  httpDescriptor,
  http2Descriptor,
];

export function protocolByName(name: string): ProtocolDescriptor | undefined {
  return PROTOCOLS.find((p) => p.name === name);
}
