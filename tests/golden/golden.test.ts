/**
 * Golden reports: every capture in captures/ is checked against captures/golden/ by
 * `wirelens check` itself, the way users run it. After an intended change, refresh them
 * with `npm run golden:update` and review the diff it prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const CAPTURES = join(REPO, 'captures');
const GOLDEN = join(CAPTURES, 'golden');
const files = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

describe('golden reports of captures/', () => {
  it('has a golden report for every capture', () => {
    const missing = files.filter((f) => !existsSync(join(GOLDEN, `${f}.json`)));
    expect(missing, 'run `npm run golden:update` to create them').toEqual([]);
  });

  it('matches every golden report (wirelens check)', () => {
    const r = spawnSync(join(REPO, 'bin', 'wirelens'), ['check', ...files.map((f) => join(CAPTURES, f)), '--golden-dir', GOLDEN], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(r.stdout.trim().split('\n').pop()).toBe(`${files.length} passed, 0 failed`);
    expect(r.status, r.stdout.split('\n').filter((l) => !l.startsWith('ok ')).join('\n')).toBe(0);
  });
});
