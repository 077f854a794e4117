/** POP3 detection by greeting (`+OK`) and commands, not only port 110. */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import { verbOf, withLenientRetry, type ProbeLines } from '../../dissect/text-probe.js';
import type { Direction } from '../../events/event.js';

const POP3_ONLY = new Set('CAPA APOP STLS UIDL TOP STAT'.split(' '));
/** Verbs POP3 shares with FTP or SMTP: not a verdict alone. */
const SHARED = new Set('USER PASS QUIT NOOP RETR LIST DELE RSET AUTH'.split(' '));
export const POP3_PORTS = [110];

export function probePop3(bytes: Uint8Array, dir: Direction, flow?: FlowInfo): ProbeResult {
  return withLenientRetry(bytes, flow !== undefined && POP3_PORTS.includes(flow.server.port), 8, (p) => judgePop3(p, dir, flow));
}

function judgePop3({ lines, rest, text }: ProbeLines, dir: Direction, flow?: FlowInfo): ProbeResult {
  if (!text) return 'no';
  const first = lines[0] ?? rest;
  const greeting = /^(\+OK|-ERR)(\s|$)/i;
  if (dir === 's2c') {
    if (greeting.test(first) && (lines.length > 0 || first.length >= 4)) return 'match';
    return first.length < 4 && '+OK'.startsWith(first.slice(0, 3).toUpperCase()) ? 'need_more' : 'no';
  }
  if (greeting.test(first)) return 'match_reversed';
  for (const line of lines) {
    const verb = verbOf(line);
    if (POP3_ONLY.has(verb)) return 'match';
    if (!SHARED.has(verb)) return 'no';
  }
  return lines.length > 0 && flow !== undefined && POP3_PORTS.includes(flow.server.port) ? 'match' : 'need_more';
}
