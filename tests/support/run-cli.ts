/**
 * The command line in this process: `runCli(args)` runs what `bin/wirelens ARGS` runs
 * (src/cli/main.ts, the same yargs set-up and command modules) and returns its stdout,
 * stderr and exit status, as `wirelens()` in tests/cli/cli-support.ts does with a child
 * process.
 *
 * Why: a Node start-up with the CLI's imports is 0.5-0.7 s of CPU, and the tests spawned
 * bin/wirelens about 150 times where they check output, not the process. Tests about the
 * process itself (the bin script, signals, pipes and FIFOs, a terminal, blocking stdout,
 * the exit status of a crash, worker threads, which run the built dist/) still spawn it.
 *
 * How: main.ts parses `process.argv` when it is evaluated, so each run imports a fresh
 * instance of it (a distinct `?run=N` query) with `process.argv` set to the arguments;
 * the modules it loads are shared, as in one process they would be. For the run,
 * `process.stdout.write` / `process.stderr.write` (and `console`, which yargs prints help
 * with) collect their bytes, `process.exit`
 * ends the run with its status (yargs calls it after --help and on a usage error), and
 * `process.env` and `process.exitCode` are put back afterwards. Runs must not overlap
 * (vitest runs a file's tests one after another).
 *
 * What is once per process in wirelens is once per test file here: `--keylog` files are read
 * (and their warning printed) once per process (src/cli/keylog.ts), so tests of that warning
 * spawn (tests/cli/keylog.test.ts). WIRELENS_CLI_CROSSCHECK=1 runs every call both ways and
 * fails on a difference; that is how the converted tests were checked (and how keylog's was
 * found).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { inputDamage } from '../../src/cli/input-damage.js';
import { defaultWorkers } from '../../src/pipeline/parallel/pool.js';
import { InputDamage } from '../../src/report/input-damage.js';
import { REPO } from './requires.js';

export interface RunResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to (or, when undefined, removed from) the environment for the run. */
  env?: Record<string, string | undefined>;
  /** Standard input: given, the run is a real process (see `needsProcess`). */
  input?: Uint8Array;
}

/**
 * Runs that start worker threads are real processes: a worker runs a module of dist/
 * (src/ holds TypeScript, which a worker thread cannot load), so in this process it would
 * not start. That is `--workers N` above 1, and `report` / `export-events` without
 * `--workers` where their default (one per two cores) is above 1. Standard input is a real
 * process's too.
 */
function needsProcess(args: readonly string[], opts: RunOptions): boolean {
  if (opts.input) return true;
  const i = args.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  if (i >= 0) {
    const v = args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
    return v !== '1';
  }
  if (args[0] !== 'report' && args[0] !== 'export-events') return false;
  if (defaultWorkers() <= 1) return false;
  // One capture file is analysed on this thread whatever the default.
  const inputs = args.slice(1).filter((a, i, all) => !a.startsWith('-') && !VALUED.has(all[i - 1] ?? ''));
  return !(inputs.length === 1 && statSync(resolve(REPO, inputs[0]!), { throwIfNoEntry: false })?.isFile());
}

/** Options of report and export-events that take a value. */
const VALUED = new Set(['--limit', '--keylog', '--out', '--format', '--index-prefix', '--color']);

function spawnCli(args: string[], opts: RunOptions): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, WIRELENS_DEBUG: '' };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'wirelens'), ...args], { cwd: REPO, input: opts.input, env, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

const MAIN = join(REPO, 'src', 'cli', 'main.ts');

/** Thrown by the stand-in `process.exit`: ends the run where the real one ends the process. */
class Exit extends Error {
  constructor(readonly status: number) {
    super(`process.exit(${status})`);
  }
}

type Write = typeof process.stdout.write;

/** A `write` that appends to `chunks`, with `write`'s signatures. */
function collector(chunks: Buffer[]): Write {
  return ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean => {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) queueMicrotask(() => done(null));
    return true;
  }) as Write;
}

/**
 * The one `InputDamage` the command line reports on lives for the process; a process per run
 * would start each with it empty, so each run here does too.
 */
function resetInputDamage(): void {
  const fresh = new InputDamage() as unknown as Record<string, unknown>;
  const target = inputDamage as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(fresh)) if (typeof v !== 'function') target[k] = v;
}

let runs = 0;
let running = false;

