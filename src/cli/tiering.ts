import { setFlagsFromString } from 'node:v8';

/**
 * V8's tiering for the command line: when a function is hot enough for TurboFan.
 *
 * V8 optimises a function once it has run about `--interrupt-budget` bytes of bytecode
 * (66 KB in Node 20's V8). A run starts by meeting most of the capture's paths for the
 * first time, and TurboFan, called that early, builds code on feedback that has not yet
 * seen them: the code is thrown away at the first new path ("insufficient type feedback",
 * about 50 deoptimisations on the 20 MB bench capture) and the function compiled again.
 * The TCP analyzer's `packet`, with all it inlines, was compiled five times there, a
 * quarter of all TurboFan time. With eight times the budget, functions are optimised a
 * little later, on fuller feedback, and mostly once: on the 20 MB bench capture the
 * compiler threads' CPU fell from about 1.0 s to 0.3 s.
 *
 * Only while warming up: kept for a long run, the larger budget leaves lukewarm functions
 * unoptimised for longer, and on the 110 MB bench capture the main thread's CPU grew by
 * about 15% (the compiler threads' fell, but on an idle machine they run beside it). So
 * once `WARM_BYTES` of capture are read the budget goes back to V8's default; V8 reads it
 * each time it resets a function's counter, so the change takes effect as functions run.
 *
 * Started by the CLI (src/cli/main.ts, before the command runs), so that
 * `node dist/cli/main.js` gets it as `bin/wirelens` does, and before the events script is
 * compiled with its code cache (the cache's key names the flags: code-cache.ts; V8 checks a
 * cache against the flags it was made under, so main.ts sets the warm budget back before
 * the cache is written at exit). A budget given on node's command line
 * (`node --interrupt-budget=N bin/wirelens`) is kept as given. Only the CLI starts it: the
 * library (`import 'wirelens'`) leaves the host's V8 alone, and `warmingProgress` does
 * nothing there.
 */

/** V8 11's default (`node --v8-options`), restored after the warm-up. */
const DEFAULT_BUDGET = 66 * 1024;
const WARM_BUDGET = 8 * DEFAULT_BUDGET;
/**
 * Capture bytes read before the budget goes back to the default: 32 MiB, past the 20 MB
 * bench capture (27 MB), so that a short capture runs warm-up only. `WIRELENS_WARM_MB`
 * moves it (0: no warm-up at all, V8's own tiering), for measuring and for the tests.
 */
const WARM_MB = 32;
function warmBytes(): number {
  const mb = Number(process.env.WIRELENS_WARM_MB ?? WARM_MB);
  return (Number.isFinite(mb) && mb >= 0 ? mb : WARM_MB) * 1024 * 1024;
}

/**
 * The bytes at which the running warm-up ends (absent: none is running), kept on the global
 * object: `wirelens events FILE` runs a second copy of this module inside
 * dist/bundle/events-script.cjs (scripts/bundle.mjs), whose progress callback must see what
 * main.ts's copy started.
 */
const WARMING = Symbol.for('wirelens.tiering.warming');
type Holder = { [WARMING]?: number };
const holder = globalThis as Holder;

/** Sets the warm-up's budget; returns the flags it set (none when node was given a budget). */
export function startWarmUp(): readonly string[] {
  const until = warmBytes();
  if (until === 0 || process.execArgv.some((a) => /^--interrupt[-_]budget=/.test(a))) return [];
  const flags = [`--interrupt-budget=${WARM_BUDGET}`];
  for (const flag of flags) setFlagsFromString(flag);
  holder[WARMING] = until;
  return flags;
}

/** Told of the capture bytes read so far (the commands' progress callback): ends the warm-up. */
export function warmingProgress(read: number): void {
  const until = holder[WARMING];
  if (until === undefined || read < until) return;
  delete holder[WARMING];
  setFlagsFromString(`--interrupt-budget=${DEFAULT_BUDGET}`);
}
