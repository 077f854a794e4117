/**
 * HTTP/1.x: the descriptor. Found on any port by its first line (`probe.ts`); its report
 * section (`summarize.ts`) holds HTTP/2's transactions too.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { Http1Dissector } from './dissector.js';
import { HTTP_ANOMALIES } from './events.js';
import { probeHttp } from './probe.js';
import { summarizeHttp } from './summarize.js';

export { probeHttp } from './probe.js';

export const httpDescriptor: ProtocolDescriptor = {
  name: 'http',
  transports: ['tcp'],
  ports: [80, 8080, 8000, 8008, 8888, 3128, 3000, 81],
  probe: (bytes, dir, _flow, extra) => probeHttp(bytes, dir, extra?.cut),
  createStream: (ctx) => new Http1Dissector(ctx),
  anomalies: HTTP_ANOMALIES,
  emits: ['http.*', 'credentials', 'bittorrent.tracker', 'dns.*'],
  carries: { protocols: 'stream' }, // CONNECT and Upgrade hand the stream on
  report: {
    section: 'http',
    events: ['http.transaction', 'http.connection'],
    summarize: summarizeHttp,
  },
};
