/** Pure SMTP text parsing: command lines, reply lines, BDAT arguments, Received headers. */

/** `VERB arg`: tshark's split (req.command / req.parameter), the verb upper-cased. */
export { parseCommand } from '../../dissect/text-lines.js';
import { replyDigits, replySeparator, replyText } from '../../dissect/text-lines.js';

export type SmtpReplyLine = { ok: true; code: number; last: boolean; text: string } | { ok: false; text: string };

/** `250-text` (more lines follow) or `250 text` / `250` (last line). */
export function parseReplyLine(line: string): SmtpReplyLine {
  const code = replyDigits(line);
  const sep = code >= 200 && code < 600 ? replySeparator(line) : -1;
  if (sep < 0) return { ok: false, text: line };
  return { ok: true, code, last: sep !== 0x2d, text: sep === 0 ? '' : replyText(line) };
}

export type BdatArg = { ok: true; size: number; last: boolean } | { ok: false; reason: string };

/** `BDAT <size> [LAST]` (RFC 3030 §2). */
export function parseBdat(arg: string): BdatArg {
  const parts = arg.trim().split(/\s+/);
  const sizeText = parts[0] ?? '';
  if (!/^\d+$/.test(sizeText)) return { ok: false, reason: `chunk size "${sizeText.slice(0, 40)}" is not a number` };
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return { ok: false, reason: `chunk size ${sizeText.slice(0, 40)} overflows` };
  const rest = parts.slice(1);
  if (rest.length > 1 || (rest.length === 1 && rest[0]!.toUpperCase() !== 'LAST')) {
    return { ok: false, reason: `unexpected BDAT parameters "${rest.join(' ').slice(0, 40)}"` };
  }
  return { ok: true, size, last: rest.length === 1 };
}

/** IP addresses in a Received header (`from host ([1.2.3.4])`), in order. */
export function receivedAddresses(received: string): string[] {
  const out: string[] = [];
  const re = /\[(?:IPv6:)?([0-9a-fA-F:.]+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(received))) {
    const a = m[1]!;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(a) || (a.includes(':') && a.length > 2)) out.push(a.toLowerCase());
  }
  return out;
}

/** Webmail user agents Zeek's smtp script knows (`is_webmail`). */
const WEBMAIL = /^(?:iPlanet Messenger|Sun Java\(tm\) System Messenger Express|Messenger Express|.*\(IMP\)|.*SquirrelMail|NeoMail|ZimbraWebClient|Roundcube Webmail|.*Horde Application Framework|Rainloop)/i;

export function isWebmail(userAgent: string | null): boolean {
  return userAgent !== null && WEBMAIL.test(userAgent);
}
