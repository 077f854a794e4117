import { fit, fitRight, formatBytes, formatSeconds } from '../text.js';
import { displayWidth, wrapWords } from '../../plot/width.js';
import type { FlowRow, SortColumn } from './flow-row.js';
import type { Line } from './lines.js';

export interface Column {
  key: SortColumn;
  title: string;
  width: number;
  right?: boolean;
}

/** How the flows list is laid out at one width, and what did not fit in it. */
export interface FlowLayout {
  columns: Column[];
  /** Numbers written short (`1.2s`, not `1.20 s`): the first thing given up for room. */
  compact: boolean;
  /** The client's port shown as `…` (it is in the detail strip): the last thing given up. */
  shortClientPort: boolean;
  /**
   * Columns left out of the table. When any is, the selected flow's whole record (both
   * endpoints, every number, the summary) is shown in a detail strip under the list.
   */
  hidden: SortColumn[];
  /** Whether the detail strip is shown: a column is hidden, or a summary is cut. */
  strip: boolean;
}

/** Widest endpoints and ids in the list, so columns are as wide as what they hold. */
export interface FlowWidths {
  id: number;
  app: number;
  client: number;
  server: number;
  pkts: number;
  state: number;
  /** The widest summary: when its column is narrower, the detail strip shows it whole. */
  summary: number;
}

/** Summaries narrower than this read badly: the summary moves to the detail strip instead. */
export const MIN_SUMMARY = 20;
/** The widest endpoint text: `[` + a full IPv6 address + `]:` + a port. */
const ADDRESS_MAX = 47;

export function measureRows(rows: readonly FlowRow[]): FlowWidths {
  // At least each title and its sort mark (`id▲`, `state▼`), so the header is never cut.
  const w: FlowWidths = { id: 3, app: 4, client: 7, server: 7, pkts: 5, state: 6, summary: 0 };
  for (const r of rows) {
    w.id = Math.max(w.id, String(r.id).length);
    w.app = Math.max(w.app, displayWidth(r.app));
    w.client = Math.max(w.client, displayWidth(r.client));
    w.server = Math.max(w.server, displayWidth(r.server));
    w.pkts = Math.max(w.pkts, String(r.pkts).length);
    w.state = Math.max(w.state, displayWidth(r.state));
    w.summary = Math.max(w.summary, displayWidth(r.summary));
  }
  w.app = Math.min(w.app, 10);
  w.client = Math.min(w.client, ADDRESS_MAX);
  w.server = Math.min(w.server, ADDRESS_MAX);
  w.state = Math.min(w.state, 8);
  return w;
}

const ORDER: readonly SortColumn[] = ['id', 'app', 'client', 'server', 'pkts', 'bytes', 'duration', 'state', 'summary'];

/**
 * Chooses the columns for a terminal width by priority, so that addresses are never cut:
 * 1. numbers written short (durations `419µs`, `1.2s`); 2. the summary moves to the
 * detail strip; 3. state, then packets, then duration move there too; 4. the client's
 * (ephemeral) port becomes `…`. Only a terminal too narrow for the two addresses alone
 * cuts them, at their end. `measure` is `measureRows` of the rows shown.
 */
export function flowLayout(width: number, measure: FlowWidths): FlowLayout {
  const numbers = (compact: boolean): Record<'pkts' | 'bytes' | 'duration' | 'state', number> =>
    compact ? { pkts: measure.pkts, bytes: 6, duration: 6, state: measure.state } : { pkts: Math.max(6, measure.pkts), bytes: 9, duration: 9, state: Math.max(6, measure.state) };
  const clientShort = Math.max(6, measure.client - clientPortSaving(measure.client));
  const steps: Array<{ compact: boolean; hidden: SortColumn[]; shortPort: boolean }> = [
    { compact: false, hidden: [], shortPort: false },
    { compact: true, hidden: [], shortPort: false },
    { compact: true, hidden: ['summary'], shortPort: false },
    { compact: true, hidden: ['summary', 'state'], shortPort: false },
    { compact: true, hidden: ['summary', 'state', 'pkts'], shortPort: false },
    { compact: true, hidden: ['summary', 'state', 'pkts', 'duration'], shortPort: false },
    { compact: true, hidden: ['summary', 'state', 'pkts', 'duration'], shortPort: true },
  ];
  for (const step of steps) {
    const cols = build(step.compact, step.hidden, step.shortPort ? clientShort : measure.client, measure.server);
    const used = usedWidth(cols);
    const hasSummary = !step.hidden.includes('summary');
    if (hasSummary ? used + 1 + MIN_SUMMARY <= width : used <= width) {
      const summary = width - used - 1;
      if (hasSummary) cols.push({ key: 'summary', title: 'summary', width: summary });
      const strip = !hasSummary || summary < measure.summary;
      return { columns: cols, compact: step.compact, shortClientPort: step.shortPort, hidden: step.hidden, strip };
    }
  }
  // Narrower than two whole addresses: they share what is left, cut at their end.
  const hidden: SortColumn[] = ['summary', 'state', 'pkts', 'duration'];
  const fixed = build(true, hidden, 0, 0);
  const room = Math.max(12, width - usedWidth(fixed) - 1);
  const client = Math.max(6, Math.min(clientShort, Math.floor(room / 2)));
  return { columns: build(true, hidden, client, Math.max(6, room - client)), compact: true, shortClientPort: true, hidden, strip: true };

  function build(compact: boolean, hidden: readonly SortColumn[], client: number, server: number): Column[] {
    const n = numbers(compact);
    const all: Column[] = [
      { key: 'id', title: 'id', width: measure.id, right: true },
      { key: 'app', title: 'app', width: measure.app },
      { key: 'client', title: 'client', width: client },
      { key: 'server', title: 'server', width: server },
      { key: 'pkts', title: 'pkts', width: n.pkts, right: true },
      { key: 'bytes', title: 'bytes', width: n.bytes, right: true },
      { key: 'duration', title: compact ? 'dur' : 'duration', width: n.duration, right: true },
      { key: 'state', title: 'state', width: n.state },
    ];
    return all.filter((c) => !hidden.includes(c.key)).sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
  }
}

