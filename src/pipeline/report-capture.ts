/**
 * The report of one capture, built the same way by `wirelens report FILE` (on the main
 * thread) and by `wirelens report FILE FILE...` (one capture per worker thread, or inline
 * with one worker). A worker sends back the report already rendered as text: a report
 * holds Timestamps, which a message between threads would turn into plain objects.
 */
import type { ReportSpec } from '../dissect/contract.js';
import type { Limits } from '../dissect/limits.js';
import type { WireEvent } from '../events/event.js';
import { toJson, type JsonObject } from '../events/json.js';
import { PROTOCOLS } from '../protocols/index.js';
import { InputDamage } from '../report/input-damage.js';
import { ReportBuilder } from '../report/report.js';
import { textSummary } from '../report/text-summary.js';
import { analyze, type AnalyzeOptions } from './analyze.js';
import { outcomeOf, type PoolOutcome } from './parallel/pool.js';

export interface ReportTool {
  name: string;
  version: string;
}

/** The report sections of every registered protocol. */
export function reportSpecs(): ReportSpec[] {
  return PROTOCOLS.flatMap((p) => (p.report ? [p.report] : []));
}

export interface BuildReportOptions {
  limits?: Partial<Limits>;
  keylog?: AnalyzeOptions['keylog'];
  tool: ReportTool;
  observe?(event: WireEvent): void;
  onProgress?: AnalyzeOptions['onProgress'];
  checkChecksums?: boolean;
}

/** Analyses a capture into the report object. Throws `CaptureError` when nothing could be read. */
export async function buildCaptureReport(file: string, opts: BuildReportOptions): Promise<JsonObject> {
  const builder = new ReportBuilder(reportSpecs(), opts.tool);
  await analyze(file, builder, { limits: opts.limits, keylog: opts.keylog, observe: opts.observe, onProgress: opts.onProgress, checkChecksums: opts.checkChecksums });
  return builder.build();
}

/** One capture of a many-capture run: what a worker is sent. */
export interface ReportJob {
  file: string;
  limits: Partial<Limits>;
  /** `--keylog` bytes; every capture parses them into a store of its own. */
  keylog?: Uint8Array;
  tool: ReportTool;
  /** `json`: the report as JSON with `indent` spaces (0: one line); `text`: the text summary. */
  render: 'json' | 'text';
  indent: number;
  checkChecksums?: boolean;
}

export interface RenderedReport {
  /** The rendered report (JSON without a final newline, or the text summary). */
  body: string;
  /** One line when the input itself was damaged (read what could be read), else null. */
  warning: string | null;
}

export async function renderCaptureReport(job: ReportJob): Promise<RenderedReport> {
  const damage = new InputDamage();
  const report = await buildCaptureReport(job.file, { limits: job.limits, keylog: job.keylog, tool: job.tool, observe: damage.observe, checkChecksums: job.checkChecksums });
  const body = job.render === 'text' ? textSummary(report) : toJson(report, job.indent);
  return { body, warning: damage.line() ?? damage.notes()[0] ?? null };
}

/** `renderCaptureReport` with failures turned into an outcome (what the pool reports). */
export async function reportOutcome(job: ReportJob): Promise<PoolOutcome<RenderedReport>> {
  return outcomeOf(() => renderCaptureReport(job));
}
