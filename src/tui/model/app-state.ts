import type { Key } from 'ink';
import type { CompiledFilter } from '../../filter/index.js';
import type { PacketDetail } from '../../packets/flow-packets.js';
import { actionOf, type Action } from '../keys.js';
import { compilePacketFilter, compileUiFilter } from './filter.js';
import { IO_INTERVALS } from './flow-graphs.js';
import { SORT_COLUMNS, type SortColumn } from './flow-row.js';
import { scrollTop } from './scroll.js';
import { NO_FOLDS, type StreamFolds, type StreamMode } from './stream.js';

export type MainTab = 'flows' | 'anomalies' | 'stats' | 'credentials' | 'objects';
export type FlowPane = 'detail' | 'ladder' | 'stream' | 'packets' | 'graphs';

export const MAIN_TABS: readonly MainTab[] = ['flows', 'anomalies', 'stats', 'credentials', 'objects'];
export const FLOW_PANES: readonly FlowPane[] = ['detail', 'ladder', 'stream', 'packets', 'graphs'];

export interface Pos {
  cursor: number;
  top: number;
}

export interface PromptState {
  kind: 'filter' | 'search' | 'packets';
  text: string;
  error: string | null;
  column: number | null;
}

/** The frame whose header tree and bytes the Packets pane shows, as its (re-)read goes. */
export type DetailState = { frame: number; status: 'loading' } | { frame: number; status: 'ready'; detail: PacketDetail | null } | { frame: number; status: 'error'; error: string };

/** What Enter on a row asks for: the views describe it as data, the reducer carries it out. */
export type OpenIntent =
  | { kind: 'flow'; id: number }
  /** An anomaly or a credential: its flow, the cursor on the entry of its frame. */
  | { kind: 'jump'; flow: number | null; frame: number }
  /** Fold or unfold one group or transaction of a flow's outline. */
  | { kind: 'toggle'; flow: number; target: string }
  /** A packet's header tree and bytes: kept with its row (`detail`), or to be read again. */
  | { kind: 'packet'; frame: number; detail?: PacketDetail | null };

/**
 * Everything the screen's state is, apart from the capture (the store) and what is read from
 * the file again (streams, packets): plain data, changed only by `reduce`.
 */
export interface AppState {
  /** The store's version the screen shows (loaded events reach it on the refresh clock). */
  version: number;
  tab: MainTab;
  flow: { id: number; pane: FlowPane } | null;
  help: boolean;
  prompt: PromptState | null;
  sort: { column: SortColumn; desc: boolean };
  /** Cursor and scroll position per view key (`flows`, `flow:3:detail`, …). */
  pos: Readonly<Record<string, Pos>>;
  /** Per flow: the outline entries folded or unfolded by Enter. */
  toggled: Readonly<Record<number, ReadonlySet<string>>>;
  streamMode: StreamMode;
  /** `z`: the stream with HTTP bodies decoded, as `follow --decode`. */
  decoded: boolean;
  /** Per flow: which HTTP/1 message heads the stream pane shows folded (`h` all, Enter one). */
  folds: Readonly<Record<number, StreamFolds>>;
  search: string;
  /** The stream row of the last match found, so `n`/`N` go on from it, not from the page's top. */
  searchHit: number | null;
  message: string | null;
  /** After a jump from an anomaly or a credential: the frame whose entry the cursor lands on. */
  focus: { flow: number; frame: number } | null;
  /** The Packets and Graphs panes' frame filter, for one flow. */
  packetFilter: { flowId: number; source: string; filter: CompiledFilter | null };
  detail: DetailState | null;
  /** Index into IO_INTERVALS. */
  ioStep: number;
  /**
   * The display filter, and a count of the times it was submitted: the App hands it to the
   * store (which re-matches every flow) once per submission, not on every render.
   */
  filter: CompiledFilter | null;
  filterSeq: number;
  /** `q`: the App calls onQuit and exits. */
  quit: boolean;
}

export function initialState(version: number, filter: CompiledFilter | null = null): AppState {
  return {
    version,
    tab: 'flows',
    flow: null,
    help: false,
    prompt: null,
    sort: { column: 'id', desc: false },
    pos: {},
    toggled: {},
    streamMode: 'ascii',
    decoded: false,
    folds: {},
    search: '',
    searchHit: null,
    message: null,
    focus: null,
    packetFilter: { flowId: -1, source: '', filter: null },
    detail: null,
    ioStep: 0,
    filter,
    filterSeq: 0,
    quit: false,
  };
}

