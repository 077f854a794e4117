/**
 * Bytes per time bucket, for throughput over time. The series stays bounded: when it would
 * pass `MAX_BUCKETS`, neighbouring buckets merge and the bucket width doubles, so a long
 * connection gets a coarser series, never a longer one.
 */
const MAX_BUCKETS = 128;
/** First bucket width: 10 ms, doubled as needed. */
const FIRST_WIDTH_NS = 10_000_000;

export class ThroughputSeries {
  width = FIRST_WIDTH_NS;
  /** Bytes per bucket, from the connection's first packet; made at the first byte. */
  buckets: number[] | null = null;

  /** `bytes` of payload at `timeNs` after the connection's first packet. */
  add(timeNs: number, bytes: number): void {
    let i = Math.floor(timeNs / this.width);
    while (i >= MAX_BUCKETS) {
      this.halve();
      i = Math.floor(timeNs / this.width);
    }
    const b = (this.buckets ??= []);
    while (b.length <= i) b.push(0);
    b[i] += bytes;
  }

  private halve(): void {
    const b = this.buckets;
    this.width *= 2;
    if (!b) return;
    const merged: number[] = [];
    for (let i = 0; i < b.length; i += 2) merged.push(b[i]! + (b[i + 1] ?? 0));
    this.buckets = merged;
  }
}
