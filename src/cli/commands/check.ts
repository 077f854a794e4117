import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CaptureError } from '../../capture/types.js';
import type { WireEvent } from '../../events/event.js';
import { analyze } from '../../pipeline/analyze.js';
import { FramePairing } from '../../filter/frame-pairing.js';
import type { PacketFacts } from '../../filter/index.js';
import { checkExpectations, ExpectationError, loadExpectations, rulesNeedPackets, type RuleResult } from '../../report/expectations.js';
import { compareReports, type Difference } from '../../report/golden.js';
import { junitXml, type CaseResult } from '../../report/junit.js';
import { ReportBuilder } from '../../report/report.js';
import { visible } from '../../report/safe-text.js';
import { EXIT_BAD_INPUT, EXIT_DIFFERENT, EXIT_OK, out, UserError, version } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';
import { reportSpecs } from './report.js';

export interface CheckOptions extends CommonOptions {
  golden?: string;
  goldenDir?: string;
  expect?: string;
  update?: boolean;
  junit?: string;
}

/** Differences printed per capture; the rest are counted. */
const SHOWN = 40;

/**
 * `wirelens check CAPTURE... --golden FILE | --golden-dir DIR [--expect RULES] [--update]`:
 * compares each capture's report with its golden report and/or checks expectation rules.
 * Exit 0 when everything holds, 1 when something differs, 2 on bad input.
 */
export async function checkCommand(captures: string[], opts: CheckOptions): Promise<number> {
  if (!captures.length) throw new UserError('check needs at least one capture');
  if (opts.golden && captures.length > 1) throw new UserError('--golden names one file; use --golden-dir for several captures');
  if (!opts.golden && !opts.goldenDir && !opts.expect) throw new UserError('check needs --golden FILE, --golden-dir DIR or --expect RULES');
  const rules = opts.expect ? readRules(opts.expect) : null;

  const results: CaseResult[] = [];
  let badInput = false;
  for (const capture of captures) {
    const started = performance.now();
    const goldenPath = opts.golden ?? (opts.goldenDir ? join(opts.goldenDir, `${basename(capture)}.json`) : null);
    const failures: string[] = [];
    let error: string | null = null;
    try {
      const { report, events, packets } = await analyzeForCheck(capture, opts, rules !== null, rules !== null && rulesNeedPackets(rules));
      // Appended one by one: a spread of a huge list of differences would overflow the stack.
      if (goldenPath) for (const f of compareWithGolden(goldenPath, report, opts.update ?? false)) failures.push(f);
      if (rules) for (const r of checkExpectations(rules, events, (e) => packets.get(e) ?? null)) if (!r.passed) failures.push(ruleFailure(r));
    } catch (err) {
      if (!(err instanceof CaptureError || err instanceof UserError)) throw err;
      error = err.message;
      badInput = true;
    }
    const result: CaseResult = { name: basename(capture), file: capture, seconds: (performance.now() - started) / 1000, failures, error };
    results.push(result);
    printResult(result);
  }
  const failed = results.filter((r) => r.failures.length || r.error).length;
  out(`${results.length - failed} passed, ${failed} failed\n`);
  if (opts.junit) writeFileSync(opts.junit, junitXml('wirelens check', results));
  if (process.env.GITHUB_ACTIONS === 'true') for (const r of results) annotate(r);
  return badInput ? EXIT_BAD_INPUT : failed ? EXIT_DIFFERENT : EXIT_OK;
}

function readRules(path: string): ReturnType<typeof loadExpectations> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`${path}: cannot read the expectation file`);
  }
  try {
    return loadExpectations(text, path);
  } catch (err) {
    if (err instanceof ExpectationError) throw new UserError(err.message);
    throw err;
  }
}

async function analyzeForCheck(capture: string, opts: CheckOptions, keepEvents: boolean, pairPackets: boolean) {
  const builder = new ReportBuilder(reportSpecs(), { name: 'wirelens', version: version() });
  const events: WireEvent[] = [];
  // Rules that read packet fields see the packet of each event's own frame.
  const packets = new Map<WireEvent, PacketFacts>();
  const pairing = pairPackets ? new FramePairing((e, _none, packet) => packet && packets.set(e, packet)) : null;
  try {
    await analyze(
      capture,
      {
        emit: (e) => {
          builder.emit(e);
          if (keepEvents) events.push(e);
          pairing?.emit(e, null);
        },
      },
      { ...analyzeOptions(opts), packetTap: pairing ? (p, d, flow, tcp) => pairing.tap(p, d, flow, tcp) : undefined },
    );
  } catch (err) {
    builder.close();
    throw err;
  }
  pairing?.finish();
  // Through the same JSON text a golden file holds, so both sides have the same number precision.
  return { report: JSON.parse(builder.toText()) as Parameters<typeof compareReports>[1], events, packets };
}

/** Differences as lines; with `update`, writes the golden file and lists what changed instead. */
function compareWithGolden(path: string, report: Parameters<typeof compareReports>[1], update: boolean): string[] {
  const exists = existsSync(path) && statSync(path).isFile();
  if (!exists && !update) throw new UserError(`${path}: no golden file; create it with --update`);
  const diffs = exists ? compareReports(readGolden(path), report) : [];
  if (update) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
    if (!exists) out(`  wrote ${visible(path)}\n`);
    else if (diffs.length) out(`  updated ${visible(path)}:\n${diffs.slice(0, SHOWN).map((d) => `    ${visible(formatDiff(d))}\n`).join('')}${more(diffs)}`);
    return [];
  }
  return diffs.map(formatDiff);
}

function readGolden(path: string): Parameters<typeof compareReports>[0] {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`${path}: not a golden report (${(err as Error).message})`);
  }
}

const formatDiff = (d: Difference): string => `${d.where}: golden ${d.golden}, now ${d.now}`;
const more = (d: unknown[]): string => (d.length > SHOWN ? `    ... and ${d.length - SHOWN} more\n` : '');
const ruleFailure = (r: RuleResult): string => `expected ${r.name}: ${r.found}`;

function printResult(r: CaseResult): void {
  if (r.error) {
    out(`ERROR ${visible(r.name)}: ${visible(r.error)}\n`);
    return;
  }
  out(`${r.failures.length ? 'FAIL' : 'ok  '} ${visible(r.name)}\n`);
  for (const f of r.failures.slice(0, SHOWN)) out(`    ${visible(f)}\n`);
  if (r.failures.length > SHOWN) out(`    ... and ${r.failures.length - SHOWN} more\n`);
}

/** GitHub Actions workflow commands: one error annotation per failing capture. */
function annotate(r: CaseResult): void {
  if (!r.error && !r.failures.length) return;
  // Capture text made terminal-safe first (the log is shown in a browser and a terminal),
  // then the workflow-command escapes; each failure stays on its own line.
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const body = r.error !== null ? visible(r.error) : r.failures.slice(0, 10).map(visible).join('\n');
  out(`::error file=${esc(visible(r.file)).replace(/,/g, '%2C').replace(/:/g, '%3A')},title=${esc(visible(`wirelens check: ${r.name}`)).replace(/,/g, '%2C').replace(/:/g, '%3A')}::${esc(body)}\n`);
}
