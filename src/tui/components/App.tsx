import { Box, Text, useApp, useInput, type Key } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { splitKeys } from '../keys.js';
import { initialState, placeOf, reduce, type KeyContext } from '../model/app-state.js';
import { loadFlowPackets, loadFrameDetail, type FlowPackets, type PacketDetail } from '../../packets/flow-packets.js';
import type { CompiledFilter } from '../../filter/index.js';
import { flowLayout, measureRows } from '../model/flow-table.js';
import type { CaptureStore } from '../model/store.js';
import { NO_FOLDS, StreamDoc, type StreamData } from '../model/stream.js';
import { decodeStreamData } from '../model/stream-decode.js';
import { buildView, focusIndex, footHint, type PacketsState, type StreamState } from '../model/views.js';
import { DEFAULT_LIMITS } from '../../dissect/limits.js';
import { fit, formatBytes, show } from '../text.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { Help, ProgressBar, Prompt, Tabs } from './Chrome.js';
import { LinesView, Row } from './LinesView.js';

export type { MainTab, FlowPane } from '../model/app-state.js';

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

  const view = useMemo(
    () => buildView({ ui, store, width, bodyHeight, rows, layout, anomalies, credentials, objects, flowRow, flowEvents, streamDoc, stream, liveData, packets }),
    [version, filterSeq, tab, flow, rows, layout, anomalies, credentials, objects, toggled, streamDoc, stream, liveData, width, search, bodyHeight, packets, detail, ioStep, packetFilter],
  );

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
