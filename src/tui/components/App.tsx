import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { WireEvent } from '../../events/event.js';
import { splitKeys } from '../keys.js';
import { FLOW_PANES, initialState, placeOf, reduce, type FlowPane, type KeyContext, type OpenIntent } from '../model/app-state.js';
import { buildFlowGraphs, IO_INTERVALS } from '../model/flow-graphs.js';
import { detailLines, packetHeader, packetLine } from '../model/packets.js';
import { loadFlowPackets, loadFrameDetail, type FlowPackets, type PacketDetail } from '../../packets/flow-packets.js';
import type { CompiledFilter } from '../../filter/index.js';
import { detailStrip, flowLayout, flowTitle, headerLine, measureRows, rowLine } from '../model/flow-table.js';
import { buildLadder } from '../model/ladder.js';
import { labelOf } from '../model/labels.js';
import { line, type Line } from '../model/lines.js';
import { buildOutline } from '../model/outline.js';
import { buildStatistics } from '../model/statistics.js';
import type { CaptureStore } from '../model/store.js';
import { NO_FOLDS, StreamDoc, type StreamData } from '../model/stream.js';
import { decodeStreamData } from '../model/stream-decode.js';
import { DEFAULT_LIMITS } from '../../dissect/limits.js';
import { fit, fitRight, formatBytes, show } from '../text.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { Help, ProgressBar, Prompt, Tabs } from './Chrome.js';
import { LinesView, Row } from './LinesView.js';

export type { MainTab, FlowPane } from '../model/app-state.js';
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

type PacketsState =
  | { flowId: number; filter: string; status: 'loading'; read: number; total: number | null }
  | { flowId: number; filter: string; status: 'ready'; data: FlowPackets }
  | { flowId: number; filter: string; status: 'error'; error: string };

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
  /** What Enter on row `index` asks for (the reducer carries it out). */
  open?(index: number): OpenIntent | undefined;
  empty?: string;
}

/**
 * The terminal UI. The capture lives in the store; what the screen shows (pane, cursors,
 * prompt, folds…) is one `AppState` changed only by the pure `reduce` (src/tui/model/app-state.ts);
 * this component draws it, and loaded events reach it at most every `refreshMs`.
 */
export function App({ store, file, loadStream, loadPackets = (id, filter, onProgress) => loadFlowPackets(file, id, { filter, onProgress }), loadFrame = (frame) => loadFrameDetail(file, frame), refreshMs = 100, scheduler = realScheduler, onQuit }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [ui, dispatch] = useReducer(reduce, store, (s: CaptureStore) => initialState(s.version, s.activeFilter));
  const { version, filterSeq, tab, flow, help, prompt, sort, toggled, streamMode, decoded, folds, search, message, focus, packetFilter, detail, ioStep } = ui;
  // A submitted display filter reaches the store once per submission (it re-matches every flow).
  const filterApplied = useRef(0);
  if (filterApplied.current !== ui.filterSeq) {
    filterApplied.current = ui.filterSeq;
    store.setFilter(ui.filter);
  }
  /** The open flow's stream and packets, read from the file again on demand. */
  const [stream, setStream] = useState<StreamState | null>(null);
  const streamRequest = useRef(0);
  const [packets, setPackets] = useState<PacketsState | null>(null);
  const packetsRequest = useRef(0);

  useEffect(
    () =>
      scheduler.every(refreshMs, () => {
        if (store.tick()) dispatch({ type: 'tick', version: store.version });
      }),
    [store, refreshMs, scheduler],
  );

  const width = Math.max(40, size.columns);
  // One row spare: a frame as tall as the terminal makes Ink clear the screen on each update.
  const height = Math.max(10, size.rows - 1);
  const bodyHeight = height - 4;

  const rows = useMemo(() => store.rows(sort.column, sort.desc), [store, version, filterSeq, sort]);
  const layout = useMemo(() => flowLayout(width, measureRows(rows)), [width, rows]);
  const filterActive = store.activeFilter !== null;
  const anomalies = useMemo(() => (filterActive ? store.anomalies.filter((e) => store.passes(e)) : store.anomalies), [store, version, filterSeq, filterActive]);
  const credentials = useMemo(() => (filterActive ? store.credentials.filter((e) => store.passes(e)) : store.credentials), [store, version, filterSeq, filterActive]);
  const objects = useMemo(() => {
    if (!filterActive) return store.objects;
    const shown = new Set(rows.map((r) => r.id));
    return store.objects.filter((o) => shown.has(o.flow));
  }, [store, version, filterSeq, filterActive, rows]);

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
  const flowEvents = useMemo(() => (flow ? store.eventsOf(flow.id) : []), [store, version, filterSeq, flow?.id]);
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
  }, [version, filterSeq, tab, flow, rows, layout, anomalies, credentials, objects, toggled, streamDoc, stream, liveData, width, search, bodyHeight, packets, detail, ioStep, packetFilter]);

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
          open: (i) => (rows[i] ? { kind: 'flow', id: rows[i]!.id } : undefined),
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
          return target ? { kind: 'toggle', flow: id, target } : undefined;
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
      open: (i) => (rowsOf[i] ? { kind: 'packet', frame: rowsOf[i]!.frame, detail: rowsOf[i]!.detail } : undefined),
      empty: packets.filter ? 'No frame of this flow matches the packet filter (/ then Enter on an empty line clears it).' : 'No packets.',
    };
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

  /** Enter on an anomaly or a credential: its flow, the cursor on the entry of the event's frame. */
  function jumpTo(e: WireEvent | undefined): OpenIntent | undefined {
    return e ? { kind: 'jump', flow: e.flow, frame: e.frame } : undefined;
  }

  const listHeight = Math.max(1, bodyHeight - view.head.length - (view.footRows ?? 0));
  const { cursor, top, here } = placeOf(ui, view, listHeight);

  // A frame past the detail bound: read it again from the file.
  useEffect(() => {
    if (detail?.status !== 'loading') return;
    const frame = detail.frame;
    loadFrame(frame).then(
      (d) => dispatch({ type: 'frameLoaded', frame, detail: d }),
      (err: unknown) => dispatch({ type: 'frameFailed', frame, error: err instanceof Error ? err.message : String(err) }),
    );
  }, [detail]);

  useEffect(() => {
    if (!ui.quit) return;
    onQuit?.();
    exit();
  }, [ui.quit]);

  // Lands a jump on the message or packet the anomaly names (its frame), not on the flow's
  // first row; the anomaly's own entry when no other event is at that frame.
  useEffect(() => {
    if (!focus || !flow || flow.id !== focus.flow || flow.pane !== 'detail' || !view.key.startsWith(`flow:${focus.flow}:`)) return;
    dispatch({ type: 'focus', viewKey: view.key, at: focusIndex(view, focus.frame) });
  }, [focus, view]);

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
    const ctx: KeyContext = { view, listHeight, stream: streamDoc, flowAt: (i) => rows[i]?.id };
    dispatch({ type: 'key', input, key, ctx });
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
