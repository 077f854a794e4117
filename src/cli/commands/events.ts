import type { WireEvent } from '../../events/event.js';
import { compileFilter, eventSubject, FilterSyntaxError } from '../../filter/index.js';
import { analyze } from '../../pipeline/analyze.js';
import type { Engine } from '../../pipeline/engine.js';
import { NdjsonWriter } from '../../report/ndjson.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

/** `wirelens events FILE`: NDJSON, one event per line, in capture order. */
export async function eventsCommand(
  file: string,
  opts: CommonOptions & { types?: string[]; filter?: string },
): Promise<number> {
  const accept = eventPredicate(opts.types, opts.filter);
  let engine: Engine | null = null;
  const writer = new NdjsonWriter(out, accept ? (e) => accept(e, engine) : undefined);
  try {
    await analyze(file, writer, { ...analyzeOptions(opts), onProgress: progressReporter('reading'), onEngine: (e) => (engine = e) });
  } finally {
    clearProgress();
    writer.flush();
  }
  return 0;
}

/** `--types` (exact or `family.*`) and `--filter EXPR`, both of which must hold. */
function eventPredicate(types: string[] | undefined, filter: string | undefined) {
  const wanted = types?.length ? types : null;
  let compiled: ReturnType<typeof compileFilter> | null = null;
  if (filter) {
    try {
      compiled = compileFilter(filter);
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw new UserError(`bad --filter: ${err.message}`);
      throw err;
    }
  }
  if (!wanted && !compiled) return null;
  return (e: WireEvent, engine: Engine | null): boolean => {
    if (wanted && !wanted.some((t) => t === e.type || (t.endsWith('.*') && e.type.startsWith(t.slice(0, -1))))) return false;
    if (compiled) {
      const facts = e.flow !== null && engine ? engine.flowFacts(e.flow) : null;
      return compiled.matches(eventSubject(e, facts));
    }
    return true;
  };
}
