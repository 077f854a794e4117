import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './cli-support.js';

beforeAll(() => ensureBuilt(), 120_000);

describe('man page', () => {
  it('man/wirelens.1 is generated from the help text and up to date (node scripts/man.mjs)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'man.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const page = readFileSync(join(ROOT, 'man', 'wirelens.1'), 'utf8');
    expect(page).toMatch(/^\.TH WIRELENS 1 /);
    for (const c of ['EVENTS', 'REPORT', 'PACKETS', 'FLOWS', 'FOLLOW', 'EXPORT', 'EXPORT-EVENTS', 'CHECK']) expect(page).toContain(`.SH COMMAND: ${c}\n`);
    expect(page).toContain('--decode');
    expect(page).toMatch(/Exit status: 0 every capture matches; 1 a difference/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string; files: string[] };
    expect(pkg.man).toBe('./man/wirelens.1');
    expect(pkg.files).toContain('man/wirelens.1');
  });
});
