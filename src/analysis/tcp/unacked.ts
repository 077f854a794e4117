/**
 * Segments sent and not yet acknowledged, in the order they were seen, as Wireshark keeps
 * them (its `tcp_unacked` list) to tell which frame an ACK acknowledges and how long that
 * took (`tcp.analysis.ack_rtt`). Parallel typed arrays: no object per segment.
 */
export class UnackedSegments {
  private seq: Uint32Array;
  private next: Uint32Array;
  /** Nanoseconds since the connection's first packet (exact in a double for 104 days). */
  private time: Float64Array;
  private frame: Float64Array;
  /** 1 when the segment gives no SampleRTT: it resends bytes already sent (Karn's rule), or carries no data. */
  private resent: Uint8Array;
  length = 0;

  constructor(private readonly max: number) {
    this.seq = new Uint32Array(8);
    this.next = new Uint32Array(8);
    this.time = new Float64Array(8);
    this.frame = new Float64Array(8);
    this.resent = new Uint8Array(8);
  }

  /** False when the list is full (the segment is not kept). */
  push(seq: number, next: number, time: number, frame: number, resent: boolean): boolean {
    const n = this.length;
    if (n >= this.max) return false;
    if (n === this.seq.length) this.grow();
    this.seq[n] = seq;
    this.next[n] = next;
    this.time[n] = time;
    this.frame[n] = frame;
    this.resent[n] = resent ? 1 : 0;
    this.length = n + 1;
    return true;
  }

  /**
   * The peer acknowledged up to `ack`. Wireshark's rules: a segment whose end equals `ack`
   * is the one acknowledged (the earliest such, when it was sent more than once); a segment
   * `ack` falls inside is trimmed to its unacknowledged part; segments wholly below `ack`
   * are dropped. Fills `out` with the acknowledged segment, or sets `out.frame` to 0;
   * `out.resent` when any copy of it was a resend (or carried no data).
   */
  ack(ack: number, out: AckMatch): void {
    out.frame = 0;
    out.resent = false;
    let w = 0;
    const n = this.length;
    for (let r = 0; r < n; r++) {
      const end = this.next[r]!;
      if (end === ack) {
        if (out.frame === 0) {
          out.frame = this.frame[r]!;
          out.time = this.time[r]!;
        }
        // Karn: sent more than once, the ACK could answer any copy.
        if (this.resent[r] === 1) out.resent = true;
        continue;
      }
      const d = (ack - this.seq[r]!) | 0;
      const dEnd = (end - ack) | 0;
      if (d > 0 && dEnd >= 0) {
        this.seq[r] = ack; // partly acknowledged: keep the rest
      } else if (dEnd <= 0) {
        continue; // wholly acknowledged before: drop
      }
      if (w !== r) {
        this.seq[w] = this.seq[r]!;
        this.next[w] = end;
        this.time[w] = this.time[r]!;
        this.frame[w] = this.frame[r]!;
        this.resent[w] = this.resent[r]!;
      }
      w++;
    }
    this.length = w;
  }

  private grow(): void {
    const size = this.seq.length * 2;
    const seq = new Uint32Array(size);
    seq.set(this.seq);
    const next = new Uint32Array(size);
    next.set(this.next);
    const time = new Float64Array(size);
    time.set(this.time);
    const frame = new Float64Array(size);
    frame.set(this.frame);
    const resent = new Uint8Array(size);
    resent.set(this.resent);
    this.seq = seq;
    this.next = next;
    this.time = time;
    this.frame = frame;
    this.resent = resent;
  }
}

/** What `UnackedSegments.ack` found: the acknowledged segment's frame (0 if none), its send time, whether it was a retransmission. */
export interface AckMatch {
  frame: number;
  time: number;
  resent: boolean;
}
