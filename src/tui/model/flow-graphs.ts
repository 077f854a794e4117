/**
 * The Graphs pane of a TCP flow, from the rows the Packets pane loaded: the time-sequence
 * graph (Stevens) per direction with retransmissions marked `×` and the peer's ACKs, the
 * throughput per direction, SampleRTT over time, and an I/O graph at the interval the user
 * picks (`i`). Pure: rows in, lines out.
 */
import { A_FAST_RETRANSMISSION, A_RETRANSMISSION, A_SPURIOUS_RETRANSMISSION } from '../../analysis/tcp/flags.js';
import type { Direction } from '../../events/event.js';
import type { PacketRow } from '../../packets/flow-packets.js';
import { formatBytes } from '../text.js';
import { bars, BrailleCanvas, framed, resample, scale, shortNumber, shortSeconds, Y_LABEL } from '../../plot/graph.js';
import { line, type Color, type Line } from './lines.js';

export const RESENT = A_RETRANSMISSION | A_FAST_RETRANSMISSION | A_SPURIOUS_RETRANSMISSION;

/** The I/O graph intervals `i` steps through; null: one column per interval that fits the width. */
export const IO_INTERVALS: readonly (number | null)[] = [null, 0.001, 0.01, 0.1, 1, 10];

/** Intervals the flow's I/O graph counts before summing them into columns (1 ms over 16 minutes). */
export const MAX_GRAPH_BINS = 1_000_000;

export interface GraphOptions {
  width: number;
  /** Rows of each plot. */
  plotRows: number;
  /** The I/O graph's interval in seconds, null for automatic. */
  ioInterval: number | null;
  client: string;
  server: string;
}

const DIR_COLOR: Record<Direction, Color> = { c2s: 'green', s2c: 'magenta' };

/** Seconds since the flow's first row. */
const since = (rows: readonly PacketRow[], r: PacketRow): number => r.time - rows[0]!.time;

/** Columns of plot a width leaves (the y labels take `Y_LABEL`). */
export const plotCols = (width: number): number => Math.max(10, Math.min(160, width - Y_LABEL - 2));

/** The column of time `t` on a plot of `cols` cells spanning [0, span]: where the tests look for marks. */
export function columnOf(t: number, span: number, cols: number): number {
  return Math.floor(scale(t, 0, span, cols * 2) / 2);
}

/**
 * The time-sequence graph of what `dir` sent: each data segment a vertical bar from its
 * sequence number to its end, at its time; a retransmission (any kind) an `×` at its start;
 * the ACKs the peer sent back as dots (yellow), so a stall or a gap shows between the two.
 */
export function timeSequenceGraph(rows: readonly PacketRow[], dir: Direction, opts: GraphOptions): Line[] {
  const cols = plotCols(opts.width);
  const canvas = new BrailleCanvas(cols, opts.plotRows);
  const span = rows.length ? since(rows, rows[rows.length - 1]!) : 0;
  let top = 0;
  let segments = 0;
  let resent = 0;
  for (const r of rows) {
    if (r.tcpFlags < 0) continue;
    if (r.dir === dir && r.len > 0) top = Math.max(top, r.seq + r.len);
    if (r.dir !== dir && r.ack >= 0) top = Math.max(top, r.ack);
  }
  const x = (r: PacketRow) => scale(since(rows, r), 0, span, canvas.width);
  const y = (v: number) => scale(v, 0, top, canvas.height);
  for (const r of rows) if (r.tcpFlags >= 0 && r.dir !== dir && r.ack >= 0 && r.ack <= top) canvas.dot(x(r), y(r.ack), 'yellow');
  for (const r of rows) {
    if (r.tcpFlags < 0 || r.dir !== dir || r.len === 0) continue;
    segments++;
    canvas.vline(x(r), y(r.seq), y(r.seq + r.len), DIR_COLOR[dir]);
  }
  for (const r of rows) {
    if (r.tcpFlags < 0 || r.dir !== dir || r.len === 0 || !(r.bits & RESENT)) continue;
    resent++;
    canvas.mark(x(r), y(r.seq), '×', 'red');
  }
  const who = dir === 'c2s' ? `client ${opts.client} → server` : `server ${opts.server} → client`;
  if (!segments) return [line(`Time-sequence graph (Stevens), ${who}: no data sent`, { bold: true, color: 'cyan' })];
  return framed(canvas.segments(), {
    title: `Time-sequence graph (Stevens), ${who}: ${segments} segments, ${resent} retransmitted`,
    yTop: shortNumber(top),
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
    legend: [
      { text: '│ segment (relative seq)', color: DIR_COLOR[dir] },
      { text: '  · ACKs from the peer', color: 'yellow' },
      { text: '  × retransmission', color: 'red', bold: true },
    ],
  });
}

