import { existsSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../src/cli/spool.js';

describe('Spool', () => {
  it('gives texts back sorted by key, then tie, whatever their sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b', 'é')), fc.string({ unit: 'grapheme', maxLength: 40 })), { maxLength: 60 }),
        fc.boolean(),
        (items, numeric) => {
          const spool = new Spool();
          try {
            const entries = items.map(([k, t], i) => ({ key: numeric ? Number(typeof k === 'number' ? k : k.length) : String(k), text: `${i}:${t}`, tie: i }));
            for (const e of entries) spool.add(e.text, e.key, e.tie);
            const want = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.tie - b.tie)).map((e) => e.text);
            expect([...spool.sorted()]).toEqual(want);
          } finally {
            spool.close();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps texts larger than its buffers, and many, in a private directory removed when closed', () => {
    const spool = new Spool();
    expect(statSync(spool.dir).mode & 0o077).toBe(0);
    const big = 'x'.repeat(3 << 20);
    spool.add('small-2', 2, 0);
    spool.add(big, 1, 0);
    for (let i = 0; i < 50_000; i++) spool.add(`row ${i} ${'y'.repeat(i % 50)}`, 3, i);
    const out = [...spool.sorted()];
    expect(out).toHaveLength(50_002);
    expect(out[0]).toBe(big);
    expect(out[1]).toBe('small-2');
    expect(out[50_001]).toBe(`row 49999 ${'y'.repeat(49_999 % 50)}`);
    spool.close();
    expect(existsSync(spool.dir)).toBe(false);
  });
});
