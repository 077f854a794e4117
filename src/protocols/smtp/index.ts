/**
 * SMTP: the descriptor. Detection by greeting and commands, not only port 25/587 (`probe.ts`).
 * `starttlsDescriptor` (tls/handoff.ts) adds what every STARTTLS text protocol says the same
 * way.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { starttlsDescriptor } from '../tls/handoff.js';
import { SmtpDissector } from './dissector.js';
import { SMTP_ANOMALIES } from './events.js';
import { SMTP_PORTS, probeSmtp } from './probe.js';
import { summarizeSmtp } from './summarize.js';

export { probeSmtp } from './probe.js';

export const smtpDescriptor: ProtocolDescriptor = starttlsDescriptor({
  name: 'smtp', ports: SMTP_PORTS, probe: probeSmtp, anomalies: SMTP_ANOMALIES,
  createStream: (ctx) => new SmtpDissector(ctx),
  report: { events: ['smtp.message', 'smtp.session'], summarize: summarizeSmtp },
});
