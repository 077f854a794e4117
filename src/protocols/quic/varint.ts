/**
 * QUIC variable-length integers (RFC 9000 §16): the two high bits of the first byte give
 * the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian, up to 2^62 - 1.
 *
 * Values are JavaScript numbers: exact up to 2^53. Above that (only 8-byte encodings reach
 * there) the value is rounded; callers that use a value as an offset or length check it
 * against their own limits, which are far below 2^53, so a rounded value is never used.
 */

/** A varint read at `at`: its value and the offset after it; null when the bytes end first. */
export interface Varint {
  readonly value: number;
  readonly next: number;
}

export function readVarint(b: Uint8Array, at: number): Varint | null {
  if (at >= b.length) return null;
  const first = b[at]!;
  const len = 1 << (first >> 6);
  if (at + len > b.length) return null;
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[at + i]!;
  return { value: v, next: at + len };
}
