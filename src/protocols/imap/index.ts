/**
 * IMAP: the descriptor. Detection by greeting and tagged commands, not only port 143
 * (`probe.ts`). `starttlsDescriptor` (tls/handoff.ts) adds what every STARTTLS text protocol
 * says the same way.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { starttlsDescriptor } from '../tls/handoff.js';
import { ImapDissector } from './dissector.js';
import { IMAP_ANOMALIES } from './events.js';
import { IMAP_PORTS, probeImap } from './probe.js';
import { summarizeImap } from './summarize.js';

export { probeImap } from './probe.js';

export const imapDescriptor: ProtocolDescriptor = starttlsDescriptor({
  name: 'imap', ports: IMAP_PORTS, probe: probeImap, anomalies: IMAP_ANOMALIES,
  createStream: (ctx) => new ImapDissector(ctx),
  report: { events: ['imap.transaction', 'imap.session'], summarize: summarizeImap },
});
