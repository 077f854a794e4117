/**
 * One direction of a line-based text protocol (FTP, SMTP, POP3): a `LineFramer` whose lines
 * reach the dissector decoded (`decodeText`), and whose over-long lines are the protocol's
 * `<name>.line_too_long` anomaly, so each dissector writes only what its lines mean.
 */
import type { AnomalyCode } from '../events/event-map.js';
import type { Direction } from '../events/event.js';
import type { DissectorContext } from './contract.js';
import { LineFramer, type LineHandler } from './line-framer.js';
import { decodeText } from './text.js';

export function textLines(
  ctx: DissectorContext,
  dir: Direction,
  tooLong: AnomalyCode,
  /** What a line is in this direction (`command`, `reply`, `status`), for the anomaly's detail. */
  what: string,
  line: (text: string, truncated: boolean) => void,
  /** Body, raw and gap handlers, where the protocol has them. */
  more: Omit<LineHandler, 'line' | 'tooLong'> = {},
): LineFramer {
  const handler: LineHandler = {
    line: (b, start, end, info) => line(decodeText(b, start, end), info.truncated),
    tooLong: (limit) => ctx.anomaly(tooLong, dir, `${what} line over ${limit} bytes`),
    ...more,
  };
  return new LineFramer(handler, ctx.limits.max_line);
}

/**
 * A command line of FTP, SMTP or POP3: the verb (upper-cased: the three are case-insensitive)
 * up to the first space, and the rest as sent.
 */
export function parseCommand(line: string): { command: string; arg: string } {
  const sp = line.indexOf(' ');
  if (sp < 0) return { command: line.trim().toUpperCase(), arg: '' };
  return { command: line.slice(0, sp).toUpperCase(), arg: line.slice(sp + 1) };
}

/**
 * The three digits at the start of a reply line as a number (`000`-`999`), or -1. What the
 * reply parsers of FTP and SMTP matched with `/^(\d{3})(?:([ -])(.*)|$)/`, by hand: the regex
 * made a match array and three strings per reply line.
 */
export function replyDigits(line: string): number {
  if (line.length < 3) return -1;
  const a = line.charCodeAt(0) - 0x30;
  const b = line.charCodeAt(1) - 0x30;
  const c = line.charCodeAt(2) - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/**
 * The separator after a reply code: 0x20 (space), 0x2d (`-`), 0 at the end of the line,
 * or -1 for anything else (not a reply line).
 */
export function replySeparator(line: string): number {
  if (line.length === 3) return 0;
  const c = line.charCodeAt(3);
  return c === 0x20 || c === 0x2d ? c : -1;
}

/**
 * The text after `code` and its separator, up to the first line terminator as a regex's
 * `.` sees them (LF, CR, U+2028, U+2029: a lone CR is line content for the framer).
 */
export function replyText(line: string): string {
  for (let i = 4; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return line.slice(4, i);
  }
  return line.length > 4 ? line.slice(4) : '';
}
