import type { WireEvent } from '../../events/event.js';
import type { FlowPackets } from '../../packets/flow-packets.js';
import { fit, fitRight, formatBytes, show } from '../text.js';
import type { AppState, FlowPane, OpenIntent, ViewFacts } from './app-state.js';
import { FLOW_PANES } from './app-state.js';
import { buildFlowGraphs, IO_INTERVALS } from './flow-graphs.js';
import type { FlowRow } from './flow-row.js';
import { detailStrip, flowTitle, headerLine, rowLine, type FlowLayout } from './flow-table.js';
import { buildLadder } from './ladder.js';
import { labelOf } from './labels.js';
import { line, type Line } from './lines.js';
import { buildOutline } from './outline.js';
import { detailLines, packetHeader, packetLine } from './packets.js';
import { buildStatistics } from './statistics.js';
import type { CaptureStore, ObjectRow } from './store.js';
import type { StreamData, StreamDoc } from './stream.js';

/** What the body of the screen draws: the facts keys act on, and the lines. */
export interface View extends ViewFacts {
  lineAt(i: number): Line;
  /** Lines above the scrolling part (table header, flow header). */
  head: Line[];
  /** Lines below it, about the selected row (the flows list's detail strip). */
  foot?(cursor: number): Line[];
  footRows?: number;
  empty?: string;
}

/** A file re-read for the open flow (its stream, its packets), as it goes. */
export type Reading<T, Extra = object> = Extra & { flowId: number } & ({ status: 'loading'; read: number; total: number | null } | { status: 'ready'; data: T } | { status: 'error'; error: string });
export type StreamState = Reading<StreamData>;
/** `filter`: the packet filter's source the packets were read with. */
export type PacketsState = Reading<FlowPackets, { filter: string }>;

const PANE_NAMES: Record<FlowPane, string> = { detail: 'Transactions', ladder: 'Ladder', stream: 'Stream', packets: 'Packets', graphs: 'Graphs' };

/** Everything the body is built from: the screen's state, the store, and what the App derived or read. */
export interface ViewInput {
  ui: AppState;
  store: CaptureStore;
  width: number;
  bodyHeight: number;
  /** The flows list, filtered and sorted, and its column layout. */
  rows: readonly FlowRow[];
  layout: FlowLayout;
  /** The lists, with the display filter applied. */
  anomalies: readonly WireEvent[];
  credentials: readonly WireEvent[];
  objects: readonly ObjectRow[];
  /** The open flow's row and kept events. */
  flowRow: FlowRow | undefined;
  flowEvents: readonly WireEvent[];
  /** The stream pane: the document drawn, the re-read (a file) or the kept bytes (live). */
  streamDoc: StreamDoc | null;
  stream: StreamState | null;
  liveData: StreamData | null;
  packets: PacketsState | null;
}

/** A fixed list of lines. */
function linesView(key: string, lines: readonly Line[], head: Line[], mode: 'cursor' | 'scroll' = 'scroll'): View {
  return { key, count: lines.length, lineAt: (i) => lines[i]!, head, mode };
}

/** Nothing to draw but a sentence (reading…, an error, why the pane is empty). */
function notice(key: string, head: Line[], empty: string): View {
  return { key, count: 0, lineAt: () => line(''), head, mode: 'scroll', empty };
}

/** How far a re-read has got, or why it failed. */
function readingStatus(r: Reading<unknown> | null, what: string, id: number): string {
  if (r?.status === 'error') return `Could not read the ${what}: ${show(r.error)}`;
  if (r?.status === 'loading' && r.total) return `Reading the ${what} of flow ${id}… ${Math.floor((r.read / r.total) * 100)}%`;
  return `Reading the ${what} of flow ${id}…`;
}

function eventLine(e: WireEvent, color: 'red' | 'yellow', extra = ''): Line {
  return {
    segs: [
      { text: `${fitRight(String(e.frame), 7)} ${fitRight(e.flow === null ? '-' : String(e.flow), 6)}  `, dim: true },
      { text: labelOf(e), color },
      { text: extra, dim: true },
    ],
    target: e.flow === null ? undefined : `flow:${e.flow}`,
  };
}

/** The anomalies and credentials lists: one event a row; Enter jumps to the entry of its frame in its flow. */
function eventsView(key: string, events: readonly WireEvent[], color: 'red' | 'yellow', head: Line, empty: string, extra: (e: WireEvent) => string = () => ''): View {
  return {
    key,
    count: events.length,
    lineAt: (i) => eventLine(events[i]!, color, extra(events[i]!)),
    head: [head],
    mode: 'cursor',
    open: (i): OpenIntent | undefined => (events[i] ? { kind: 'jump', flow: events[i]!.flow, frame: events[i]!.frame } : undefined),
    empty,
  };
}

/** The body: the open flow's pane, else the main tab. */
export function buildView(input: ViewInput): View {
  return input.ui.flow ? flowView(input, input.ui.flow.id, input.ui.flow.pane) : mainView(input);
}

