/** IMAP detection by greeting and tagged commands, not only port 143. */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import { withLenientRetry, type ProbeLines } from '../../dissect/text-probe.js';
import type { Direction } from '../../events/event.js';
import { parseCommandLine } from './parser.js';

/** Commands of RFC 3501/9051 and the common extensions; a tagged line using one is IMAP. */
const IMAP_COMMANDS = new Set(
  (
    'CAPABILITY NOOP LOGOUT STARTTLS AUTHENTICATE LOGIN SELECT EXAMINE CREATE DELETE RENAME SUBSCRIBE ' +
    'UNSUBSCRIBE LIST LSUB XLIST STATUS APPEND CHECK CLOSE EXPUNGE SEARCH FETCH STORE COPY MOVE UID IDLE ' +
    'ID ENABLE NAMESPACE UNSELECT COMPRESS GETQUOTA GETQUOTAROOT SETQUOTA GETACL SETACL DELETEACL MYRIGHTS ' +
    'LISTRIGHTS SORT THREAD GETMETADATA SETMETADATA NOTIFY ESEARCH REPLACE'
  ).split(' '),
);
export const IMAP_PORTS = [143];
/** Untagged greeting (RFC 3501 §7.1): OK, PREAUTH, or BYE when the server turns the client away. */
const GREETING = /^\* (OK|PREAUTH|BYE)( |$)/i;

/** A line start that may still become a greeting. */
function couldBeGreeting(partial: string): boolean {
  const p = partial.toUpperCase();
  return GREETING.test(partial) || ['* OK', '* PREAUTH', '* BYE'].some((g) => g.startsWith(p));
}

/**
 * Server side: the `* OK` / `* PREAUTH` greeting. Client side: a tagged command with a known
 * verb (`a001 LOGIN ...`). POP3's `+OK`, SMTP's and FTP's `220` and untagged verbs such as
 * `USER bob` are not IMAP. On port 143 a tagged line with an unknown (extension) verb is enough.
 */
export function probeImap(bytes: Uint8Array, dir: Direction, flow?: FlowInfo): ProbeResult {
  return withLenientRetry(bytes, flow !== undefined && IMAP_PORTS.includes(flow.server.port), 4, (p) => judgeImap(p, dir, flow));
}

function judgeImap({ lines, rest, text }: ProbeLines, dir: Direction, flow?: FlowInfo): ProbeResult {
  if (!text) return 'no';
  const first = lines[0];
  if (first === undefined) {
    if (rest.length > 512) return 'no';
    if (dir === 's2c' || rest.startsWith('*')) return couldBeGreeting(rest) ? 'need_more' : 'no';
    return plausibleTag(rest) ? 'need_more' : 'no';
  }
  if (dir === 's2c') return GREETING.test(first) ? 'match' : 'no';
  if (GREETING.test(first)) return 'match_reversed';
  const cmd = parseCommandLine(first);
  if (!cmd) return 'no';
  if (IMAP_COMMANDS.has(cmd.command)) return 'match';
  return flow !== undefined && IMAP_PORTS.includes(flow.server.port) ? 'match' : 'no';
}

/** The start of a line that may still become `tag COMMAND`. */
function plausibleTag(s: string): boolean {
  return /^[^\s(){%*"\\+]+( [A-Za-z]*)?$/.test(s) || /^[^\s(){%*"\\+]+ [A-Za-z]+ /.test(s);
}
