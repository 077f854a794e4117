import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { render } from 'ink';
import { createElement } from 'react';
import { followFile } from '../capture/follow.js';
import { CaptureError } from '../capture/types.js';
import { DEFAULT_LIMITS } from '../dissect/limits.js';
import { analyze, type AnalyzeOptions } from '../pipeline/analyze.js';
import { App } from './components/App.js';
import { LiveStreams } from './model/live-streams.js';
import { CaptureStore, STORE_LIMITS } from './model/store.js';
import { loadStream } from './model/stream.js';
import { loadFlowPackets, loadFrameDetail } from '../packets/flow-packets.js';

export { App } from './components/App.js';
export { CaptureStore } from './model/store.js';

/** Our own control sequences (never captured bytes): the alternate screen, as less and vim use. */
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

/** Thrown into the reading loop when the user quits, so that a capture still loading stops being read. */
class Quit extends Error {}

/** The keyboard when standard input is the capture (`tcpdump -w - | wirelens -`), as termshark and less do. */
export function terminalKeys(): ReadStream | null {
  try {
    return new ReadStream(openSync('/dev/tty', 'r'));
  } catch {
    return null;
  }
}

/**
 * `wirelens FILE` on a terminal: the UI opens at once and fills in while the capture is
 * read (flows appear as they are found). Returns the exit status: 0, or 2 when the file
 * could not be read at all (the CLI prints that error, as the batch commands do).
 *
 * Live (`-` on a pipe, or `follow`: a file still being written): the streams are kept in
 * memory within `live_stream_per_flow`/`live_stream_total`, since the input cannot be read
 * again; reading yields to the UI between chunks, so the screen keeps its refresh rate under
 * a flood; a followed file is read until the user quits.
 */
export async function openUi(file: string, run: Pick<AnalyzeOptions, 'limits' | 'keylog'>, mode: { follow?: boolean; keys?: ReadStream | null } = {}): Promise<number> {
  const { limits, keylog } = run;
  const live = file === '-' || mode.follow === true;
  const all = { ...DEFAULT_LIMITS, ...limits };
  const store = new CaptureStore(STORE_LIMITS, live ? new LiveStreams(all.live_stream_per_flow, all.live_stream_total) : null);
  const stop = new AbortController();
  process.stdout.write(ENTER_ALT_SCREEN);
  const app = render(
    createElement(App, {
      store,
      file: file === '-' ? '<stdin>' : file,
      loadStream: (flowId, onProgress) => loadStream(file, flowId, { limits, keylog, onProgress }),
      loadPackets: (flowId, filter, onProgress) => loadFlowPackets(file, flowId, { limits, keylog, filter, onProgress }),
      loadFrame: (frame) => loadFrameDetail(file, frame, { limits, keylog }),
    }),
    { exitOnCtrlC: true, patchConsole: true, ...(mode.keys ? { stdin: mode.keys } : {}) },
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
    ...(live
      ? {
          tap: (flow, dir, data) => store.streamData(flow, dir, data),
          innerTap: (flow, dir, data, via) => store.innerStreamData(flow, dir, data, via),
        }
      : {}),
    ...(mode.follow ? { input: followFile(file, { signal: stop.signal }) } : {}),
    // A live input can deliver chunks back to back: a macrotask turn between them lets the
    // UI's clock and the keyboard in. After quitting, the next chunk ends the reading.
    pace: () => (stop.signal.aborted ? Promise.reject(new Quit()) : live ? new Promise<void>((r) => setImmediate(r)) : undefined),
  }).then(
    () => store.finish(),
    (err: unknown) => {
      if (err instanceof Quit) return;
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
    stop.abort();
    mode.keys?.destroy();
  }
  if (fatal) throw fatal;
  // Quitting while a capture is still loading must not wait for the rest of it; a pipe
  // that is still open (tcpdump running) is closed so that the process can end.
  if (file === '-' && !store.done) process.stdin.destroy();
  void loading;
  return 0;
}
