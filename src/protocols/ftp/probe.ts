/**
 * FTP detection by greeting and commands, not only port 21: a greeting that names an FTP
 * server, or a client verb only FTP has; the port breaks the ties text cannot.
 */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import { greetingNames, greetingOrCommands, verbOf, withLenientRetry } from '../../dissect/text-probe.js';
import type { Direction } from '../../events/event.js';

/** Verbs only FTP uses (RFC 959, 2389, 2428, 3659, 4217). */
const FTP_ONLY = new Set(
  'FEAT SYST PASV EPSV PORT EPRT CWD XCWD CDUP XCUP PWD XPWD TYPE MODE STRU SIZE MDTM STOR STOU APPE NLST MLSD MLST MKD XMKD RMD XRMD RNFR RNTO REST ACCT SITE OPTS ABOR ALLO PBSZ PROT CCC LANG HOST CLNT'.split(' '),
);
/** Verbs of SMTP and POP3 that FTP does not have (FTP shares USER PASS QUIT NOOP RETR LIST DELE HELP STAT AUTH). */
const NOT_FTP = new Set('EHLO HELO LHLO MAIL RCPT DATA BDAT VRFY EXPN CAPA APOP STLS UIDL TOP GET HEAD POST PUT'.split(' '));
export const FTP_PORTS = [21];
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
  return greetingNames(lines.join(' ') + ' ' + rest, FTP_SERVER, MAIL_SERVER);
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
  return withLenientRetry(bytes, onPort, 8, (p) => greetingOrCommands(p, dir, onPort, probeFtpGreeting, probeFtpCommands));
}
