/**
 * What views draw: lines of coloured segments, built by pure functions the tests can read.
 * The UI draws them in colour; the text report prints their text.
 */
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

