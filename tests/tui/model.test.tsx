import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { typedEvent, type WireEvent } from '../../src/events/event.js';
import type { FlowEndFields } from '../../src/events/event-map.js';
import { CaptureStats } from '../../src/pipeline/stats.js';
import { Timestamp } from '../../src/events/time.js';
import { App } from '../../src/tui/components/App.js';
import { splitKeys } from '../../src/tui/keys.js';
import { compileUiFilter } from '../../src/tui/model/filter.js';
import { arrow } from '../../src/tui/model/ladder.js';
import { sparkline } from '../../src/tui/model/statistics.js';
import { CaptureStore, type LiveSource } from '../../src/tui/model/store.js';
import { loadStream, StreamDoc } from '../../src/tui/model/stream.js';
import { ENTER, renderApp } from './helpers.js';
import { flowEndRecord } from './flow-record.js';
import { hostileCapture, writeTemp } from './hostile-capture.js';

const flowRecord = (id: number, bytes: number, service = 'http'): FlowEndFields =>
  flowEndRecord(id, {
    service,
    orig_h: `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`,
    orig_p: 40000 + (id % 20000),
    duration: (id % 97) / 10,
    orig_frame_bytes: bytes,
    summary: `GET /${id}`,
  });
const flowEnd = (id: number, bytes: number, service = 'http'): WireEvent =>
  typedEvent('flow.end', id, new Timestamp(1000 + id, 0), id, null, flowRecord(id, bytes, service));

describe('store', () => {
  it('shows open flows from the engine before their record, then the record', () => {
    const store = new CaptureStore();
    let lastFrame = 3;
    const live: LiveSource = {
      openFlows: () => [{ id: 1, lastFrame, record: () => ({ ...flowRecord(1, 500), conn_state: 'S1' }) }],
      stats: { fields: () => ({ ...new CaptureStats().fields(), packets: 3 }) },
    };
    store.live = live;
    expect(store.tick()).toBe(true);
    expect(store.flow(1)).toMatchObject({ ended: false, state: 'S1', bytes: 500 });
    expect(store.tick()).toBe(false); // nothing new: no re-render
    lastFrame = 4;
    expect(store.tick()).toBe(true);
    const get = compileUiFilter('http.method == "GET"');
    if (!get.ok) throw new Error(get.error);
    store.setFilter(get.filter);
    expect(store.rows('id', false)).toHaveLength(0);
    store.emit({ type: 'http.request', frame: 5, ts: new Timestamp(1001, 0), flow: 1, dir: 'c2s', method: 'GET', uri: '/' });
    store.tick();
    expect(store.rows('id', false).map((r) => r.id)).toEqual([1]);
    store.emit(flowEnd(1, 900));
    store.finish();
    store.tick();
    expect(store.flow(1)).toMatchObject({ ended: true, state: 'SF', bytes: 900 });
    expect(store.statistics()).toBeNull();
  });

  it('bounds the events it keeps and says how many it left out', () => {
    const store = new CaptureStore({ eventsPerFlow: 3, eventsTotal: 100, anomalies: 2, credentials: 1, objects: 1 });
    for (let i = 0; i < 5; i++) store.emit({ type: 'anomaly', frame: i, ts: Timestamp.ZERO, flow: 1, dir: null, code: 'tcp.gap', detail: 'x' });
    expect(store.eventsOf(1)).toHaveLength(3);
    expect(store.droppedOf(1)).toBe(2);
    expect(store.anomalies).toHaveLength(2);
    expect(store.anomalyCounts.get('tcp.gap')).toBe(5);
  });

  it('keeps object metadata only, never the body', () => {
    const store = new CaptureStore();
    store.object({ protocol: 'http', name: 'a\x1b[2J.txt', data: new Uint8Array(1234), frame: 9 }, 3);
    expect(store.objects).toEqual([{ protocol: 'http', name: 'a\\x1b[2J.txt', contentType: '', size: 1234, flow: 3, frame: 9, incomplete: false }]);
  });
});

