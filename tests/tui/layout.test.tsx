import fc from 'fast-check';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { flowLayout, measureRows, rowLine, shortSeconds, withoutPort } from '../../src/tui/model/flow-table.js';
import type { FlowRow } from '../../src/tui/model/flow-row.js';
import { plain } from '../../src/tui/model/lines.js';
import { buildOutline } from '../../src/tui/model/outline.js';
import type { CaptureStore } from '../../src/tui/model/store.js';
import { charWidth, displayWidth, wrapIndent, wrapText, wrapWords } from '../../src/plot/width.js';
import { ENTER, loadStore } from './helpers.js';
import { buildPcap, writeTemp } from './hostile-capture.js';

/** A Cookie value long enough to wrap at every size, with the text the issue saw cut. */
const COOKIE = `sid=${'A0b1C2d3E4f5'.repeat(14)}3T1igMSPn${'x9Y8z7'.repeat(20)}`;
const WIDE_NAME = '日本語のファイル名😀テスト'.repeat(6);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Two HTTP flows between long private addresses, the shape that was cut at 80 columns. */
function layoutCapture(): Uint8Array {
  const request = (path: string, extra: string) => utf8(`GET ${path} HTTP/1.1\r\nHost: intranet.example.test\r\nCookie: ${COOKIE}\r\nX-Name: ${extra}\r\n\r\n`);
  const response = utf8('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  return buildPcap([
    { client: [172, 16, 100, 200], server: [172, 16, 200, 201], cport: 58485, sport: 80, steps: [{ dir: 'c2s', data: request('/reports/quarterly/2026/summary-of-everything.html', WIDE_NAME) }, { dir: 's2c', data: response }] },
    { client: [192, 168, 100, 123], server: [10, 200, 30, 40], cport: 51234, sport: 80, steps: [{ dir: 'c2s', data: request('/a', 'plain') }, { dir: 's2c', data: response }] },
  ]);
}

let file: string;
let store: CaptureStore;
beforeAll(async () => {
  file = writeTemp(layoutCapture(), 'layout.pcap');
  store = await loadStore(file);
});

const ENDPOINTS = ['172.16.100.200:58485', '172.16.200.201:80', '192.168.100.123:51234', '10.200.30.40:80'];

