/**
 * Pictures in the terminal: a braille canvas (each character cell is 2 × 4 dots, so a
 * 60 × 12 cell graph has 120 × 48 points) and block-character bars, with axes and labels.
 * Pure functions from numbers to `Line`s: the UI draws them, `report --text` prints them,
 * the tests read them.
 */
import type { Color, Line, Seg } from './lines.js';
import { fit, fitRight } from './text.js';

/** Dot bits of a braille cell, by [dot row 0..3 from the top][dot column 0..1]. */
const DOT_BITS: readonly (readonly [number, number])[] = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];
const BRAILLE_BASE = 0x2800;
const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** A grid of braille cells; dot (0, 0) is the bottom left. */
export class BrailleCanvas {
  private readonly bits: Uint8Array;
  private readonly colors: (Color | undefined)[];
  private readonly marks = new Map<number, { char: string; color: Color }>();

  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.bits = new Uint8Array(cols * rows);
    this.colors = new Array<Color | undefined>(cols * rows).fill(undefined);
  }

  /** Dots across and up. */
  get width(): number {
    return this.cols * 2;
  }

  get height(): number {
    return this.rows * 4;
  }

  /** The cell of dot (x, y): [column, row from the top]. */
  cellOf(x: number, y: number): [number, number] {
    return [Math.floor(x / 2), this.rows - 1 - Math.floor(y / 4)];
  }

  dot(x: number, y: number, color?: Color): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const [c, r] = this.cellOf(xi, yi);
    const i = r * this.cols + c;
    this.bits[i]! |= DOT_BITS[3 - (yi % 4)]![xi % 2]!;
    if (color) this.colors[i] = color;
  }

  /** A vertical bar from y0 to y1 at x (Stevens draws a segment as one). */
  vline(x: number, y0: number, y1: number, color?: Color): void {
    const lo = Math.round(Math.min(y0, y1));
    const hi = Math.round(Math.max(y0, y1));
    for (let y = lo; y <= hi; y++) this.dot(x, y, color);
  }

  /** A straight line between two dots. */
  line(x0: number, y0: number, x1: number, y1: number, color?: Color): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) this.dot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color);
  }

  /** Draws `char` in the cell holding dot (x, y) instead of its dots (a retransmission's `×`). */
  mark(x: number, y: number, char: string, color: Color): void {
    const xi = Math.max(0, Math.min(this.width - 1, Math.round(x)));
    const yi = Math.max(0, Math.min(this.height - 1, Math.round(y)));
    const [c, r] = this.cellOf(xi, yi);
    this.marks.set(r * this.cols + c, { char, color });
  }

  /** One string per row, top first (no colour). */
  text(): string[] {
    return this.segments().map((segs) => segs.map((s) => s.text).join(''));
  }

  /** Each row as segments of one colour. */
  segments(): Seg[][] {
    const out: Seg[][] = [];
    for (let r = 0; r < this.rows; r++) {
      const segs: Seg[] = [];
      for (let c = 0; c < this.cols; c++) {
        const i = r * this.cols + c;
        const m = this.marks.get(i);
        const ch = m ? m.char : this.bits[i] ? String.fromCharCode(BRAILLE_BASE + this.bits[i]!) : ' ';
        const color = m ? m.color : this.colors[i];
        const last = segs[segs.length - 1];
        if (last && last.color === color && !m) last.text += ch;
        else segs.push(m ? { text: ch, color, bold: true } : { text: ch, color });
      }
      out.push(segs);
    }
    return out;
  }
}

/** Where `v` of [lo, hi] falls on `n` points (0..n-1); everything on 0 when the range is empty. */
export function scale(v: number, lo: number, hi: number, n: number): number {
  if (!(hi > lo)) return 0;
  return Math.max(0, Math.min(n - 1, Math.round(((v - lo) / (hi - lo)) * (n - 1))));
}

export interface Frame {
  title: string;
  /** Label of the top and bottom of the y axis. */
  yTop: string;
  yBottom: string;
  /** Labels of the left and right ends of the x axis. */
  xLeft: string;
  xRight: string;
  /** What the colours mean, drawn under the axis. */
  legend?: Seg[];
}

/** Columns taken left of a plot by its y labels and axis. */
export const Y_LABEL = 9;

/** A plot's rows with a title above, y labels and axis on the left, an x axis below. */
export function framed(rows: Seg[][], f: Frame, titleColor: Color = 'cyan'): Line[] {
  const out: Line[] = [{ segs: [{ text: f.title, bold: true, color: titleColor }] }];
  rows.forEach((segs, i) => {
    const label = i === 0 ? f.yTop : i === rows.length - 1 ? f.yBottom : '';
    out.push({ segs: [{ text: fitRight(label, Y_LABEL - 1) + (i === 0 || i === rows.length - 1 ? '┤' : '│'), dim: true }, ...segs] });
  });
  const width = rows[0]?.reduce((n, s) => n + [...s.text].length, 0) ?? 0;
  out.push({ segs: [{ text: ' '.repeat(Y_LABEL - 1) + '└' + '─'.repeat(width), dim: true }] });
  const right = f.xRight;
  const gap = Math.max(1, width - f.xLeft.length - right.length);
  out.push({ segs: [{ text: ' '.repeat(Y_LABEL) + fit(f.xLeft, Math.max(0, width - right.length - 1)) + ' '.repeat(gap) + right, dim: true }] });
  if (f.legend?.length) out.push({ segs: [{ text: ' '.repeat(Y_LABEL) }, ...f.legend] });
  return out;
}

/**
 * Bars of block characters, `rows` high, one column per value (`values.length` columns):
 * each row is an eighth-step slice of the bar. Zero draws nothing; any value above zero
 * draws at least the lowest block, so a trickle is not lost.
 */
export function bars(values: readonly number[], rows: number, color: Color, max = Math.max(0, ...values)): Seg[][] {
  const out: Seg[][] = [];
  for (let r = 0; r < rows; r++) {
    let text = '';
    const floor = rows - 1 - r;
    for (const v of values) {
      const eighths = max > 0 && v > 0 ? Math.max(1, Math.round((v / max) * rows * 8)) : 0;
      const here = Math.max(0, Math.min(8, eighths - floor * 8));
      text += BLOCKS[here]!;
    }
    out.push([{ text, color }]);
  }
  return out;
}

/** Sums `values` into at most `cols` columns; `per` says how many values each column holds. */
export function resample(values: readonly number[], cols: number): { values: number[]; per: number } {
  if (values.length <= cols) return { values: values.slice(), per: 1 };
  const per = Math.ceil(values.length / cols);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += per) {
    let s = 0;
    for (let k = i; k < i + per && k < values.length; k++) s += values[k]!;
    out.push(s);
  }
  return { values: out, per };
}

/** A short number: 1234567 → `1.2M`, 0.00123 → `1.23m`. */
export function shortNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1) return `${+v.toPrecision(3)}`;
  if (a >= 1e-3) return `${+(v * 1e3).toPrecision(3)}m`;
  return `${+(v * 1e6).toPrecision(3)}µ`;
}

/** Seconds as a short label: `0.5 s`, `12 ms`, `250 µs`. */
export function shortSeconds(s: number): string {
  if (s >= 1) return `${+s.toPrecision(4)} s`;
  if (s >= 1e-3) return `${+(s * 1e3).toPrecision(3)} ms`;
  return `${+(s * 1e6).toPrecision(3)} µs`;
}