/** What a key press acts on, as drawn when it came: the view's shape, and the stream pane's document. */
export interface ViewFacts {
  key: string;
  count: number;
  /** `cursor`: a selected row that Enter acts on; `scroll`: the page just moves. */
  mode: 'cursor' | 'scroll';
  open?(index: number): OpenIntent | undefined;
}

/** The parts of the stream pane's document keys use (search, folding). */
export interface StreamFacts {
  readonly hasHeaders: boolean;
  find(query: string, from: number, backwards: boolean): number;
  messageIn(top: number, bottom: number): string | null;
}

export interface KeyContext {
  view: ViewFacts;
  /** Rows of the scrolling part of the body. */
  listHeight: number;
  stream: StreamFacts | null;
  /** The flows list's flow at a row (d/l/f/p/t on the list open that flow's pane). */
  flowAt(index: number): number | undefined;
}

export type AppAction =
  | { type: 'key'; input: string; key: Key; ctx: KeyContext }
  /** The refresh clock found new events in the store. */
  | { type: 'tick'; version: number }
  /** A jump's focus, resolved against the drawn outline: `at` its row, or -1. */
  | { type: 'focus'; viewKey: string; at: number }
  | { type: 'frameLoaded'; frame: number; detail: PacketDetail | null }
  | { type: 'frameFailed'; frame: number; error: string };

/** The cursor and first drawn row of the view, clamped to what it has now. */
export function placeOf(state: AppState, view: ViewFacts, listHeight: number): Pos & { here: number } {
  const p = state.pos[view.key] ?? { cursor: 0, top: 0 };
  const cursor = Math.min(p.cursor, Math.max(0, view.count - 1));
  const top = view.mode === 'cursor' ? scrollTop(cursor, p.top, listHeight, view.count) : Math.min(p.top, Math.max(0, view.count - listHeight));
  return { cursor, top, here: view.mode === 'cursor' ? cursor : top };
}

export function reduce(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'tick':
      return action.version === state.version ? state : { ...state, version: action.version };
    case 'focus': {
      const next = { ...state, focus: null };
      return action.at >= 0 ? { ...next, pos: { ...state.pos, [action.viewKey]: { cursor: action.at, top: Math.max(0, action.at - 2) } } } : next;
    }
    case 'frameLoaded':
      return state.detail?.frame === action.frame ? { ...state, detail: { frame: action.frame, status: 'ready', detail: action.detail } } : state;
    case 'frameFailed':
      return state.detail?.frame === action.frame ? { ...state, detail: { frame: action.frame, status: 'error', error: action.error } } : state;
    case 'key':
      return onKey(state, action.input, action.key, action.ctx);
  }
}

function onKey(state: AppState, input: string, key: Key, ctx: KeyContext): AppState {
  const prompt = state.prompt;
  if (prompt) {
    if (key.escape) return { ...state, prompt: null };
    if (key.return) return submitPrompt(state, prompt, ctx);
    if (key.backspace || key.delete) return { ...state, prompt: { ...prompt, text: prompt.text.slice(0, -1), error: null, column: null } };
    if (!key.ctrl && !key.meta && input && !key.tab && !key.upArrow && !key.downArrow) {
      // eslint-disable-next-line no-control-regex
      const typed = input.replace(/[\x00-\x1f\x7f]/g, '');
      if (typed) return { ...state, prompt: { ...prompt, text: prompt.text + typed, error: null, column: null } };
    }
    return state;
  }
  const action = actionOf(input, key);
  if (!action) return state;
  if (state.help) {
    if (action === 'quit') return { ...state, quit: true };
    if (action === 'help' || action === 'back') return { ...state, help: false };
    return state;
  }
  return handle(state, action, ctx);
}

