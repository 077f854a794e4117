/**
 * POP3: the descriptor. Detection by greeting and commands, not only port 110 (`probe.ts`).
 * `starttlsDescriptor` (tls/handoff.ts) adds what every STARTTLS text protocol says the same
 * way.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { starttlsDescriptor } from '../tls/handoff.js';
import { Pop3Dissector } from './dissector.js';
import { POP3_ANOMALIES } from './events.js';
import { POP3_PORTS, probePop3 } from './probe.js';
import { summarizePop3 } from './summarize.js';

export { probePop3 } from './probe.js';

export const pop3Descriptor: ProtocolDescriptor = starttlsDescriptor({
  name: 'pop3', ports: POP3_PORTS, probe: probePop3, anomalies: POP3_ANOMALIES,
  createStream: (ctx) => new Pop3Dissector(ctx),
  report: { events: ['pop3.session', 'pop3.message'], summarize: summarizePop3 },
});
