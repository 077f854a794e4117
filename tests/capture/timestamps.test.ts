import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimestampConverter } from '../../src/capture/timestamps.js';

/** The obvious BigInt computation, truncating below a nanosecond. */
function reference(value: bigint, tsresol: number, offset: number): string {
  const v = tsresol & 0x7f;
  const units = tsresol & 0x80 ? 2n ** BigInt(v) : 10n ** BigInt(v);
  const sec = value / units + BigInt(offset);
  const ns = ((value % units) * 1_000_000_000n) / units;
  return `${sec}.${ns.toString().padStart(9, '0')}`;
}

const RESOLUTIONS = [0, 1, 3, 6, 7, 9, 10, 12, 15, 0x80, 0x8a, 0x94, 0x9e, 0xa0, 0xa4, 0xa8];

describe('pcapng timestamp conversion', () => {
  it('matches a BigInt reference for every resolution and 64-bit values (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESOLUTIONS), fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 53n })), fc.integer({ min: -1000, max: 1000 }), (res, value, offset) => {
        const units = res & 0x80 ? 2 ** (res & 0x7f) : 10 ** res;
        // Keep seconds where a double holds them exactly (any real capture is far below).
        fc.pre(value / BigInt(units) < 2n ** 53n - 2000n);
        const c = new TimestampConverter(res, offset);
        const got = c.convert(Number(value >> 32n), Number(value & 0xffffffffn));
        expect(got.toString()).toBe(reference(value, res, offset));
      }),
      { numRuns: 20000 },
    );
  });

  it('is exact at the edges of the fast path', () => {
    const cases: Array<[number, bigint]> = [
      [9, 2n ** 53n - 1n],
      [9, 2n ** 53n],
      [9, 2n ** 64n - 1n],
      [6, 999_999n],
      [6, 1_000_000n],
      [0xa0, 2n ** 64n - 1n],
      [0xa4, 2n ** 64n - 1n],
      [9, 1_700_000_000_999_999_999n],
    ];
    for (const [res, value] of cases) {
      const got = new TimestampConverter(res).convert(Number(value >> 32n), Number(value & 0xffffffffn));
      expect(got.toString()).toBe(reference(value, res, 0));
    }
  });

  it('knows its units per second', () => {
    expect(new TimestampConverter().unitsPerSecond).toBe(1e6);
    expect(new TimestampConverter(9).unitsPerSecond).toBe(1e9);
    expect(new TimestampConverter(0x8a).unitsPerSecond).toBe(1024);
    expect(TimestampConverter.valid(0x80 | 64)).toBe(false);
    expect(TimestampConverter.valid(20)).toBe(false);
  });
});
