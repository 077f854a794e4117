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
