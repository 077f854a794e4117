/**
 * Segments sent and not yet acknowledged, in the order they were seen, as Wireshark keeps
 * them (its `tcp_unacked` list) to tell which frame an ACK acknowledges and how long that
 * took (`tcp.analysis.ack_rtt`). One flat array of numbers, four a segment, made at the
 * first segment: tens of thousands of open connections each hold one, so no object per
 * segment and nothing before it is needed. A plain array, not a Float64Array: V8 keeps its
 * numbers unboxed all the same (double elements), and a connection's small typed array costs
 * more to make and grow than the whole analysis of a short connection (measured, issue 18).
 */
import { DOUBLE_ZERO, doubleArrayOf } from '../../dissect/double.js';

const STRIDE = 4;
/** A list this much larger than what it holds is cut back (a burst long acknowledged). */
const SLACK = 1024;

export class UnackedSegments {
  /** seq, end (next sequence number), time (ns since the connection's first packet), frame·2 + no-sample bit. */
  private data: number[] | null = null;
  length = 0;
  /** What the last `ack` found: the acknowledged segment's send time, and whether it gives no SampleRTT. */
  matchTime = DOUBLE_ZERO;
  matchNoSample = false;

  constructor(private readonly max: number) {}

  /**
   * False when the list is full (the segment is not kept). `noSample`: the segment gives no
   * SampleRTT (a resend, Karn's rule; or no data).
   */
  push(seq: number, next: number, time: number, frame: number, noSample: boolean): boolean {
    const n = this.length;
    if (n >= this.max) return false;
    const at = n * STRIDE;
    let d = this.data;
    if (d === null || at >= d.length) d = this.data = this.grow(d, at);
    d[at] = seq;
    d[at + 1] = next;
    d[at + 2] = time;
    d[at + 3] = frame * 2 + (noSample ? 1 : 0);
    this.length = n + 1;
    return true;
  }

  /**
   * Room for one more segment: a new array of one segment, then of twice as many, with the
   * `used` numbers copied. Assigning past the end would make V8's 1.5 x + 16 slots (17 for
   * one segment's 4), and most connections hold one or two segments at a time (issue 18).
   */
  private grow(d: number[] | null, used: number): number[] {
    const next = doubleArrayOf(d === null || used === 0 ? STRIDE : used * 2);
    for (let i = 0; i < used; i++) next[i] = d![i]!;
    return next;
  }

  /**
   * The peer acknowledged up to `ack`. Wireshark's rules: a segment whose end equals `ack`
   * is the one acknowledged (the earliest such, when it was sent more than once); a segment
   * `ack` falls inside is trimmed to its unacknowledged part; segments wholly below `ack`
   * are dropped. Returns the acknowledged segment's frame, or 0 if none; its send time is
   * then in `matchTime`, and `matchNoSample` says whether any copy of it was a resend (or
   * carried no data).
   */
  ack(ack: number): number {
    let frame = 0;
    this.matchNoSample = false;
    const d = this.data;
    if (d === null) return 0;
    let w = 0;
    const n = this.length * STRIDE;
    for (let r = 0; r < n; r += STRIDE) {
      const end = d[r + 1]!;
      if (end === ack) {
        const tag = d[r + 3]!;
        if (frame === 0) {
          frame = Math.floor(tag / 2);
          this.matchTime = d[r + 2]!;
        }
        // Karn: sent more than once, the ACK could answer any copy.
        if (tag % 2 === 1) this.matchNoSample = true;
        continue;
      }
      const seq = d[r]!;
      if (((ack - seq) | 0) > 0 && ((end - ack) | 0) >= 0) {
        d[r] = ack; // partly acknowledged: keep the rest
      } else if (((end - ack) | 0) <= 0) {
        continue; // wholly acknowledged before: drop
      }
      if (w !== r) {
        d[w] = d[r]!;
        d[w + 1] = end;
        d[w + 2] = d[r + 2]!;
        d[w + 3] = d[r + 3]!;
      }
      w += STRIDE;
    }
    this.length = w / STRIDE;
    // Let a long-gone burst's array go: a quiet connection keeps nothing.
    if (w === 0 && d.length > 64 * STRIDE) this.data = null;
    else if (d.length > w + SLACK * STRIDE) d.length = w;
    return frame;
  }
}
