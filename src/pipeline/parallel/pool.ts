/**
 * A pool of worker threads for many captures at once: each worker takes the next capture,
 * runs its own engine on it, and reports back. Results come back in input order whatever
 * the scheduling, and each capture's output files are named by its input position, so the
 * output does not depend on the number of workers.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CaptureError } from '../../capture/types.js';

export interface PoolOutcome<R> {
  ok: boolean;
  result?: R;
  /** One-line message of a failed job. */
  error?: string;
  /** The capture could not be read (a user error, not a bug). */
  badInput?: boolean;
}

/** Runs one job, a failure turned into an outcome (what a pool reports): one line, and whether the capture was unreadable. */
export async function outcomeOf<R>(run: () => Promise<R>): Promise<PoolOutcome<R>> {
  try {
    return { ok: true, result: await run() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: message.replace(/\s*\n\s*/g, ' '), badInput: err instanceof CaptureError };
  }
}

/**
 * `--workers` default: one per two cores. An engine thread keeps about 1.3 cores busy,
 * V8's garbage collector and compiler running beside it on helper threads; on a 2-core
 * machine two workers took as long as one thread, with 50% more CPU and 45% more memory
 * (README, Performance).
 */
export const defaultWorkers = (): number => Math.max(1, Math.floor(availableParallelism() / 2));

/**
 * Runs `jobs` on up to `workers` threads of `script` (a module that answers each
 * `{ job }` message with one `PoolOutcome`). `inline` runs a job on this thread, used when
 * one worker is enough (no thread start-up, and stack traces stay readable).
 */
export async function runPool<J, R>(
  jobs: readonly J[],
  workers: number,
  script: URL,
  inline: (job: J) => Promise<PoolOutcome<R>>,
  onDone?: (index: number, outcome: PoolOutcome<R>) => void,
): Promise<PoolOutcome<R>[]> {
  const outcomes: PoolOutcome<R>[] = new Array(jobs.length);
  const n = Math.min(Math.max(1, workers), jobs.length);
  if (n <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      outcomes[i] = await inline(jobs[i]!);
      onDone?.(i, outcomes[i]!);
    }
    return outcomes;
  }
  let next = 0;
  const lane = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(script);
      let current = -1;
      const take = (): void => {
        if (next >= jobs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        current = next++;
        worker.postMessage({ job: jobs[current] });
      };
      worker.on('message', (outcome: PoolOutcome<R>) => {
        outcomes[current] = outcome;
        onDone?.(current, outcome);
        take();
      });
      worker.on('error', (err) => reject(err));
      worker.on('exit', (code) => {
        if (next < jobs.length || (current >= 0 && !outcomes[current])) reject(new Error(`worker exited with code ${code}`));
      });
      take();
    });
  await Promise.all(Array.from({ length: n }, lane));
  return outcomes;
}
