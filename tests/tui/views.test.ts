import { describe, expect, it } from 'vitest';
import type { FlowEndFields } from '../../src/events/event-map.js';
import { typedEvent } from '../../src/events/event.js';
import { Timestamp } from '../../src/events/time.js';
import { initialState, type AppState } from '../../src/tui/model/app-state.js';
import { flowLayout, measureRows } from '../../src/tui/model/flow-table.js';
import { CaptureStore } from '../../src/tui/model/store.js';
import { buildView, focusIndex, type ViewInput } from '../../src/tui/model/views.js';
import { flowEndRecord } from './flow-record.js';

// The view builders alone: a store, a state, and the lines and Enter intents they give.

const record = (id: number, proto: 'tcp' | 'udp'): FlowEndFields =>
  flowEndRecord(id, {
    proto,
    service: proto === 'tcp' ? 'http' : 'dns',
    resp_p: proto === 'tcp' ? 80 : 53,
    tcp_stream: proto === 'tcp' ? id - 1 : undefined,
    udp_stream: proto === 'udp' ? id - 1 : undefined,
    last_frame: id + 3,
    orig_frame_bytes: 100,
  });

function storeOf(): CaptureStore {
  const store = new CaptureStore();
  store.emit({ type: 'anomaly', frame: 7, ts: Timestamp.ZERO, flow: 1, dir: null, code: 'tcp.gap', detail: 'x' });
  store.emit({ type: 'anomaly', frame: 9, ts: Timestamp.ZERO, flow: null, dir: null, code: 'truncated_frame', detail: 'y' });
  store.emit(typedEvent('flow.end', 5, new Timestamp(1001, 0), 1, null, record(1, 'tcp')));
  store.emit(typedEvent('flow.end', 6, new Timestamp(1002, 0), 2, null, record(2, 'udp')));
  store.finish();
  store.tick();
  return store;
}

function input(store: CaptureStore, ui: AppState, more: Partial<ViewInput> = {}): ViewInput {
  const rows = store.rows(ui.sort.column, ui.sort.desc);
  const flowEvents = ui.flow ? store.eventsOf(ui.flow.id) : [];
  return {
    ui,
    store,
    width: 100,
    bodyHeight: 20,
    rows,
    layout: flowLayout(100, measureRows(rows)),
    anomalies: store.anomalies,
    credentials: store.credentials,
    objects: store.objects,
    flowRow: ui.flow ? store.flow(ui.flow.id) : undefined,
    flowEvents,
    streamDoc: null,
    stream: null,
    liveData: null,
    packets: null,
    ...more,
  };
}

const text = (v: ReturnType<typeof buildView>, i: number) => v.lineAt(i).segs.map((s) => s.text).join('');

describe('buildView: the body built from data', () => {
  it('the flows list: one row a flow, Enter opens it', () => {
    const store = storeOf();
    const v = buildView(input(store, initialState(store.version)));
    expect(v).toMatchObject({ key: 'flows', count: 2, mode: 'cursor' });
    expect(v.open?.(1)).toEqual({ kind: 'flow', id: 2 });
    expect(v.open?.(2)).toBeUndefined();
  });

  it('the anomalies list: frame, flow and code a row, the codes counted in the head; Enter jumps to the frame', () => {
    const store = storeOf();
    const v = buildView(input(store, { ...initialState(store.version), tab: 'anomalies' }));
    expect(v.count).toBe(2);
    expect(text(v, 0)).toMatch(/^\s+7\s+1\s+.*tcp\.gap/);
    expect(text(v, 1)).toMatch(/^\s+9\s+-\s+/);
    expect(v.head[0]!.segs[0]!.text).toContain('tcp.gap ×1');
    expect(v.open?.(0)).toEqual({ kind: 'jump', flow: 1, frame: 7 });
    expect(v.open?.(1)).toEqual({ kind: 'jump', flow: null, frame: 9 });
    const creds = buildView(input(store, { ...initialState(store.version), tab: 'credentials' }));
    expect(creds).toMatchObject({ key: 'credentials', count: 0, empty: 'No credentials seen in clear.' });
  });

  it('a flow pane says what it waits for, or why it has nothing', () => {
    const store = storeOf();
    const tcp = { ...initialState(store.version), flow: { id: 1, pane: 'stream' as const } };
    expect(buildView(input(store, tcp)).empty).toBe('Reading the stream of flow 1…');
    expect(buildView(input(store, tcp, { stream: { flowId: 1, status: 'loading', read: 50, total: 200 } })).empty).toBe('Reading the stream of flow 1… 25%');
    expect(buildView(input(store, tcp, { stream: { flowId: 1, status: 'error', error: 'gone' } })).empty).toBe('Could not read the stream: gone');
    const udp = { ...tcp, flow: { id: 2, pane: 'stream' as const } };
    expect(buildView(input(store, udp)).empty).toBe('A UDP flow has no byte stream: its datagrams are in Transactions and Ladder.');
    const packets = { ...tcp, flow: { id: 1, pane: 'packets' as const } };
    const failed = buildView(input(store, packets, { packets: { flowId: 1, filter: '', status: 'error', error: 'boom' } }));
    expect(failed).toMatchObject({ key: 'flow:1:packets', count: 0, empty: 'Could not read the packets: boom' });
    // The pane tabs: the open one bold, the stream's mode in its name.
    const names = failed.head.at(-1)!.segs.filter((s) => s.text.trim()).map((s) => [s.text.trim(), s.bold]);
    expect(names).toEqual([['Transactions', false], ['Ladder', false], ['Stream (ascii)', false], ['Packets', true], ['Graphs', false]]);
  });

  it('focusIndex lands on the first entry at a frame, an anomaly only when nothing else is there', () => {
    const lines = ['e:anomaly:7:0', 'e:http.request:7:1', 'e:anomaly:8:0', 'g:x'];
    const v = { key: 'k', count: lines.length, mode: 'cursor' as const, head: [], lineAt: (i: number) => ({ segs: [], target: lines[i] }) };
    expect(focusIndex(v, 7)).toBe(1);
    expect(focusIndex(v, 8)).toBe(2);
    expect(focusIndex(v, 99)).toBe(-1);
  });
});
