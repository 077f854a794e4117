import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowMap } from '../../src/flow/flow-map.js';

interface Item {
  key: string;
  n: number;
}

describe('FlowMap', () => {
  it('answers as a Map does through adds, replacements and deletions (with growth and wrap-around)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 4000 }), (ops) => {
        const m = new FlowMap<Item>();
        const ref = new Map<string, Item>();
        ops.forEach(([add, k], n) => {
          const key = String.fromCharCode(6, k, k >> 4);
          if (add) {
            const item = { key, n };
            m.set(item);
            ref.set(key, item);
          } else expect(m.delete(key)).toBe(ref.delete(key));
        });
        expect(m.size).toBe(ref.size);
        for (let k = 0; k <= 3000; k++) {
          const key = String.fromCharCode(6, k, k >> 4);
          expect(m.get(key)).toBe(ref.get(key));
        }
        expect([...m.entries()].sort((a, b) => a.n - b.n)).toEqual([...ref.values()].sort((a, b) => a.n - b.n));
      }),
      { numRuns: 25 },
    );
  });
});
