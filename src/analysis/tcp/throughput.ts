/**
 * One direction's numbers over time, in buckets from the connection's first packet: new
 * payload bytes (throughput), the time-sequence graph's data (lowest and highest relative
 * sequence number sent, segments resent) and the SampleRTT of its segments (summed with a
 * count, at the time of the ACK that measured them). Every series shares one bucket width
 * and stays bounded: when a time would pass `MAX_BUCKETS`, neighbouring buckets merge and
 * the width doubles, so a long connection gets a coarser series, never a longer one. Each
 * series is made at its first value; a time before the first packet lands in bucket 0.
 *
 * The arrays are kept exactly as long as their buckets (`grown`, `mergePairs`), not grown by
 * `push`: V8 grows a pushed array to 1.5 times its length plus 16, so a short connection's six
 * series of one to a few buckets held 17-41 slots each. Thousands of open connections each
 * hold them (the 500 MB bench capture: 8.4 MB of a 55 MB live heap, issue 18); a copy per new
 * bucket costs less than the slack did.
 */
import { doubleArrayOf } from '../../dissect/double.js';

const MAX_BUCKETS = 128;
/** First bucket width: 10 ms, doubled as needed. */
const FIRST_WIDTH_NS = 10_000_000;

/** Merges pairs of buckets; `none` marks a bucket without a value (kept unless both are none). */
function mergePairs(a: number[], pick: (x: number, y: number) => number, none?: number): number[] {
  const out = doubleArrayOf((a.length + 1) >> 1);
  for (let i = 0, o = 0; i < a.length; i += 2, o++) {
    const x = a[i]!;
    const y = a[i + 1];
    if (y === undefined) out[o] = x;
    else if (none !== undefined && x === none) out[o] = y;
    else if (none !== undefined && y === none) out[o] = x;
    else out[o] = pick(x, y);
  }
  return out;
}

/** `a` (null: none yet) with `fill` added up to `n` entries, in an array of exactly that length (see above). */
function grown(a: number[] | null, n: number, fill: number): number[] {
  const out = doubleArrayOf(n);
  const m = a === null ? 0 : a.length;
  for (let i = 0; i < m; i++) out[i] = a![i]!;
  for (let i = m; i < n; i++) out[i] = fill;
  return out;
}

const sum = (x: number, y: number): number => x + y;

export class ThroughputSeries {
  width = FIRST_WIDTH_NS;
  /** New payload bytes per bucket; made at the first byte. */
  buckets: number[] | null = null;
  /** Lowest relative sequence number and highest end of the data segments sent per bucket (-1: none); made at the first segment. */
  seqMin: number[] | null = null;
  seqMax: number[] | null = null;
  /** Data segments sent again (any kind of retransmission) per bucket. */
  resent: number[] | null = null;
  /** SampleRTT of this side's segments per bucket of the ACK's time: sum (seconds) and count; made at the first sample. */
  rttSum: number[] | null = null;
  rttCount: number[] | null = null;

  /** `bytes` of new payload at `timeNs` after the connection's first packet. */
  add(timeNs: number, bytes: number): void {
    const i = this.index(timeNs);
    let b = this.buckets;
    if (b === null || b.length <= i) b = this.buckets = grown(b, i + 1, 0);
    b[i] += bytes;
  }

  /** A data segment `[relSeq, relSeq + len)` sent at `timeNs`; `resent` when it is a retransmission. */
  segment(timeNs: number, relSeq: number, len: number, resent: boolean): void {
    const i = this.index(timeNs);
    let lo = this.seqMin;
    let hi = this.seqMax!;
    let re = this.resent!;
    // The three are made and grown together.
    if (lo === null || lo.length <= i) {
      lo = this.seqMin = grown(lo, i + 1, -1);
      hi = this.seqMax = grown(this.seqMax, i + 1, -1);
      re = this.resent = grown(this.resent, i + 1, 0);
    }
    if (lo[i]! < 0 || relSeq < lo[i]!) lo[i] = relSeq;
    if (relSeq + len > hi[i]!) hi[i] = relSeq + len;
    if (resent) re[i]! += 1;
  }

  /** A SampleRTT of this side's segment, measured by an ACK at `timeNs`. */
  rtt(timeNs: number, seconds: number): void {
    const i = this.index(timeNs);
    let s = this.rttSum;
    let n = this.rttCount!;
    // The two are made and grown together.
    if (s === null || s.length <= i) {
      s = this.rttSum = grown(s, i + 1, 0);
      n = this.rttCount = grown(this.rttCount, i + 1, 0);
    }
    s[i] += seconds;
    n[i] += 1;
  }

  private index(timeNs: number): number {
    let i = Math.max(0, Math.floor(timeNs / this.width));
    while (i >= MAX_BUCKETS) {
      this.halve();
      i = Math.floor(timeNs / this.width);
    }
    return i;
  }

  private halve(): void {
    this.width *= 2;
    if (this.buckets) this.buckets = mergePairs(this.buckets, sum);
    if (this.seqMin) this.seqMin = mergePairs(this.seqMin, Math.min, -1);
    if (this.seqMax) this.seqMax = mergePairs(this.seqMax, Math.max, -1);
    if (this.resent) this.resent = mergePairs(this.resent, sum);
    if (this.rttSum) this.rttSum = mergePairs(this.rttSum, sum);
    if (this.rttCount) this.rttCount = mergePairs(this.rttCount, sum);
  }
}
