/** FTP: the descriptor (detection by greeting and commands, not only port 21). */
import type { DissectorContext, FlowInfo, ProtocolDescriptor, ProbeResult } from '../../dissect/contract.js';
import { verbOf, withLenientRetry, type ProbeLines } from '../../dissect/text-probe.js';
import type { Direction } from '../../events/event.js';
import { FtpDissector } from './dissector.js';
import { FTP_ANOMALIES } from './events.js';

/** Verbs only FTP uses (RFC 959, 2389, 2428, 3659, 4217). */
const FTP_ONLY = new Set(
  'FEAT SYST PASV EPSV PORT EPRT CWD XCWD CDUP XCUP PWD XPWD TYPE MODE STRU SIZE MDTM STOR STOU APPE NLST MLSD MLST MKD XMKD RMD XRMD RNFR RNTO REST ACCT SITE OPTS ABOR ALLO PBSZ PROT CCC LANG HOST CLNT'.split(' '),
);
/** Verbs of SMTP and POP3 that FTP does not have (FTP shares USER PASS QUIT NOOP RETR LIST DELE HELP STAT AUTH). */
const NOT_FTP = new Set('EHLO HELO LHLO MAIL RCPT DATA BDAT VRFY EXPN CAPA APOP STLS UIDL TOP GET HEAD POST PUT'.split(' '));
const FTP_PORTS = [21];
const FTP_SERVER = /\bftp|filezilla|vsftpd|proftpd|pure-ftpd|wu-ftpd|serv-u|microsoft ftp/i;
const MAIL_SERVER = /smtp|esmtp|\bmail|postfix|exim|sendmail|qmail|\blmtp/i;

/**
 * A server greeting `220 ...`: FTP when its text says so, not FTP when it names a mail
 * server, and otherwise undecided until the client speaks (`220` is FTP's and SMTP's).
 */
export function probeFtpGreeting(lines: string[], rest: string): ProbeResult {
  const first = lines[0] ?? rest;
  if (first.length < 4) return /^\d{0,3}$/.test(first) ? 'need_more' : 'no';
  if (!/^\d{3}[ -]/.test(first)) return 'no';
  const text = lines.join(' ') + ' ' + rest;
  if (FTP_SERVER.test(text)) return 'match';
  if (MAIL_SERVER.test(text)) return 'no';
  return 'need_more';
}

export function probeFtpCommands(lines: string[]): ProbeResult {
  for (const line of lines) {
    const verb = verbOf(line);
    if (FTP_ONLY.has(verb)) return 'match';
    if (verb === 'AUTH') {
      if (/^AUTH (TLS|SSL)/i.test(line)) return 'match';
      return 'no';
    }
    if (NOT_FTP.has(verb) || !/^[A-Z]{3,4}$/.test(verb)) return 'no';
    // An unknown 3-4 letter verb may be an FTP extension: keep listening.
  }
  return 'need_more';
}

/**
 * The port breaks ties the text cannot: a bare `220 ready` and a client that so far used only
 * verbs FTP shares with POP3/SMTP are FTP on port 21.
 */
export function probeFtp(bytes: Uint8Array, dir: Direction, flow?: FlowInfo): ProbeResult {
  const onPort = flow !== undefined && FTP_PORTS.includes(flow.server.port);
  return withLenientRetry(bytes, onPort, 8, (p) => judgeFtp(p, dir, onPort));
}

function judgeFtp({ lines, rest, text }: ProbeLines, dir: Direction, onPort: boolean): ProbeResult {
  if (!text) return 'no';
  const tie = (r: ProbeResult): ProbeResult => (r === 'need_more' && onPort && lines.length > 0 ? 'match' : r);
  if (dir === 's2c') return tie(probeFtpGreeting(lines, rest));
  const asCommands = probeFtpCommands(lines);
  if (asCommands !== 'no') return tie(asCommands);
  // The engine's client may really be the server (capture began mid-flow).
  const asGreeting = probeFtpGreeting(lines, rest);
  return asGreeting === 'match' ? 'match_reversed' : asGreeting;
}

export const ftpDescriptor: ProtocolDescriptor = {
  name: 'ftp',
  transports: ['tcp'],
  ports: [21],
  probe: (bytes, dir, flow) => probeFtp(bytes, dir, flow),
  createStream: (ctx: DissectorContext) => new FtpDissector(ctx),
  anomalies: FTP_ANOMALIES,
  emits: ['ftp.*', 'credentials'],
  carries: { protocols: 'stream' }, // expected data connections (which detection would otherwise take) and AUTH TLS
  report: {
    section: 'ftp',
    events: ['ftp.transaction', 'ftp.transfer', 'ftp.session'],
    summarize(records) {
      const transfers = records.filter((r) => r.type === 'ftp.transfer');
      const sessions = records.filter((r) => r.type === 'ftp.session');
      const users = [...new Set(sessions.map((s) => s['user']).filter((u): u is string => typeof u === 'string'))].sort();
      return {
        sessions: sessions.length,
        users,
        failed_logins: sessions.reduce((n, s) => n + (typeof s['failed_logins'] === 'number' ? s['failed_logins'] : 0), 0),
        transfers: transfers.length,
        bytes_transferred: transfers.reduce((n, t) => n + (typeof t['bytes'] === 'number' ? t['bytes'] : 0), 0),
        incomplete_transfers: transfers.filter((t) => t['complete'] === false).length,
        files: transfers.filter((t) => t['direction'] !== 'listing').map((t) => ({ file: t['file'] ?? null, direction: t['direction'] ?? null, bytes: t['bytes'] ?? null })),
      };
    },
  },
};
