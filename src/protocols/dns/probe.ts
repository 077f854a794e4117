/**
 * DNS detection: UDP on any port whose first datagram has a sane header (mDNS on 5353 and
 * LLMNR on 5355 too), and TCP with the 2-byte length prefix.
 */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import { DEFAULT_LIMITS } from '../../dissect/limits.js';
import type { Direction } from '../../events/event.js';
import { isMdnsFlow, LLMNR_PORT, MDNS_PORT } from './dissector.js';
import { looksLikeDns, parseHeader } from './parser.js';

export const DNS_PORTS = [53, MDNS_PORT, LLMNR_PORT];
const onDnsPort = (flow: FlowInfo): boolean => DNS_PORTS.includes(flow.server.port) || DNS_PORTS.includes(flow.client.port);

/** NetBIOS name service shares DNS's message format but is its own protocol (RFC 1002). */
const NOT_DNS_PORTS = [137, 138];

export function probeDns(bytes: Uint8Array, dir: Direction, flow: FlowInfo): ProbeResult {
  if (NOT_DNS_PORTS.includes(flow.server.port) || NOT_DNS_PORTS.includes(flow.client.port)) return 'no';
  const strict = !onDnsPort(flow);
  let msg = bytes;
  if (flow.transport === 'tcp') {
    if (bytes.length < 2) return 'need_more';
    const length = (bytes[0]! << 8) | bytes[1]!;
    if (length < 12) return 'no';
    const want = strict ? 2 + length : 14;
    if (bytes.length < want) return want > DEFAULT_LIMITS.detect_buffer ? 'no' : 'need_more';
    msg = bytes.subarray(2, 2 + length);
  }
  if (!looksLikeDns(msg, strict, DEFAULT_LIMITS)) {
    // One junk datagram first on a DNS port must not cost the flow its later messages:
    // ask again with the next datagram (detection holds a bounded number of them).
    return flow.transport === 'udp' && !strict ? 'need_more' : 'no';
  }
  const header = parseHeader(msg)!;
  // A response seen first on unicast DNS means the capture began after the query:
  // the engine's "client" is really the server.
  const multicast = isMdnsFlow(flow) || flow.server.port === LLMNR_PORT || flow.client.port === LLMNR_PORT;
  if (header.qr && !multicast && dir === 'c2s') return 'match_reversed';
  if (!header.qr && dir === 's2c') return 'match_reversed';
  return 'match';
}
