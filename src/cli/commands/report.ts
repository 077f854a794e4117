import { PROTOCOLS } from '../../protocols/index.js';
import type { ReportSpec } from '../../dissect/contract.js';
import { toJson, type JsonObject } from '../../events/json.js';
import { analyze } from '../../pipeline/analyze.js';
import { ReportBuilder } from '../../report/report.js';
import { textSummary } from '../../report/text-summary.js';
import { clearProgress, out, progressReporter, version } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

export function reportSpecs(): ReportSpec[] {
  return PROTOCOLS.flatMap((p) => (p.report ? [p.report] : []));
}

/** Analyses a capture into the report object. */
export async function buildReport(file: string, opts: CommonOptions): Promise<JsonObject> {
  const builder = new ReportBuilder(reportSpecs(), { name: 'wirelens', version: version() });
  try {
    await analyze(file, builder, { ...analyzeOptions(opts), onProgress: progressReporter('reading') });
  } finally {
    clearProgress();
  }
  return builder.build();
}

/** `wirelens report FILE`: one JSON document, or `--text` for people. */
export async function reportCommand(file: string, opts: CommonOptions & { text?: boolean; compact?: boolean }): Promise<number> {
  const report = await buildReport(file, opts);
  out(opts.text ? textSummary(report) : toJson(report, opts.compact ? 0 : 2) + '\n');
  return 0;
}
