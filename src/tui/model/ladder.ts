import { displayWidth } from '../../plot/width.js';
import type { WireEvent } from '../../events/event.js';
import { Timestamp } from '../../events/time.js';
import { fit, relativeTime, show } from '../text.js';
import { labelOf } from './labels.js';
import { line, type Color, type Line } from './lines.js';
import { roleOf } from './outline.js';

export interface LadderOptions {
  width: number;
  start: Timestamp | null;
  client: string;
  server: string;
}

const TIME_COL = 14;
const STREAM_COLORS: readonly Color[] = ['cyan', 'yellow', 'blue', 'green', 'magenta', 'red'];
/** HTTP/2 and HTTP/3 frames whose content the `http2.headers` / `http3.headers` events already show, with their fields. */
const H2_HEADER_FRAMES = new Set(['HEADERS', 'CONTINUATION', 'PUSH_PROMISE']);

/** The events a ladder draws: the flow's messages in capture order, and its anomalies. */
export function ladderEvents(events: readonly WireEvent[]): WireEvent[] {
  const types = new Set(events.map((e) => e.type));
  const h2Headers = types.has('http2.headers');
  const h3Headers = types.has('http3.headers');
  return events.filter((e) => {
    if (e.type === 'anomaly') return true;
    if (e.dir === null || roleOf(e, types) !== 'message') return false;
    if (h3Headers && e.type === 'http3.frame' && H2_HEADER_FRAMES.has(String(e.frame_type))) return false;
    return !(h2Headers && e.type === 'http2.frame' && H2_HEADER_FRAMES.has(String(e.frame_type)));
  });
}

/**
 * The flow as the textbook draws it: client on the left, server on the right, one arrow
 * per message with its label, capture time since the flow began down the side. HTTP/2
 * and HTTP/3 messages carry their stream id and a colour per stream, so interleaving shows.
 */
export function buildLadder(events: readonly WireEvent[], opts: LadderOptions): Line[] {
  // Arrows wider than a page read badly; the diagram stops growing at 100 columns.
  const lane = Math.max(20, Math.min(100, opts.width - TIME_COL - 2));
  const inner = lane - 2;
  const out: Line[] = [
    { segs: [{ text: ' '.repeat(TIME_COL) }, { text: fit(`client ${opts.client}`, Math.floor(lane / 2), true), color: 'green', bold: true }, { text: fit(`server ${opts.server}`, Math.ceil(lane / 2)).padStart(Math.ceil(lane / 2)), color: 'magenta', bold: true }] },
    { segs: [{ text: ' '.repeat(TIME_COL) + '│' + ' '.repeat(inner) + '│', dim: true }] },
  ];
  const drawn = ladderEvents(events);
  if (!drawn.length) {
    out.push(line(' '.repeat(TIME_COL) + 'No application messages in this flow (yet).', { dim: true }));
    return out;
  }
  const streams = new Set<number>();
  for (const e of drawn) {
    const time = opts.start && e.ts instanceof Timestamp ? `+${relativeTime(Math.max(0, e.ts.since(opts.start)))}` : '';
    const timeCell = { text: fit(`${time}`, TIME_COL - 1).padStart(TIME_COL - 1) + ' ', dim: true };
    if (e.type === 'anomaly') {
      out.push({ segs: [timeCell, { text: '│', dim: true }, { text: fit(`  ⚠ ${labelOf(e)}`, inner, true), color: 'red' }, { text: '│', dim: true }] });
      continue;
    }
    const sid = typeof e.stream_id === 'number' ? e.stream_id : null;
    if (sid !== null && sid > 0) streams.add(sid);
    const color: Color = sid !== null ? (sid === 0 ? 'gray' : STREAM_COLORS[sid % STREAM_COLORS.length]!) : e.dir === 'c2s' ? 'green' : 'magenta';
    const label = labelOf(e);
    out.push({ segs: [timeCell, { text: '│', dim: true }, { text: arrow(label, inner, e.dir === 'c2s'), color }, { text: '│', dim: true }] });
  }
  if (streams.size > 1) {
    const legend: Line = { segs: [{ text: ' '.repeat(TIME_COL) + 'streams: ' }] };
    for (const sid of [...streams].sort((a, b) => a - b)) legend.segs.push({ text: `s${sid} `, color: STREAM_COLORS[sid % STREAM_COLORS.length] });
    out.splice(1, 0, legend);
  }
  return out;
}

/** `── label ─────▶` or `◀───── label ──`, exactly `width` columns. */
export function arrow(label: string, width: number, rightward: boolean): string {
  const text = fit(show(label), Math.max(0, width - 6));
  const len = displayWidth(text);
  const dashes = Math.max(1, width - len - 4);
  return rightward ? `── ${text} ${'─'.repeat(dashes - 1)}▶` : `◀${'─'.repeat(dashes - 1)} ${text} ──`;
}
