/**
 * `wirelens report FILE|DIR...`: many captures over the worker pool. The document holds
 * every capture's report (exactly what `report FILE` prints for it) in input order, so the
 * output is the same bytes for any `--workers`; an unreadable capture gets an error entry
 * and the others are still reported.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { ensureBuilt, tempPath, type CliResult } from './cli-support.js';

// Small captures, deliberately not in name order.
const SMALL = ['captures/http-cookies.pcap', 'captures/demo.pcap', 'captures/dns-axfr.pcap', 'captures/bittorrent-dht.pcap'];

beforeAll(() => ensureBuilt());

const text = (r: CliResult): string => r.stdout.toString('utf8');

/** Runs `args` with 1 and 2 workers; both must write the same bytes, status and stderr. */
async function sameForAnyWorkers(args: string[]): Promise<CliResult> {
  const one = await runCli([...args, '--workers', '1']);
  const two = await runCli([...args, '--workers', '2']);
  expect(two.status).toBe(one.status);
  expect(two.stderr).toBe(one.stderr);
  if (!two.stdout.equals(one.stdout)) expect(text(two)).toBe(text(one));
  expect(two.stdout.equals(one.stdout)).toBe(true);
  return one;
}

/** What `report FILE` prints for one capture alone. */
async function alone(file: string, ...flags: string[]): Promise<string> {
  const r = await runCli(['report', file, ...flags]);
  expect(r.status, r.stderr).toBe(0);
  return text(r);
}

interface Entry {
  file: string;
  report?: { capture: { file: string } };
  error?: string;
  warning?: string;
}
interface Document {
  captures: Entry[];
  summary: { captures: number; reported: number; unreadable: number; internal_errors: number };
}