/** Renders the UI at a terminal size and waits for the flows list. */
async function renderAt(columns: number, rows: number) {
  const app = render(<App store={store} file={file} refreshMs={10} loadStream={() => Promise.reject(new Error('unused'))} />);
  Object.defineProperty(app.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
  app.stdout.emit('resize');
  const waitFor = async (ok: (f: string) => boolean): Promise<string> => {
    const until = Date.now() + 60_000;
    for (;;) {
      const f = app.lastFrame() ?? '';
      if (ok(f)) return f;
      if (Date.now() > until) throw new Error(`never showed it; last screen:\n${f}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { app, waitFor };
}

const fits = (frame: string, columns: number, rows: number): void => {
  const lines = frame.split('\n');
  expect(lines.length, frame).toBeLessThanOrEqual(rows);
  for (const l of lines) expect(displayWidth(l), `${JSON.stringify(l)} is wider than ${columns}`).toBeLessThanOrEqual(columns);
};

describe('layouts at 80×24, 120×40 and 200×60', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [200, 60],
  ] as const) {
    it(`${columns}×${rows}: whole addresses, no row wider than the terminal, the summary somewhere`, async () => {
      const { app, waitFor } = await renderAt(columns, rows);
      // A frame laid out at this size: its header line starts the list.
      // A frame laid out at this size (the screen fills the terminal's rows, less the cursor's line).
      const f = await waitFor((s) => s.includes('id▲') && s.includes('192.168.100.123') && Math.abs(s.split('\n').length - rows) <= 1);
      fits(f, columns, rows);
      const listRows = f.split('\n').filter((l) => /^[› ] +\d /.test(l));
      expect(listRows).toHaveLength(2);
      // Both servers whole in the table; the clients whole too, or with only the port given up.
      for (const e of ENDPOINTS) {
        const host = e.slice(0, e.lastIndexOf(':'));
        expect(listRows.join('\n')).toContain(e.endsWith(':80') ? e : `${host}:`);
      }
      // The summary is in its column, or (at 80) in the detail strip of the selected row.
      expect(f).toContain('GET /reports/quarterly/2026/summary-of-everything.html');
      if (columns === 80) expect(f).toContain('172.16.100.200:58485 → 172.16.200.201:80');
      // Open the flow: its title keeps both addresses whole.
      app.stdin.write(ENTER);
      const flow = await waitFor((s) => s.includes('Flow 1 http'));
      fits(flow, columns, rows);
      expect(flow).toContain('172.16.100.200:58485 → 172.16.200.201:80');
      app.unmount();
    });
  }
});

describe('flow table priorities', () => {
  const row = (client: string, server: string): FlowRow =>
    ({ id: 1, app: 'http', service: 'http', client, server, pkts: 12345, bytes: 98765, duration: 1.234, state: 'SF', ended: true, summary: 'GET / → 200' }) as unknown as FlowRow;
  const v6 = row('[2001:db8:85a3:1234:5678:8a2e:370:7334]:58485', '[2001:db8:85a3:1234:5678:8a2e:370:7335]:443');

  it('gives up numbers, then the summary, then columns, then the client port, never the addresses', () => {
    for (let width = 40; width <= 220; width++) {
      const layout = flowLayout(width, measureRows([v6]));
      const text = plain(rowLine(v6, layout));
      const minimum = 1 + 3 + 1 + 4 + 1 + displayWidth(withoutPort(v6.client)) + 1 + displayWidth(v6.server) + 1 + 6;
      if (width >= minimum) {
        expect(1 + displayWidth(text), `width ${width}`).toBeLessThanOrEqual(width);
        expect(text).toContain(v6.server);
        expect(text).toContain(layout.shortClientPort ? withoutPort(v6.client) : v6.client);
      }
      if (layout.columns.some((c) => c.key === 'summary')) expect(layout.hidden).toEqual([]);
      else expect(layout.hidden).toContain('summary');
    }
    expect(flowLayout(200, measureRows([v6])).compact).toBe(false);
  });

  it('short durations stay within six columns', () => {
    for (const s of [0, 0.000419, 0.0123, 0.5, 1.234, 9.999, 12.3, 59.9, 61, 3599, 3600, 7300, 360000, 1e7]) expect(displayWidth(shortSeconds(s))).toBeLessThanOrEqual(6);
  });
});

describe('wrapping never loses a character', () => {
  // ASCII, CJK, emoji (astral), combining marks and fullwidth forms.
  const alphabet = fc.constantFrom(...'abcXYZ019 -=;/'.split(''), '日', '本', '語', '😀', '🎉', 'é', 'e\u0301', 'Ａ', 'ｶ', '\u200b');
  const text = fc.array(alphabet, { maxLength: 300 }).map((a) => a.join(''));

  it('wrapText: rows, indent removed, joined, give the text back; none wider than the width', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 12 }), (t, width, indent) => {
        const rows = wrapText(t, width, indent);
        const ind = wrapIndent(width, indent);
        const back = rows.map((r, i) => (i ? r.slice(ind) : r)).join('');
        expect(back).toBe(t);
        for (const r of rows) if ([...r].some((c) => charWidth(c) <= width)) expect(displayWidth(r)).toBeLessThanOrEqual(Math.max(width, 2));
        if (rows.length > 1) for (const r of rows.slice(1)) expect(r.startsWith(' '.repeat(ind))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('wrapWords: breaks between words, every word kept in order, rows within the width', () => {
    const words = fc.array(fc.array(alphabet.filter((c) => c !== ' '), { minLength: 1, maxLength: 14 }).map((a) => a.join('')), { maxLength: 40 });
    fc.assert(
      fc.property(words, fc.integer({ min: 16, max: 160 }), (ws, width) => {
        const rows = wrapWords(ws.join(' '), width, 2);
        for (const r of rows) expect(displayWidth(r)).toBeLessThanOrEqual(width);
        // Words no longer than a row (past the continuation indent) are never split across rows.
        if (ws.some((w) => displayWidth(w) > width - 2)) return;
        const tokens = rows.flatMap((r) => r.split(' ').filter(Boolean));
        expect(tokens).toEqual(ws);
      }),
      { numRuns: 200 },
    );
  });

  it('a long Cookie header, unfolded in the transactions pane, is whole when its rows are joined', () => {
    const events = store.eventsOf(1);
    const tx = events.find((e) => e.type === 'http.transaction');
    expect(tx).toBeDefined();
    for (const width of [79, 119, 199]) {
      const all = buildOutline(events, { toggled: new Set(events.map((e, i) => `e:${e.type}:${e.frame}:${i}`)), width, start: null });
      // Unfolded fields are wrapped; the folded one-line labels are cut by the row, never wrapped.
      for (const l of all.filter((x) => x.segs.length === 1)) expect(displayWidth(plain(l))).toBeLessThanOrEqual(width);
      const text = all.map((l) => plain(l).trim()).join('');
      expect(text).toContain(COOKIE);
      expect(text).toContain(WIDE_NAME);
    }
  });
});

afterAll(() => undefined);
