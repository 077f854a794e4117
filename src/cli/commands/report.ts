import { statSync } from 'node:fs';
import { toJson } from '../../events/json.js';
import { defaultWorkers, runPool, type PoolOutcome } from '../../pipeline/parallel/pool.js';
import { buildCaptureReport, copyBodyFile, reportOutcome, type RenderedReport, type ReportJob } from '../../pipeline/report-capture.js';
import { visible } from '../../report/safe-text.js';
import { textReport } from '../../report/text-report.js';
import type { ReportBuilder } from '../../report/report.js';
import { clearProgress, EXIT_BAD_INPUT, EXIT_INTERNAL, out, progressReporter, UserError, version } from '../io.js';
import { analyzeOptions, keyLogOf, parseLimits, type CommonOptions } from '../options.js';
import { expandInputs } from './export-events.js';

export { reportSpecs } from '../../pipeline/report-capture.js';

type ReportOptions = CommonOptions & { text?: boolean; compact?: boolean; workers?: number };

const tool = () => ({ name: 'wirelens', version: version() });

/** Analyses a capture into a report builder (see `buildCaptureReport`). */
export async function buildReport(file: string, opts: CommonOptions, indent = 2): Promise<ReportBuilder> {
  try {
    return await buildCaptureReport(file, { ...analyzeOptions(opts), tool: tool(), onProgress: progressReporter('reading') }, indent);
  } finally {
    clearProgress();
  }
}

/**
 * `wirelens report FILE|DIR...`: one file gives its report (JSON, or `--text` for people);
 * several files or a directory give one document of all their reports, in input order,
 * built on `--workers` threads (see `reportManyCommand`).
 */
export async function reportCommand(inputs: string[], opts: ReportOptions): Promise<number> {
  if (inputs.length === 1 && !isDirectory(inputs[0]!)) {
    // Streamed: the builder spooled the records; they are copied out, never held whole.
    const report = await buildReport(inputs[0]!, opts, opts.compact ? 0 : 2);
    // The readable report lays out whole sections, so it reads the report as one object.
    if (opts.text) out(textReport(report.toObject()));
    else {
      report.write(out);
      out('\n');
    }
    return 0;
  }
  return reportManyCommand(inputs, opts);
}

function isDirectory(path: string): boolean {
  if (path === '-') return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // the reader says what is wrong with it
  }
}

/**
 * Many captures, one per worker at a time. JSON is one document
 * `{ "captures": [ { "file", "warning"?, "report" } | { "file", "error" } ... ], "summary" }`;
 * `--text` prints each summary under a `==> FILE <==` line. Entries are written as soon as
 * every earlier one is, so the output is the same for any number of workers. An unreadable
 * capture gets an error entry and the others go on; the exit status is then 2.
 */
async function reportManyCommand(inputs: string[], opts: ReportOptions): Promise<number> {
  if (inputs.includes('-')) throw new UserError('standard input (-) can be reported only on its own, not with other captures');
  const workers = opts.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1) throw new UserError(`bad --workers ${workers}: expected a whole number of at least 1`);
  const files = expandInputs(inputs);
  if (!files.length) {
    // Only directories can give nothing: every other input is a capture, readable or not.
    const dirs = inputs.map(visible).join(', ');
    throw new UserError(`no capture files (.pcap, .pcapng, .cap, .dmp, or those gzipped) in the director${inputs.length === 1 ? 'y' : 'ies'} ${dirs}`);
  }
  const indent = opts.compact ? 0 : 2;
  const limits = parseLimits(opts.limit);
  const render = opts.text ? ('text' as const) : ('json' as const);
  const keylog = keyLogOf(opts);
  const jobs: ReportJob[] = files.map((file) => ({ file, limits, keylog, tool: tool(), render, indent, checkChecksums: opts.checkChecksums }));

  const writer = opts.text ? new TextWriter() : new JsonWriter(indent);
  const tally = { reported: 0, unreadable: 0, internal: 0 };
  const done: (PoolOutcome<RenderedReport> | undefined)[] = new Array(files.length);
  let written = 0;
  let finished = 0;
  const flush = (): void => {
    while (written < files.length && done[written]) {
      const outcome = done[written]!;
      done[written] = undefined; // written: let it go
      const file = files[written]!;
      if (outcome.ok) {
        tally.reported++;
        const { body, bodyFile, warning } = outcome.result!;
        if (warning) note(`${oneLine(visible(file))}: ${oneLine(warning)}`);
        writer.report(file, bodyFile ?? body, warning, bodyFile !== undefined);
      } else {
        const error = oneLine(outcome.badInput ? outcome.error ?? 'unreadable' : `internal error: ${outcome.error}`);
        if (outcome.badInput) tally.unreadable++;
        else tally.internal++;
        note(`${visible(error)}${outcome.badInput ? '' : ' (please report it with the capture)'}`);
        writer.error(file, error);
      }
      written++;
    }
  };
  try {
    await runPool(jobs, workers, new URL('../../pipeline/parallel/report-worker.js', import.meta.url), reportOutcome, (i, outcome) => {
      done[i] = outcome;
      finished++;
      // A count on a terminal only; the document itself never depends on completion order.
      if (process.stderr.isTTY) process.stderr.write(`\rreported ${finished} of ${files.length} captures`);
      flush();
    });
  } finally {
    clearProgress();
  }
  writer.end({ captures: files.length, ...tally });
  return tally.internal ? EXIT_INTERNAL : tally.unreadable ? EXIT_BAD_INPUT : 0;
}

