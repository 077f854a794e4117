/**
 * Every input that once broke wirelens, kept in tests/fuzz/regressions/ (small files; name
 * says what it was). Each must now run clean through the whole pipeline. An unreadable one
 * must produce its CaptureError and no event at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemOf, runPipeline } from './pipeline-runner.js';

const DIR = new URL('./regressions/', import.meta.url).pathname;
const files = readdirSync(DIR).filter((n) => /\.(pcap|pcapng|gz)$/.test(n)).sort();

describe('fuzz regressions', () => {
  it('has regression inputs', () => expect(files.length).toBeGreaterThan(0));
  for (const name of files) {
    it(name, async () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, name)));
      expect(bytes.length).toBeLessThan(64 * 1024);
      const r = await runPipeline(bytes);
      expect(problemOf(r, 15_000)).toBeNull();
      if (r.outcome === 'unreadable') expect(r.events).toBe(0);
    });
  }
});
