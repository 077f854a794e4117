/**
 * Helpers for probing text protocols: the complete lines at the start of a flow, and
 * whether the prefix still looks like text at all (so a binary flow is rejected at once).
 */
import { latin1 } from './text.js';

export interface ProbeLines {
  /** Complete lines, without their ends. */
  readonly lines: string[];
  /** Bytes after the last complete line. */
  readonly rest: string;
  /** No control bytes other than tab, CR and LF so far (8-bit text is allowed). */
  readonly text: boolean;
}

export function probeLines(bytes: Uint8Array, maxLines = 8): ProbeLines {
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

/** The upper-case first word of a command line. */
export function verbOf(line: string): string {
  const sp = line.indexOf(' ');
  return (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
}
