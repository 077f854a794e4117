/**
 * Open flows by key: open addressing with linear probing over one array of flows and one of
 * their keys' hashes, in place of a `Map`. A SYN flood keeps max_flows (200,000) flows open
 * while ending one per new one; V8's `Map` keeps ended entries as holes until it rehashes,
 * so under that churn it sat at 2^19 entries of 28 bytes (15 MB), and every rehash made a
 * second table of that size while the first was still alive. Here deletion shifts the
 * entries after it back (no holes, no rehash under churn), and a slot costs 12 bytes.
 *
 * Iteration order is the slots' order, not insertion order: callers that need an order sort
 * (the table sorts open flows by id).
 */
import { hashOf } from './key-hash.js';
import type { KeyProbe } from './key.js';

interface Keyed {
  readonly key: string;
}

const MIN_CAPACITY = 1 << 10;

export class FlowMap<V extends Keyed> {
  private values: (V | undefined)[] = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
  private hashes = new Int32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const values = this.values;
    const hashes = this.hashes;
    const h = hashOf(key);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const v = values[i];
      if (v === undefined) return undefined;
      if (hashes[i] === h && v.key === key) return v;
    }
  }

  /** The value held under the key `probe` holds as units (no string made for it). */
  find(probe: KeyProbe): V | undefined {
    const values = this.values;
    const hashes = this.hashes;
    const h = probe.hash;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const v = values[i];
      if (v === undefined) return undefined;
      if (hashes[i] === h && probe.matches(v.key)) return v;
    }
  }

  /** Adds `value` under its key, or replaces the value held under it; returns the key's hash. */
  set(value: V): number {
    const key = value.key;
    const h = hashOf(key);
    const values = this.values;
    let i = h & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const v = values[i];
      if (v === undefined) break;
      if (this.hashes[i] === h && v.key === key) {
        values[i] = value;
        return h;
      }
    }
    values[i] = value;
    this.hashes[i] = h;
    // At most half full: probes stay short (about 1.5 on a hit, 2.5 on a miss).
    if (++this.count * 2 > values.length) this.resize(values.length * 2);
    return h;
  }

  /** Removes the value held under `key`, if any. */
  delete(key: string): boolean {
    const values = this.values;
    const hashes = this.hashes;
    const mask = this.mask;
    const h = hashOf(key);
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const v = values[i];
      if (v === undefined) return false;
      if (hashes[i] === h && v.key === key) break;
    }
    // Backward-shift deletion: each later entry of the run whose home slot is not between
    // the hole and it moves into the hole, so no search ever stops early at a gap.
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const v = values[j];
      if (v === undefined) break;
      const home = hashes[j]! & mask;
      // Whether `home` lies cyclically in (hole, j]: then the entry stays.
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      values[hole] = v;
      hashes[hole] = hashes[j]!;
      hole = j;
    }
    values[hole] = undefined;
    this.count--;
    return true;
  }

  /** Every value held, in no particular order. */
  *entries(): IterableIterator<V> {
    for (const v of this.values) if (v !== undefined) yield v;
  }

  private resize(capacity: number): void {
    const oldValues = this.values;
    const oldHashes = this.hashes;
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let j = 0; j < oldValues.length; j++) {
      const v = oldValues[j];
      if (v === undefined) continue;
      let i = oldHashes[j]! & this.mask;
      while (this.values[i] !== undefined) i = (i + 1) & this.mask;
      this.values[i] = v;
      this.hashes[i] = oldHashes[j]!;
    }
  }
}
