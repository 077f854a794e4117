import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { NO_KEY } from '../../src/tui/keys.js';
import { initialState, placeOf, reduce, type AppState, type KeyContext, type OpenIntent, type StreamFacts, type ViewFacts } from '../../src/tui/model/app-state.js';
import { IO_INTERVALS } from '../../src/tui/model/flow-graphs.js';

// The screen's state machine alone: no Ink, no store, no capture. A "view" is the facts a
// key press sees (its key, row count, mode, what Enter asks for).

function view(key: string, count: number, mode: 'cursor' | 'scroll' = 'cursor', open?: (i: number) => OpenIntent | undefined): ViewFacts {
  return { key, count, mode, open };
}

function ctxOf(v: ViewFacts, listHeight = 10, stream: StreamFacts | null = null, flowIds: number[] = []): KeyContext {
  return { view: v, listHeight, stream, flowAt: (i) => flowIds[i] };
}

const SPECIAL: Record<string, Partial<Key>> = {
  '<tab>': { tab: true },
  '<s-tab>': { tab: true, shift: true },
  '<esc>': { escape: true },
  '<cr>': { return: true },
  '<bs>': { backspace: true },
  '<pgdn>': { pageDown: true },
  '<pgup>': { pageUp: true },
  '<up>': { upArrow: true },
};

/** Presses keys one by one: `<tab>`-style names, or literal characters. */
function press(state: AppState, keys: string, ctx: KeyContext | ((s: AppState) => KeyContext)): AppState {
  let s = state;
  for (const k of keys.match(/<[a-z-]+>|[^]/gu) ?? []) {
    const flags = SPECIAL[k];
    const c = typeof ctx === 'function' ? ctx(s) : ctx;
    s = reduce(s, { type: 'key', input: flags ? '' : k, key: { ...NO_KEY, ...flags, shift: flags?.shift ?? /[A-Z]/.test(k) }, ctx: c });
  }
  return s;
}

const start = initialState(1);
const ids = [10, 11, 12, 13, 14];
const list = ctxOf(view('flows', 5, 'cursor', (i) => (ids[i] === undefined ? undefined : { kind: 'flow', id: ids[i]! })), 3, null, ids);

