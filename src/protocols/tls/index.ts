/**
 * TLS: the descriptor. Detected on any port by its record header (`probe.ts`). Service label
 * `tls`: the registry names a protocol by its folder, and the protocol is TLS (Zeek's `ssl`
 * predates the rename).
 */
import type { DissectorContext, ProtocolDescriptor } from '../../dissect/contract.js';
import { TlsDissector } from './dissector.js';
import { TLS_ANOMALIES, TLS_EVENTS } from './events.js';
import { probeTls, TLS_PORTS } from './probe.js';
import { summarizeTls } from './summarize.js';

export { probeTls, TLS_PORTS } from './probe.js';

export const tlsDescriptor: ProtocolDescriptor = {
  name: 'tls',
  transports: ['tcp'],
  ports: TLS_PORTS,
  probe: probeTls,
  createStream: (ctx: DissectorContext) => new TlsDissector(ctx),
  anomalies: TLS_ANOMALIES,
  emits: ['tls.*'],
  carries: { protocols: 'stream', onlyWithSecrets: true }, // decrypted application data
  report: {
    section: 'tls',
    events: [TLS_EVENTS.session, TLS_EVENTS.certificate],
    summarize: summarizeTls,
  },
};