/** One line on stderr, clearing the progress count first (it is redrawn at the next capture). */
function note(line: string): void {
  clearProgress();
  process.stderr.write(`wirelens: ${line}\n`);
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').slice(0, 500);

interface Tally {
  captures: number;
  reported: number;
  unreadable: number;
  internal: number;
}

/** `{ "captures": [ ... ], "summary": { ... } }`, written an entry at a time. */
class JsonWriter {
  private entries = 0;
  private readonly nl: string;
  private readonly colon: string;
  constructor(private readonly indent: number) {
    this.nl = indent ? '\n' : '';
    this.colon = indent ? ': ' : ':';
  }

  private pad(level: number): string {
    return ' '.repeat(this.indent * level);
  }

  /** `body` is the report, or the path of the file holding it (`inFile`, see `RenderedReport`). */
  report(file: string, body: string, warning: string | null, inFile = false): void {
    const fields: [string, string][] = [['file', JSON.stringify(file)]];
    if (warning) fields.push(['warning', JSON.stringify(warning)]);
    // The report was rendered at the top level; its lines move in to the entry's depth
    // (JSON strings hold no raw newline, so every newline is between tokens).
    if (!inFile) {
      fields.push(['report', body.replaceAll('\n', '\n' + this.pad(3))]);
      this.entry(fields);
      return;
    }
    fields.push(['report', '']);
    const [head, tail] = this.entryText(fields).split(REPORT_SLOT) as [string, string];
    out(head);
    const pad = Buffer.from('\n' + this.pad(3));
    copyBodyFile(body, (chunk) => {
      // Byte by byte is safe: a newline byte is never inside a UTF-8 character.
      let from = 0;
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, from)) {
        out(chunk.subarray(from, at));
        out(pad);
        from = at + 1;
      }
      out(chunk.subarray(from));
    });
    out(tail);
  }

  error(file: string, message: string): void {
    this.entry([
      ['file', JSON.stringify(file)],
      ['error', JSON.stringify(message)],
    ]);
  }

  private entry(fields: [string, string][]): void {
    out(this.entryText(fields));
  }

  /** The entry's text; a field whose value is '' gets `REPORT_SLOT`, where a streamed report goes. */
  private entryText(fields: [string, string][]): string {
    const head = this.entries++ ? ',' + this.nl : '{' + this.nl + this.pad(1) + '"captures"' + this.colon + '[' + this.nl;
    const members = fields.map(([k, v]) => this.nl + this.pad(3) + JSON.stringify(k) + this.colon + (v || REPORT_SLOT)).join(',');
    return head + this.pad(2) + '{' + members + this.nl + this.pad(2) + '}';
  }

  end(tally: Tally): void {
    const summary = toJson({ captures: tally.captures, reported: tally.reported, unreadable: tally.unreadable, internal_errors: tally.internal }, this.indent);
    const close = this.entries ? this.nl + this.pad(1) + ']' : '{' + this.nl + this.pad(1) + '"captures"' + this.colon + '[]';
    out(close + ',' + this.nl + this.pad(1) + '"summary"' + this.colon + summary.replaceAll('\n', '\n' + this.pad(1)) + this.nl + '}\n');
  }
}

/** Stands for a streamed report in an entry's text (no JSON value is made of a NUL). */
const REPORT_SLOT = '\u0000';

/** Each capture's text summary under a `==> FILE <==` line, then one line of totals. */
class TextWriter {
  report(file: string, body: string, _warning: string | null, inFile = false): void {
    if (!inFile) {
      out(`==> ${visible(file)} <==\n${body.endsWith('\n') ? body : body + '\n'}\n`);
      return;
    }
    out(`==> ${visible(file)} <==\n`);
    let last = 10;
    copyBodyFile(body, (chunk) => {
      if (chunk.length) last = chunk[chunk.length - 1]!;
      out(chunk);
    });
    out(last === 10 ? '\n' : '\n\n');
  }

  error(file: string, message: string): void {
    out(`==> ${visible(file)} <==\nerror: ${visible(message)}\n\n`);
  }

  end(tally: Tally): void {
    const parts = [`${tally.reported} reported`];
    if (tally.unreadable) parts.push(`${tally.unreadable} unreadable`);
    if (tally.internal) parts.push(`${tally.internal} failed with an internal error`);
    out(`${tally.captures} capture${tally.captures === 1 ? '' : 's'}: ${parts.join(', ')}\n`);
  }
}
