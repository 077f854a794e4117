import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1Base64 } from '../../src/flow/sha1.js';

describe('sha1Base64', () => {
  it('equals the native SHA-1 for every message of one block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 55 }), (m) => {
        expect(sha1Base64(m)).toBe(hash('sha1', m, 'base64'));
      }),
      { numRuns: 3000 },
    );
    for (let n = 0; n <= 55; n++) {
      const m = new Uint8Array(n).fill(0xff);
      expect(sha1Base64(m)).toBe(hash('sha1', m, 'base64'));
    }
    expect(sha1Base64(new TextEncoder().encode('abc'))).toBe('qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  });

  it('refuses a message longer than one block', () => {
    expect(() => sha1Base64(new Uint8Array(56))).toThrow(RangeError);
    expect(sha1Base64(new Uint8Array([1, 2, 3, 9, 9]), 3)).toBe(hash('sha1', new Uint8Array([1, 2, 3]), 'base64'));
  });
});
