/**
 * Mutations of whole capture files, for the pipeline fuzzer. Each mutation keeps enough
 * structure (file header, record/block framing) that the damage reaches past the reader
 * into decode, reassembly and the dissectors, which pure random bytes rarely do.
 * Deterministic: everything is driven by a seeded PRNG, so a failure is replayed by seed.
 */

/** mulberry32: tiny, fast, good enough to pick mutations; the same seed gives the same run. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Where one packet record (pcap) or block (pcapng) sits in a file. */
export interface Frame {
  offset: number;
  length: number;
}

export interface Layout {
  format: 'pcap' | 'pcapng' | 'unknown';
  little: boolean;
  /** Bytes before the first record (the pcap file header; 0 for pcapng). */
  headerLength: number;
  records: Frame[];
}

const u32 = (b: Uint8Array, off: number, little: boolean): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, little);

function putU32(b: Uint8Array, off: number, v: number, little: boolean): void {
  if (off + 4 <= b.length) new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, little);
}

/** Finds the records of a pcap or the blocks of a pcapng file, stopping at the first impossible one. */
export function layout(file: Uint8Array): Layout {
  if (file.length < 24) return { format: 'unknown', little: true, headerLength: 0, records: [] };
  const magicLe = u32(file, 0, true);
  if (magicLe === 0x0a0d0d0a) {
    const little = u32(file, 8, true) === 0x1a2b3c4d;
    const records: Frame[] = [];
    for (let off = 0; off + 12 <= file.length; ) {
      const len = u32(file, off + 4, little);
      if (len < 12 || len % 4 !== 0 || off + len > file.length) break;
      records.push({ offset: off, length: len });
      off += len;
    }
    return { format: 'pcapng', little, headerLength: 0, records };
  }
  const little = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const big = u32(file, 0, false) === 0xa1b2c3d4 || u32(file, 0, false) === 0xa1b23c4d;
  if (!little && !big) return { format: 'unknown', little: true, headerLength: 0, records: [] };
  const records: Frame[] = [];
  for (let off = 24; off + 16 <= file.length; ) {
    const caplen = u32(file, off + 8, little);
    if (off + 16 + caplen > file.length) break;
    records.push({ offset: off, length: 16 + caplen });
    off += 16 + caplen;
  }
  return { format: 'pcap', little, headerLength: 24, records };
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Rebuilds a file from its header and a new list of records (pcapng: blocks; the SHB stays first). */
function withRecords(file: Uint8Array, l: Layout, records: Frame[]): Uint8Array {
  const head = file.subarray(0, l.headerLength);
  return join([head, ...records.map((r) => file.subarray(r.offset, r.offset + r.length))]);
}

/** Records that carry packets (pcapng: EPB, SPB and obsolete PB; the others describe). */
function packetRecords(file: Uint8Array, l: Layout): Frame[] {
  if (l.format !== 'pcapng') return l.records;
  return l.records.filter((r) => {
    const type = u32(file, r.offset, l.little);
    return type === 6 || type === 3 || type === 2;
  });
}

export type Mutation = (rng: Rng, file: Uint8Array, other: Uint8Array) => Uint8Array;

/** Flip 1 to 8 random bits anywhere. */
export const bitFlips: Mutation = (rng, file) => {
  const out = file.slice();
  if (out.length === 0) return out;
  const n = 1 + rng.int(8);
  for (let i = 0; i < n; i++) {
    const pos = rng.int(out.length);
    out[pos]! ^= 1 << rng.int(8);
  }
  return out;
};

/** Overwrite a few bytes with values that break length checks (0, 0xff, 0x7f, 0x80). */
export const interestingBytes: Mutation = (rng, file) => {
  const out = file.slice();
  if (out.length === 0) return out;
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) out[rng.int(out.length)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x01, 0x0d, 0x0a, 0x20]);
  return out;
};

/** Cut the file at a random offset. */
export const truncate: Mutation = (rng, file) => file.slice(0, rng.int(file.length + 1));

/** The head of one capture followed by the tail of another (same or different format). */
export const splice: Mutation = (rng, file, other) =>
  join([file.subarray(0, rng.int(file.length + 1)), other.subarray(rng.int(other.length + 1))]);

