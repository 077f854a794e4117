import { toJson } from '../../events/json.js';
import { analyze } from '../../pipeline/analyze.js';
import { ObjectExporter } from '../../report/exporter.js';
import { visible } from '../../report/safe-text.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

/** `wirelens export FILE --out DIR`: transferred objects (HTTP bodies, FTP files, mails) with an index. */
export async function exportCommand(file: string, opts: CommonOptions & { out: string; force?: boolean }): Promise<number> {
  let exporter: ObjectExporter;
  try {
    exporter = new ObjectExporter(opts.out, opts.force);
  } catch (err) {
    throw new UserError(`cannot export to ${opts.out}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A write that fails (disk full, a planted link) ends the export with one clear line; it
  // must not be thrown into the dissector that handed the object over.
  let failure: unknown = null;
  try {
    await analyze(file, { emit: () => {} }, {
      ...analyzeOptions(opts),
      wantsObjects: true,
      onObject: (o, flow) => {
        if (failure !== null) return;
        try {
          exporter.write(o, flow);
        } catch (err) {
          failure = err;
        }
      },
      onProgress: progressReporter('exporting'),
    });
  } finally {
    clearProgress();
  }
  if (failure !== null) {
    try {
      exporter.finish((v) => toJson(v, 2));
    } catch {
      /* the first failure is the one to report */
    }
    throw new UserError(`export to ${opts.out} stopped: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
  const { count: n, index } = exporter.finish((v) => toJson(v, 2));
  out(`${n} object${n === 1 ? '' : 's'} written to ${visible(opts.out)} (index: ${visible(index)})\n`);
  return 0;
}