/** Moves the cursor (a cursor view) or the page (a scrolling one) to row `to`, bounded. */
function move(state: AppState, ctx: KeyContext, to: number): AppState {
  const { view, listHeight } = ctx;
  const { top } = placeOf(state, view, listHeight);
  if (view.mode === 'cursor') {
    const c = Math.max(0, Math.min(Math.max(0, view.count - 1), to));
    return { ...state, pos: { ...state.pos, [view.key]: { cursor: c, top: scrollTop(c, top, listHeight, view.count) } } };
  }
  const t = Math.max(0, Math.min(Math.max(0, view.count - listHeight), to));
  return { ...state, pos: { ...state.pos, [view.key]: { cursor: t, top: t } } };
}

/**
 * A match is drawn a third of the way down the page, so `n`/`N` go on from the last match
 * while it is still on the page (from the page's top they would find it again); once the
 * page was scrolled away from it, they start from the page.
 */
function searchFrom(state: AppState, ctx: KeyContext): number {
  const { here } = placeOf(state, ctx.view, ctx.listHeight);
  const hit = state.searchHit;
  return hit !== null && hit >= here && hit < here + ctx.listHeight ? hit : here;
}

function findNext(state: AppState, ctx: KeyContext, query: string, backwards: boolean, from = searchFrom(state, ctx)): AppState {
  if (!ctx.stream || !query) return state;
  const row = ctx.stream.find(query, from, backwards);
  if (row < 0) return { ...state, message: `not found: ${query}` };
  return move({ ...state, message: null, searchHit: row }, ctx, Math.max(0, row - Math.floor(ctx.listHeight / 3)));
}

function submitPrompt(state: AppState, prompt: PromptState, ctx: KeyContext): AppState {
  if (prompt.kind === 'packets') {
    const result = compilePacketFilter(prompt.text);
    if (!result.ok) return { ...state, prompt: { ...prompt, error: result.error, column: result.column } };
    const flow = state.flow;
    const next = { ...state, detail: null, prompt: null, message: result.filter ? null : 'packet filter cleared' };
    if (!flow) return next;
    return {
      ...next,
      packetFilter: { flowId: flow.id, source: result.filter?.source ?? '', filter: result.filter },
      pos: { ...state.pos, [`flow:${flow.id}:packets`]: { cursor: 0, top: 0 }, [`flow:${flow.id}:graphs`]: { cursor: 0, top: 0 } },
    };
  }
  if (prompt.kind === 'filter') {
    const result = compileUiFilter(prompt.text);
    if (!result.ok) return { ...state, prompt: { ...prompt, error: result.error, column: result.column } };
    return {
      ...state,
      filter: result.filter,
      filterSeq: state.filterSeq + 1,
      prompt: null,
      pos: { ...state.pos, flows: { cursor: 0, top: 0 }, anomalies: { cursor: 0, top: 0 } },
      message: result.filter ? null : 'filter cleared',
    };
  }
  const here = placeOf(state, ctx.view, ctx.listHeight).here;
  return findNext({ ...state, search: prompt.text, prompt: null }, ctx, prompt.text, false, here - 1);
}

function openFlow(state: AppState, id: number): AppState {
  return { ...state, flow: { id, pane: 'detail' }, detail: null, message: null };
}

function open(state: AppState, intent: OpenIntent | undefined): AppState {
  if (!intent) return state;
  switch (intent.kind) {
    case 'flow':
      return openFlow(state, intent.id);
    case 'jump':
      if (intent.flow === null) return { ...state, message: `frame ${intent.frame}: not part of any flow` };
      return { ...openFlow(state, intent.flow), focus: { flow: intent.flow, frame: intent.frame } };
    case 'toggle': {
      const s = new Set(state.toggled[intent.flow] ?? []);
      if (s.has(intent.target)) s.delete(intent.target);
      else s.add(intent.target);
      return { ...state, toggled: { ...state.toggled, [intent.flow]: s } };
    }
    case 'packet':
      // A frame past the detail bound is read again: the App starts that read on `loading`.
      return { ...state, detail: intent.detail ? { frame: intent.frame, status: 'ready', detail: intent.detail } : { frame: intent.frame, status: 'loading' } };
  }
}

function cycle<T>(all: readonly T[], current: T, step: number): T {
  return all[(all.indexOf(current) + step + all.length) % all.length]!;
}

