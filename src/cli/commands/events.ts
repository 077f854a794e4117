import { analyze } from '../../pipeline/analyze.js';
import { NdjsonWriter } from '../../report/ndjson.js';
import { clearProgress, out, progressReporter } from '../io.js';
import type { CommonOptions } from '../options.js';
import { analyzeOptions } from '../options.js';

/** `wirelens events FILE`: NDJSON, one event per line, in capture order. */
export async function eventsCommand(file: string, opts: CommonOptions & { types?: string[] }): Promise<number> {
  const types = opts.types?.length ? new Set(opts.types) : null;
  const writer = new NdjsonWriter(out, types ? (e) => types.has(e.type) || [...types].some((t) => t.endsWith('.*') && e.type.startsWith(t.slice(0, -1))) : undefined);
  try {
    await analyze(file, writer, { ...analyzeOptions(opts), onProgress: progressReporter('reading') });
  } finally {
    clearProgress();
    writer.flush();
  }
  return 0;
}
