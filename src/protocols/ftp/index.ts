/**
 * FTP: the descriptor. Detection by greeting and commands, not only port 21 (`probe.ts`).
 * `starttlsDescriptor` (tls/handoff.ts) adds what every STARTTLS text protocol says the same
 * way.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { starttlsDescriptor } from '../tls/handoff.js';
import { FtpDissector } from './dissector.js';
import { FTP_ANOMALIES } from './events.js';
import { FTP_PORTS, probeFtp } from './probe.js';
import { summarizeFtp } from './summarize.js';

export { probeFtp } from './probe.js';

export const ftpDescriptor: ProtocolDescriptor = starttlsDescriptor({
  name: 'ftp', ports: FTP_PORTS, probe: probeFtp, anomalies: FTP_ANOMALIES,
  createStream: (ctx) => new FtpDissector(ctx),
  report: { events: ['ftp.transaction', 'ftp.transfer', 'ftp.session'], summarize: summarizeFtp },
  // Expected data connections (which detection would otherwise take) start any stream protocol.
  carries: { protocols: 'stream' },
});