function handle(state: AppState, action: Action, ctx: KeyContext): AppState {
  const { view, listHeight } = ctx;
  const { cursor, top, here } = placeOf(state, view, listHeight);
  const flow = state.flow;
  switch (action) {
    case 'quit':
      return { ...state, quit: true };
    case 'help':
      return { ...state, help: true };
    case 'up':
      return move(state, ctx, here - 1);
    case 'down':
      return move(state, ctx, here + 1);
    case 'pageUp':
      return move(state, ctx, here - listHeight);
    case 'pageDown':
      return move(state, ctx, here + listHeight);
    case 'top':
      return move(state, ctx, 0);
    case 'bottom':
      return move(state, ctx, view.mode === 'cursor' ? Math.max(0, view.count - 1) : view.count);
    case 'open':
      if (view.mode === 'cursor' && view.count) return open(state, view.open?.(cursor));
      if (flow?.pane === 'stream' && ctx.stream) {
        const key = ctx.stream.messageIn(top, top + listHeight);
        if (!key) return { ...state, message: 'no HTTP message starts on this page' };
        const f = state.folds[flow.id] ?? NO_FOLDS;
        const toggled = new Set(f.toggled);
        if (toggled.has(key)) toggled.delete(key);
        else toggled.add(key);
        return { ...state, folds: { ...state.folds, [flow.id]: { all: f.all, toggled } } };
      }
      return state;
    case 'headers':
      if (flow?.pane === 'stream' && ctx.stream) {
        if (!ctx.stream.hasHeaders) return { ...state, message: 'no HTTP/1 message heads in this stream' };
        return { ...state, folds: { ...state.folds, [flow.id]: { all: !(state.folds[flow.id] ?? NO_FOLDS).all, toggled: new Set() } } };
      }
      return state;
    case 'back':
      if (flow && state.detail && flow.pane === 'packets') return { ...state, detail: null };
      return { ...state, flow: null, detail: null, message: null };
    case 'nextPane':
    case 'prevPane': {
      const step = action === 'nextPane' ? 1 : -1;
      if (flow) return { ...state, flow: { ...flow, pane: cycle(FLOW_PANES, flow.pane, step) } };
      return { ...state, tab: cycle(MAIN_TABS, state.tab, step) };
    }
    case 'flows':
    case 'anomalies':
    case 'stats':
    case 'credentials':
    case 'objects':
      return { ...state, flow: null, tab: action };
    case 'detail':
    case 'ladder':
    case 'stream':
    case 'packets':
    case 'graphs': {
      if (flow) return { ...state, flow: { ...flow, pane: action } };
      const id = state.tab === 'flows' ? ctx.flowAt(cursor) : undefined;
      return id === undefined ? state : { ...state, flow: { id, pane: action } };
    }
    case 'filter':
      if (flow?.pane === 'stream') return { ...state, prompt: { kind: 'search', text: state.search, error: null, column: null } };
      if (flow?.pane === 'packets' || flow?.pane === 'graphs')
        return { ...state, prompt: { kind: 'packets', text: state.packetFilter.flowId === flow.id ? state.packetFilter.source : '', error: null, column: null } };
      return { ...state, prompt: { kind: 'filter', text: state.filter?.source ?? '', error: null, column: null } };
    case 'next':
    case 'prev':
      return flow?.pane === 'stream' ? findNext(state, ctx, state.search, action === 'prev') : state;
    case 'sort':
      if (flow || state.tab !== 'flows') return state;
      return { ...state, sort: { column: cycle(SORT_COLUMNS, state.sort.column, 1), desc: state.sort.desc } };
    case 'reverse':
      if (flow || state.tab !== 'flows') return state;
      return { ...state, sort: { ...state.sort, desc: !state.sort.desc } };
    case 'hex':
      return flow?.pane === 'stream' ? { ...state, streamMode: state.streamMode === 'ascii' ? 'hex' : 'ascii' } : state;
    case 'decode':
      return flow?.pane === 'stream' ? { ...state, decoded: !state.decoded } : state;
    case 'interval': {
      if (flow?.pane !== 'graphs') return state;
      const next = (state.ioStep + 1) % IO_INTERVALS.length;
      const v = IO_INTERVALS[next];
      return { ...state, ioStep: next, message: `I/O graph interval: ${v === null || v === undefined ? 'auto' : `${v} s`}` };
    }
  }
}
