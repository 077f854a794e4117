/**
 * Stream IDs whose data is complete (both directions finished or reset), so that a late
 * retransmission of a finished stream is not taken for a new stream, while the stream's
 * reassembly and HTTP/3 state are freed. Stream IDs of one type (the low two bits) are
 * opened in order, so retired IDs are held as a watermark per type (every ID below it is
 * retired) plus the few retired out of order above it.
 */

/** Out-of-order retired IDs kept per connection: past it the watermarks jump over the lower half (IDs skipped are taken as retired). */
export const MAX_RETIRED_STREAMS = 65_536;

export class RetiredStreams {
  /** Per type (id & 3): the next ID not known to be retired; all below are. */
  private readonly next = [0, 1, 2, 3];
  private readonly above = new Set<number>();

  has(id: number): boolean {
    return id < this.next[id & 3]! || this.above.has(id);
  }

  add(id: number): void {
    const t = id & 3;
    if (this.has(id)) return;
    this.above.add(id);
    this.advance(t);
    if (this.above.size > MAX_RETIRED_STREAMS) {
      // A capture that finishes streams far out of order (or a hostile one): the lower half
      // of the waiting IDs moves the watermarks past them (the holes below are taken as
      // retired), so memory stays bounded and the cost is spread over many adds.
      const sorted = [...this.above].sort((a, b) => a - b);
      for (const x of sorted.slice(0, sorted.length >> 1)) {
        this.above.delete(x);
        const k = x & 3;
        if (x + 4 > this.next[k]!) this.next[k] = x + 4;
      }
      for (let k = 0; k < 4; k++) this.advance(k);
      for (const x of this.above) if (x < this.next[x & 3]!) this.above.delete(x);
    }
  }

  private advance(t: number): void {
    while (this.above.has(this.next[t]!)) {
      this.above.delete(this.next[t]!);
      this.next[t]! += 4;
    }
  }
}