describe('a big capture stays quick', () => {
  // Quickness is shown by what is drawn (a screenful of rows, not 50 000); the clock only
  // catches a hang, with a wide margin, so a busy machine cannot fail it.
  it('50 000 flows: only visible rows are drawn; sorting and G/PgDn answer', async () => {
    const store = new CaptureStore();
    const n = 50_000;
    for (let i = 1; i <= n; i++) store.emit(flowEnd(i, (i * 7919) % 100_000));
    store.finish();
    store.tick();
    const t0 = performance.now();
    const sorted = store.rows('bytes', true);
    const sortMs = performance.now() - t0;
    expect(sorted).toHaveLength(n);
    expect(sorted[0]!.bytes).toBeGreaterThanOrEqual(sorted[n - 1]!.bytes);
    expect(sortMs).toBeLessThan(30_000);
    const app = render(<App store={store} file="big.pcap" refreshMs={10} loadStream={() => Promise.reject(new Error('unused'))} />);
    const wait = async (test: (f: string) => boolean, what: string) => {
      const until = Date.now() + 60_000;
      while (!test(app.lastFrame() ?? '')) {
        if (Date.now() > until) throw new Error(`never ${what}: ${app.lastFrame()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return app.lastFrame()!;
    };
    const first = await wait((f) => f.includes('GET /1'), 'first rows');
    const rowCount = first.split('\n').filter((l) => /^[› ]\s*\d+ http/.test(l)).length;
    expect(rowCount).toBeGreaterThan(5);
    expect(rowCount).toBeLessThan(40); // windowing: a screenful, not 50 000
    const t1 = performance.now();
    app.stdin.write('G');
    await wait((f) => /›\s*50000 http/.test(f), 'the last flow');
    app.stdin.write('\x1b[5~');
    await wait((f) => !/›\s*50000 http/.test(f) && /›\s*49\d\d\d http/.test(f), 'a page up');
    app.stdin.write('S');
    await wait((f) => f.includes('id▼'), 'reverse order');
    const keysMs = performance.now() - t1;
    if (process.env.TUI_TIMINGS) console.log(`sort ${sortMs.toFixed(0)} ms, G + PgUp + S ${keysMs.toFixed(0)} ms`);
    app.unmount();
  });
});

describe('pieces', () => {
  it('sparkline scales to the peak and resamples to the width', () => {
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe(' ▂▃▅█');
    expect([...sparkline(Array.from({ length: 100 }, (_, i) => i), 10)]).toHaveLength(10);
    expect(sparkline([], 10)).toBe('');
  });

  it('arrows are exactly as wide as the lane, both ways, however long the label', () => {
    for (const label of ['', 'GET /', 'x'.repeat(300)]) {
      expect([...arrow(label, 40, true)]).toHaveLength(40);
      expect([...arrow(label, 40, false)]).toHaveLength(40);
    }
    expect(arrow('GET /', 20, true)).toBe('── GET / ──────────▶');
    expect(arrow('GET /', 20, false)).toBe('◀────────── GET / ──');
  });

  it('splits a burst of keys into presses', () => {
    const none = splitKeys('q', { return: false } as never);
    expect(none).toHaveLength(1);
    const burst = splitKeys('jG\r', { ctrl: false, meta: false, escape: false } as never);
    expect(burst.map(([c, k]) => [c, k.return, k.shift])).toEqual([
      ['j', false, false],
      ['G', false, true],
      ['', true, false],
    ]);
  });

  it('filter errors are data: syntax with a column, a bad regular expression, never a throw', () => {
    expect(compileUiFilter('')).toEqual({ ok: true, filter: null });
    const syntax = compileUiFilter('app == ftp and (');
    expect(syntax.ok).toBe(false);
    expect(syntax.ok === false && syntax.column).toBe(16);
    const regex = compileUiFilter('http.uri matches "(["');
    expect(regex.ok).toBe(false);
    expect(compileUiFilter('http.uri matches "^/a"').ok).toBe(true);
    // An unknown field is an inline error naming the closest fields (issue 14), not "No flow matches".
    const unknown = compileUiFilter('http.reponse.code >= 400');
    expect(unknown).toMatchObject({ ok: false, column: 0 });
    expect(unknown.ok === false && unknown.error).toMatch(/unknown field "http\.reponse\.code" \(did you mean http\.response\.code/);
    // Wireshark's names work in the UI too, packet fields answered from the flow.
    const ws = compileUiFilter('tcp.port == 80 && http.request.method == "GET"');
    expect(ws.ok).toBe(true);
  });

  it('stream document: rows, gaps, hex offsets per direction, search both ways', async () => {
    const file = writeTemp(hostileCapture(), 'hostile.pcap');
    const data = await loadStream(file, 2);
    expect(data.pieces.some((p) => 'gap' in p && p.gap === 40)).toBe(true);
    const doc = new StreamDoc(data, 'ascii', 80);
    const texts = Array.from({ length: doc.rows }, (_, i) => doc.textAt(i));
    expect(texts).toContain('< 220 hello');
    expect(texts).toContain('> [40 bytes missing from the client stream]');
    const quit = texts.indexOf('> QUIT');
    expect(doc.find('quit', 0)).toBe(quit);
    expect(doc.find('QUIT', quit)).toBe(quit); // wraps round to itself
    expect(doc.find('220', quit, true)).toBe(texts.indexOf('< 220 hello'));
    expect(doc.find('absent', 0)).toBe(-1);
    const hex = new StreamDoc(data, 'hex', 80);
    const hexTexts = Array.from({ length: hex.rows }, (_, i) => hex.textAt(i));
    // QUIT comes after the 40-byte hole: its offset counts the missing bytes.
    const quitRow = hexTexts.find((t) => t.endsWith('QUIT..'))!;
    expect(quitRow.startsWith('> 0000')).toBe(true);
    const quitOffset = parseInt(quitRow.slice(2, 10), 16);
    const before = data.pieces.filter((p) => p.dir === 'c2s' && p.offset < quitOffset);
    expect(before.some((p) => 'gap' in p)).toBe(true);
  });

  it('anomalies list: Enter jumps to the flow of the anomaly', async () => {
    const ui = await renderApp(writeTemp(hostileCapture(), 'hostile.pcap'));
    ui.press('2');
    const f = await ui.waitFor('tcp.gap: 40 bytes missing from the stream');
    expect(f).toMatch(/33\s+2\s+tcp\.gap/);
    ui.press(ENTER);
    await ui.waitFor('Flow 2 ftp');
    // The cursor lands on the entry of the frame the anomaly names, not on the first row.
    const landed = await ui.waitFor((s) => /^›.*#33 /m.test(s));
    expect(landed.split('\n').find((l) => l.startsWith('›'))).toMatch(/#33 /);
    // Section titles fold and unfold with Enter, like groups.
    ui.press('g');
    await ui.waitFor((s) => /^›▾ Session \(1\)/m.test(s));
    ui.press(ENTER);
    const folded = await ui.waitFor((s) => /^›▸ Session \(1\)/m.test(s));
    expect(folded.split('\n').findIndex((l) => l.includes('Session (1)')) + 1).toBe(folded.split('\n').findIndex((l) => /[▾▸] (Transactions|Messages)/.test(l)));
    ui.press(ENTER);
    await ui.waitFor((s) => /^›▾ Session \(1\)/m.test(s));
    ui.unmount();
  });
});
