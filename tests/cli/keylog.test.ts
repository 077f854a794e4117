/**
 * `--keylog FILE` on every command that reads a capture: an unreadable file is exit 2 with
 * one clear line; bad lines are one warning naming their numbers, and the rest is used; the
 * output of `--workers` stays byte-identical with a key log.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without types
import { buildCapture } from '../../bench/make-capture.mjs';
import { ensureBuilt, ROOT, tempFile, tempPath, wirelens } from './cli-support.js';

const DEMO = join(ROOT, 'captures', 'http-basic-auth.pcap');
const hex = (byte: string, n: number) => byte.repeat(n);
const GOOD = [
  `CLIENT_RANDOM ${hex('11', 32)} ${hex('22', 48)}`,
  `CLIENT_TRAFFIC_SECRET_0 ${hex('33', 32)} ${hex('44', 32)}`,
  `SERVER_TRAFFIC_SECRET_0 ${hex('33', 32)} ${hex('55', 32)}`,
];

let keys = '';
let badKeys = '';

beforeAll(() => {
  ensureBuilt();
  keys = tempFile(GOOD.join('\n') + '\n', 'keys.log');
  badKeys = tempFile(['# a comment', GOOD[0], 'CLIENT_RANDOM zz', GOOD[1], 'NOT_A_LABEL a b', '', GOOD[2]].join('\r\n') + '\r\n', 'bad-keys.log');
});

describe('--keylog', () => {
  it('a missing file, or a directory, is exit 2 with one line naming it', () => {
    const missing = wirelens(['events', DEMO, '--keylog', '/nonexistent/keys.log']);
    expect(missing.status).toBe(2);
    expect(missing.stdout.length).toBe(0);
    expect(missing.stderr).toBe('wirelens: cannot read key log /nonexistent/keys.log: no such file\n');
    const dir = tempPath('keys-dir');
    mkdirSync(dir);
    const isDir = wirelens(['report', DEMO, '--keylog', dir]);
    expect(isDir.status).toBe(2);
    expect(isDir.stderr).toMatch(/^wirelens: cannot read key log .*keys-dir: it is a directory\n$/);
  });

  it('bad lines: one warning with their numbers, the rest used, the output unchanged', () => {
    const plain = wirelens(['events', DEMO]);
    const r = wirelens(['events', DEMO, '--keylog', badKeys]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^wirelens: warning: .*bad-keys\.log: 2 bad lines ignored \(line 3: .*; line 5: .*\); 3 secrets used$/);
    expect(r.stdout.equals(plain.stdout)).toBe(true);
    const clean = wirelens(['events', DEMO, '--keylog', keys]);
    expect(clean.stderr).toBe('');
  });

  it('every command that reads a capture takes it', () => {
    const out = tempPath('export-out');
    const golden = tempPath('golden.json');
    const runs: string[][] = [
      ['events', DEMO],
      ['report', DEMO],
      ['report', DEMO, DEMO, '--workers', '2'],
      ['flows', DEMO],
      ['follow', DEMO, '--flow', '1'],
      ['export', DEMO, '--out', out],
      ['check', DEMO, '--golden', golden, '--update'],
      [DEMO],
      ['export-events', DEMO, '--format', 'ndjson', '--out', tempPath('ee-out'), '--workers', '1'],
    ];
    for (const args of runs) {
      const r = wirelens([...args, '--keylog', badKeys]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      // The warning is said once, even where several captures are read.
      expect(r.stderr.split('\n').filter((l) => l.includes('bad lines ignored')).length, args.join(' ')).toBe(1);
    }
  });

  it('--workers 1 and 2 write the same bytes with a key log', () => {
    const mixed = tempPath('mixed.pcap');
    buildCapture(mixed, { sizeMB: 1, seed: 11 });
    for (const cmd of [['events'], ['flows', '--json']]) {
      const one = wirelens([...cmd, mixed, '--keylog', keys, '--workers', '1']);
      const two = wirelens([...cmd, mixed, '--keylog', keys, '--workers', '2']);
      expect(one.status, one.stderr).toBe(0);
      expect(two.status, two.stderr).toBe(0);
      expect(two.stdout.equals(one.stdout)).toBe(true);
    }
  });
});
