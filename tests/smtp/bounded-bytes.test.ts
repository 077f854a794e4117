/**
 * A mail body's bytes (issue 19: an SMTP DATA that never ends took 587 MB): kept up to the
 * limit in one array that never grows past it, whatever the size of the pieces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedBytes } from '../../src/dissect/mail-message.js';

describe('BoundedBytes', () => {
  it('keeps the first `limit` bytes of any pieces, counts them all, and says when it trimmed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 60 }), fc.integer({ min: 0, max: 5000 }), (pieces, limit) => {
        const b = new BoundedBytes(limit);
        for (const p of pieces) b.push(p);
        const all = Buffer.concat(pieces);
        expect(Buffer.from(b.bytes())).toEqual(all.subarray(0, limit));
        expect(b.size).toBe(all.length);
        expect(b.kept).toBe(Math.min(limit, all.length));
        expect(b.trimmed).toBe(all.length > limit);
        expect(b.bytes().buffer.byteLength).toBeLessThanOrEqual(Math.max(limit, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('holds one array for a million lines, not one per line', () => {
    const limit = 1 << 20;
    const b = new BoundedBytes(limit);
    const line = new TextEncoder().encode(`${'x'.repeat(76)}\r\n`);
    for (let i = 0; i < 1_000_000; i++) b.push(line);
    expect(b.size).toBe(78_000_000);
    expect(b.kept).toBe(limit);
    expect(b.trimmed).toBe(true);
    expect(b.bytes().buffer.byteLength).toBe(limit);
  });
});
