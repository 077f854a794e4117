/**
 * The pictures of `report --text`, drawn from the report's own data with the renderer the
 * UI's Graphs pane uses (src/plot/graph.ts): for the busiest TCP connections, the
 * time-sequence graph (Stevens) of each direction that sent data, with retransmissions
 * marked `×`, the throughput per direction and the mean SampleRTT over time; then the
 * capture's I/O graph. The data is the report's bounded series (at most 128 buckets from
 * the connection's first packet, src/analysis/tcp/throughput.ts), so a graph's size does
 * not grow with the capture; and only `GRAPHED_CONNECTIONS` connections are drawn.
 */
import type { JsonObject, JsonValue } from '../events/json.js';
import { bars, BrailleCanvas, framed, resample, scale, shortNumber, shortSeconds } from '../plot/graph.js';
import { plain, type Line } from '../plot/lines.js';
import { hostPort } from '../dissect/text.js';
import { formatBytes } from './format.js';
import { visible } from './safe-text.js';

/** Connections drawn: the busiest by payload bytes, both directions together. */
export const GRAPHED_CONNECTIONS = 3;
/** Braille cells across: 128 dots, one per bucket of the report's series. */
const COLS = 64;
const ROWS = 8;

type Obj = { readonly [k: string]: JsonValue | undefined };
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nums = (v: JsonValue | undefined): Array<number | null> => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null)) : []);
const num = (v: JsonValue | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

const bytesOf = (c: Obj): number => (isObj(c.orig) ? num(c.orig.payload_bytes) : 0) + (isObj(c.resp) ? num(c.resp.payload_bytes) : 0);

/** Seconds a series covers: its buckets times their width. */
const spanOf = (series: JsonValue | undefined, key: string): number => (isObj(series) ? nums(series[key]).length * num(series.interval) : 0);

/**
 * The connection's time axis: the longest of its series (one direction's series may stop
 * early, or be coarser), so every graph of a connection shares one axis.
 */
function connectionSpan(c: Obj): number {
  let span = 0;
  for (const k of ['orig', 'resp'] as const) {
    const side = c[k];
    if (!isObj(side)) continue;
    span = Math.max(span, spanOf(side.time_sequence, 'seq_min'), spanOf(side.throughput, 'bytes'), spanOf(side.rtt_series, 'mean'));
  }
  return span;
}

/**
 * A series of per-bucket bytes as a rate per column: each column is `span / COLS` seconds
 * and averages the buckets it covers (a bucket wider than a column fills each column it
 * spans), so columns holding one bucket or two do not alternate short and tall.
 */
function rateColumns(values: ReadonlyArray<number | null>, interval: number, span: number): number[] {
  const out: number[] = [];
  const width = span / COLS;
  for (let c = 0; c < COLS; c++) {
    const first = Math.floor((c * width) / interval);
    const last = Math.max(first, Math.ceil(((c + 1) * width) / interval) - 1);
    let sum = 0;
    for (let b = first; b <= last && b < values.length; b++) sum += values[b] ?? 0;
    out.push(sum / ((last - first + 1) * interval));
  }
  return out;
}

/** `who` sent the segments of `side.time_sequence`; nothing when it sent no data. */
function timeSequence(side: Obj, who: string, span: number): Line[] {
  const ts = isObj(side.time_sequence) ? side.time_sequence : null;
  if (!ts || !span) return [];
  const lo = nums(ts.seq_min);
  const hi = nums(ts.seq_max);
  const resent = nums(ts.retransmissions);
  const interval = num(ts.interval);
  const n = lo.length;
  const top = Math.max(0, ...hi.map((v) => v ?? 0));
  if (!n || !top) return [];
  const canvas = new BrailleCanvas(COLS, ROWS);
  const x = (i: number) => scale(i * interval, 0, span, canvas.width);
  const y = (v: number) => scale(v, 0, top, canvas.height);
  let marked = 0;
  for (let i = 0; i < n; i++) {
    const a = lo[i];
    if (a === null || a === undefined) continue;
    canvas.vline(x(i), y(a), y(hi[i] ?? a));
    if ((resent[i] ?? 0) > 0) {
      canvas.mark(x(i), y(a), '×', 'red');
      marked += resent[i]!;
    }
  }
  return framed(canvas.segments(), {
    title: `Time-sequence graph (Stevens), ${who}: ${marked} retransmitted`,
    yTop: shortNumber(top),
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
    legend: [{ text: '│ relative seq sent per interval   × interval with retransmissions' }],
  });
}

function throughput(side: Obj, who: string, span: number): Line[] {
  const t = isObj(side.throughput) ? side.throughput : null;
  const interval = t ? num(t.interval) : 0;
  const values = t ? nums(t.bytes) : [];
  if (!values.some((v) => v) || !interval || !span) return [];
  const rates = rateColumns(values, interval, span);
  const max = Math.max(...rates);
  return framed(bars(rates, ROWS / 2, 'green', max), {
    title: `Throughput, ${who}: peak ${shortNumber(max)}B/s (bytes per ${shortSeconds(interval)} bucket)`,
    yTop: `${shortNumber(max)}B/s`,
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
  });
}

/** Mean SampleRTT per interval of both directions' segments, joined by a line each. */
function rtt(c: Obj, span: number): Line[] {
  const sides = (['orig', 'resp'] as const).map((k) => (isObj(c[k]) && isObj(c[k].rtt_series) ? c[k].rtt_series : null));
  const all = sides.flatMap((s) => (s ? nums(s.mean) : [])).filter((v): v is number => v !== null);
  if (!all.length || !span) return [];
  const max = Math.max(...all);
  const canvas = new BrailleCanvas(COLS, ROWS);
  for (const side of sides) {
    if (!side) continue;
    const interval = num(side.interval);
    let prev: [number, number] | null = null;
    nums(side.mean).forEach((v, i) => {
      if (v === null) return;
      const p: [number, number] = [scale(i * interval, 0, span, canvas.width), scale(v, 0, max, canvas.height)];
      if (prev) canvas.line(prev[0], prev[1], p[0], p[1]);
      else canvas.dot(p[0], p[1]);
      prev = p;
    });
  }
  return framed(canvas.segments(), {
    title: `Mean SampleRTT per interval: ${all.length} intervals with samples, ${shortSeconds(Math.min(...all))} to ${shortSeconds(max)}`,
    yTop: shortSeconds(max),
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(span),
  });
}

/** The capture's frames per interval (`statistics.io`). */
function ioGraph(report: JsonObject): Line[] {
  const stats = report.statistics;
  const io = isObj(stats) && isObj(stats.io) ? stats.io : null;
  const seconds = io ? num(io.bin_seconds) : 0;
  const packets = io ? nums(io.packets).map((v) => v ?? 0) : [];
  if (!packets.length || !seconds) return [];
  const { values, per } = resample(packets, COLS);
  const max = Math.max(...values);
  return framed(bars(values, ROWS / 2, 'blue', max), {
    title: `I/O graph of the capture: frames per ${shortSeconds(per * seconds)}; peak ${max}`,
    yTop: String(max),
    yBottom: '0',
    xLeft: '0 s',
    xRight: shortSeconds(packets.length * seconds),
  });
}

/** The graphs section's lines (none when there is nothing to draw). */
export function graphSection(report: JsonObject): string[] {
  const tcp = report.tcp;
  const all = isObj(tcp) && Array.isArray(tcp.connections) ? tcp.connections.filter(isObj) : [];
  // Busiest first; equal ones in stream order, so the choice is the same run to run.
  const chosen = all
    .map((c, i) => ({ c, i, bytes: bytesOf(c) }))
    .filter((x) => x.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.i - b.i)
    .slice(0, GRAPHED_CONNECTIONS);
  const parts: Line[][] = [];
  for (const { c, bytes } of chosen) {
    const client = hostPort(String(c.orig_h ?? '?'), num(c.orig_p));
    const server = hostPort(String(c.resp_h ?? '?'), num(c.resp_p));
    const span = connectionSpan(c);
    const head: Line = { segs: [{ text: `TCP stream ${String(c.tcp_stream ?? '?')}: ${client} → ${server}, ${formatBytes(bytes)} of payload; time from its first packet` }] };
    const drawn = [
      ...(isObj(c.resp) ? [timeSequence(c.resp, 'server → client', span), throughput(c.resp, 'server → client', span)] : []),
      ...(isObj(c.orig) ? [timeSequence(c.orig, 'client → server', span), throughput(c.orig, 'client → server', span)] : []),
      rtt(c, span),
    ].filter((p) => p.length);
    const buckets = Math.max(...(['orig', 'resp'] as const).map((k) => (isObj(c[k]) && isObj(c[k].throughput) ? nums(c[k].throughput.bytes).length : 0)));
    // One bucket is a vertical line and a flat bar: say so rather than draw it.
    if (buckets <= 1) parts.push([head, { segs: [{ text: `  All of it within one ${shortSeconds(span)} bucket of the report's series: nothing to draw over time.` }] }]);
    else if (drawn.length) parts.push([head, ...drawn.flatMap((p) => [{ segs: [] }, ...p])]);
  }
  const io = ioGraph(report);
  if (!parts.length && !io.length) return [];
  const withData = all.filter((c) => bytesOf(c) > 0).length;
  const out: string[] = [
    'GRAPHS',
    withData > chosen.length
      ? `  The ${chosen.length} busiest of ${withData} TCP connections with data, by payload bytes (report --json has every connection's series).`
      : withData
        ? `  Every TCP connection with data (${withData}).`
        : '  No TCP connection carried data.',
  ];
  for (const p of parts) {
    out.push('');
    for (const l of p) out.push(`  ${visible(plain(l))}`.trimEnd());
  }
  if (io.length) {
    out.push('');
    for (const l of io) out.push(`  ${plain(l)}`.trimEnd());
  }
  return out;
}
