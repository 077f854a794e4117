import { describe, expect, it } from 'vitest';
import { cacheToWrite, REWRITE_GROWTH, REWRITE_MIN_CPU_US } from '../../src/cli/code-cache.js';

/**
 * When a run writes the code cache again (src/cli/code-cache.ts): a cache made on a tiny
 * capture holds few functions, so a long run that compiled noticeably more replaces it; no
 * other run does, so the cache is not rewritten by every run (tests/perf/code-cache.test.ts
 * shows a run taking the cache leaves it untouched).
 */
const made = (size: number) => {
  const calls: number[] = [];
  const make = (): Buffer => {
    calls.push(size);
    return Buffer.alloc(size);
  };
  return { make, calls };
};
const long = { user: REWRITE_MIN_CPU_US, system: 0 };
const short = { user: REWRITE_MIN_CPU_US / 2 - 1, system: REWRITE_MIN_CPU_US / 2 };

describe('code cache rewrite rule', () => {
  it('writes the cache a run made when it had none or V8 refused it, however short the run', () => {
    const m = made(700_000);
    expect(cacheToWrite(0, { user: 1, system: 0 }, m.make)?.length).toBe(700_000);
  });

  it('a short run neither makes nor writes a cache V8 took', () => {
    const m = made(2_000_000);
    expect(cacheToWrite(700_000, short, m.make)).toBeUndefined();
    expect(m.calls).toEqual([]);
  });

  it('a long run writes its cache only when it is REWRITE_GROWTH times larger than the one taken', () => {
    // The sizes measured: 0.74 MB after captures/demo.pcap, 1.13 MB after the 20 MB bench capture.
    const grown = made(1_133_640);
    expect(cacheToWrite(743_576, long, grown.make)?.length).toBe(1_133_640);
    // The next long run makes about the same cache: not written.
    expect(cacheToWrite(1_133_640, long, made(1_133_640).make)).toBeUndefined();
    expect(cacheToWrite(1_133_640, long, made(1_000_000).make)).toBeUndefined();
    expect(cacheToWrite(1_000_000, long, made(Math.ceil(1_000_000 * REWRITE_GROWTH) - 1).make)).toBeUndefined();
    expect(cacheToWrite(1_000_000, long, made(Math.ceil(1_000_000 * REWRITE_GROWTH)).make)).toBeDefined();
  });

  it('bounds the writes: from a demo-sized cache to the whole script (1.57 MB), six at most', () => {
    let size = 743_576;
    let writes = 0;
    for (let run = 0; run < 100; run++) {
      // The worst case: every run compiles just enough more to be written, up to the whole script.
      const next = Math.min(1_574_896, Math.ceil(size * REWRITE_GROWTH));
      const data = cacheToWrite(size, long, made(next).make);
      if (data !== undefined) {
        writes++;
        size = data.length;
      }
    }
    expect(writes).toBeLessThanOrEqual(6);
    // It stops within one step of the whole script: a last 1/8 more is not worth a write.
    expect(size).toBeGreaterThan(1_574_896 / REWRITE_GROWTH);
  });
});
