import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { WireEvent } from '../../events/event.js';
import { actionOf, splitKeys, type Action } from '../keys.js';
import { compilePacketFilter, compileUiFilter } from '../model/filter.js';
import { buildFlowGraphs, IO_INTERVALS } from '../model/flow-graphs.js';
import { detailLines, packetHeader, packetLine } from '../model/packets.js';
import { loadFlowPackets, loadFrameDetail, type FlowPackets, type PacketDetail } from '../../packets/flow-packets.js';
import type { CompiledFilter } from '../../filter/index.js';
import { SORT_COLUMNS, type SortColumn } from '../model/flow-row.js';
import { detailStrip, flowLayout, flowTitle, headerLine, measureRows, rowLine } from '../model/flow-table.js';
import { buildLadder } from '../model/ladder.js';
import { labelOf } from '../model/labels.js';
import { line, type Line } from '../model/lines.js';
import { buildOutline } from '../model/outline.js';
import { buildStatistics } from '../model/statistics.js';
import type { CaptureStore } from '../model/store.js';
import { NO_FOLDS, StreamDoc, type StreamData, type StreamFolds, type StreamMode } from '../model/stream.js';
import { decodeStreamData } from '../model/stream-decode.js';
import { DEFAULT_LIMITS } from '../../dissect/limits.js';
import { fit, fitRight, formatBytes, show } from '../text.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { Help, ProgressBar, Prompt, Tabs } from './Chrome.js';
import { LinesView, Row, scrollTop } from './LinesView.js';

export type MainTab = 'flows' | 'anomalies' | 'stats' | 'credentials' | 'objects';
export type FlowPane = 'detail' | 'ladder' | 'stream' | 'packets' | 'graphs';

const MAIN_TABS: readonly MainTab[] = ['flows', 'anomalies', 'stats', 'credentials', 'objects'];
const FLOW_PANES: readonly FlowPane[] = ['detail', 'ladder', 'stream', 'packets', 'graphs'];
const PANE_NAMES: Record<FlowPane, string> = { detail: 'Transactions', ladder: 'Ladder', stream: 'Stream', packets: 'Packets', graphs: 'Graphs' };

/** Loads one flow's reassembled stream (re-reading the capture), reporting progress. */
export type StreamLoader = (flowId: number, onProgress: (read: number, total: number | null) => void) => Promise<StreamData>;
/** Loads one flow's packets (re-reading the capture), those passing `filter`, reporting progress. */
export type PacketLoader = (flowId: number, filter: CompiledFilter | null, onProgress: (read: number, total: number | null) => void) => Promise<FlowPackets>;
/** Reads one frame's header tree and bytes again (a frame past the detail bound). */
export type FrameLoader = (frame: number) => Promise<PacketDetail | null>;

/** Runs `fn` every `ms` until the returned function is called; tests pass a clock they step by hand. */
export interface Scheduler {
  every(ms: number, fn: () => void): () => void;
}

const realScheduler: Scheduler = {
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};

export interface AppProps {
  store: CaptureStore;
  file: string;
  loadStream: StreamLoader;
  /** Default: `loadFlowPackets` on `file`. */
  loadPackets?: PacketLoader;
  /** Default: `loadFrameDetail` on `file`. */
  loadFrame?: FrameLoader;
  /**
   * How often loaded events reach the screen (ms). The screen is redrawn on this clock, never
   * per packet or event: a live flood of thousands of packets a second costs ten redraws.
   */
  refreshMs?: number;
  scheduler?: Scheduler;
  onQuit?(): void;
}

interface Pos {
  cursor: number;
  top: number;
}

type PacketsState =
  | { flowId: number; filter: string; status: 'loading'; read: number; total: number | null }
  | { flowId: number; filter: string; status: 'ready'; data: FlowPackets }
  | { flowId: number; filter: string; status: 'error'; error: string };

type DetailState = { frame: number; status: 'loading' } | { frame: number; status: 'ready'; detail: PacketDetail | null } | { frame: number; status: 'error'; error: string };

type StreamState =
  | { flowId: number; status: 'loading'; read: number; total: number | null }
  | { flowId: number; status: 'ready'; data: StreamData }
  | { flowId: number; status: 'error'; error: string };

