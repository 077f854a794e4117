import { eventPredicate, type EventPredicate } from '../../filter/event-predicate.js';
import { FilterSyntaxError } from '../../filter/index.js';
import { analyze } from '../../pipeline/analyze.js';
import type { Engine } from '../../pipeline/engine.js';
import { analyzeSplit } from '../../pipeline/parallel/split.js';
import { NdjsonWriter } from '../../report/ndjson.js';
import { inputDamage } from '../input-damage.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, fullLimits, keyLogOf, workerCount, type CommonOptions } from '../options.js';

/** `wirelens events FILE`: NDJSON, one event per line, in capture order. */
export async function eventsCommand(
  file: string,
  opts: CommonOptions & { types?: string[]; filter?: string; workers?: number },
): Promise<number> {
  const accept = checkedPredicate(opts.types, opts.filter);
  const workers = workerCount(opts.workers, file);
  const onProgress = progressReporter('reading');
  try {
    if (workers > 1) {
      const split = { limits: fullLimits(opts), checkChecksums: opts.checkChecksums, workers, mode: 'ndjson' as const, types: opts.types, filter: opts.filter, damage: inputDamage, onProgress, keylog: keyLogOf(opts) };
      await analyzeSplit(file, split, { bytes: out });
      return 0;
    }
    let engine: Engine | null = null;
    const facts = (flow: number | null) => (flow !== null && engine ? engine.flowFacts(flow) : null);
    const writer = new NdjsonWriter(out, accept ? (e) => accept(e, facts(e.flow)) : undefined);
    try {
      await analyze(file, writer, { ...analyzeOptions(opts), onProgress, onEngine: (e) => (engine = e) });
    } finally {
      writer.flush();
    }
  } finally {
    clearProgress();
  }
  return 0;
}

function checkedPredicate(types: string[] | undefined, filter: string | undefined): EventPredicate | null {
  try {
    return eventPredicate(types, filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new UserError(`bad --filter: ${err.message}`);
    throw err;
  }
}