describe('reduce: the TUI state machine', () => {
  it('Tab and Shift-Tab cycle the main tabs, digits pick one; in a flow they cycle its panes', () => {
    expect(press(start, '<tab>', list).tab).toBe('anomalies');
    expect(press(start, '<tab><tab><tab><tab><tab>', list).tab).toBe('flows');
    expect(press(start, '<s-tab>', list).tab).toBe('objects');
    expect(press(start, '3', list).tab).toBe('stats');
    const inFlow = press(start, 'jj<cr>', list);
    expect(inFlow.flow).toEqual({ id: 12, pane: 'detail' });
    expect(press(inFlow, '<tab>', list).flow).toEqual({ id: 12, pane: 'ladder' });
    expect(press(inFlow, '<s-tab>', list).flow).toEqual({ id: 12, pane: 'graphs' });
    expect(press(inFlow, 'f', list).flow).toEqual({ id: 12, pane: 'stream' });
    // A digit leaves the flow for that tab; Esc goes back to the list it came from.
    const objects = press(inFlow, '5', list);
    expect([objects.flow, objects.tab]).toEqual([null, 'objects']);
    expect(press(inFlow, '<esc>', list)).toMatchObject({ flow: null, tab: 'flows' });
    // On the flows list, a pane key opens the selected flow at that pane; elsewhere it does nothing.
    expect(press(start, 'jp', list).flow).toEqual({ id: 11, pane: 'packets' });
    expect(press(press(start, '2', list), 'p', ctxOf(view('anomalies', 3))).flow).toBeNull();
  });

  it('keeps the cursor within the rows and the page scrolled to it', () => {
    const down = press(start, 'jjjjjjjjjj', list);
    expect(down.pos.flows).toEqual({ cursor: 4, top: 2 });
    expect(press(down, 'kkkkkkkkkk', list).pos.flows).toEqual({ cursor: 0, top: 0 });
    expect(press(start, 'G', list).pos.flows).toEqual({ cursor: 4, top: 2 });
    expect(press(start, 'Gg', list).pos.flows).toEqual({ cursor: 0, top: 0 });
    expect(press(start, '<pgdn>', list).pos.flows).toEqual({ cursor: 3, top: 1 });
    // An empty list: the cursor stays on row 0.
    expect(press(start, 'jG', ctxOf(view('flows', 0), 3)).pos.flows).toEqual({ cursor: 0, top: 0 });
    // Rows gone since (a filter, a live list): the drawn cursor is clamped to the last one.
    expect(placeOf(down, view('flows', 2), 3)).toEqual({ cursor: 1, top: 0, here: 1 });
  });

  it('scrolls a scrolling view a page at a time, never past the last page', () => {
    const ladder = ctxOf(view('flow:1:ladder', 10, 'scroll'), 4);
    expect(press(start, 'G', ladder).pos['flow:1:ladder']).toEqual({ cursor: 6, top: 6 });
    expect(press(start, '<pgdn><pgdn><pgdn>', ladder).pos['flow:1:ladder']).toEqual({ cursor: 6, top: 6 });
    expect(press(start, 'jj<up>', ladder).pos['flow:1:ladder']).toEqual({ cursor: 1, top: 1 });
    // Positions are per view: the flows list's is untouched.
    expect(press(start, 'G', ladder).pos.flows).toBeUndefined();
  });

  it('the / prompt: typing, backspace, Escape keeps the old filter, Enter applies it or shows the error', () => {
    const typing = press(start, '/app == ftpx<bs>', list);
    expect(typing.prompt).toEqual({ kind: 'filter', text: 'app == ftp', error: null, column: null });
    // While the prompt is open, keys are text: `q` does not quit, `j` does not move.
    expect(press(typing, 'qj', list)).toMatchObject({ quit: false, prompt: { text: 'app == ftpqj' } });
    expect(press(typing, '<esc>', list)).toMatchObject({ prompt: null, filter: null, filterSeq: 0 });
    const moved = press(start, 'jjj', list);
    const applied = press(moved, '/app == ftp<cr>', list);
    expect(applied).toMatchObject({ prompt: null, message: null, filterSeq: 1, pos: { flows: { cursor: 0, top: 0 } } });
    expect(applied.filter?.source).toBe('app == ftp');
    // Reopening shows the filter in force; an empty line clears it.
    expect(press(applied, '/', list).prompt?.text).toBe('app == ftp');
    const cleared = press(applied, `/${'<bs>'.repeat(10)}<cr>`, list);
    expect(cleared).toMatchObject({ filter: null, filterSeq: 2, message: 'filter cleared' });
    // A bad expression keeps the prompt open with the error and its column; typing clears the error.
    const bad = press(start, '/app ==<cr>', list);
    expect(bad.prompt?.error).toBeTruthy();
    expect(bad.filterSeq).toBe(0);
    expect(press(bad, ' ', list).prompt).toMatchObject({ text: 'app == ', error: null, column: null });
    // Control characters are dropped, never typed.
    expect(reduce(press(start, '/', list), { type: 'key', input: 'a\x1b[2Jb', key: NO_KEY, ctx: list }).prompt?.text).toBe('a[2Jb');
  });

  it('in the Packets pane / is a frame filter, kept per flow', () => {
    const packets = { ...start, flow: { id: 7, pane: 'packets' as const }, pos: { 'flow:7:packets': { cursor: 4, top: 2 } } };
    const v = ctxOf(view('flow:7:packets', 9));
    const s = press(packets, '/tcp.len > 0<cr>', v);
    expect(s.packetFilter).toMatchObject({ flowId: 7, source: 'tcp.len > 0' });
    expect(s.pos['flow:7:packets']).toEqual({ cursor: 0, top: 0 });
    expect(s.filterSeq).toBe(0); // the flows filter is another one
    expect(press(s, '/', v).prompt).toMatchObject({ kind: 'packets', text: 'tcp.len > 0' });
    expect(press({ ...s, flow: { id: 8, pane: 'graphs' } }, '/', v).prompt).toMatchObject({ kind: 'packets', text: '' });
  });

  it('h folds every HTTP head of the open stream and unfolds them; without heads it says so', () => {
    const inStream = { ...start, flow: { id: 3, pane: 'stream' as const } };
    const heads: StreamFacts = { hasHeaders: true, find: () => -1, messageIn: () => 'm:0' };
    const v = ctxOf(view('flow:3:stream', 40, 'scroll'), 10, heads);
    const folded = press(inStream, 'h', v);
    expect(folded.folds[3]?.all).toBe(true);
    expect(press(folded, 'h', v).folds[3]?.all).toBe(false);
    // Enter toggles the first message on the page, and h resets those single toggles.
    const one = press(folded, '<cr>', v);
    expect([...(one.folds[3]?.toggled ?? [])]).toEqual(['m:0']);
    expect(press(one, 'h', v).folds[3]).toEqual({ all: false, toggled: new Set() });
    const none = press(inStream, 'h', ctxOf(view('flow:3:stream', 40, 'scroll'), 10, { ...heads, hasHeaders: false }));
    expect(none.folds[3]).toBeUndefined();
    expect(none.message).toBe('no HTTP/1 message heads in this stream');
    // Outside the stream pane h does nothing.
    expect(press(start, 'h', list)).toBe(start);
  });

  it('i cycles the I/O graph interval in the Graphs pane, and only there', () => {
    const graphs = { ...start, flow: { id: 2, pane: 'graphs' as const } };
    const v = ctxOf(view('flow:2:graphs', 30, 'scroll'));
    const once = press(graphs, 'i', v);
    expect(once).toMatchObject({ ioStep: 1, message: 'I/O graph interval: 0.001 s' });
    const around = press(graphs, 'i'.repeat(IO_INTERVALS.length), v);
    expect(around).toMatchObject({ ioStep: 0, message: 'I/O graph interval: auto' });
    expect(press({ ...graphs, flow: { id: 2, pane: 'ladder' } }, 'i', v).ioStep).toBe(0);
  });

  it('stream search: n and N find the next match from the page, or say it is not there', () => {
    const rows = [5, 30, 60];
    const doc: StreamFacts = {
      hasHeaders: false,
      messageIn: () => null,
      find: (q, from, back) => (q !== 'GET' ? -1 : back ? ([...rows].reverse().find((r) => r < from) ?? -1) : (rows.find((r) => r > from) ?? -1)),
    };
    const s0 = { ...start, flow: { id: 1, pane: 'stream' as const } };
    // A match is drawn a third of the way down the page: row 5 on a 9-row page is at top 2.
    expect(press(s0, '/GET<cr>', ctxOf(view('flow:1:stream', 100, 'scroll'), 9, doc)).pos['flow:1:stream']).toEqual({ cursor: 2, top: 2 });
    // On a 2-row page the match is the top row, and n, N go on from it.
    const v = ctxOf(view('flow:1:stream', 100, 'scroll'), 2, doc);
    const found = press(s0, '/GET<cr>', v);
    expect(found.search).toBe('GET');
    expect(found.pos['flow:1:stream']?.top).toBe(5);
    expect(press(found, 'n', v).pos['flow:1:stream']?.top).toBe(30);
    expect(press(found, 'nn', v).pos['flow:1:stream']?.top).toBe(60);
    expect(press(found, 'nN', v).pos['flow:1:stream']?.top).toBe(5);
    expect(press(s0, '/POST<cr>', v).message).toBe('not found: POST');
    // On a 9-row page each match is drawn 3 rows down: n goes on from the match, not from the
    // page's top (which would find the same match again), and N comes back to it.
    const tall = ctxOf(view('flow:1:stream', 100, 'scroll'), 9, doc);
    const first = press(s0, '/GET<cr>', tall);
    expect(first.pos['flow:1:stream']?.top).toBe(2);
    const second = press(first, 'n', tall);
    expect(second).toMatchObject({ searchHit: 30, pos: { 'flow:1:stream': { top: 27 } } });
    expect(press(second, 'n', tall)).toMatchObject({ searchHit: 60, pos: { 'flow:1:stream': { top: 57 } } });
    expect(press(second, 'N', tall)).toMatchObject({ searchHit: 5, pos: { 'flow:1:stream': { top: 2 } } });
  });

  it('Enter carries out what the row asks for: a jump lands on its frame, a packet detail is read again', () => {
    const events: Array<OpenIntent | undefined> = [{ kind: 'jump', flow: null, frame: 9 }, { kind: 'jump', flow: 4, frame: 17 }];
    const anomalies = ctxOf(view('anomalies', 2, 'cursor', (i) => events[i]));
    expect(press(start, '<cr>', anomalies)).toMatchObject({ flow: null, message: 'frame 9: not part of any flow' });
    const jumped = press(start, 'j<cr>', anomalies);
    expect(jumped).toMatchObject({ flow: { id: 4, pane: 'detail' }, focus: { flow: 4, frame: 17 }, message: null });
    expect(reduce(jumped, { type: 'focus', viewKey: 'flow:4:detail', at: 12 })).toMatchObject({ focus: null, pos: { 'flow:4:detail': { cursor: 12, top: 10 } } });
    expect(reduce(jumped, { type: 'focus', viewKey: 'flow:4:detail', at: -1 }).pos['flow:4:detail']).toBeUndefined();

    const outline = ctxOf(view('flow:4:detail', 3, 'cursor', () => ({ kind: 'toggle', flow: 4, target: 't:1' })));
    expect([...(press(jumped, '<cr>', outline).toggled[4] ?? [])]).toEqual(['t:1']);
    expect(press(jumped, '<cr><cr>', outline).toggled[4]?.size).toBe(0);

    const inPackets = { ...start, flow: { id: 4, pane: 'packets' as const } };
    const pv = ctxOf(view('flow:4:packets', 3, 'cursor', () => ({ kind: 'packet', frame: 21 })));
    const loading = press(inPackets, '<cr>', pv);
    expect(loading.detail).toEqual({ frame: 21, status: 'loading' });
    // A late answer for another frame is dropped; this frame's lands; Esc closes the detail, then the flow.
    expect(reduce(loading, { type: 'frameLoaded', frame: 20, detail: null })).toBe(loading);
    expect(reduce(loading, { type: 'frameFailed', frame: 21, error: 'gone' }).detail).toEqual({ frame: 21, status: 'error', error: 'gone' });
    const closed = press(loading, '<esc>', pv);
    expect(closed).toMatchObject({ detail: null, flow: { id: 4, pane: 'packets' } });
    expect(press(closed, '<esc>', pv).flow).toBeNull();
  });

  it('sorting only on the flows list; help swallows keys until ? or Esc; q quits from anywhere', () => {
    expect(press(start, 'sS', list).sort).toEqual({ column: 'app', desc: true });
    expect(press(press(start, '2', list), 's', ctxOf(view('anomalies', 3))).sort).toEqual(start.sort);
    const help = press(start, '?', list);
    expect(help.help).toBe(true);
    expect(press(help, 'j2s', list)).toBe(help);
    expect(press(help, '<esc>', list).help).toBe(false);
    expect(press(help, 'q', list).quit).toBe(true);
    expect(press(start, 'q', list).quit).toBe(true);
  });

  it('a tick takes the store version; the same version is no change', () => {
    expect(reduce(start, { type: 'tick', version: 1 })).toBe(start);
    expect(reduce(start, { type: 'tick', version: 2 }).version).toBe(2);
  });
});