/**
 * `bin/wirelens ARGS`, in this process where it can be (the same stdout, stderr and exit
 * status), else as a child process. The working directory is the repository's, as for
 * `wirelens()` in tests/cli/cli-support.ts.
 */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  if (needsProcess(args, opts)) return spawnCli(args, opts);
  if (process.cwd() !== REPO) throw new Error(`runCli: relative paths are the repository's; the working directory is ${process.cwd()}`);
  if (running) throw new Error('runCli: runs must not overlap');
  running = true;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const saved = {
    argv: process.argv,
    env: { ...process.env },
    exit: process.exit,
    exitCode: process.exitCode,
    stdout: process.stdout.write,
    stderr: process.stderr.write,
    console: { log: console.log, info: console.info, debug: console.debug, error: console.error, warn: console.warn },
  };
  // Own properties (a terminal's isTTY, a getter for columns) put back as they were.
  const ttyState = [process.stdin, process.stdout, process.stderr].map(
    (stream) => [stream, { isTTY: Object.getOwnPropertyDescriptor(stream, 'isTTY'), columns: Object.getOwnPropertyDescriptor(stream, 'columns') }] as const,
  );
  let status: number;
  try {
    resetInputDamage();
    process.argv = [process.execPath, join(REPO, 'bin', 'wirelens'), ...args];
    process.env.WIRELENS_DEBUG = '';
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = undefined;
    process.exit = ((code?: number | string | null) => {
      throw new Exit(Number(code ?? process.exitCode ?? 0));
    }) as typeof process.exit;
    // A child's stdio are pipes: no terminal (which would open the UI, draw progress on
    // stderr, and lay help out at the terminal's width), whatever vitest's are.
    for (const stream of [process.stdin, process.stdout, process.stderr]) {
      Object.defineProperty(stream, 'isTTY', { value: undefined, configurable: true, writable: true });
    }
    for (const stream of [process.stdout, process.stderr]) {
      Object.defineProperty(stream, 'columns', { value: undefined, configurable: true, writable: true });
    }
    process.stdout.write = collector(out);
    process.stderr.write = collector(err);
    // yargs prints help and --version with console.log, which a process writes to stdout
    // (and vitest would otherwise take for the test's own output).
    const toOut = (...a: unknown[]): void => void out.push(Buffer.from(`${format(...a)}\n`));
    const toErr = (...a: unknown[]): void => void err.push(Buffer.from(`${format(...a)}\n`));
    Object.assign(console, { log: toOut, info: toOut, debug: toOut, error: toErr, warn: toErr });
    try {
      await import(/* @vite-ignore */ `${MAIN}?run=${++runs}`);
      status = Number(process.exitCode ?? 0);
    } catch (e) {
      if (!(e instanceof Exit)) throw e;
      status = e.status;
    }
  } finally {
    for (const [stream, own] of ttyState) {
      for (const key of ['isTTY', 'columns'] as const) {
        const d = own[key];
        if (d) Object.defineProperty(stream, key, d);
        else delete (stream as unknown as Record<string, unknown>)[key];
      }
    }
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    Object.assign(console, saved.console);
    process.exit = saved.exit;
    process.exitCode = saved.exitCode;
    process.argv = saved.argv;
    for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k];
    Object.assign(process.env, saved.env);
    running = false;
  }
  const result = { status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
  // WIRELENS_CLI_CROSSCHECK=1: each run is also made as a real process and must give the
  // same bytes and status (a check of this runner, not of wirelens).
  // Commands that write files are left out: the second run would find the first one's files.
  const writes = args[0] === 'export' || args[0] === 'export-events' || args.includes('--update') || args.includes('--junit');
  if (process.env.WIRELENS_CLI_CROSSCHECK === '1' && !writes) {
    const real = spawnCli(args, opts);
    const log = process.env.WIRELENS_CLI_CROSSCHECK_LOG;
    const same = real.status === result.status && real.stdout.equals(result.stdout) && real.stderr === result.stderr;
    if (log) appendFileSync(log, `${same ? 'same' : 'DIFFERENT'} ${JSON.stringify(args)}\n`);
    if (!same) throw new Error(`runCli ${JSON.stringify(args)}: in-process status ${result.status}, stderr ${JSON.stringify(result.stderr)}; bin/wirelens status ${real.status}, stderr ${JSON.stringify(real.stderr)}; stdout ${result.stdout.equals(real.stdout) ? 'same' : 'different'}`);
  }
  return result;
}
