/**
 * SMTP detection by greeting and commands, not only port 25/587: a 220 greeting that names
 * a mail server, or a client verb only SMTP has; the port breaks the ties text cannot.
 */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import { greetingNames, greetingOrCommands, verbOf, withLenientRetry } from '../../dissect/text-probe.js';
import type { Direction } from '../../events/event.js';

const SMTP_ONLY = new Set('EHLO HELO LHLO MAIL RCPT DATA BDAT STARTTLS VRFY EXPN ETRN'.split(' '));
const SHARED = new Set('NOOP QUIT RSET HELP AUTH'.split(' '));
/** Four-letter verbs of FTP and POP3 that SMTP does not have. */
const NOT_SMTP = new Set('USER PASS LIST RETR STOR PASV PORT EPRT EPSV SYST FEAT CAPA APOP STLS UIDL STAT DELE TYPE'.split(' '));
export const SMTP_PORTS = [25, 587, 2525, 24];
const MAIL_SERVER = /smtp|esmtp|\bmail|postfix|exim|sendmail|qmail|\blmtp|opensmtpd|mta\b/i;
const FTP_SERVER = /\bftp|filezilla|vsftpd|proftpd/i;

export function probeSmtpGreeting(lines: string[], rest: string): ProbeResult {
  const first = lines[0] ?? rest;
  if (first.length < 4) return /^\d{0,3}$/.test(first) ? 'need_more' : 'no';
  if (!/^(220|554|421)[ -]/.test(first)) return 'no';
  if (lines.length === 0) return 'need_more';
  return greetingNames(lines.join(' '), MAIL_SERVER, FTP_SERVER);
}

export function probeSmtpCommands(lines: string[]): ProbeResult {
  for (const line of lines) {
    const verb = verbOf(line);
    if (SMTP_ONLY.has(verb)) return 'match';
    if (!SHARED.has(verb)) return NOT_SMTP.has(verb) || !/^[A-Z]{4}$/.test(verb) ? 'no' : 'need_more';
  }
  return 'need_more';
}

/** The port breaks ties the text cannot (a bare `220 ready` on port 25 is SMTP). */
export function probeSmtp(bytes: Uint8Array, dir: Direction, flow?: FlowInfo): ProbeResult {
  const onPort = flow !== undefined && SMTP_PORTS.includes(flow.server.port);
  return withLenientRetry(bytes, onPort, 8, (p) => greetingOrCommands(p, dir, onPort, probeSmtpGreeting, probeSmtpCommands));
}
