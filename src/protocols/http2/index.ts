/**
 * HTTP/2 in cleartext: the descriptor. Found by the client connection preface or plausible
 * frame headers (`probe.ts`), or reached from HTTP/1.1 by `Upgrade: h2c` + 101 (the http
 * dissector switches the flow here).
 *
 * Its transactions are `http.transaction` records of the `http` report section, which the
 * http descriptor owns; this descriptor has no section of its own.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { Http2Dissector } from './dissector.js';
import { HTTP2_ANOMALIES } from './events.js';
import { probeHttp2 } from './probe.js';

export { probeHttp2 } from './probe.js';

export const http2Descriptor: ProtocolDescriptor = {
  name: 'http2',
  transports: ['tcp'],
  ports: [80, 8080, 3000, 8443],
  probe: (bytes) => probeHttp2(bytes),
  createStream: (ctx) => new Http2Dissector(ctx),
  anomalies: HTTP2_ANOMALIES,
  emits: ['http.connection', 'http.transaction', 'http2.*', 'credentials', 'dns.*'],
};
