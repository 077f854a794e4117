/** POP3: the descriptor (detection by greeting and commands in `probe.ts`, not only port 110). */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { Pop3Dissector } from './dissector.js';
import { POP3_ANOMALIES } from './events.js';
import { POP3_PORTS, probePop3 } from './probe.js';
import { summarizePop3 } from './summarize.js';

export { probePop3 } from './probe.js';

export const pop3Descriptor: ProtocolDescriptor = {
  name: 'pop3',
  transports: ['tcp'],
  ports: POP3_PORTS,
  probe: probePop3,
  createStream: (ctx) => new Pop3Dissector(ctx),
  anomalies: POP3_ANOMALIES,
  emits: ['pop3.*', 'credentials'],
  carries: { protocols: ['tls'] }, // STLS
  report: {
    section: 'pop3',
    events: ['pop3.session', 'pop3.message'],
    summarize: summarizePop3,
  },
};
