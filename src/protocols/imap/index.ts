/** IMAP: the descriptor (detection by greeting and tagged commands in `probe.ts`, not only port 143). */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { ImapDissector } from './dissector.js';
import { IMAP_ANOMALIES } from './events.js';
import { IMAP_PORTS, probeImap } from './probe.js';
import { summarizeImap } from './summarize.js';

export { probeImap } from './probe.js';

export const imapDescriptor: ProtocolDescriptor = {
  name: 'imap',
  transports: ['tcp'],
  ports: IMAP_PORTS,
  probe: probeImap,
  createStream: (ctx) => new ImapDissector(ctx),
  anomalies: IMAP_ANOMALIES,
  emits: ['imap.*', 'credentials'],
  carries: { protocols: ['tls'] }, // STARTTLS
  report: {
    section: 'imap',
    events: ['imap.transaction', 'imap.session'],
    summarize: summarizeImap,
  },
};