/** The records of another capture appended to this one's (its link type is kept, theirs is lost). */
export const spliceRecords: Mutation = (rng, file, other) => {
  const a = layout(file);
  const b = layout(other);
  if (a.format === 'unknown' || b.format !== a.format) return splice(rng, file, other);
  const theirs = packetRecords(other, b).map((r) => other.subarray(r.offset, r.offset + r.length));
  return join([file, ...theirs]);
};

/** Some packet records repeated (retransmissions, duplicated captures). */
export const duplicateRecords: Mutation = (rng, file) => {
  const l = layout(file);
  if (l.records.length === 0) return bitFlips(rng, file, file);
  const out: Frame[] = [];
  for (const r of l.records) {
    out.push(r);
    if (rng.chance(0.2)) for (let k = rng.int(3); k >= 0; k--) out.push(r);
  }
  return withRecords(file, l, out);
};

/** Packet records shuffled within a small window (out-of-order delivery) or swapped far apart. */
export const reorderRecords: Mutation = (rng, file) => {
  const l = layout(file);
  const packets = packetRecords(file, l);
  if (packets.length < 2) return bitFlips(rng, file, file);
  const order = l.records.slice();
  const indices = order.map((r, i) => (packets.includes(r) ? i : -1)).filter((i) => i >= 0);
  const swaps = 1 + rng.int(Math.max(1, indices.length >> 1));
  for (let s = 0; s < swaps; s++) {
    const i = rng.int(indices.length);
    const j = rng.chance(0.7) ? Math.min(indices.length - 1, i + 1 + rng.int(3)) : rng.int(indices.length);
    const a = indices[i]!;
    const b = indices[j]!;
    [order[a], order[b]] = [order[b]!, order[a]!];
  }
  return withRecords(file, l, order);
};

/** Some records dropped (packet loss: gaps in the TCP streams). */
export const dropRecords: Mutation = (rng, file) => {
  const l = layout(file);
  if (l.records.length === 0) return truncate(rng, file, file);
  const packets = new Set(packetRecords(file, l));
  return withRecords(file, l, l.records.filter((r) => !packets.has(r) || !rng.chance(0.15)));
};

const LENGTHS = [0, 1, 3, 4, 11, 12, 15, 16, 0x7fffffff, 0xffffffff, 0x10000000, 0x10000001, 65535, 65536, 262144];

function randomLength(rng: Rng, current: number): number {
  return rng.chance(0.5) ? rng.pick(LENGTHS) : Math.max(0, current + rng.int(64) - 32);
}

/** A random caplen or orig_len in a pcap record header, or random block lengths in pcapng. */
export const randomRecordLength: Mutation = (rng, file) => {
  const l = layout(file);
  if (l.records.length === 0) return interestingBytes(rng, file, file);
  const out = file.slice();
  const r = rng.pick(l.records);
  if (l.format === 'pcap') {
    const field = r.offset + (rng.chance(0.7) ? 8 : 12);
    putU32(out, field, randomLength(rng, u32(out, field, l.little)), l.little);
  } else {
    // Leading length, trailing length, or both (which then agree, but lie about the block).
    const which = rng.int(3);
    const len = randomLength(rng, r.length);
    if (which !== 1) putU32(out, r.offset + 4, len, l.little);
    if (which !== 0) putU32(out, r.offset + r.length - 4, len, l.little);
    // The EPB's own captured length, too, sometimes.
    if (u32(out, r.offset, l.little) === 6 && rng.chance(0.3)) putU32(out, r.offset + 20, randomLength(rng, 0), l.little);
  }
  return out;
};

const LINK_TYPES = [0, 1, 9, 12, 14, 101, 108, 113, 127, 147, 228, 229, 239, 276, 65535, 0x7fffffff];

