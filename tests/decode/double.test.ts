import { describe, expect, it } from 'vitest';
import { DOUBLE_BILLION, DOUBLE_MINUS_ONE, DOUBLE_ZERO, doubleArray } from '../../src/dissect/double.js';

// The representation itself is V8's business (checked with --trace-generalization, see
// src/dissect/double.ts); what the output depends on is that the values are the plain ones.
describe('double-representation initial values', () => {
  it('are exactly 0 (not -0), -1 and 1e9', () => {
    expect(Object.is(DOUBLE_ZERO, 0)).toBe(true);
    expect(Object.is(DOUBLE_MINUS_ONE, -1)).toBe(true);
    expect(DOUBLE_BILLION).toBe(1_000_000_000);
    expect(JSON.stringify([DOUBLE_ZERO, DOUBLE_MINUS_ONE, DOUBLE_BILLION])).toBe('[0,-1,1000000000]');
  });

  it('doubleArray is a fresh empty array each time', () => {
    const a = doubleArray();
    const b = doubleArray();
    expect(a).toEqual([]);
    expect(a).not.toBe(b);
    a.push(1, 2 ** 32);
    expect(a).toEqual([1, 2 ** 32]);
    expect(b).toEqual([]);
  });
});
