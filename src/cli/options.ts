import { statSync } from 'node:fs';
import { DEFAULT_LIMITS, type Limits } from '../dissect/limits.js';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import { defaultWorkers } from '../pipeline/parallel/pool.js';
import { inputDamage } from './input-damage.js';
import { loadKeyLog } from './keylog.js';
import { UserError } from './io.js';

export interface CommonOptions {
  limit?: string[];
  /** `--keylog FILE`: an NSS key log for TLS decryption. */
  keylog?: string;
  /** `--check-checksums`: verify IPv4, TCP and UDP checksums (off by default, as in Wireshark). */
  checkChecksums?: boolean;
}

/** `--limit name=value` overrides, checked against the known limits. */
export function parseLimits(specs: readonly string[] | undefined): Partial<Limits> {
  // Own keys only: `in` would also accept `constructor` or `__proto__` from Object.prototype,
  // and assigning `__proto__` on a plain object would swap its prototype.
  const out: Partial<Record<keyof Limits, number>> = Object.create(null) as Partial<Record<keyof Limits, number>>;
  for (const spec of specs ?? []) {
    const m = /^([a-z_]+)=(\d+(?:\.\d+)?)$/.exec(spec);
    if (!m || !Object.hasOwn(DEFAULT_LIMITS, m[1]!)) {
      throw new UserError(`bad --limit ${JSON.stringify(spec)}: expected name=number with name one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    out[m[1] as keyof Limits] = Number(m[2]);
  }
  return out;
}

export function analyzeOptions(opts: CommonOptions): AnalyzeOptions {
  return { limits: parseLimits(opts.limit), observe: inputDamage.observe, keylog: keyLogOf(opts), checkChecksums: opts.checkChecksums ?? false };
}

/** The `--keylog` file's bytes (read once, its bad lines said once on stderr), or undefined. */
export const keyLogOf = (opts: CommonOptions): Uint8Array | undefined => loadKeyLog(opts.keylog, fullLimits(opts));

/** Below this size a capture is read on one thread: starting workers would cost more than they save. */
const SPLIT_MIN_BYTES = 16 << 20;

/**
 * Threads for one capture: `--workers` if given, else one per two cores for a capture of at
 * least 16 MB (or standard input), else one. The output is the same either way.
 */
export function workerCount(workers: number | undefined, file: string): number {
  if (workers !== undefined) {
    if (!Number.isInteger(workers) || workers < 1) throw new UserError(`bad --workers ${workers}: expected a whole number of at least 1`);
    return workers;
  }
  if (file !== '-') {
    try {
      if (statSync(file).size < SPLIT_MIN_BYTES) return 1;
    } catch {
      return 1; // the reader reports what is wrong with the file
    }
  }
  return defaultWorkers();
}

/** The limits of a run, with `--limit` applied. */
export const fullLimits = (opts: CommonOptions): Limits => ({ ...DEFAULT_LIMITS, ...parseLimits(opts.limit) });
