import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './cli-support.js';

const BIN = join(ROOT, 'bin', 'wirelens');
/** `wirelens ARGS` with $COLUMNS set (stdout is a pipe here, so that is the width it gets). */
const help = (args: string[], columns: number): string =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, COLUMNS: String(columns) } }).stdout.toString('utf8');

const COMMANDS = ['events', 'report', 'packets', 'flows', 'follow', 'export', 'export-events', 'check'];
/** A description long enough to wrap at every width tried, as the main help text has it. */
const WORKERS = 'worker threads for many captures, one capture per thread at a time (default: one per two cores; output is the same for any number)';

beforeAll(() => ensureBuilt(), 120_000);

describe('--help', () => {
  it('wraps at word boundaries to the terminal width: no row wider, no word split', () => {
    for (const columns of [60, 100, 160]) {
      const text = help(['report', '--help'], columns);
      for (const row of text.split('\n')) expect(row.length, `${JSON.stringify(row)} at ${columns}`).toBeLessThanOrEqual(columns);
      const tokens = new Set(text.split(/\s+/));
      for (const word of WORKERS.split(' ')) expect(tokens, `"${word}" split at ${columns} columns:\n${text}`).toContain(word);
    }
  });

  it('lists the exit statuses under every command', () => {
    for (const c of ['', ...COMMANDS]) {
      const text = help(c ? [c, '--help'] : ['--help'], 200);
      expect(text, c).toMatch(/Exit status: 0 .*; 2 bad input or usage .*70 internal error/);
    }
    expect(help(['check', '--help'], 200)).toContain('1 a difference or a failed rule');
  });
});

describe('completion', () => {
  it('prints a completion script, and completes command names and options', () => {
    expect(help(['completion'], 80)).toMatch(/complete .*wirelens/);
    const words = help(['--get-yargs-completions', 'wirelens', ''], 80).split('\n').filter(Boolean);
    expect(words).toEqual(expect.arrayContaining(['events', 'report', 'follow', 'check', 'completion']));
    expect(words).not.toContain('$0');
    expect(help(['--get-yargs-completions', 'wirelens', 'report', '--'], 80).split('\n')).toContain('--text');
  });
});
