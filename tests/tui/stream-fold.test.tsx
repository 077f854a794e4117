import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { loadStream, NO_FOLDS, StreamDoc, type StreamData } from '../../src/tui/model/stream.js';
import { ENTER, loadStore } from './helpers.js';

/** Folding HTTP/1 headers in the stream pane: `h` all of them, Enter the first message on screen. */

const PAGE = 'captures/http-page-persistent.pcap';
const texts = (doc: StreamDoc): string[] => Array.from({ length: doc.rows }, (_, i) => doc.textAt(i));
const enc = (s: string) => new TextEncoder().encode(s);

describe('StreamDoc folds HTTP/1 message heads', () => {
  it('folded: the start line stays with the count of header lines, the header lines and blank line go; the body stays', async () => {
    const data = await loadStream(PAGE, 1);
    const open = new StreamDoc(data, 'ascii', 120);
    const folded = new StreamDoc(data, 'ascii', 120, { all: true, toggled: new Set() });
    expect(open.hasHeaders).toBe(true);
    const o = texts(open);
    const f = texts(folded);
    // Request: Host, User-Agent, Accept and the blank line.
    expect(f[0]).toBe('> GET /page/index.html HTTP/1.1  ▸ 4 header lines folded');
    expect(f).not.toContain('> Host: www.wirelens.test');
    expect(o).toContain('> Host: www.wirelens.test');
    // Response head folded, its HTML body kept.
    expect(f[1]).toMatch(/^< HTTP\/1\.1 200 OK {2}▸ \d+ header lines folded$/);
    expect(f[2]).toBe('< <!doctype html>');
    expect(f.filter((t) => t.includes('header lines folded'))).toHaveLength(12);
    // Nothing else is lost: every row of the open document is in the folded one, or is a header line.
    const shown = new Set(f.map((t) => t.replace(/ {2}▸ \d+ header lines? folded$/, '')));
    const hidden = o.filter((t) => !shown.has(t));
    expect(hidden.length).toBeGreaterThan(12);
    expect(hidden.every((t) => /^[<>] ([A-Za-z-]+: |$)/.test(t))).toBe(true);
  });

  it('one message toggled against the default, found by its key', async () => {
    const data = await loadStream(PAGE, 1);
    const open = new StreamDoc(data, 'ascii', 120);
    const key = open.messageIn(0, 5)!;
    expect(key).toBe('c2s:0');
    const one = new StreamDoc(data, 'ascii', 120, { all: false, toggled: new Set([key]) });
    expect(one.textAt(0)).toContain('▸ 4 header lines folded');
    expect(one.textAt(1)).toBe('< HTTP/1.1 200 OK');
    expect(one.rowOf(key)).toBe(0);
  });

  it('body text that looks like a request line is not a head unless header lines and a blank line follow', () => {
    const data: StreamData = {
      pieces: [{ dir: 's2c', offset: 0, data: enc('HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\nGET /x HTTP/1.1\r\nnot a header line\r\n') }],
      kept: 0,
      leftOut: 0,
      layer: null,
    };
    const doc = new StreamDoc(data, 'ascii', 80, { all: true, toggled: new Set() });
    expect(texts(doc)).toEqual(['< HTTP/1.1 200 OK  ▸ 2 header lines folded', '< GET /x HTTP/1.1', '< not a header line']);
    // Hex shows bytes, never folded.
    expect(new StreamDoc(data, 'hex', 80, { all: true, toggled: new Set() }).hasHeaders).toBe(false);
    expect(new StreamDoc(data, 'ascii', 80, NO_FOLDS).rows).toBe(5);
  });
});

describe('stream pane keys', () => {
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  async function until(test: () => boolean): Promise<void> {
    for (let i = 0; i < 100_000 && !test(); i++) await new Promise((r) => setImmediate(r));
  }

  it('h folds every head and unfolds them again; Enter folds the first message on screen', async () => {
    const store = await loadStore(PAGE);
    const app = render(<App store={store} file={PAGE} refreshMs={10} loadStream={(id) => loadStream(PAGE, id)} />);
    try {
      await until(() => (app.lastFrame() ?? '').includes('127.0.0.1:35702'));
      app.stdin.write('f');
      await until(() => (app.lastFrame() ?? '').includes('> Host: www.wirelens.test'));
      app.stdin.write('h');
      await until(() => (app.lastFrame() ?? '').includes('header lines folded'));
      let f = app.lastFrame()!;
      expect(f).toContain('> GET /page/index.html HTTP/1.1  ▸ 4 header lines folded');
      expect(f).not.toContain('> Host: www.wirelens.test');
      app.stdin.write('h');
      await until(() => !(app.lastFrame() ?? '').includes('header lines folded'));
      expect(app.lastFrame()).toContain('> Host: www.wirelens.test');

      app.stdin.write(ENTER);
      await until(() => (app.lastFrame() ?? '').includes('header lines folded'));
      f = app.lastFrame()!;
      expect(f).toContain('> GET /page/index.html HTTP/1.1  ▸ 4 header lines folded');
      // Only that one: the response below it keeps its headers.
      expect(f).toContain('< Server: nginx/1.22.1');
      app.stdin.write(ENTER);
      await until(() => (app.lastFrame() ?? '').includes('> Host: www.wirelens.test'));
      await settle();
      expect(app.lastFrame()).not.toContain('header lines folded');
    } finally {
      app.unmount();
    }
  });
});
