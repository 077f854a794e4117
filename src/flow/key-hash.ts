/**
 * The hash flow keys are filed under (`FlowMap`), of a key's string or of its UTF-16 units
 * (`KeyProbe`): the same number for the same units, so a packet's key is looked up without
 * making its string.
 */
import { randomBytes } from 'node:crypto';

/**
 * A seed drawn per process. A capture is written before the run, so with a fixed hash its
 * author could choose addresses and ports whose keys share a slot's low bits, and linear
 * probing would make a flood of such flows quadratic (hash flooding). Only the order of the
 * slots depends on the seed: the one caller that lists open flows sorts them by id, so the
 * output does not.
 */
const SEED = randomBytes(4).readInt32LE(0);

/**
 * FNV-1a over the key's UTF-16 units (a flow key is 7 units for IPv4, about 20 for IPv6),
 * from a seeded basis, then murmur3's finalizer: the slot is the low bits, and without it
 * they would depend only on the low bits of the seed and of each unit.
 */
export function hashOf(key: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return finish(h);
}

/** `hashOf` of the string whose units are `units[0, length)`. */
export function hashUnits(units: Uint16Array, length: number): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ units[i]!, 0x01000193);
  return finish(h);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
