/**
 * Captured text shown in a terminal must never act on it. Control characters (C0, DEL,
 * C1), and bidirectional-override characters that can disguise text, are rendered as
 * visible escapes (`\x1b`, `\u202e`); backslashes stay as they are.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_WITH_NEWLINES = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** For one-line fields: every control character escaped, tabs and newlines included. */
export function visible(text: string): string {
  return text.replace(UNSAFE_WITH_NEWLINES, escapeChar);
}

/** For multi-line text (stream views): newlines and tabs kept, every other control escaped. */
export function visibleLines(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
