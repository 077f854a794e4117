/**
 * Helpers for probing text protocols: the complete lines at the start of a flow, and
 * whether the prefix still looks like text at all (so a binary flow is rejected at once).
 */
import type { ProbeResult } from './contract.js';
import type { Direction } from '../events/event.js';
import { latin1 } from './text.js';

export interface ProbeLines {
  /** Complete lines, without their ends. */
  readonly lines: string[];
  /** Bytes after the last complete line. */
  readonly rest: string;
  /** No control bytes other than tab, CR and LF so far (8-bit text is allowed). */
  readonly text: boolean;
}

/**
 * The last prefix split by `probeLines`, and its lines. Detection asks the probes of FTP,
 * SMTP, POP3 and IMAP one after another with the same prefix (one new array per offer,
 * never changed after: dissect/detect.ts), and each split it into the same strings.
 */
let lastBytes: Uint8Array | null = null;
let lastLength = -1;
let lastMax = -1;
let lastResult: ProbeLines | null = null;

export function probeLines(bytes: Uint8Array, maxLines = 8): ProbeLines {
  if (bytes === lastBytes && bytes.length === lastLength && lastResult !== null) {
    if (maxLines === lastMax) return lastResult;
    // Fewer lines of the same prefix: the first of the lines already made, the same rest.
    if (maxLines < lastMax) return { lines: lastResult.lines.slice(0, maxLines), rest: lastResult.rest, text: lastResult.text };
  }
  const r = splitLines(bytes, maxLines);
  lastBytes = bytes;
  lastLength = bytes.length;
  lastMax = maxLines;
  lastResult = r;
  return r;
}

function splitLines(bytes: Uint8Array, maxLines: number): ProbeLines {
  const lines: string[] = [];
  let start = 0;
  let text = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x0a) {
      if (lines.length < maxLines) lines.push(latin1(bytes, start, i > start && bytes[i - 1] === 0x0d ? i - 1 : i));
      start = i + 1;
    } else if (c !== 0x0d && c !== 0x09 && (c < 0x20 || c === 0x7f)) {
      text = false;
      break;
    }
  }
  return { lines, rest: text ? latin1(bytes, start, bytes.length) : '', text };
}

/** Control bytes a lenient reading overlooks in the probed prefix; more is binary, not junk. */
export const MAX_PROBE_JUNK = 8;

/**
 * The lines with stray control bytes (ESC, BEL, NUL...) left out, for a second look on the
 * protocol's own port: a client reads `220 Welcome\x1b[0m` as a greeting, so a probe may
 * too. `text` is false when there are more than MAX_PROBE_JUNK of them.
 */
export function probeLinesLenient(bytes: Uint8Array, maxLines = 8): ProbeLines {
  let junk = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x0a && c !== 0x0d && c !== 0x09 && (c < 0x20 || c === 0x7f) && ++junk > MAX_PROBE_JUNK) return { lines: [], rest: '', text: false };
  }
  if (junk === 0) return probeLines(bytes, maxLines);
  const clean = new Uint8Array(bytes.length - junk);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x0a || c === 0x0d || c === 0x09 || (c >= 0x20 && c !== 0x7f)) clean[n++] = c;
  }
  return probeLines(clean, maxLines);
}

/**
 * A probe run strictly, and again leniently (control bytes overlooked) when the strict run
 * saw binary and the flow is on one of the protocol's ports. A lenient match is
 * `match_lenient`; anything else the lenient run says is `no`, as the strict one did.
 */
export function withLenientRetry(
  bytes: Uint8Array,
  onPort: boolean,
  maxLines: number,
  judge: (p: ProbeLines) => ProbeResult,
): ProbeResult {
  const strict = probeLines(bytes, maxLines);
  if (strict.text || !onPort) return judge(strict);
  const lenient = probeLinesLenient(bytes, maxLines);
  if (!lenient.text) return 'no';
  const r = judge(lenient);
  return r === 'match' ? 'match_lenient' : r === 'need_more' ? 'need_more' : 'no';
}

/** The upper-case first word of a command line. */
export function verbOf(line: string): string {
  const sp = line.indexOf(' ');
  return (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
}

/**
 * How FTP and SMTP judge a flow's first lines, which both start with a `220` greeting: from
 * the server, its greeting; from the client, its commands, or else a greeting (the capture
 * began mid-flow with the roles swapped). On the protocol's port (`onPort`), lines that
 * leave the question open are enough: a bare `220 ready` on port 21 is FTP, on 25 SMTP.
 */
export function greetingOrCommands(
  { lines, rest, text }: ProbeLines,
  dir: Direction,
  onPort: boolean,
  greeting: (lines: string[], rest: string) => ProbeResult,
  commands: (lines: string[]) => ProbeResult,
): ProbeResult {
  if (!text) return 'no';
  const tie = (r: ProbeResult): ProbeResult => (r === 'need_more' && onPort && lines.length > 0 ? 'match' : r);
  if (dir === 's2c') return tie(greeting(lines, rest));
  const asCommands = commands(lines);
  if (asCommands !== 'no') return tie(asCommands);
  const asGreeting = greeting(lines, rest);
  return asGreeting === 'match' ? 'match_reversed' : asGreeting;
}

/**
 * What a greeting's text says of the server: one of this protocol's (`match`), one of the
 * protocol it is most often confused with (`no`: FTP and SMTP both greet with `220`), or
 * neither so far (`need_more`).
 */
export function greetingNames(text: string, ours: RegExp, theirs: RegExp): ProbeResult {
  if (ours.test(text)) return 'match';
  if (theirs.test(text)) return 'no';
  return 'need_more';
}
