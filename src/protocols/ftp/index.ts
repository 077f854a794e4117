/** FTP: the descriptor (detection by greeting and commands in `probe.ts`, not only port 21). */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { FtpDissector } from './dissector.js';
import { FTP_ANOMALIES } from './events.js';
import { FTP_PORTS, probeFtp } from './probe.js';
import { summarizeFtp } from './summarize.js';

export { probeFtp } from './probe.js';

export const ftpDescriptor: ProtocolDescriptor = {
  name: 'ftp',
  transports: ['tcp'],
  ports: FTP_PORTS,
  probe: probeFtp,
  createStream: (ctx) => new FtpDissector(ctx),
  anomalies: FTP_ANOMALIES,
  emits: ['ftp.*', 'credentials'],
  carries: { protocols: 'stream' }, // expected data connections (which detection would otherwise take) and AUTH TLS
  report: {
    section: 'ftp',
    events: ['ftp.transaction', 'ftp.transfer', 'ftp.session'],
    summarize: summarizeFtp,
  },
};
