import { describe, expect, it } from 'vitest';
import { DOUBLE_BILLION, DOUBLE_MINUS_ONE, DOUBLE_ZERO, doubleArrayOf } from '../../src/dissect/double.js';

// The representation itself is V8's business (checked with --trace-generalization, see
// src/dissect/double.ts); what the output depends on is that the values are the plain ones.
describe('double-representation initial values', () => {
  it('are exactly 0 (not -0), -1 and 1e9', () => {
    expect(Object.is(DOUBLE_ZERO, 0)).toBe(true);
    expect(Object.is(DOUBLE_MINUS_ONE, -1)).toBe(true);
    expect(DOUBLE_BILLION).toBe(1_000_000_000);
    expect(JSON.stringify([DOUBLE_ZERO, DOUBLE_MINUS_ONE, DOUBLE_BILLION])).toBe('[0,-1,1000000000]');
  });

  it('doubleArrayOf is a fresh array of exactly n slots each time', () => {
    const a = doubleArrayOf(3);
    const b = doubleArrayOf(3);
    expect(a).toHaveLength(3);
    expect(a).not.toBe(b);
    a[1] = 2 ** 32;
    a[2] = -1;
    expect(a.slice(1)).toEqual([2 ** 32, -1]);
    expect(b[1]).toBeUndefined();
    expect(doubleArrayOf(0)).toEqual([]);
  });
});
