/** The lite flows' numbers: 32-bit values or none, slots reused, chunks grown without losing what they hold. */
import { describe, expect, it } from 'vitest';
import { LITE_WIDTH, LiteSlots } from '../../src/flow/lite-slots.js';

describe('LiteSlots', () => {
  it('reads back each number set, NaN for those not set or cleared', () => {
    const s = new LiteSlots();
    const a = s.alloc();
    expect(Array.from({ length: LITE_WIDTH }, (_, i) => s.get(a, i)).every(Number.isNaN)).toBe(true);
    s.set(a, 0, 0);
    s.set(a, 3, 0xffffffff);
    s.set(a, 9, 123456789);
    expect([s.get(a, 0), s.get(a, 3), s.get(a, 9), s.get(a, 1)]).toEqual([0, 0xffffffff, 123456789, NaN]);
    s.set(a, 3, NaN);
    expect(s.get(a, 3)).toBeNaN();
  });

  it('a released slot comes back empty; slots across chunks keep their own numbers', () => {
    const s = new LiteSlots();
    const slots = Array.from({ length: 10_000 }, () => s.alloc());
    slots.forEach((slot, k) => s.set(slot, k % LITE_WIDTH, k));
    slots.forEach((slot, k) => expect(s.get(slot, k % LITE_WIDTH)).toBe(k));
    expect(s.used).toBe(10_000);
    s.release(slots[5000]!);
    const again = s.alloc();
    expect(again).toBe(slots[5000]);
    expect(s.get(again, 5000 % LITE_WIDTH)).toBeNaN();
    expect(s.used).toBe(10_000);
  });
});
