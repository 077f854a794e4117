/**
 * DNS: the descriptor. UDP on any port whose first datagram has a sane header (mDNS on 5353
 * and LLMNR on 5355 marked as such), and TCP with the 2-byte length prefix (`probe.ts`).
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { DnsDatagramDissector, DnsStreamDissector } from './dissector.js';
import { DNS_ANOMALIES } from './events.js';
import { DNS_PORTS, probeDns } from './probe.js';
import { summarizeDns } from './summarize.js';

export { probeDns } from './probe.js';

export const dnsDescriptor: ProtocolDescriptor = {
  name: 'dns',
  transports: ['udp', 'tcp'],
  ports: DNS_PORTS,
  probe: probeDns,
  createDatagram: (ctx) => new DnsDatagramDissector(ctx),
  createStream: (ctx) => new DnsStreamDissector(ctx),
  anomalies: DNS_ANOMALIES,
  emits: ['dns.*', 'mdns.*', 'llmnr.*'],
  report: {
    section: 'dns',
    events: ['dns.transaction', 'dns.zone_transfer'],
    summarize: summarizeDns,
  },
};
