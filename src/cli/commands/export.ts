import { toJson } from '../../events/json.js';
import { analyze } from '../../pipeline/analyze.js';
import { ObjectExporter } from '../../report/exporter.js';
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
  try {
    await analyze(file, { emit: () => {} }, {
      ...analyzeOptions(opts),
      wantsObjects: true,
      onObject: (o, flow) => exporter.write(o, flow),
      onProgress: progressReporter('exporting'),
    });
  } finally {
    clearProgress();
  }
  const n = exporter.finish((v) => toJson(v, 2));
  out(`${n} object${n === 1 ? '' : 's'} written to ${opts.out} (index: ${opts.out}/index.json)\n`);
  return 0;
}
