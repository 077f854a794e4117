/**
 * Terminal columns of text, and wrapping that never loses a character. Ink measures with
 * string-width; this is the same rule for what matters here (East Asian wide and
 * fullwidth characters take two columns, combining marks none), kept in one small
 * module so layout, wrapping and cutting agree on it.
 */

// Wide and fullwidth ranges (Unicode East Asian Width W and F): Hangul Jamo, CJK,
// Hangul syllables, compatibility ideographs, fullwidth forms, and the emoji blocks.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

const ZERO = /^[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]$/u;

/** Columns one code point takes: 0, 1 or 2. */
export function charWidth(c: string): number {
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  if (ZERO.test(c)) return 0;
  for (const [lo, hi] of WIDE) {
    if (cp < lo) return 1;
    if (cp <= hi) return 2;
  }
  return 1;
}

/** Columns a string takes on a terminal. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const c of text) w += charWidth(c);
  return w;
}

/**
 * Splits `text` into rows of at most `width` columns; continuation rows start with
 * `indent` spaces. Every character of `text` is in exactly one row, in order: the rows
 * with their indent removed, joined, give `text` back (a property test holds it to that).
 * A character wider than a row's room still gets a row of its own, never dropped.
 */
export function wrapText(text: string, width: number, indent = 0): string[] {
  if (displayWidth(text) <= width) return [text];
  // A continuation indent that leaves too little room is narrowed, never the text cut.
  const ind = width - indent >= 4 ? indent : 0;
  const rows: string[] = [];
  let row = '';
  let used = 0;
  let room = width;
  for (const c of text) {
    const w = charWidth(c);
    if (used + w > room && used > 0) {
      rows.push(rows.length ? ' '.repeat(ind) + row : row);
      row = '';
      used = 0;
      room = Math.max(1, width - ind);
    }
    row += c;
    used += w;
  }
  rows.push(rows.length ? ' '.repeat(ind) + row : row);
  return rows;
}

/** The continuation indent `wrapText` used, for callers that join rows back. */
export function wrapIndent(width: number, indent: number): number {
  return width - indent >= 4 ? indent : 0;
}

/** The longest start of `text` that fits `room` columns (at least one character), and the rest. */
export function takeColumns(text: string, room: number): [head: string, rest: string] {
  let used = 0;
  let i = 0;
  for (const c of text) {
    const w = charWidth(c);
    if (used + w > room && i > 0) break;
    used += w;
    i += c.length;
  }
  return [text.slice(0, i), text.slice(i)];
}

/**
 * Word wrapping for prose (help text): breaks at spaces, so no word is split across rows
 * unless it is longer than a whole row (then it is cut where the row ends, nothing lost).
 * Continuation rows start with `indent` spaces.
 */
export function wrapWords(text: string, width: number, indent = 0): string[] {
  const ind = wrapIndent(width, indent);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let row = '';
    let used = 0;
    let empty = true;
    const newRow = () => {
      out.push(row.trimEnd());
      row = ' '.repeat(ind);
      used = ind;
      empty = true;
    };
    for (const word of para.split(' ')) {
      const w = displayWidth(word);
      if (!empty && used + 1 + w > width) newRow();
      else if (!empty) {
        row += ' ';
        used += 1;
      }
      let rest = word;
      empty = false;
      while (used + displayWidth(rest) > width) {
        const [head, tail] = takeColumns(rest, Math.max(1, width - used));
        row += head;
        rest = tail;
        newRow();
      }
      row += rest;
      used += displayWidth(rest);
      if (!rest) empty = used === ind && row.trim() === '';
    }
    out.push(row.trimEnd());
  }
  return out;
}
