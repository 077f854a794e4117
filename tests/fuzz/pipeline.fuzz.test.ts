/**
 * Mutated captures through the whole pipeline (reader, decoder, flows, reassembly, every
 * dissector, object export, JSON). Each input must end in a result or a CaptureError,
 * within a wall-clock cap (a hang detector, not a speed test), without a dissector
 * throwing, with valid JSON events, and without the heap running away.
 *
 * CI runs a bounded number with a fixed seed. A longer run:
 *   npm run fuzz -- --iterations 100000 [--seed 7]
 * Inputs that fail are written to $FUZZ_FINDINGS (default /tmp/wirelens-fuzz/), and with
 * FUZZ_KEEP_CURRENT=1 the input being run is kept there as current.pcap; each one
 * found becomes a file in tests/fuzz/regressions/ (see regressions.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout, mutate, pcapToPcapng, Rng, truncate } from './mutate.js';
import { problemOf, runPipeline, seedCaptures, type Seed } from './pipeline-runner.js';
import { skipOrFail } from '../support/requires.js';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 600);
const SEED = Number(process.env.FUZZ_SEED ?? 20240917);
const FINDINGS = process.env.FUZZ_FINDINGS ?? '/tmp/wirelens-fuzz';
/** Per-input wall-clock cap: generous, so only a hang or a blow-up trips it. */
const MAX_MS = 15_000;
/** Heap growth allowed over a run's start: far above any small input's real need. */
const MAX_HEAP_GROWTH = 384 * 1024 * 1024;

/** Seeds up to 64 KB (mutating megabyte captures is slow and finds nothing more), plus pcapng twins. */
function seeds(): Seed[] {
  const own = seedCaptures(64 * 1024);
  const twins = own
    .filter((s) => s.bytes.length <= 16 * 1024)
    .flatMap((s) => {
      const ng = pcapToPcapng(s.bytes);
      return ng ? [{ name: `${s.name}.as.pcapng`, bytes: ng }] : [];
    });
  return [...own, ...twins];
}

function save(bytes: Uint8Array, label: string): string {
  mkdirSync(FINDINGS, { recursive: true });
  const path = join(FINDINGS, `${label.replace(/[^\w.-]+/g, '_')}.pcap`);
  writeFileSync(path, bytes);
  return path;
}

async function check(bytes: Uint8Array, label: string, failures: string[]): Promise<'ok' | 'unreadable' | 'crash'> {
  // A synchronous hang cannot be timed out in-process: leave the input on disk first, so a
  // run killed from outside still says what it was chewing on.
  if (process.env.FUZZ_KEEP_CURRENT) save(bytes, 'current');
  const heapBefore = process.memoryUsage().heapUsed;
  const r = await runPipeline(bytes);
  let problem = problemOf(r, MAX_MS);
  const growth = process.memoryUsage().heapUsed - heapBefore;
  if (!problem && growth > MAX_HEAP_GROWTH) problem = `heap grew by ${Math.round(growth / 1e6)} MB`;
  if (problem) failures.push(`${label}: ${problem.slice(0, 400)} (input: ${save(bytes, label)})`);
  return r.outcome;
}

describe('pipeline fuzzing', () => {
  const all = seeds();

  it('has seed captures of both formats', () => {
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((s) => layout(s.bytes).format === 'pcapng')).toBe(true);
    expect(all.some((s) => layout(s.bytes).format === 'pcap')).toBe(true);
  });

  it(`survives ${ITERATIONS} mutated captures (seed ${SEED})`, async () => {
    const rng = new Rng(SEED);
    const failures: string[] = [];
    const tally = { ok: 0, unreadable: 0 };
    for (let i = 0; i < ITERATIONS && failures.length < 10; i++) {
      const a = rng.pick(all);
      const b = rng.pick(all);
      const { bytes, applied } = mutate(rng, a.bytes, b.bytes);
      const outcome = await check(bytes, `seed${SEED}-${i}-${a.name}-${applied.join('+')}`, failures);
      if (outcome !== 'crash') tally[outcome]++;
      if (ITERATIONS > 5000 && i % 2000 === 0) process.stderr.write(`fuzz: ${i} of ${ITERATIONS}\n`);
    }
    expect(failures).toEqual([]);
    // Most mutants must still be readable captures, or the fuzzer tests only the sniffer.
    expect(tally.ok).toBeGreaterThan(ITERATIONS / 2);
  }, Math.max(120_000, ITERATIONS * 100));

  // Truncation at every offset of a few small captures: every cut point of every record
  // header, block header and packet. Both formats.
  const SMALL = ['http-404-nanosecond.pcap', 'pop3-apop.pcap', 'dns-edns-options.pcap', 'bittorrent_tracker.pcap', 'pcapng-multi-interface.pcapng', 'ftp_ftp-password-pass-command.pcap'];
  for (const name of SMALL) {
    it(`survives ${name} cut at every offset`, async (ctx) => {
      const seed = all.find((s) => s.name === name);
      if (!seed) return skipOrFail(ctx, `the seed capture ${name}`);
      expect(seed.bytes.length).toBeLessThan(2048);
      const failures: string[] = [];
      for (let at = 0; at <= seed.bytes.length && failures.length < 5; at++) {
        await check(seed.bytes.subarray(0, at), `${name}-cut-${at}`, failures);
      }
      expect(failures).toEqual([]);
    });
  }

  it('truncate() cuts within the file', () => {
    const rng = new Rng(1);
    const b = new Uint8Array(100);
    for (let i = 0; i < 50; i++) expect(truncate(rng, b, b).length).toBeLessThanOrEqual(100);
  });
});
