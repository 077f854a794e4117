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
  // A write that fails (a name the file system refuses, a planted link, disk full) is
  // reported and the export goes on with the next object: one hostile object must not cost
  // the others. It is never thrown into the dissector that handed the object over.
  const failures: string[] = [];
  try {
    await analyze(file, { emit: () => {} }, {
      ...analyzeOptions(opts),
      wantsObjects: true,
      onObject: (o, flow) => {
        try {
          exporter.write(o, flow);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          failures.push(why);
          clearProgress();
          process.stderr.write(`wirelens: ${visible(`could not export ${o.protocol} object ${JSON.stringify(o.name)} (frame ${o.frame}): ${why}`)}\n`);
        }
      },
      onProgress: progressReporter('exporting'),
    });
  } finally {
    clearProgress();
  }
  if (failures.length > 0) {
    let written = 0;
    try {
      written = exporter.finish((v) => toJson(v, 2)).count;
    } catch (err) {
      throw new UserError(`export to ${opts.out}: ${failures.length} object(s) failed, and the index could not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
    throw new UserError(`export to ${opts.out}: ${written} object${written === 1 ? '' : 's'} written, ${failures.length} failed (each named above)`);
  }
  const { count: n, index } = exporter.finish((v) => toJson(v, 2));
  out(`${n} object${n === 1 ? '' : 's'} written to ${visible(opts.out)} (index: ${visible(index)})\n`);
  return 0;
}
