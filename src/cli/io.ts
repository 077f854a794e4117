import { readFileSync } from 'node:fs';
import { CaptureError } from '../capture/types.js';
import { visible, visibleLines } from '../report/safe-text.js';
import { inputDamage } from './input-damage.js';
import { warmingProgress } from './tiering.js';

/** Exit statuses: 0 fine, 1 a check found differences, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_DIFFERENT = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 70;

/** A failure with a one-line message for the user and an exit status. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status = EXIT_BAD_INPUT,
  ) {
    super(message);
  }
}

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

let stdoutClosed = false;

/**
 * Node writes to a pipe asynchronously, queueing in memory whatever the reader has not
 * taken yet: `wirelens events flood.pcap | gzip` held 1 GB of queued output, since the
 * analysis never waits (issue 19). A blocking pipe makes each write wait for the reader
 * instead, which bounds memory by the pipe's buffer. Files and terminals are written
 * synchronously already. `setBlocking` is libuv's (uv_stream_set_blocking), on the handle.
 */
function blockOnPipe(): void {
  if (process.stdout.isTTY) return;
  const handle = (process.stdout as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  handle?.setBlocking?.(true);
}
blockOnPipe();

/** Writes to stdout; a closed pipe (`| head`) ends the program quietly. */
export function out(text: string | Uint8Array): void {
  if (stdoutClosed) return;
  try {
    process.stdout.write(text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
      stdoutClosed = true;
      process.exit(EXIT_OK);
    }
    throw err;
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT_OK);
});

/** Runs a command body; every failure becomes one line on stderr and an exit status, never a stack trace. */
export async function run(body: () => Promise<number | void>): Promise<void> {
  let status: number;
  try {
    status = (await body()) ?? EXIT_OK;
    for (const note of inputDamage.notes()) process.stderr.write(`wirelens: ${oneLine(visible(note))}\n`);
    const damage = inputDamage.line();
    if (damage) process.stderr.write(`wirelens: ${oneLine(visible(damage))}\n`);
  } catch (err) {
    if (err instanceof CaptureError || err instanceof UserError) {
      process.stderr.write(`wirelens: ${oneLine(visible(err.message))}\n`);
      status = err instanceof UserError ? err.status : EXIT_BAD_INPUT;
    } else {
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`wirelens: internal error: ${oneLine(visible(msg))} (please report it with the capture)\n`);
      if (process.env.WIRELENS_DEBUG && err instanceof Error) process.stderr.write(`${visibleLines(err.stack ?? '')}\n`);
      status = EXIT_INTERNAL;
    }
  }
  process.exitCode = status;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').slice(0, 500);

/** A progress line on stderr, only when stderr is a terminal. */
export function progressReporter(label: string): (read: number, total: number | null) => void {
  // Also the end of V8's warm-up (tiering.ts), which counts the bytes read, terminal or not.
  if (!process.stderr.isTTY) return warmingProgress;
  let last = 0;
  return (read, total) => {
    warmingProgress(read);
    const now = performance.now();
    if (now - last < 200) return;
    last = now;
    const mb = (read / 1e6).toFixed(1);
    const pct = total ? ` ${Math.min(100, Math.floor((read / total) * 100))}%` : '';
    process.stderr.write(`\r${label}${pct} ${mb} MB read`);
  };
}

export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
