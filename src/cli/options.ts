import { DEFAULT_LIMITS, type Limits } from '../dissect/limits.js';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import { inputDamage } from './input-damage.js';
import { UserError } from './io.js';

export interface CommonOptions {
  limit?: string[];
}

/** `--limit name=value` overrides, checked against the known limits. */
export function parseLimits(specs: readonly string[] | undefined): Partial<Limits> {
  const out: Partial<Record<keyof Limits, number>> = {};
  for (const spec of specs ?? []) {
    const m = /^([a-z_]+)=(\d+(?:\.\d+)?)$/.exec(spec);
    if (!m || !(m[1]! in DEFAULT_LIMITS)) {
      throw new UserError(`bad --limit ${JSON.stringify(spec)}: expected name=number with name one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    out[m[1] as keyof Limits] = Number(m[2]);
  }
  return out;
}

export function analyzeOptions(opts: CommonOptions): AnalyzeOptions {
  return { limits: parseLimits(opts.limit), observe: inputDamage.observe };
}
