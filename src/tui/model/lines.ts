/** What views draw: lines of coloured segments, built by pure functions the tests can read. */
export type Color = 'green' | 'cyan' | 'magenta' | 'yellow' | 'red' | 'blue' | 'gray' | 'white';

export interface Seg {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
}

export interface Line {
  segs: Seg[];
  /** What Enter acts on at this line (a group or record to fold, a flow to open). */
  target?: string;
}

export const line = (text: string, style: Omit<Seg, 'text'> = {}, target?: string): Line => ({ segs: [{ text, ...style }], target });

export const plain = (l: Line): string => l.segs.map((s) => s.text).join('');

/** Splits a long text line into rows of `width`, continuation rows indented by `indent`. */
export function wrapText(text: string, width: number, indent: number): string[] {
  const chars = [...text];
  if (width <= indent + 4 || chars.length <= width) return [text];
  const rows = [chars.slice(0, width).join('')];
  const room = width - indent;
  for (let i = width; i < chars.length; i += room) rows.push(' '.repeat(indent) + chars.slice(i, i + room).join(''));
  return rows;
}
