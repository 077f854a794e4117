import { existsSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedSpool, SpoolDir } from '../../src/report/spool.js';

/** `wirelens flows --sort`: keys are numbers or strings, ties the flow ids (not arrival). */
describe('SortedSpool with string keys and given ties (flows --sort)', () => {
  it('gives texts back sorted by key, then tie, in memory and across sorted runs on disk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b', 'é', '', 'ab')), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 0, max: 1000 })), { maxLength: 60 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 400 }),
        (items, numeric, memory) => {
          const dir = new SpoolDir('wirelens-test-');
          try {
            const spool = new SortedSpool(dir, memory);
            const entries = items.map(([k, t, tie], i) => ({ key: numeric ? Number(typeof k === 'number' ? k : k.length) : String(k), text: `${i}:${t}`, tie }));
            for (const e of entries) spool.add(e.text, e.key, e.tie);
            const want = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.tie - b.tie)).map((e) => e.text);
            expect(spool.count).toBe(entries.length);
            expect([...spool.sorted()]).toEqual(want);
          } finally {
            dir.close();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('equal keys and ties come back in the order they were added, across runs (a seed that found it)', () => {
    const dir = new SpoolDir('wirelens-test-');
    try {
      // One text per run (a 1-byte budget): the merge, not the in-memory sort, decides.
      const spool = new SortedSpool(dir, 1);
      for (const [text, key, tie] of [['0', 0, 992], ['1', 0, 992], ['2', 1, 0], ['3', 0, 0]] as const) spool.add(text, key, tie);
      expect([...spool.sorted()]).toEqual(['3', '0', '1', '2']);
    } finally {
      dir.close();
    }
  });

  it('keeps texts larger than its windows, and many, in a private directory removed when closed', () => {
    const dir = new SpoolDir('wirelens-test-');
    const spool = new SortedSpool(dir, 1 << 16);
    const big = 'x'.repeat(3 << 20);
    spool.add('small-2', 'b', 0);
    spool.add(big, 'a', 0);
    for (let i = 0; i < 50_000; i++) spool.add(`row ${i} ${'y'.repeat(i % 50)}`, 'c', 50_000 - i);
    const out = [...spool.sorted()];
    expect(dir.made).not.toBeNull();
    expect(statSync(dir.made!).mode & 0o077).toBe(0);
    expect(out).toHaveLength(50_002);
    expect(out[0]).toBe(big);
    expect(out[1]).toBe('small-2');
    expect(out[2]).toBe(`row 49999 ${'y'.repeat(49_999 % 50)}`);
    expect(out[50_001]).toBe('row 0 ');
    dir.close();
    expect(existsSync(dir.made!)).toBe(false);
  });
});
