/**
 * The report of one capture, built the same way by `wirelens report FILE` (on the main
 * thread) and by `wirelens report FILE FILE...` (one capture per worker thread, or inline
 * with one worker). A worker sends back the report already rendered as text: a report
 * holds Timestamps, which a message between threads would turn into plain objects.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ReportSpec } from '../dissect/contract.js';
import type { Limits } from '../dissect/limits.js';
import type { WireEvent } from '../events/event.js';
import { PROTOCOLS } from '../protocols/index.js';
import { InputDamage } from '../report/input-damage.js';
import { ReportBuilder } from '../report/report.js';
import { textReport } from '../report/text-report.js';
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

/**
 * Analyses a capture into a report builder holding its spooled records, ready to `write`
 * (JSON with `indent` spaces, 0: one line) or give its `textSummary`; either removes the
 * spool. Throws `CaptureError` when nothing could be read.
 */
export async function buildCaptureReport(file: string, opts: BuildReportOptions, indent = 2): Promise<ReportBuilder> {
  const builder = new ReportBuilder(reportSpecs(), opts.tool, { indent, spoolMemory: spoolBytes() });
  try {
    await analyze(file, builder, { limits: opts.limits, keylog: opts.keylog, observe: opts.observe, onProgress: opts.onProgress, checkChecksums: opts.checkChecksums });
  } catch (err) {
    builder.close();
    throw err;
  }
  return builder;
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
  /** The rendered report (JSON without a final newline, or the text summary), when small. */
  body: string;
  /**
   * A large report is handed over in a private temporary file instead (`body` is then
   * empty): the reader copies it out and removes its directory with `removeBodyFile`.
   */
  bodyFile?: string;
  /** One line when the input itself was damaged (read what could be read), else null. */
  warning: string | null;
}

/**
 * Text of a report kept in memory before it goes to a file: a many-capture run holds the
 * reports that wait for an earlier capture, and a report of 1M flows is 700 MB of text.
 */
const BODY_MEMORY = 4 << 20;

/**
 * `WIRELENS_SPOOL_BYTES`: text a report holds in memory per list (and per rendered report
 * of a many-capture run) before it goes to disk. Output never depends on it; tests lower it
 * so that small captures take the disk path.
 */
function spoolBytes(): number | undefined {
  const v = process.env.WIRELENS_SPOOL_BYTES;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export async function renderCaptureReport(job: ReportJob): Promise<RenderedReport> {
  const damage = new InputDamage();
  const report = await buildCaptureReport(job.file, { limits: job.limits, keylog: job.keylog, tool: job.tool, observe: damage.observe, checkChecksums: job.checkChecksums }, job.indent);
  const body = new BodySink();
  try {
    if (job.render === 'text') body.add(textReport(report.toObject()));
    else report.write((chunk) => body.add(chunk));
  } catch (err) {
    body.discard();
    throw err;
  }
  return { ...body.finish(), warning: damage.line() ?? damage.notes()[0] ?? null };
}

/** A report's text: in memory up to `BODY_MEMORY`, then in a private temporary file. */
class BodySink {
  private parts: (string | Uint8Array)[] = [];
  private held = 0;
  private dir: string | null = null;
  private fd = -1;

  add(chunk: string | Uint8Array): void {
    if (this.fd >= 0) {
      writeAll(this.fd, chunk);
      return;
    }
    this.parts.push(chunk);
    this.held += chunk.length;
    if (this.held <= (spoolBytes() ?? BODY_MEMORY)) return;
    this.dir = mkdtempSync(join(tmpdir(), 'wirelens-body-'));
    this.fd = openSync(join(this.dir, 'report'), 'wx', 0o600);
    for (const part of this.parts.splice(0)) writeAll(this.fd, part);
  }

  finish(): { body: string; bodyFile?: string } {
    if (this.fd < 0) {
      const utf8 = new StringDecoder('utf8');
      return { body: this.parts.map((p) => (typeof p === 'string' ? utf8.end() + p : utf8.write(Buffer.from(p.buffer, p.byteOffset, p.byteLength)))).join('') + utf8.end() };
    }
    closeSync(this.fd);
    return { body: '', bodyFile: join(this.dir!, 'report') };
  }

  discard(): void {
    if (this.fd >= 0) closeSync(this.fd);
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeAll(fd: number, chunk: string | Uint8Array): void {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Copies a report handed over in a file to `sink`, a chunk at a time; then removes it. */
export function copyBodyFile(path: string, sink: (chunk: Buffer) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      sink(Buffer.from(buf.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
    rmSync(dirname(path), { recursive: true, force: true });
  }
}

/** `renderCaptureReport` with failures turned into an outcome (what the pool reports). */
export async function reportOutcome(job: ReportJob): Promise<PoolOutcome<RenderedReport>> {
  return outcomeOf(() => renderCaptureReport(job));
}
