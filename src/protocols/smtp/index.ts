/** SMTP: the descriptor (detection by greeting and commands in `probe.ts`, not only port 25/587). */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { SmtpDissector } from './dissector.js';
import { SMTP_ANOMALIES } from './events.js';
import { probeSmtp, SMTP_PORTS } from './probe.js';
import { summarizeSmtp } from './summarize.js';

export { probeSmtp } from './probe.js';

export const smtpDescriptor: ProtocolDescriptor = {
  name: 'smtp',
  transports: ['tcp'],
  ports: SMTP_PORTS,
  probe: probeSmtp,
  createStream: (ctx) => new SmtpDissector(ctx),
  anomalies: SMTP_ANOMALIES,
  emits: ['smtp.*', 'credentials'],
  carries: { protocols: ['tls'] }, // STARTTLS
  report: {
    section: 'smtp',
    events: ['smtp.message', 'smtp.session'],
    summarize: summarizeSmtp,
  },
};
