/**
 * HTTP/2 in cleartext: found by the client connection preface on any port, reached from
 * HTTP/1.1 by `Upgrade: h2c` + 101 (the http dissector switches the flow here), or, for a
 * capture that began mid-connection, by three consecutive plausible frame headers in the
 * first bytes (reserved bit clear, known type, sane length and flags, stream 0 exactly for
 * connection frames, fixed sizes right). Three in a row with exact length chaining is
 * something other binary protocols essentially never produce by accident.
 *
 * Its transactions are `http.transaction` records of the `http` report section, which the
 * http descriptor owns; this descriptor has no section of its own.
 */
import type { ProbeResult, ProtocolDescriptor } from '../../dissect/contract.js';
import { Http2Dissector } from './dissector.js';
import { HTTP2_ANOMALIES } from './events.js';
import { PREFACE_BYTES, plausibleFrames } from './parser.js';

export function probeHttp2(bytes: Uint8Array): ProbeResult {
  const n = Math.min(bytes.length, PREFACE_BYTES.length);
  let preface = n > 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== PREFACE_BYTES[i]) {
      preface = false;
      break;
    }
  }
  if (preface) return n === PREFACE_BYTES.length ? 'match' : 'need_more';
  const v = plausibleFrames(bytes, 0, 3);
  return v === 'yes' ? 'match' : v === 'need_more' ? 'need_more' : 'no';
}

export const http2Descriptor: ProtocolDescriptor = {
  name: 'http2',
  transports: ['tcp'],
  ports: [80, 8080, 3000, 8443],
  probe: (bytes) => probeHttp2(bytes),
  createStream: (ctx) => new Http2Dissector(ctx),
  anomalies: HTTP2_ANOMALIES,
  emits: ['http.connection', 'http.transaction', 'http2.*', 'credentials', 'dns.*'],
};

export default http2Descriptor;
