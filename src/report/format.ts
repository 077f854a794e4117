/** Small formatting helpers for text output meant for people. */

import { hostPort } from '../dissect/text.js';

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatSeconds(s: number): string {
  if (s < 1e-3) return `${Math.round(s * 1e6)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  if (s < 60) return `${s.toFixed(2)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** Columns padded to their widest cell; `right` lists columns aligned right (numbers). */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = columnWidths(header);
  for (const r of rows) widen(widths, r);
  return [tableLine(header, widths, right), ...rows.map((r) => tableLine(r, widths, right))].join('\n') + '\n';
}

/** Widths of a table's columns so far: its header's. */
export const columnWidths = (header: readonly string[]): number[] => header.map((h) => h.length);

/** Widens `widths` to fit `row` (a loop: a spread of more than ~120,000 rows overflows the stack). */
export function widen(widths: number[], row: readonly string[]): void {
  for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (row[i] ?? '').length);
}

/** One line of a table with these column widths. */
export function tableLine(cells: readonly string[], widths: readonly number[], right: ReadonlySet<number>): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
}

export const endpoint = (addr: unknown, port: unknown): string => hostPort(String(addr), String(port));