/** Columns the client's port takes beyond `:…` (a 5-digit port saves 4). */
const clientPortSaving = (clientWidth: number): number => (clientWidth > 8 ? 4 : 0);

/** Width of the row: the gutter, each column and the space after it. */
const usedWidth = (cols: readonly Column[]): number => 1 + cols.reduce((a, c) => a + c.width, 0) + Math.max(0, cols.length - 1);

/** `1.2s`, `419µs`, `12ms`, `5m03s`, `2h05m`: a duration in six columns at most. */
export function shortSeconds(s: number): string {
  if (s < 1e-3) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${Math.round(s * 1e3)}ms`;
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s - m * 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 100) return `${h}h${String(m - h * 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d`;
}

/** An endpoint with its port shown as `…`: `172.16.0.2:…`, `[2001:db8::1]:…`. */
export function withoutPort(endpoint: string): string {
  const i = endpoint.lastIndexOf(':');
  return i > 0 ? `${endpoint.slice(0, i)}:…` : endpoint;
}

export function headerLine(layout: FlowLayout, sort: SortColumn, desc: boolean): Line {
  const text = layout.columns
    .map((c) => {
      const t = c.key === sort ? `${c.title}${desc ? '▼' : '▲'}` : c.title;
      return c.right ? fitRight(t, c.width) : fit(t, c.width, true);
    })
    .join(' ');
  return { segs: [{ text, bold: true }] };
}

export function rowLine(r: FlowRow, layout: FlowLayout): Line {
  const cell = (c: Column): string => {
    switch (c.key) {
      case 'id':
        return fitRight(String(r.id), c.width);
      case 'pkts':
        return fitRight(String(r.pkts), c.width);
      case 'bytes':
        return fitRight(formatBytes(r.bytes), c.width);
      case 'duration':
        return fitRight(layout.compact ? shortSeconds(r.duration) : formatSeconds(r.duration), c.width);
      case 'client':
        return fit(layout.shortClientPort ? withoutPort(r.client) : r.client, c.width, true);
      default:
        return fit(r[c.key], c.width, true);
    }
  };
  return {
    segs: layout.columns.map((c, i) => ({
      text: (i ? ' ' : '') + cell(c),
      color: c.key === 'app' ? (r.service ? 'cyan' : 'gray') : c.key === 'state' && !r.ended ? 'yellow' : undefined,
      dim: c.key === 'id',
    })),
    target: `flow:${r.id}`,
  };
}

/**
 * The detail strip: the selected flow's whole record in `rows` lines of `width`: the
 * endpoints and numbers on the first, the summary word-wrapped on the others (cut only
 * past the last of them), for what the table left out or cut at this width.
 */
export function detailStrip(r: FlowRow | undefined, width: number, rows = 3): Line[] {
  const blank = (): Line => ({ segs: [{ text: '' }] });
  if (!r) return Array.from({ length: rows }, blank);
  const head = `${r.client} → ${r.server}  ${r.pkts} pkts  ${formatBytes(r.bytes)}  ${formatSeconds(r.duration)}  ${r.state}${r.ended ? '' : ' (open)'}`;
  const lines: Line[] = [{ segs: [{ text: fit(head, width), dim: true }] }];
  const room = rows - 1;
  if (room > 0) {
    const wrapped = wrapWords(r.summary || '(no summary)', width, 2);
    const shown = wrapped.slice(0, room);
    if (wrapped.length > room) shown[room - 1] = fit(`${shown[room - 1]!} ${wrapped.slice(room).join(' ').trim()}`, width);
    for (const t of shown) lines.push({ segs: [{ text: t, color: r.summary ? undefined : 'gray' }] });
  }
  while (lines.length < rows) lines.push(blank());
  return lines;
}

/**
 * The header of an open flow: one line when it fits, else the endpoints on the first
 * and the numbers and summary on a second, so neither address is cut.
 */
export function flowTitle(id: number, r: FlowRow | undefined, width: number): Line[] {
  if (!r) return [{ segs: [{ text: `Flow ${id} (not seen yet)`, bold: true }] }];
  const who: Line['segs'] = [
    { text: `Flow ${id} `, bold: true },
    { text: `${r.app} `, color: 'cyan' },
    { text: r.client, color: 'green' },
    { text: ' → ' },
    { text: r.server, color: 'magenta' },
  ];
  const numbers = `${r.pkts} pkts  ${formatBytes(r.bytes)}  ${formatSeconds(r.duration)}  ${r.state}${r.ended ? '' : ' (open)'}  `;
  const one: Line = { segs: [...who, { text: `  ${numbers}` }, { text: r.summary, dim: true }] };
  if (displayWidth(one.segs.map((s) => s.text).join('')) <= width) return [one];
  return [{ segs: who }, { segs: [{ text: numbers }, { text: r.summary, dim: true }] }];
}