/** New bytes `dir` sent per column (retransmissions not counted), as a rate. */
export function throughputGraph(rows: readonly PacketRow[], dir: Direction, opts: GraphOptions): Line[] {
  const cols = plotCols(opts.width);
  const span = rows.length ? since(rows, rows[rows.length - 1]!) : 0;
  const values = new Array<number>(cols).fill(0);
  let total = 0;
  for (const r of rows) {
    if (r.tcpFlags < 0 || r.dir !== dir || r.len === 0 || r.bits & RESENT) continue;
    values[columnOf(since(rows, r), span, cols)]! += r.len;
    total += r.len;
  }
  const who = dir === 'c2s' ? 'client → server' : 'server → client';
  if (!total) return [];
  const per = span > 0 ? span / cols : 1;
  const rates = values.map((v) => v / per);
  const max = Math.max(...rates);
  return framed(bars(rates, Math.max(2, Math.floor(opts.plotRows / 2)), DIR_COLOR[dir], max), {
    title: `Throughput, ${who}: ${formatBytes(total)} of new data, peak ${shortNumber(max)}B/s over ${shortSeconds(per)}`,
    yTop: `${shortNumber(max)}B/s`,
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
  });
}

/**
 * SampleRTT over time: one dot per ACK that measured a segment (Karn's rule: never a
 * resent one), at the ACK's time; the dots of one direction are joined by a line.
 */
export function rttGraph(rows: readonly PacketRow[], opts: GraphOptions): Line[] {
  const samples = rows.filter((r) => r.sampleRtt >= 0);
  if (!samples.length) return [];
  const cols = plotCols(opts.width);
  const canvas = new BrailleCanvas(cols, opts.plotRows);
  const span = since(rows, rows[rows.length - 1]!);
  const max = Math.max(...samples.map((r) => r.sampleRtt));
  const min = Math.min(...samples.map((r) => r.sampleRtt));
  for (const d of ['c2s', 's2c'] as const) {
    // An ACK from the server measures the client's segments.
    const mine = samples.filter((r) => r.dir !== d);
    let prev: [number, number] | null = null;
    for (const r of mine) {
      const p: [number, number] = [scale(since(rows, r), 0, span, canvas.width), scale(r.sampleRtt, 0, max, canvas.height)];
      if (prev) canvas.line(prev[0], prev[1], p[0], p[1], DIR_COLOR[d]);
      else canvas.dot(p[0], p[1], DIR_COLOR[d]);
      prev = p;
    }
  }
  return framed(canvas.segments(), {
    title: `SampleRTT over time: ${samples.length} samples, ${shortSeconds(min)} to ${shortSeconds(max)}`,
    yTop: shortSeconds(max),
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
    legend: [
      { text: '─ client segments', color: 'green' },
      { text: '  ─ server segments', color: 'magenta' },
    ],
  });
}

/** Frames per interval of the whole flow; `interval` null picks one column per interval. */
export function ioGraph(rows: readonly PacketRow[], opts: GraphOptions): Line[] {
  if (!rows.length) return [];
  const cols = plotCols(opts.width);
  const span = since(rows, rows[rows.length - 1]!);
  // Automatic: one interval per column, the last frame in the last column.
  const interval = opts.ioInterval ?? (span > 0 ? span / (cols - 1) : 1);
  const n = Math.min(MAX_GRAPH_BINS, Math.floor(span / interval) + 1);
  const frames = new Array<number>(n).fill(0);
  for (const r of rows) frames[Math.min(n - 1, Math.floor(since(rows, r) / interval))]! += 1;
  const { values, per } = resample(frames, cols);
  const max = Math.max(...values);
  const picked = opts.ioInterval === null ? `auto (${shortSeconds(interval)})` : shortSeconds(interval);
  return framed(bars(values, Math.max(2, Math.floor(opts.plotRows / 2)), 'blue', max), {
    title: `I/O graph: frames per ${picked}${per > 1 ? `, ${per} intervals per column` : ''}; peak ${max}${per > 1 ? ' per column' : ''} (i: interval)`,
    yTop: String(max),
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
  });
}

/** Everything the Graphs pane shows, top to bottom. */
export function buildFlowGraphs(rows: readonly PacketRow[], opts: GraphOptions): Line[] {
  if (!rows.some((r) => r.tcpFlags >= 0)) {
    const io = ioGraph(rows, opts);
    return io.length ? [line('Not a TCP flow: no time-sequence, throughput or RTT graph.', { dim: true }), line(''), ...io] : [line('No packets.', { dim: true })];
  }
  const parts = [
    timeSequenceGraph(rows, 's2c', opts),
    timeSequenceGraph(rows, 'c2s', opts),
    throughputGraph(rows, 's2c', opts),
    throughputGraph(rows, 'c2s', opts),
    rttGraph(rows, opts),
    ioGraph(rows, opts),
  ].filter((p) => p.length);
  const out: Line[] = [];
  for (const p of parts) {
    if (out.length) out.push(line(''));
    out.push(...p);
  }
  return out;
}
