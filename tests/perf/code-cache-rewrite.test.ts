import { describe, expect, it } from 'vitest';
import { cacheToWrite, cacheVariant, decodeCacheFile, encodeCacheFile, LARGE_CAPTURE_BYTES, REWRITE_CPU_FACTOR, REWRITE_MIN_CPU_US, type CacheFile } from '../../src/cli/code-cache.js';

/**
 * When a run writes the code cache again (src/cli/code-cache.ts): a cache made on a tiny
 * capture holds few functions, so a run much longer than the one that made it makes and
 * writes it; no other run even makes one, so the cache is not rewritten by every run
 * (tests/perf/code-cache.test.ts shows a run taking the cache leaves the file untouched).
 */
function maker(size: number): { make: () => Buffer; calls: () => number } {
  let calls = 0;
  return {
    make: () => {
      calls++;
      return Buffer.alloc(size, 1);
    },
    calls: () => calls,
  };
}
const cache = (size: number, makerCpuUs: number): CacheFile => ({ data: Buffer.alloc(size, 2), makerCpuUs });
const DEMO_CPU = 200_000; // a run on captures/demo.pcap
const BIG_CPU = 1_600_000; // a run on the 20 MB bench capture

describe('code cache rewrite rule', () => {
  it('writes the cache a run made when there was none or V8 refused it, however short the run', () => {
    const m = maker(743_576);
    expect(cacheToWrite(undefined, 1, m.make)).toEqual({ data: Buffer.alloc(743_576, 1), makerCpuUs: 1 });
  });

  it('a run not much longer than the one that made the cache does not even make one', () => {
    const m = maker(1_133_640);
    expect(cacheToWrite(cache(743_576, DEMO_CPU), REWRITE_MIN_CPU_US - 1, m.make)).toBeUndefined();
    expect(cacheToWrite(cache(1_133_640, BIG_CPU), BIG_CPU * REWRITE_CPU_FACTOR - 1, m.make)).toBeUndefined();
    expect(cacheToWrite(cache(1_133_640, BIG_CPU), BIG_CPU / 2, m.make)).toBeUndefined();
    expect(m.calls()).toBe(0);
  });

  it('a long run after a short one writes its larger cache, with its CPU time', () => {
    // The sizes measured: 0.74 MB after captures/demo.pcap, 1.13 MB after the 20 MB bench capture.
    const m = maker(1_133_640);
    const made = cacheToWrite(cache(743_576, DEMO_CPU), BIG_CPU, m.make);
    expect(made?.data.length).toBe(1_133_640);
    expect(made?.makerCpuUs).toBe(BIG_CPU);
  });

  it('never replaces a cache by a smaller one (a long run may have flushed bytecode it ran only at start)', () => {
    const taken = cache(1_133_640, DEMO_CPU);
    const made = cacheToWrite(taken, BIG_CPU, maker(900_000).make);
    expect(made?.data).toBe(taken.data);
    expect(made?.makerCpuUs).toBe(BIG_CPU);
  });

  it('bounds the writes: from a demo run to 60 s runs, each write at least doubles the time', () => {
    let file = cache(743_576, DEMO_CPU);
    let writes = 0;
    // Runs of growing length, each 10% longer than the last, many of each size.
    for (let cpu = DEMO_CPU; cpu <= 60_000_000; cpu *= 1.1) {
      for (let again = 0; again < 5; again++) {
        const made = cacheToWrite(file, cpu, maker(file.data.length + 1000).make);
        if (made !== undefined) {
          writes++;
          file = made;
        }
      }
    }
    expect(writes).toBeLessThanOrEqual(Math.ceil(Math.log2(60_000_000 / REWRITE_MIN_CPU_US)) + 1);
  });

  it('the file is V8 data and a trailer that keeps the maker CPU time; a file without it is V8 data', () => {
    const data = Buffer.from('v8 cached data bytes');
    const file = encodeCacheFile({ data, makerCpuUs: 1_634_000 });
    expect(file.length).toBe(data.length + 8);
    expect(decodeCacheFile(file)).toEqual({ data, makerCpuUs: 1_634_000 });
    const old = Buffer.alloc(4096, 0x5a);
    expect(decodeCacheFile(old)).toEqual({ data: old, makerCpuUs: 0 });
    expect(decodeCacheFile(Buffer.alloc(0))).toEqual({ data: Buffer.alloc(0), makerCpuUs: 0 });
  });

  it('large captures have a cache of their own, so that small ones keep deserialising a small one', () => {
    expect(cacheVariant(undefined)).toBe('');
    expect(cacheVariant(0)).toBe('');
    expect(cacheVariant(LARGE_CAPTURE_BYTES - 1)).toBe('');
    expect(cacheVariant(LARGE_CAPTURE_BYTES)).toBe('.large');
    expect(cacheVariant(27_000_000)).toBe('.large');
  });
});