/** The keys a flow pane adds to the footer. */
function footHint(pane: FlowPane): string {
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

/** The row of the first entry at `frame` (entry targets are `e:TYPE:FRAME:N`), other than an anomaly if one is. */
function focusIndex(view: View, frame: number): number {
  let fallback = -1;
  for (let i = 0; i < view.count; i++) {
    const m = /^e:([^:]+):(\d+):/.exec(view.lineAt(i).target ?? '');
    if (!m || Number(m[2]) !== frame) continue;
    if (m[1] !== 'anomaly' && m[1] !== 'credentials') return i;
    if (fallback < 0) fallback = i;
  }
  return fallback;
}

interface View {
  key: string;
  count: number;
  lineAt(i: number): Line;
  /** Lines above the scrolling part (table header, flow header). */
  head: Line[];
  /** Lines below it, about the selected row (the flows list's detail strip). */
  foot?(cursor: number): Line[];
  footRows?: number;
  /** `cursor`: a selected row that Enter acts on; `scroll`: the page just moves. */
  mode: 'cursor' | 'scroll';
  open?(index: number): void;
  empty?: string;
}

/**
 * The terminal UI. State lives in plain structures (the store, a few maps); React state
 * holds only what the screen shows, and loaded events reach it at most every `refreshMs`.
 */
export function App({ store, file, loadStream, loadPackets = (id, filter, onProgress) => loadFlowPackets(file, id, { filter, onProgress }), loadFrame = (frame) => loadFrameDetail(file, frame), refreshMs = 100, scheduler = realScheduler, onQuit }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [version, setVersion] = useState(store.version);
  const [tab, setTab] = useState<MainTab>('flows');
  const [flow, setFlow] = useState<{ id: number; pane: FlowPane } | null>(null);
  const [help, setHelp] = useState(false);
  const [prompt, setPrompt] = useState<{ kind: 'filter' | 'search' | 'packets'; text: string; error: string | null; column: number | null } | null>(null);
  const [sort, setSort] = useState<{ column: SortColumn; desc: boolean }>({ column: 'id', desc: false });
  const [pos, setPos] = useState<Record<string, Pos>>({});
  const [toggled, setToggled] = useState<Record<number, ReadonlySet<string>>>({});
  const [stream, setStream] = useState<StreamState | null>(null);
  const [streamMode, setStreamMode] = useState<StreamMode>('ascii');
  /** `z`: the stream with HTTP bodies decoded, as `follow --decode`. */
  const [decoded, setDecoded] = useState(false);
  /** Per flow: which HTTP/1 message heads the stream pane shows folded (`h` all, Enter one). */
  const [folds, setFolds] = useState<Record<number, StreamFolds>>({});
  const [search, setSearch] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  /** After a jump from an anomaly or a credential: the frame whose entry the cursor lands on. */
  const [focus, setFocus] = useState<{ flow: number; frame: number } | null>(null);
  const streamRequest = useRef(0);
  /** The open flow's packets (re-read on demand), the frame filter they were read with, the frame whose detail is open. */
  const [packets, setPackets] = useState<PacketsState | null>(null);
  const [packetFilter, setPacketFilter] = useState<{ flowId: number; source: string; filter: CompiledFilter | null }>({ flowId: -1, source: '', filter: null });
  const [detail, setDetail] = useState<DetailState | null>(null);
  const [ioStep, setIoStep] = useState(0);
  const packetsRequest = useRef(0);

  useEffect(
    () =>
      scheduler.every(refreshMs, () => {
        if (store.tick()) setVersion(store.version);
      }),
    [store, refreshMs, scheduler],
  );

  const width = Math.max(40, size.columns);
  // One row spare: a frame as tall as the terminal makes Ink clear the screen on each update.
  const height = Math.max(10, size.rows - 1);
  const bodyHeight = height - 4;

  const rows = useMemo(() => store.rows(sort.column, sort.desc), [store, version, sort]);
  const layout = useMemo(() => flowLayout(width, measureRows(rows)), [width, rows]);
  const filterActive = store.activeFilter !== null;
  const anomalies = useMemo(() => (filterActive ? store.anomalies.filter((e) => store.passes(e)) : store.anomalies), [store, version, filterActive]);
  const credentials = useMemo(() => (filterActive ? store.credentials.filter((e) => store.passes(e)) : store.credentials), [store, version, filterActive]);
  const objects = useMemo(() => {
    if (!filterActive) return store.objects;
    const shown = new Set(rows.map((r) => r.id));
    return store.objects.filter((o) => shown.has(o.flow));
  }, [store, version, filterActive, rows]);

  // Open the stream pane: read the capture again for this flow (once per flow). A live
  // capture cannot be read again: its streams are in the store.
  useEffect(() => {
    if (store.streams || !flow || flow.pane !== 'stream' || stream?.flowId === flow.id) return;
    const request = ++streamRequest.current;
    const id = flow.id;
    setStream({ flowId: id, status: 'loading', read: 0, total: null });
    let last = 0;
    loadStream(id, (read, total) => {
      // Progress of a re-read repaints at most every 1 %.
      if (total && read - last < total / 100) return;
      last = read;
      if (request === streamRequest.current) setStream({ flowId: id, status: 'loading', read, total });
    }).then(
      (data) => request === streamRequest.current && setStream({ flowId: id, status: 'ready', data }),
      (err: unknown) => request === streamRequest.current && setStream({ flowId: id, status: 'error', error: err instanceof Error ? err.message : String(err) }),
    );
  }, [flow?.id, flow?.pane]);

  // The Packets and Graphs panes: read the capture again for this flow's frames (once per flow and filter).
  const wantedFilter = flow && packetFilter.flowId === flow.id ? packetFilter : { source: '', filter: null };
  useEffect(() => {
    if (!flow || (flow.pane !== 'packets' && flow.pane !== 'graphs')) return;
    if (packets?.flowId === flow.id && packets.filter === wantedFilter.source) return;
    const request = ++packetsRequest.current;
    const id = flow.id;
    const source = wantedFilter.source;
    setPackets({ flowId: id, filter: source, status: 'loading', read: 0, total: null });
    let last = 0;
    loadPackets(id, wantedFilter.filter, (read, total) => {
      if (total && read - last < total / 100) return;
      last = read;
      if (request === packetsRequest.current) setPackets({ flowId: id, filter: source, status: 'loading', read, total });
    }).then(
      (data) => request === packetsRequest.current && setPackets({ flowId: id, filter: source, status: 'ready', data }),
      (err: unknown) => request === packetsRequest.current && setPackets({ flowId: id, filter: source, status: 'error', error: err instanceof Error ? err.message : String(err) }),
    );
  }, [flow?.id, flow?.pane, wantedFilter.source]);

  const flowRow = flow ? store.flow(flow.id) : undefined;
  const flowEvents = useMemo(() => (flow ? store.eventsOf(flow.id) : []), [store, version, flow?.id]);
  // Live: the flow's kept stream, taken again only when it changed (and only while shown).
  const liveChanges = store.streams && flow?.pane === 'stream' ? store.streams.changesOf(flow.id) : -1;
  const liveData = useMemo(() => (store.streams && flow?.pane === 'stream' ? store.streams.snapshot(flow.id) : null), [store, liveChanges, flow?.id, flow?.pane]);
  const streamDoc = useMemo(() => {
    const data = store.streams ? liveData : stream?.status === 'ready' && flow && stream.flowId === flow.id ? stream.data : null;
    return data && flow ? new StreamDoc(decoded ? decodeStreamData(data, DEFAULT_LIMITS) : data, streamMode, width, folds[flow.id] ?? NO_FOLDS) : null;
  }, [stream, liveData, streamMode, decoded, width, flow?.id, folds]);

  const view = useMemo((): View => {
    if (flow) return flowView();
    return mainView();
  }, [version, tab, flow, rows, layout, anomalies, credentials, objects, toggled, streamDoc, stream, liveData, width, search, bodyHeight, packets, detail, ioStep, packetFilter]);

  function mainView(): View {
    switch (tab) {
      case 'flows':
        return {
          key: 'flows',
          count: rows.length,
          lineAt: (i) => rowLine(rows[i]!, layout),
          head: [headerLine(layout, sort.column, sort.desc)],
          ...(layout.strip ? { footRows: 3, foot: (c: number) => detailStrip(rows[c], width, 3) } : {}),
          mode: 'cursor',
          open: (i) => rows[i] && openFlow(rows[i]!.id),
          empty: store.done ? (filterActive ? 'No flow matches the filter (/ then Enter on an empty line clears it).' : 'No flows in this capture.') : 'Reading…',
        };
      case 'anomalies': {
        const codes = [...store.anomalyCounts.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${show(c)} ×${n}`);
        return {
          key: 'anomalies',
          count: anomalies.length,
          lineAt: (i) => eventLine(anomalies[i]!, 'red'),
          head: [line(fit(`frame   flow    anomaly — ${codes.join(', ') || 'none'}`, width), { bold: true })],
          mode: 'cursor',
          open: (i) => jumpTo(anomalies[i]),
          empty: 'No anomalies.',
        };
      }
      case 'credentials':
        return {
          key: 'credentials',
          count: credentials.length,
          lineAt: (i) => eventLine(credentials[i]!, 'yellow', ` secret: ${show(credentials[i]!.secret)}`),
          head: [line('frame   flow    protocol, user, mechanism, result, secret', { bold: true })],
          mode: 'cursor',
          open: (i) => jumpTo(credentials[i]),
          empty: 'No credentials seen in clear.',
        };
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
          open: (i) => objects[i] && openFlow(objects[i]!.flow),
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
        return { key: 'stats', count: lines.length, lineAt: (i) => lines[i]!, head: [], mode: 'scroll' };
      }
    }
  }

  function flowView(): View {
    const id = flow!.id;
    const r = flowRow;
    const start = r?.start ?? (flowEvents[0]?.ts as WireEvent['ts'] | undefined) ?? null;
    const title = flowTitle(id, r, width);
    const panes: Line = {
      segs: FLOW_PANES.flatMap((p, i) => [
        { text: i ? '  ' : '' },
        { text: ` ${p === 'stream' ? `Stream (${streamMode}${decoded ? ', decoded' : ''})` : PANE_NAMES[p]} `, bold: p === flow!.pane, color: p === flow!.pane ? 'cyan' : undefined, dim: p !== flow!.pane },
      ]),
    };
    const dropped = store.droppedOf(id);
    if (dropped) panes.segs.push({ text: `  ${dropped} events not kept (see: wirelens events FILE --filter 'flow == ${id}')`, color: 'yellow' });
    const head = [...title, panes];
    const key = `flow:${id}:${flow!.pane}`;
    if (flow!.pane === 'detail') {
      const lines = buildOutline(flowEvents, {
        toggled: toggled[id] ?? new Set(),
        // The selection gutter takes a column: rows wrapped wider would be cut by Row.
        width: width - 1,
        start,
        marks: filterActive ? (e) => store.passes(e) : undefined,
      });
      return {
        key,
        count: lines.length,
        lineAt: (i) => lines[i]!,
        head,
        mode: 'cursor',
        open: (i) => {
          const target = lines[i]?.target;
          if (!target) return;
          setToggled((t) => {
            const s = new Set(t[id] ?? []);
            if (s.has(target)) s.delete(target);
            else s.add(target);
            return { ...t, [id]: s };
          });
        },
      };
    }
    if (flow!.pane === 'ladder') {
      const lines = buildLadder(flowEvents, { width, start, client: r?.client ?? 'client', server: r?.server ?? 'server' });
      return { key, count: lines.length, lineAt: (i) => lines[i]!, head, mode: 'scroll' };
    }
    if (flow!.pane === 'packets' || flow!.pane === 'graphs') return packetsView(id, key, head);
    if (r && r.proto !== 'tcp') {
      return { key, count: 0, lineAt: () => line(''), head, mode: 'scroll', empty: `A ${r.proto.toUpperCase()} flow has no byte stream: its datagrams are in Transactions and Ladder.` };
    }
    if (!streamDoc && store.streams) {
      return { key, count: 0, lineAt: () => line(''), head, mode: 'scroll', empty: 'No payload bytes in this flow yet (the pane fills in as they arrive).' };
    }
    if (!streamDoc) {
      const status = stream?.status === 'error' ? `Could not read the stream: ${show(stream.error)}` : stream?.status === 'loading' && stream.total ? `Reading the stream of flow ${id}… ${Math.floor((stream.read / stream.total) * 100)}%` : `Reading the stream of flow ${id}…`;
      return { key, count: 0, lineAt: () => line(''), head, mode: 'scroll', empty: status };
    }
    const data = store.streams ? liveData : stream!.status === 'ready' ? stream!.data : null;
    if (decoded) head.push(line('HTTP bodies decoded (de-chunked, decompressed); z shows the bytes as sent.', { color: 'cyan' }));
    if (data?.layer) head.push(line(`Decrypted ${show(data.layer)} stream (\`wirelens follow --raw\` shows the bytes on the wire).`, { color: 'cyan' }));
    if (data?.dropped) head.push(line(`Live: first ${formatBytes(data.dropped)} dropped, newest ${formatBytes(data.kept)} kept (live_stream_* limits)`, { color: 'yellow' }));
    if (data?.leftOut) head.push(line(`Showing the first ${formatBytes(data.kept)}; ${formatBytes(data.leftOut)} more not kept (wirelens follow prints it all).`, { color: 'yellow' }));
    const doc = streamDoc!;
    const q = search.toLowerCase();
    return { key, count: doc.rows, lineAt: (i) => doc.lineAt(i, q), head, mode: 'scroll', empty: 'No payload bytes in this flow.' };
  }

  /** The Packets pane (a frame's detail when one is open) and the Graphs pane, once the flow's packets are read. */
  function packetsView(id: number, key: string, head: Line[]): View {
    const r = flowRow;
    if (!packets || packets.flowId !== id || packets.status !== 'ready') {
      const status =
        packets?.status === 'error'
          ? `Could not read the packets: ${show(packets.error)}`
          : packets?.status === 'loading' && packets.total
            ? `Reading the packets of flow ${id}… ${Math.floor((packets.read / packets.total) * 100)}%`
            : `Reading the packets of flow ${id}…`;
      return { key, count: 0, lineAt: () => line(''), head, mode: 'scroll', empty: status };
    }
    const data = packets.data;
    if (packets.filter) head.push(line(fit(`packet filter: ${show(packets.filter)} (${data.rows.length + data.notKept} of ${data.seen} frames)`, width), { color: 'cyan' }));
    if (data.notKept) head.push(line(fit(`Showing the first ${data.rows.length} frames; ${data.notKept} more not kept (limit max_packet_rows; wirelens packets FILE --filter '${r?.proto === 'udp' ? 'udp' : 'tcp'}.stream == ${(r?.proto === 'udp' ? r.facts.udp_stream : r?.facts.tcp_stream) ?? '?'}' lists them all).`, width), { color: 'yellow' }));
    if (flow!.pane === 'graphs') {
      const plotRows = Math.max(6, Math.min(16, bodyHeight - 10));
      const lines = buildFlowGraphs(data.rows, { width, plotRows, ioInterval: IO_INTERVALS[ioStep] ?? null, client: r?.client ?? 'client', server: r?.server ?? 'server' });
      return { key, count: lines.length, lineAt: (i) => lines[i]!, head, mode: 'scroll' };
    }
    if (detail) {
      const row = data.rows.find((x) => x.frame === detail.frame);
      const lines =
        detail.status === 'ready' && row && detail.detail
          ? detailLines(row, detail.detail, width)
          : [line(detail.status === 'error' ? `Could not read frame ${detail.frame}: ${show(detail.error)}` : detail.status === 'loading' ? `Reading frame ${detail.frame}…` : `Frame ${detail.frame} is not in the capture.`, { dim: true })];
      return { key: `${key}:frame:${detail.frame}`, count: lines.length, lineAt: (i) => lines[i]!, head, mode: 'scroll' };
    }
    const rowsOf = data.rows;
    return {
      key,
      count: rowsOf.length,
      lineAt: (i) => packetLine(rowsOf[i]!, width - 1),
      head: [...head, packetHeader(width - 1)],
      mode: 'cursor',
      open: (i) => rowsOf[i] && openPacket(rowsOf[i]!.frame),
      empty: packets.filter ? 'No frame of this flow matches the packet filter (/ then Enter on an empty line clears it).' : 'No packets.',
    };
  }

  /** Shows a frame's detail: kept with its row, or read again from the file. */
  function openPacket(frame: number): void {
    const row = packets?.status === 'ready' ? packets.data.rows.find((x) => x.frame === frame) : undefined;
    if (row?.detail) {
      setDetail({ frame, status: 'ready', detail: row.detail });
      return;
    }
    setDetail({ frame, status: 'loading' });
    loadFrame(frame).then(
      (d) => setDetail((cur) => (cur?.frame === frame ? { frame, status: 'ready', detail: d } : cur)),
      (err: unknown) => setDetail((cur) => (cur?.frame === frame ? { frame, status: 'error', error: err instanceof Error ? err.message : String(err) } : cur)),
    );
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

  /** Opens the flow of an anomaly or a credential, its cursor on the entry of the event's frame. */
  function jumpTo(e: WireEvent | undefined): void {
    if (!e) return;
    if (e.flow === null) setMessage(`frame ${e.frame}: not part of any flow`);
    else {
      openFlow(e.flow);
      setFocus({ flow: e.flow, frame: e.frame });
    }
  }

  function openFlow(id: number): void {
    setFlow({ id, pane: 'detail' });
    setDetail(null);
    setMessage(null);
  }

  const listHeight = Math.max(1, bodyHeight - view.head.length - (view.footRows ?? 0));
  const p = pos[view.key] ?? { cursor: 0, top: 0 };
  const maxCursor = Math.max(0, view.count - 1);
  const cursor = Math.min(p.cursor, maxCursor);
  const top = view.mode === 'cursor' ? scrollTop(cursor, p.top, listHeight, view.count) : Math.min(p.top, Math.max(0, view.count - listHeight));

  function move(to: number): void {
    if (view.mode === 'cursor') {
      const c = Math.max(0, Math.min(maxCursor, to));
      setPos((all) => ({ ...all, [view.key]: { cursor: c, top: scrollTop(c, top, listHeight, view.count) } }));
    } else {
      const t = Math.max(0, Math.min(Math.max(0, view.count - listHeight), to));
      setPos((all) => ({ ...all, [view.key]: { cursor: t, top: t } }));
    }
  }

  const here = view.mode === 'cursor' ? cursor : top;

  // Lands a jump on the message or packet the anomaly names (its frame), not on the flow's
  // first row; the anomaly's own entry when no other event is at that frame.
  useEffect(() => {
    if (!focus || !flow || flow.id !== focus.flow || flow.pane !== 'detail' || !view.key.startsWith(`flow:${focus.flow}:`)) return;
    setFocus(null);
    const at = focusIndex(view, focus.frame);
    if (at >= 0) setPos((all) => ({ ...all, [view.key]: { cursor: at, top: Math.max(0, at - 2) } }));
  }, [focus, view]);

  function submitPrompt(): void {
    if (!prompt) return;
    if (prompt.kind === 'packets') {
      const result = compilePacketFilter(prompt.text);
      if (!result.ok) {
        setPrompt({ ...prompt, error: result.error, column: result.column });
        return;
      }
      if (flow) {
        setPacketFilter({ flowId: flow.id, source: result.filter?.source ?? '', filter: result.filter });
        setPos((all) => ({ ...all, [`flow:${flow.id}:packets`]: { cursor: 0, top: 0 }, [`flow:${flow.id}:graphs`]: { cursor: 0, top: 0 } }));
      }
      setDetail(null);
      setPrompt(null);
      setMessage(result.filter ? null : 'packet filter cleared');
      return;
    }
    if (prompt.kind === 'filter') {
      const result = compileUiFilter(prompt.text);
      if (!result.ok) {
        setPrompt({ ...prompt, error: result.error, column: result.column });
        return;
      }
      store.setFilter(result.filter);
      setVersion(store.version);
      setPrompt(null);
      setPos((all) => ({ ...all, flows: { cursor: 0, top: 0 }, anomalies: { cursor: 0, top: 0 } }));
      setMessage(result.filter ? null : 'filter cleared');
      return;
    }
    setSearch(prompt.text);
    setPrompt(null);
    findNext(prompt.text, false, here - 1);
  }

  function findNext(query: string, backwards: boolean, from = here): void {
    if (!streamDoc || !query) return;
    const row = streamDoc.find(query, from, backwards);
    if (row < 0) setMessage(`not found: ${query}`);
    else {
      setMessage(null);
      move(Math.max(0, row - Math.floor(listHeight / 3)));
    }
  }

  function quit(): void {
    onQuit?.();
    exit();
  }

  // Key presses wait in a queue and are handled one per render, so each sees the state the
  // previous one left (a burst like `jj` moves twice).
  const keyQueue = useRef<Array<[string, Key]>>([]);
  const [pump, setPump] = useState(0);
  // A lone key press, with the screen up to date, is handled at once by the latest render's
  // handler (one render per key); bursts, and keys that come before the last one has been
  // drawn, go through the queue.
  const latestOnKey = useRef(onKey);
  latestOnKey.current = onKey;
  const drawn = useRef(true);
  useEffect(() => {
    drawn.current = true;
  });
  useInput((input, key) => {
    const presses = splitKeys(input, key);
    if (presses.length === 1 && !keyQueue.current.length && drawn.current) {
      drawn.current = false;
      return latestOnKey.current(presses[0]![0], presses[0]![1]);
    }
    keyQueue.current.push(...presses);
    setPump((n) => n + 1);
  });
  useEffect(() => {
    const next = keyQueue.current.shift();
    if (!next) return;
    onKey(next[0], next[1]);
    if (keyQueue.current.length) setPump((n) => n + 1);
  }, [pump]);

  function onKey(input: string, key: Key): void {
    if (prompt) {
      if (key.escape) setPrompt(null);
      else if (key.return) submitPrompt();
      else if (key.backspace || key.delete) setPrompt({ ...prompt, text: prompt.text.slice(0, -1), error: null, column: null });
      else if (!key.ctrl && !key.meta && input && !key.tab && !key.upArrow && !key.downArrow) {
        // eslint-disable-next-line no-control-regex
        const typed = input.replace(/[\x00-\x1f\x7f]/g, '');
        if (typed) setPrompt({ ...prompt, text: prompt.text + typed, error: null, column: null });
      }
      return;
    }
    const action = actionOf(input, key);
    if (!action) return;
    if (help) {
      if (action === 'quit') quit();
      else if (action === 'help' || action === 'back') setHelp(false);
      return;
    }
    handle(action);
  }

  function handle(action: Action): void {
    switch (action) {
      case 'quit':
        return quit();
      case 'help':
        return setHelp(true);
      case 'up':
        return move(here - 1);
      case 'down':
        return move(here + 1);
      case 'pageUp':
        return move(here - listHeight);
      case 'pageDown':
        return move(here + listHeight);
      case 'top':
        return move(0);
      case 'bottom':
        return move(view.mode === 'cursor' ? maxCursor : view.count);
      case 'open':
        if (view.mode === 'cursor' && view.count) view.open?.(cursor);
        else if (flow?.pane === 'stream' && streamDoc) {
          const key = streamDoc.messageIn(top, top + listHeight);
          if (!key) return setMessage('no HTTP message starts on this page');
          const id = flow.id;
          setFolds((all) => {
            const f = all[id] ?? NO_FOLDS;
            const toggled = new Set(f.toggled);
            if (toggled.has(key)) toggled.delete(key);
            else toggled.add(key);
            return { ...all, [id]: { all: f.all, toggled } };
          });
        }
        return;
      case 'headers':
        if (flow?.pane === 'stream' && streamDoc) {
          if (!streamDoc.hasHeaders) return setMessage('no HTTP/1 message heads in this stream');
          const id = flow.id;
          setFolds((all) => ({ ...all, [id]: { all: !(all[id] ?? NO_FOLDS).all, toggled: new Set() } }));
        }
        return;
      case 'back':
        if (flow && detail && flow.pane === 'packets') {
          setDetail(null);
          return;
        }
        if (flow) setFlow(null);
        setDetail(null);
        setMessage(null);
        return;
      case 'nextPane':
      case 'prevPane': {
        const step = action === 'nextPane' ? 1 : -1;
        if (flow) setFlow({ ...flow, pane: FLOW_PANES[(FLOW_PANES.indexOf(flow.pane) + step + FLOW_PANES.length) % FLOW_PANES.length]! });
        else setTab(MAIN_TABS[(MAIN_TABS.indexOf(tab) + step + MAIN_TABS.length) % MAIN_TABS.length]!);
        return;
      }
      case 'flows':
      case 'anomalies':
      case 'stats':
      case 'credentials':
      case 'objects':
        setFlow(null);
        setTab(action);
        return;
      case 'detail':
      case 'ladder':
      case 'stream':
      case 'packets':
      case 'graphs':
        if (flow) setFlow({ ...flow, pane: action });
        else if (tab === 'flows' && rows[cursor]) setFlow({ id: rows[cursor]!.id, pane: action });
        return;
      case 'filter':
        if (flow?.pane === 'stream') setPrompt({ kind: 'search', text: search, error: null, column: null });
        else if (flow?.pane === 'packets' || flow?.pane === 'graphs') setPrompt({ kind: 'packets', text: packetFilter.flowId === flow.id ? packetFilter.source : '', error: null, column: null });
        else setPrompt({ kind: 'filter', text: store.activeFilter?.source ?? '', error: null, column: null });
        return;
      case 'next':
      case 'prev':
        if (flow?.pane === 'stream') findNext(search, action === 'prev');
        return;
      case 'sort':
        if (!flow && tab === 'flows') setSort((s) => ({ column: SORT_COLUMNS[(SORT_COLUMNS.indexOf(s.column) + 1) % SORT_COLUMNS.length]!, desc: s.desc }));
        return;
      case 'reverse':
        if (!flow && tab === 'flows') setSort((s) => ({ ...s, desc: !s.desc }));
        return;
      case 'hex':
        if (flow?.pane === 'stream') setStreamMode((m) => (m === 'ascii' ? 'hex' : 'ascii'));
        return;
      case 'decode':
        if (flow?.pane === 'stream') setDecoded((d) => !d);
        return;
      case 'interval':
        if (flow?.pane === 'graphs') {
          const next = (ioStep + 1) % IO_INTERVALS.length;
          setIoStep(next);
          const v = IO_INTERVALS[next];
          setMessage(`I/O graph interval: ${v === null || v === undefined ? 'auto' : `${v} s`}`);
        }
        return;
    }
  }

  const tabs: ReadonlyArray<readonly [string, string]> = [
    ['flows', `1 Flows ${rows.length}${filterActive ? `/${store.flowCount}` : ''}`],
    ['anomalies', `2 Anomalies ${anomalies.length}`],
    ['stats', '3 Statistics'],
    ['credentials', `4 Credentials ${credentials.length}`],
    ['objects', `5 Objects ${objects.length}`],
  ];
  const stats = store.summary;
  const status = store.done
    ? store.error
      ? { text: `Stopped reading: ${show(store.error)}`, color: 'red' as const }
      : {
          // The filter goes first: it is what changes what the screen shows.
          text: `${filterActive ? `filter: ${show(store.activeFilter!.source)} (${rows.length} of ${store.flowCount} flows) · ` : ''}${show(file)}: ${stats ? `${show(stats.packets)} packets, ${formatBytes(Number(stats.bytes ?? 0))}, ` : ''}${store.flowCount} flows · sort ${sort.column}${sort.desc ? ' ▼' : ' ▲'}`,
          color: undefined,
        }
    : null;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box>
        <Text bold color="cyan">
          wirelens{' '}
        </Text>
        <Tabs names={tabs} current={flow ? '' : tab} />
      </Box>
      {status ? (
        <Text wrap="truncate" color={status.color} dimColor={!status.color}>
          {fit(status.text, width)}
        </Text>
      ) : store.streams ? (
        <Text wrap="truncate" color="green">
          {fit(`● live: ${show(file)} · ${formatBytes(store.progress.read)} read · ${show(store.statistics()?.packets ?? 0)} packets · ${store.flowCount} flows${filterActive ? ` · filter: ${show(store.activeFilter!.source)} (${rows.length} shown)` : ''}`, width)}
        </Text>
      ) : (
        <ProgressBar read={store.progress.read} total={store.progress.total} width={width} extra={`${store.flowCount} flows so far`} />
      )}
      {help ? (
        <Help height={bodyHeight} width={width} />
      ) : (
        <Box flexDirection="column" height={bodyHeight}>
          {view.head.map((l, i) => (
            <Row key={`h${i}`} line={l} width={width} selected={false} gutter={view.mode === 'cursor' && i === view.head.length - 1 && !flow} />
          ))}
          {view.count === 0 ? (
            <Text dimColor>{view.empty ?? 'Nothing here.'}</Text>
          ) : (
            <LinesView count={view.count} lineAt={view.lineAt} top={top} height={listHeight} width={width} cursor={view.mode === 'cursor' ? cursor : -1} />
          )}
          {view.count > 0 && view.foot
            ? view.foot(cursor).map((l, i) => <Row key={`f${i}`} line={l} width={width} selected={false} />)
            : null}
        </Box>
      )}
      {prompt ? (
        <Prompt kind={prompt.kind} text={show(prompt.text)} error={prompt.error ? show(prompt.error) : null} column={prompt.column} width={width} />
      ) : (
        <Box flexDirection="column">
          <Text wrap="truncate" color="yellow">
            {message ? fit(show(message), width) : view.count > listHeight ? `${here + 1}/${view.count}` : ' '}
          </Text>
          <Text wrap="truncate" dimColor>
            {fit(flow ? 'Esc back · Tab/d/l/f/p/t panes · ' + footHint(flow.pane) + ' · ? help · q quit' : '↑↓ jk move · Enter open · Tab/1-5 views · / filter · s/S sort · ? help · q quit', width)}
          </Text>
        </Box>
      )}
    </Box>
  );
}
