/** SMTP: the descriptor (detection by greeting and commands, not only port 25/587). */
import type { DissectorContext, FlowInfo, ProbeResult, ProtocolDescriptor } from '../../dissect/contract.js';
import { verbOf, withLenientRetry, type ProbeLines } from '../../dissect/text-probe.js';
import type { Direction } from '../../events/event.js';
import { SmtpDissector } from './dissector.js';
import { SMTP_ANOMALIES } from './events.js';

const SMTP_ONLY = new Set('EHLO HELO LHLO MAIL RCPT DATA BDAT STARTTLS VRFY EXPN ETRN'.split(' '));
const SHARED = new Set('NOOP QUIT RSET HELP AUTH'.split(' '));
/** Four-letter verbs of FTP and POP3 that SMTP does not have. */
const NOT_SMTP = new Set('USER PASS LIST RETR STOR PASV PORT EPRT EPSV SYST FEAT CAPA APOP STLS UIDL STAT DELE TYPE'.split(' '));
const SMTP_PORTS = [25, 587, 2525, 24];
const MAIL_SERVER = /smtp|esmtp|\bmail|postfix|exim|sendmail|qmail|\blmtp|opensmtpd|mta\b/i;
const FTP_SERVER = /\bftp|filezilla|vsftpd|proftpd/i;

export function probeSmtpGreeting(lines: string[], rest: string): ProbeResult {
  const first = lines[0] ?? rest;
  if (first.length < 4) return /^\d{0,3}$/.test(first) ? 'need_more' : 'no';
  if (!/^(220|554|421)[ -]/.test(first)) return 'no';
  if (lines.length === 0) return 'need_more';
  const text = lines.join(' ');
  if (MAIL_SERVER.test(text)) return 'match';
  if (FTP_SERVER.test(text)) return 'no';
  return 'need_more';
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
  return withLenientRetry(bytes, onPort, 8, (p) => judgeSmtp(p, dir, onPort));
}

function judgeSmtp({ lines, rest, text }: ProbeLines, dir: Direction, onPort: boolean): ProbeResult {
  if (!text) return 'no';
  const tie = (r: ProbeResult): ProbeResult => (r === 'need_more' && onPort && lines.length > 0 ? 'match' : r);
  if (dir === 's2c') return tie(probeSmtpGreeting(lines, rest));
  const asCommands = probeSmtpCommands(lines);
  if (asCommands !== 'no') return tie(asCommands);
  const asGreeting = probeSmtpGreeting(lines, rest);
  return asGreeting === 'match' ? 'match_reversed' : asGreeting;
}

export const smtpDescriptor: ProtocolDescriptor = {
  name: 'smtp',
  transports: ['tcp'],
  ports: SMTP_PORTS,
  probe: (bytes, dir, flow) => probeSmtp(bytes, dir, flow),
  createStream: (ctx: DissectorContext) => new SmtpDissector(ctx),
  anomalies: SMTP_ANOMALIES,
  emits: ['smtp.*', 'credentials'],
  carries: { protocols: ['tls'] }, // STARTTLS
  report: {
    section: 'smtp',
    events: ['smtp.message', 'smtp.session'],
    summarize(records) {
      const messages = records.filter((r) => r.type === 'smtp.message');
      const senders = new Map<string, number>();
      for (const m of messages) {
        const k = typeof m['mailfrom'] === 'string' ? m['mailfrom'] : '';
        senders.set(k, (senders.get(k) ?? 0) + 1);
      }
      return {
        messages: messages.length,
        envelope_mismatches: messages.filter((m) => m['envelope_mismatch'] !== null && m['envelope_mismatch'] !== undefined).length,
        rejected_recipients: messages.reduce((n, m) => n + (Array.isArray(m['rejected_rcptto']) ? m['rejected_rcptto'].length : 0), 0),
        attachments: messages.reduce((n, m) => n + (Array.isArray(m['attachments']) ? m['attachments'].length : 0), 0),
        senders: [...senders.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([mailfrom, count]) => ({ mailfrom, count })),
      };
    },
  },
};
