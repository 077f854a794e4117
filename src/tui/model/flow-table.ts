import { fit, fitEndpoint, fitRight, formatBytes, formatSeconds } from '../text.js';
import type { FlowRow, SortColumn } from './flow-row.js';
import type { Line } from './lines.js';

export interface Column {
  key: SortColumn;
  title: string;
  width: number;
  right?: boolean;
}

/**
 * Column widths for a terminal width: fixed columns for numbers, addresses sharing what
 * is left with the summary (which gets at least a third of it).
 */
export function flowColumns(width: number): Column[] {
  const fixed: Column[] = [
    { key: 'id', title: 'id', width: 5, right: true },
    { key: 'app', title: 'app', width: 8 },
  ];
  const numbers: Column[] = [
    { key: 'pkts', title: 'pkts', width: 7, right: true },
    { key: 'bytes', title: 'bytes', width: 9, right: true },
    { key: 'duration', title: 'duration', width: 9, right: true },
    { key: 'state', title: 'state', width: 6 },
  ];
  // One column of gutter (the selection mark), one space after each column.
  const used = 1 + [...fixed, ...numbers].reduce((a, c) => a + c.width + 1, 0) + 2;
  const rest = Math.max(30, width - used);
  const addr = Math.max(15, Math.min(30, Math.floor(rest * 0.32)));
  const summary = Math.max(8, rest - 2 * addr);
  return [
    ...fixed,
    { key: 'client', title: 'client', width: addr },
    { key: 'server', title: 'server', width: addr },
    ...numbers,
    { key: 'summary', title: 'summary', width: summary },
  ];
}

export function headerLine(cols: readonly Column[], sort: SortColumn, desc: boolean): Line {
  const text = cols
    .map((c) => {
      const t = c.key === sort ? `${c.title}${desc ? '▼' : '▲'}` : c.title;
      return c.right ? fitRight(t, c.width) : fit(t, c.width, true);
    })
    .join(' ');
  return { segs: [{ text, bold: true }] };
}

export function rowLine(r: FlowRow, cols: readonly Column[]): Line {
  const cell = (c: Column): string => {
    switch (c.key) {
      case 'id':
        return fitRight(String(r.id), c.width);
      case 'pkts':
        return fitRight(String(r.pkts), c.width);
      case 'bytes':
        return fitRight(formatBytes(r.bytes), c.width);
      case 'duration':
        return fitRight(formatSeconds(r.duration), c.width);
      case 'client':
      case 'server':
        return fitEndpoint(r[c.key], c.width);
      default:
        return fit(r[c.key], c.width, true);
    }
  };
  return {
    segs: cols.map((c, i) => ({
      text: (i ? ' ' : '') + cell(c),
      color: c.key === 'app' ? (r.service ? 'cyan' : 'gray') : c.key === 'state' && !r.ended ? 'yellow' : undefined,
      dim: c.key === 'id',
    })),
    target: `flow:${r.id}`,
  };
}