describe('report on many captures', () => {
  it('holds every report, in input order, exactly as `report FILE` prints it', async () => {
    const r = await sameForAnyWorkers(['report', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.captures.map((c) => c.file)).toEqual(SMALL);
    expect(doc.captures.map((c) => c.report?.capture.file)).toEqual(SMALL);
    expect(doc.summary).toEqual({ captures: 4, reported: 4, unreadable: 0, internal_errors: 0 });
    // Byte-exact: each report is the one-file output, moved in to the entry's depth.
    for (const file of SMALL) {
      const indented = (await alone(file)).trimEnd().replaceAll('\n', '\n      ');
      expect(text(r)).toContain(`"file": ${JSON.stringify(file)},\n      "report": ${indented}\n    }`);
    }
  });

  it('--compact: one line, each entry holding the one-file compact report', async () => {
    const r = await sameForAnyWorkers(['report', ...SMALL, '--compact']);
    expect(r.status).toBe(0);
    const out = text(r);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.trimEnd().includes('\n')).toBe(false);
    const entries: string[] = [];
    for (const f of SMALL) entries.push(`{"file":${JSON.stringify(f)},"report":${(await alone(f, '--compact')).trimEnd()}}`);
    expect(out).toBe(`{"captures":[${entries.join(',')}],"summary":{"captures":4,"reported":4,"unreadable":0,"internal_errors":0}}\n`);
  });

  it('--text: each summary under a line naming its file, then the totals', async () => {
    const r = await sameForAnyWorkers(['report', ...SMALL, '--text']);
    expect(r.status).toBe(0);
    const sections: string[] = [];
    for (const f of SMALL) sections.push(`==> ${f} <==\n${await alone(f, '--text')}\n`);
    expect(text(r)).toBe(sections.join('') + '4 captures: 4 reported\n');
  });

  it('a directory: its captures, recursively, sorted by path; other files left out', async () => {
    const dir = tempPath('dir');
    mkdirSync(join(dir, 'b-sub'), { recursive: true });
    copyFileSync('captures/dns-axfr.pcap', join(dir, 'c.pcap'));
    copyFileSync('captures/demo.pcap', join(dir, 'a.pcap'));
    copyFileSync('captures/bittorrent-dht.pcap', join(dir, 'b-sub', 'x.pcap'));
    writeFileSync(join(dir, 'notes.txt'), 'not a capture');
    const r = await sameForAnyWorkers(['report', dir]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.captures.map((c) => c.file)).toEqual([join(dir, 'a.pcap'), join(dir, 'b-sub', 'x.pcap'), join(dir, 'c.pcap')]);
    expect(doc.captures.every((c) => c.report && !c.error)).toBe(true);
  });

  it('a directory holding one capture still gives the many-capture document', async () => {
    const dir = tempPath('one');
    mkdirSync(dir);
    copyFileSync('captures/demo.pcap', join(dir, 'demo.pcap'));
    const doc = JSON.parse(text(await runCli(['report', dir]))) as Document;
    expect(doc.captures.map((c) => c.file)).toEqual([join(dir, 'demo.pcap')]);
  });

  it('the captures/ directory: the same bytes for 1 and 2 workers', async () => {
    const r = await sameForAnyWorkers(['report', 'captures/', '--compact']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.summary.captures).toBeGreaterThan(20);
    expect(doc.summary.reported).toBe(doc.summary.captures);
    const files = doc.captures.map((c) => c.file);
    expect(files).toEqual([...files].sort());
  });

  it('an unreadable capture gets an error entry, the others are reported, exit 2', async () => {
    const garbage = tempPath('garbage.pcap');
    writeFileSync(garbage, 'this is plain text, not a capture\n');
    const missing = tempPath('missing.pcap');
    const inputs = [SMALL[0]!, garbage, SMALL[1]!, missing, SMALL[2]!];
    const r = await sameForAnyWorkers(['report', ...inputs]);
    expect(r.status).toBe(2);
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.captures.map((c) => c.file)).toEqual(inputs);
    expect(doc.captures.map((c) => (c.report ? 'report' : c.error ? 'error' : '?'))).toEqual(['report', 'error', 'report', 'error', 'report']);
    expect(doc.captures[1]!.error).toMatch(/not a capture file/);
    expect(doc.captures[3]!.error).toMatch(/no such file/);
    for (const c of doc.captures) if (c.error) expect(c.error.includes('\n')).toBe(false);
    expect(doc.summary).toEqual({ captures: 5, reported: 3, unreadable: 2, internal_errors: 0 });
    // stderr names each one, in input order
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(garbage);
    expect(lines[1]).toContain(missing);
    // --text too
    const t = await runCli(['report', ...inputs, '--text', '--workers', '2']);
    expect(t.status).toBe(2);
    expect(text(t)).toContain(`==> ${garbage} <==\nerror: `);
    expect(text(t).endsWith('5 captures: 3 reported, 2 unreadable\n')).toBe(true);
  });

  it('a dangling link in a directory is an unreadable capture, not the end of the run', async () => {
    const dir = tempPath('links');
    mkdirSync(dir);
    copyFileSync('captures/demo.pcap', join(dir, 'a.pcap'));
    symlinkSync(join(dir, 'nowhere.pcap'), join(dir, 'b.pcap'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'c-dir'));
    const r = await sameForAnyWorkers(['report', dir]);
    expect(r.status).toBe(2);
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.captures.map((c) => [c.file, Boolean(c.report), Boolean(c.error)])).toEqual([
      [join(dir, 'a.pcap'), true, false],
      [join(dir, 'b.pcap'), false, true],
    ]);
  });

  it('only unreadable captures: still one document, exit 2', async () => {
    const r = await runCli(['report', tempPath('gone-1.pcap'), tempPath('gone-2.pcap'), '--workers', '2']);
    expect(r.status).toBe(2);
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.captures.map((c) => Boolean(c.error))).toEqual([true, true]);
    expect(doc.summary.reported).toBe(0);
  });

  it('a damaged capture is reported, with its warning in the entry and on stderr', async () => {
    const bytes = readFileSync('captures/demo.pcap');
    const cut = tempPath('cut.pcap');
    writeFileSync(cut, bytes.subarray(0, 3000));
    const r = await sameForAnyWorkers(['report', SMALL[2]!, cut]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(text(r)) as Document;
    expect(doc.captures[0]!.warning).toBeUndefined();
    expect(doc.captures[1]!.warning).toMatch(/^warning: damaged input.*capture\.truncated/);
    expect(doc.captures[1]!.report).toBeDefined();
    expect(r.stderr).toBe(`wirelens: ${cut}: ${doc.captures[1]!.warning}\n`);
  });

  it('one file: the report as before, whatever --workers says', async () => {
    const single = await runCli(['report', 'captures/demo.pcap']);
    expect(single.status).toBe(0);
    const report = JSON.parse(text(single)) as { report_version: number; captures?: unknown };
    expect(report.report_version).toBe(1);
    expect(report.captures).toBeUndefined();
    expect((await runCli(['report', 'captures/demo.pcap', '--workers', '2'])).stdout.equals(single.stdout)).toBe(true);
    // and the same report as inside a many-capture document
    const many = text(await runCli(['report', 'captures/demo.pcap', 'captures/dns-axfr.pcap', '--compact']));
    expect(many).toContain(`"report":${(await alone('captures/demo.pcap', '--compact')).trimEnd()}}`);
  });

  it('standard input only on its own; a bad --workers is a usage error', async () => {
    const r = await runCli(['report', 'captures/demo.pcap', '-']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/standard input/);
    expect(r.stdout.length).toBe(0);
    const w = await runCli(['report', ...SMALL, '--workers', '0']);
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/--workers/);
    const empty = tempPath('empty');
    mkdirSync(empty);
    const e = await runCli(['report', empty, empty]);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/no capture files .* in the directories/);
    expect(e.stdout.length).toBe(0);
  });
});
