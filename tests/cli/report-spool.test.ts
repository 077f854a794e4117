/**
 * `report` streams (issue 19): with the spool threshold lowered (WIRELENS_SPOOL_BYTES), small
 * captures take the disk path of every list and of a many-capture run's rendered reports,
 * and the output is the same bytes as when everything stays in memory.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './cli-support.js';

const CAPTURES = ['captures/tcp-analysis.pcap', 'captures/dns-recursive.pcap', 'captures/smtp-attachment.pcap'];

beforeAll(() => ensureBuilt());

function report(args: string[], spool?: number): Buffer {
  const env: NodeJS.ProcessEnv = { ...process.env, WIRELENS_DEBUG: '' };
  if (spool === undefined) delete env.WIRELENS_SPOOL_BYTES;
  else env.WIRELENS_SPOOL_BYTES = String(spool);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'wirelens'), 'report', ...args], { cwd: ROOT, env, maxBuffer: 1 << 26 });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

describe('report spilled to disk', () => {
  for (const flags of [[], ['--compact'], ['--text']]) {
    it(`one capture ${flags.join(' ') || '(indented)'}: the same bytes`, () => {
      const held = report([CAPTURES[0]!, ...flags]);
      expect(held.length).toBeGreaterThan(500);
      expect(report([CAPTURES[0]!, ...flags], 64).equals(held)).toBe(true);
    });

    it(`many captures ${flags.join(' ') || '(indented)'}: the same bytes, each report handed over in a file`, () => {
      const held = report([...CAPTURES, ...flags, '--workers', '2']);
      const spilled = report([...CAPTURES, ...flags, '--workers', '2'], 64);
      if (!spilled.equals(held)) expect(spilled.toString()).toBe(held.toString());
      expect(spilled.equals(held)).toBe(true);
    });
  }
});
