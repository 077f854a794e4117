/** TCP sequence arithmetic modulo 2^32 (RFC 1982 style): correct across wraparound. */

/** Signed distance from `b` to `a`: positive when `a` is after `b`. */
export const seqDiff = (a: number, b: number): number => (a - b) | 0;

export const seqAdd = (a: number, n: number): number => (a + n) >>> 0;

export const seqLt = (a: number, b: number): boolean => seqDiff(a, b) < 0;

export const seqLe = (a: number, b: number): boolean => seqDiff(a, b) <= 0;

export const seqMax = (a: number, b: number): number => (seqDiff(a, b) >= 0 ? a : b);
