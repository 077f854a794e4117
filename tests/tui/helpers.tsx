import { render } from 'ink-testing-library';
import { analyze } from '../../src/pipeline/analyze.js';
import { App } from '../../src/tui/components/App.js';
import { CaptureStore } from '../../src/tui/model/store.js';
import { loadStream } from '../../src/tui/model/stream.js';

/** Reads a whole capture into a store, as the UI does while it loads. */
export async function loadStore(file: string): Promise<CaptureStore> {
  const store = new CaptureStore();
  await analyze(file, store, {
    wantsObjects: true,
    onObject: (o, flow) => store.object(o, flow),
    onProgress: (read, total) => store.setProgress(read, total),
  });
  store.finish();
  store.tick();
  return store;
}

export interface Ui {
  lastFrame(): string;
  frames: string[];
  /** Types keys the way a terminal sends them; `\r` is Enter, `\x1b` Esc. */
  press(keys: string): void;
  /** Waits until the screen shows `text` (or passes `test`); fails with the last screen. */
  waitFor(test: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Gives the terminal a new size, as a terminal's resize does. */
  resize(columns: number, rows: number): void;
  unmount(): void;
}

export async function renderApp(file: string, store?: CaptureStore): Promise<Ui> {
  const s = store ?? (await loadStore(file));
  const app = render(<App store={s} file={file} refreshMs={10} loadStream={(id, onProgress) => loadStream(file, id, { onProgress })} />);
  const ui: Ui = {
    lastFrame: () => app.lastFrame() ?? '',
    frames: app.frames,
    press: (keys) => app.stdin.write(keys),
    waitFor: async (test, timeoutMs = 60_000) => {
      const ok = (f: string) => (typeof test === 'string' ? f.includes(test) : test instanceof RegExp ? test.test(f) : test(f));
      const until = Date.now() + timeoutMs;
      for (;;) {
        const f = app.lastFrame() ?? '';
        if (ok(f)) return f;
        if (Date.now() > until) throw new Error(`screen never showed ${String(test)}; last screen:\n${f}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    resize: (columns, rows) => {
      Object.defineProperty(app.stdout, 'columns', { value: columns, configurable: true });
      Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
      app.stdout.emit('resize');
    },
    unmount: () => app.unmount(),
  };
  await ui.waitFor((f) => f.includes('wirelens'));
  return ui;
}

/** Esc alone: Ink waits briefly to tell it from an escape sequence, so send it on its own. */
export const ESC = '\x1b';
export const ENTER = '\r';
export const DOWN = '\x1b[B';
export const TAB = '\t';
