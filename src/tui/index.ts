import { render } from 'ink';
import { createElement } from 'react';
import { CaptureError } from '../capture/types.js';
import { analyzeOptions, type CommonOptions } from '../cli/options.js';
import { analyze } from '../pipeline/analyze.js';
import { App } from './components/App.js';
import { CaptureStore } from './model/store.js';
import { loadStream } from './model/stream.js';

export { App } from './components/App.js';
export { CaptureStore } from './model/store.js';

/** Our own control sequences (never captured bytes): the alternate screen, as less and vim use. */
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

/**
 * `wirelens FILE` on a terminal: the UI opens at once and fills in while the capture is
 * read (flows appear as they are found). Returns the exit status: 0, or 2 when the file
 * could not be read at all (the CLI prints that error, as the batch commands do).
 */
export async function openUi(file: string, opts: CommonOptions): Promise<number> {
  const { limits, keylog } = analyzeOptions(opts);
  const store = new CaptureStore();
  process.stdout.write(ENTER_ALT_SCREEN);
  const app = render(
    createElement(App, {
      store,
      file,
      loadStream: (flowId, onProgress) => loadStream(file, flowId, { limits, keylog, onProgress }),
    }),
    { exitOnCtrlC: true, patchConsole: true },
  );
  let fatal: unknown = null;
  const loading = analyze(file, store, {
    limits,
    keylog,
    wantsObjects: true,
    onObject: (o, flow) => store.object(o, flow),
    onProgress: (read, total) => store.setProgress(read, total),
    flowIdentity: true,
    onLive: (view) => (store.live = view),
  }).then(
    () => store.finish(),
    (err: unknown) => {
      // Nothing read at all: leave the UI and report it like any command. Otherwise keep
      // what was read on screen and say where reading stopped.
      if (err instanceof CaptureError && store.flowCount === 0 && !store.summary) {
        fatal = err;
        app.unmount();
      }
      store.finish(err instanceof Error ? err.message : String(err));
    },
  );
  try {
    await app.waitUntilExit();
  } finally {
    process.stdout.write(LEAVE_ALT_SCREEN);
  }
  if (fatal) throw fatal;
  // Quitting while a big capture is still loading must not wait for the rest of it.
  void loading;
  return 0;
}