function mainView({ ui, store, width, rows, layout, anomalies, credentials, objects }: ViewInput): View {
  const filterActive = store.activeFilter !== null;
  switch (ui.tab) {
    case 'flows':
      return {
        key: 'flows',
        count: rows.length,
        lineAt: (i) => rowLine(rows[i]!, layout),
        head: [headerLine(layout, ui.sort.column, ui.sort.desc)],
        ...(layout.strip ? { footRows: 3, foot: (c: number) => detailStrip(rows[c], width, 3) } : {}),
        mode: 'cursor',
        open: (i) => (rows[i] ? { kind: 'flow', id: rows[i]!.id } : undefined),
        empty: store.done ? (filterActive ? 'No flow matches the filter (/ then Enter on an empty line clears it).' : 'No flows in this capture.') : 'Reading…',
      };
    case 'anomalies': {
      const codes = [...store.anomalyCounts.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${show(c)} ×${n}`);
      return eventsView('anomalies', anomalies, 'red', line(fit(`frame   flow    anomaly — ${codes.join(', ') || 'none'}`, width), { bold: true }), 'No anomalies.');
    }
    case 'credentials':
      return eventsView('credentials', credentials, 'yellow', line('frame   flow    protocol, user, mechanism, result, secret', { bold: true }), 'No credentials seen in clear.', (e) => ` secret: ${show(e.secret)}`);
    case 'objects':
      return {
        key: 'objects',
        count: objects.length,
        lineAt: (i) => {
          const o = objects[i]!;
          const text = `${fitRight(String(o.frame), 7)} ${fitRight(String(o.flow), 6)}  ${fit(o.protocol, 6, true)} ${fitRight(formatBytes(o.size), 9)}  ${fit(o.contentType || '-', 24, true)} ${o.name}${o.incomplete ? '  (incomplete)' : ''}`;
          return { segs: [{ text, color: o.incomplete ? 'yellow' : undefined }], target: `flow:${o.flow}` };
        },
        head: [line('  frame   flow  proto      size  type                     name', { bold: true })],
        mode: 'cursor',
        open: (i) => (objects[i] ? { kind: 'flow', id: objects[i]!.flow } : undefined),
        empty: 'No objects (HTTP bodies, FTP files, mails) in this capture.',
      };
    case 'stats': {
      const lines = buildStatistics({
        stats: store.statistics(),
        flows: rows,
        httpStatus: store.httpStatus,
        dnsRcodes: store.dnsRcodes,
        anomalyCounts: store.anomalyCounts,
        width,
        done: store.done,
      });
      return linesView('stats', lines, []);
    }
  }
}

/** The open flow's title and pane tabs. */
function flowHead({ ui, store, width, flowRow }: ViewInput, id: number, pane: FlowPane): Line[] {
  const panes: Line = {
    segs: FLOW_PANES.flatMap((p, i) => [
      { text: i ? '  ' : '' },
      { text: ` ${p === 'stream' ? `Stream (${ui.streamMode}${ui.decoded ? ', decoded' : ''})` : PANE_NAMES[p]} `, bold: p === pane, color: p === pane ? 'cyan' : undefined, dim: p !== pane },
    ]),
  };
  const dropped = store.droppedOf(id);
  if (dropped) panes.segs.push({ text: `  ${dropped} events not kept (see: wirelens events FILE --filter 'flow == ${id}')`, color: 'yellow' });
  return [...flowTitle(id, flowRow, width), panes];
}

function flowView(input: ViewInput, id: number, pane: FlowPane): View {
  const { ui, store, width, flowRow: r, flowEvents } = input;
  const start = r?.start ?? (flowEvents[0]?.ts as WireEvent['ts'] | undefined) ?? null;
  const head = flowHead(input, id, pane);
  const key = `flow:${id}:${pane}`;
  switch (pane) {
    case 'detail': {
      const lines = buildOutline(flowEvents, {
        toggled: ui.toggled[id] ?? new Set(),
        // The selection gutter takes a column: rows wrapped wider would be cut by Row.
        width: width - 1,
        start,
        marks: store.activeFilter !== null ? (e) => store.passes(e) : undefined,
      });
      return {
        ...linesView(key, lines, head, 'cursor'),
        open: (i) => {
          const target = lines[i]?.target;
          return target ? { kind: 'toggle', flow: id, target } : undefined;
        },
      };
    }
    case 'ladder':
      return linesView(key, buildLadder(flowEvents, { width, start, client: r?.client ?? 'client', server: r?.server ?? 'server' }), head);
    case 'packets':
    case 'graphs':
      return packetsView(input, id, pane, key, head);
    case 'stream':
      return streamView(input, id, key, head);
  }
}

function streamView({ ui, store, streamDoc, stream, liveData, flowRow: r }: ViewInput, id: number, key: string, head: Line[]): View {
  if (r && r.proto !== 'tcp') return notice(key, head, `A ${r.proto.toUpperCase()} flow has no byte stream: its datagrams are in Transactions and Ladder.`);
  if (!streamDoc && store.streams) return notice(key, head, 'No payload bytes in this flow yet (the pane fills in as they arrive).');
  if (!streamDoc) return notice(key, head, readingStatus(stream, 'stream', id));
  const data = store.streams ? liveData : stream?.status === 'ready' ? stream.data : null;
  if (ui.decoded) head.push(line('HTTP bodies decoded (de-chunked, decompressed); z shows the bytes as sent.', { color: 'cyan' }));
  if (data?.layer) head.push(line(`Decrypted ${show(data.layer)} stream (\`wirelens follow --raw\` shows the bytes on the wire).`, { color: 'cyan' }));
  if (data?.dropped) head.push(line(`Live: first ${formatBytes(data.dropped)} dropped, newest ${formatBytes(data.kept)} kept (live_stream_* limits)`, { color: 'yellow' }));
  if (data?.leftOut) head.push(line(`Showing the first ${formatBytes(data.kept)}; ${formatBytes(data.leftOut)} more not kept (wirelens follow prints it all).`, { color: 'yellow' }));
  const q = ui.search.toLowerCase();
  return { key, count: streamDoc.rows, lineAt: (i) => streamDoc.lineAt(i, q), head, mode: 'scroll', empty: 'No payload bytes in this flow.' };
}

/** The Packets pane (a frame's detail when one is open) and the Graphs pane, once the flow's packets are read. */
function packetsView({ ui, width, bodyHeight, flowRow: r, packets }: ViewInput, id: number, pane: 'packets' | 'graphs', key: string, head: Line[]): View {
  if (!packets || packets.flowId !== id || packets.status !== 'ready') return notice(key, head, readingStatus(packets, 'packets', id));
  const data = packets.data;
  if (packets.filter) head.push(line(fit(`packet filter: ${show(packets.filter)} (${data.rows.length + data.notKept} of ${data.seen} frames)`, width), { color: 'cyan' }));
  if (data.notKept) head.push(line(fit(`Showing the first ${data.rows.length} frames; ${data.notKept} more not kept (limit max_packet_rows; wirelens packets FILE --filter '${r?.proto === 'udp' ? 'udp' : 'tcp'}.stream == ${(r?.proto === 'udp' ? r.facts.udp_stream : r?.facts.tcp_stream) ?? '?'}' lists them all).`, width), { color: 'yellow' }));
  if (pane === 'graphs') {
    const plotRows = Math.max(6, Math.min(16, bodyHeight - 10));
    return linesView(key, buildFlowGraphs(data.rows, { width, plotRows, ioInterval: IO_INTERVALS[ui.ioStep] ?? null, client: r?.client ?? 'client', server: r?.server ?? 'server' }), head);
  }
  const detail = ui.detail;
  if (detail) {
    const row = data.rows.find((x) => x.frame === detail.frame);
    const lines =
      detail.status === 'ready' && row && detail.detail
        ? detailLines(row, detail.detail, width)
        : [line(detail.status === 'error' ? `Could not read frame ${detail.frame}: ${show(detail.error)}` : detail.status === 'loading' ? `Reading frame ${detail.frame}…` : `Frame ${detail.frame} is not in the capture.`, { dim: true })];
    return linesView(`${key}:frame:${detail.frame}`, lines, head);
  }
  const rowsOf = data.rows;
  return {
    key,
    count: rowsOf.length,
    lineAt: (i) => packetLine(rowsOf[i]!, width - 1),
    head: [...head, packetHeader(width - 1)],
    mode: 'cursor',
    open: (i) => (rowsOf[i] ? { kind: 'packet', frame: rowsOf[i]!.frame, detail: rowsOf[i]!.detail } : undefined),
    empty: packets.filter ? 'No frame of this flow matches the packet filter (/ then Enter on an empty line clears it).' : 'No packets.',
  };
}

/** The row of the first entry at `frame` (entry targets are `e:TYPE:FRAME:N`), other than an anomaly if one is. */
export function focusIndex(view: View, frame: number): number {
  let fallback = -1;
  for (let i = 0; i < view.count; i++) {
    const m = /^e:([^:]+):(\d+):/.exec(view.lineAt(i).target ?? '');
    if (!m || Number(m[2]) !== frame) continue;
    if (m[1] !== 'anomaly' && m[1] !== 'credentials') return i;
    if (fallback < 0) fallback = i;
  }
  return fallback;
}

/** The keys a flow pane adds to the footer. */
export function footHint(pane: FlowPane): string {
  switch (pane) {
    case 'stream':
      return '/ search · n/N · x hex · z decode · h headers';
    case 'packets':
      return 'Enter header tree and bytes · / packet filter';
    case 'graphs':
      return 'i I/O interval · / packet filter';
    default:
      return 'Enter unfold · / filter';
  }
}