/** The file's (or one interface's) link type replaced. */
export const randomLinkType: Mutation = (rng, file) => {
  const l = layout(file);
  const out = file.slice();
  const lt = rng.pick(LINK_TYPES);
  if (l.format === 'pcap') putU32(out, 20, lt, l.little);
  else if (l.format === 'pcapng') {
    const idbs = l.records.filter((r) => u32(file, r.offset, l.little) === 1);
    if (idbs.length === 0) return bitFlips(rng, file, file);
    const r = rng.pick(idbs);
    if (l.little) {
      out[r.offset + 8] = lt & 0xff;
      out[r.offset + 9] = (lt >>> 8) & 0xff;
    } else {
      out[r.offset + 8] = (lt >>> 8) & 0xff;
      out[r.offset + 9] = lt & 0xff;
    }
  }
  return out;
};

/** Random bytes written over one packet's payload (past its link header). */
export const scramblePayload: Mutation = (rng, file) => {
  const l = layout(file);
  const packets = packetRecords(file, l);
  if (packets.length === 0) return bitFlips(rng, file, file);
  const out = file.slice();
  const r = rng.pick(packets);
  const start = r.offset + 16 + rng.int(Math.max(1, r.length - 16));
  const n = rng.int(Math.min(64, r.offset + r.length - start) + 1);
  for (let i = 0; i < n; i++) out[start + i] = rng.int(256);
  return out;
};

export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  bitFlips,
  interestingBytes,
  truncate,
  splice,
  spliceRecords,
  duplicateRecords,
  reorderRecords,
  dropRecords,
  randomRecordLength,
  randomLinkType,
  scramblePayload,
};

/** One to three stacked mutations; returns the bytes and their names (for the failure message). */
export function mutate(rng: Rng, file: Uint8Array, other: Uint8Array): { bytes: Uint8Array; applied: string[] } {
  const names = Object.keys(MUTATIONS);
  const applied: string[] = [];
  let bytes = file;
  for (let n = 1 + (rng.chance(0.3) ? rng.int(3) : 0); n > 0; n--) {
    const name = rng.pick(names);
    applied.push(name);
    bytes = MUTATIONS[name]!(rng, bytes, other);
  }
  return { bytes, applied };
}

/** The same packets in a pcapng file (SHB, one IDB, EPBs), so pcapng framing gets fuzzed too. */
export function pcapToPcapng(file: Uint8Array): Uint8Array | null {
  const l = layout(file);
  if (l.format !== 'pcap') return null;
  const nano = u32(file, 0, l.little) === 0xa1b23c4d;
  const linkType = u32(file, 20, l.little) & 0xffff;
  const snaplen = u32(file, 16, l.little);
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array): Uint8Array => {
    const padded = (body.length + 3) & ~3;
    const out = new Uint8Array(12 + padded);
    putU32(out, 0, type, true);
    putU32(out, 4, out.length, true);
    out.set(body, 8);
    putU32(out, out.length - 4, out.length, true);
    return out;
  };
  const shb = new Uint8Array(16);
  putU32(shb, 0, 0x1a2b3c4d, true);
  shb[4] = 1;
  putU32(shb, 8, 0xffffffff, true);
  putU32(shb, 12, 0xffffffff, true);
  blocks.push(block(0x0a0d0d0a, shb));
  // IDB with if_tsresol = 9 for nanosecond files (option 9, length 1), then opt_endofopt.
  const idb = new Uint8Array(nano ? 16 : 8);
  idb[0] = linkType & 0xff;
  idb[1] = linkType >>> 8;
  putU32(idb, 4, snaplen, true);
  if (nano) {
    idb[8] = 9;
    idb[10] = 1;
    idb[12] = 9;
  }
  blocks.push(block(1, idb));
  for (const r of l.records) {
    const sec = u32(file, r.offset, l.little);
    const frac = u32(file, r.offset + 4, l.little);
    const caplen = u32(file, r.offset + 8, l.little);
    const origLen = u32(file, r.offset + 12, l.little);
    const ts = BigInt(sec) * (nano ? 1_000_000_000n : 1_000_000n) + BigInt(frac);
    const body = new Uint8Array(20 + caplen);
    putU32(body, 4, Number(ts >> 32n), true);
    putU32(body, 8, Number(ts & 0xffffffffn), true);
    putU32(body, 12, caplen, true);
    putU32(body, 16, origLen, true);
    body.set(file.subarray(r.offset + 16, r.offset + 16 + caplen), 20);
    blocks.push(block(6, body));
  }
  return join(blocks);
}
