import { seqAdd, seqDiff } from './seq.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';
import { DOUBLE_MINUS_ONE } from '../dissect/double.js';

/** "No sequence number yet" (see `TcpDirection.next`), a double from the start (dissect/double.ts). */
export const SEQ_NONE = DOUBLE_MINUS_ONE;

/** Where one direction's reassembled stream goes. */
export interface StreamOutput {
  data(bytes: Uint8Array): void;
  /** `cause`: why the bytes are missing, when known (a snap length cut the segment). */
  gap(length: number, cause?: string): void;
  /** The sender's FIN has been reached in sequence. */
  finished(): void;
  anomaly(code: CoreAnomalyCode, detail: string): void;
}

/**
 * Bytes held for reassembly across all flows, so memory stays bounded in total. `queued`
 * (out-of-order data) is what `reassembly_total` bounds; `used` adds the retransmission
 * history, which only grows past its minimum while the total has room.
 */
export class ReassemblyBudget {
  used = 0;
  queued = 0;
  constructor(readonly limit: number) {}
}

interface Queued {
  seq: number;
  data: Uint8Array;
}

/**
 * Retransmissions are checked against at most this many of the latest delivered bytes:
 * enough for the usual retransmission of the last segments, small enough that thousands
 * of concurrent flows do not churn memory.
 */
const HISTORY_MAX = 16 * 1024;
const HISTORY_MIN = 1024;
/**
 * Rings let go of (everything acknowledged, flow ended, ring outgrown) wait here for the
 * next direction that needs one, per power-of-two size. A request/response flow drops its
 * ring at every acknowledgement and needs one again at the next segment; allocating each
 * afresh (zero-filled, off-heap, freed only by GC) showed in the profile. Only bytes
 * written since a ring was taken are ever read (`historyLen`), so old contents do no harm.
 */
const RING_POOL_PER_SIZE = 64;
const ringPool = new Map<number, Uint8Array[]>();

function takeRing(size: number): Uint8Array {
  return ringPool.get(size)?.pop() ?? new Uint8Array(size);
}

function giveRing(ring: Uint8Array): void {
  let free = ringPool.get(ring.length);
  if (!free) ringPool.set(ring.length, (free = []));
  if (free.length < RING_POOL_PER_SIZE) free.push(ring);
}

/**
 * Out-of-order segments queued per direction. The queue is a sorted array (insertion scans
 * it), so many tiny segments in reverse order would cost quadratic time: past this count
 * the hole is skipped as if the byte limit were reached.
 */
const MAX_QUEUED_SEGMENTS = 4096;
/** Inconsistent retransmissions reported per direction; the rest are only counted. */
const REPORT_MAX = 10;

/**
 * One direction of a TCP connection. In-order data goes straight through without copying;
 * only out-of-order segments are copied and queued. Holes become gaps when the queue
 * outgrows its limit, when the peer acknowledges past them (the sender will never resend),
 * or when the flow ends. Sequence numbers wrap modulo 2^32.
 */
export class TcpDirection {
  /*
   * Sequence numbers are plain numbers, NONE (-1) for "not yet" (every real one is >= 0),
   * in fields that are doubles from the start: past 2^31 a sequence number is a double, and
   * a field that may hold null stores each one as a new heap number (16 bytes per segment
   * and per ACK on half the connections; issue 18). A double field is written in place.
   */
  /** Next sequence number expected; NONE until the first SYN or segment. */
  next = SEQ_NONE;
  /** Sequence number of the first payload byte. */
  base = SEQ_NONE;
  /** Highest sequence number (exclusive) seen in any segment, for the flow's size. */
  highest = SEQ_NONE;
  finSeq = SEQ_NONE;
  finished = false;
  /** Highest acknowledgement the peer sent for this direction. */
  peerAck = SEQ_NONE;

  delivered = 0;
  missed = 0;
  retransmissions = 0;
  inconsistent = 0;
  gaps = 0;

  private queue: Queued[] = [];
  private queued = 0;
  private history: Uint8Array | null = null;
  /** Valid bytes of history ending at `next`. */
  private historyLen = 0;

  constructor(
    private readonly out: StreamOutput,
    private readonly perFlowLimit: number,
    private readonly budget: ReassemblyBudget,
  ) {}

  /** A SYN from this side: the stream starts after it. */
  syn(seq: number): void {
    if (this.next >= 0 && this.delivered + this.queued > 0) return;
    this.next = this.base = this.highest = seqAdd(seq, 1);
  }

  /** Payload of one segment, `seq` being the sequence number of its first byte. */
  segment(seq: number, payload: Uint8Array): void {
    const len = payload.length;
    if (len === 0) return;
    if (this.next < 0) this.next = this.base = this.highest = seq;
    const end = seqAdd(seq, len);
    if (seqDiff(end, this.highest) > 0) this.highest = end;
    const next = this.next;
    const rel = seqDiff(seq, next);
    if (rel === 0) {
      this.deliver(payload, seq);
      if (this.queue.length) this.drain();
    } else if (rel < 0) {
      // Starts before what was delivered: retransmission, keep-alive or overlap.
      const oldLen = Math.min(len, -rel);
      if (!(len <= 1 && rel === -1)) {
        this.retransmissions++;
        this.checkRetransmission(seq, payload.subarray(0, oldLen));
      }
      if (len > oldLen) {
        this.deliver(payload.subarray(oldLen), next);
        if (this.queue.length) this.drain();
      }
    } else {
      this.enqueue(seq, payload);
      if (this.peerAck >= 0 && seqDiff(this.peerAck, this.next) > 0) this.skipToAck();
      else if (this.queued > this.perFlowLimit || this.budget.queued > this.budget.limit || this.queue.length > MAX_QUEUED_SEGMENTS) {
        this.out.anomaly(
          'tcp.reassembly_limit',
          `${this.queued} bytes in ${this.queue.length} segments queued behind a hole at seq ${this.next}; skipping it`,
        );
        this.skipHole();
      }
    }
    this.checkFin();
  }

  /**
   * A segment the capture cut short (snap length): `sent` bytes went on the wire, only
   * `captured` were recorded. The prefix is delivered like any segment; when it was in
   * order, the tail is a gap at once, at this frame (waiting for an ACK to skip it would put
   * the gap a segment later and hold the next data behind it).
   */
  cutShort(seq: number, captured: Uint8Array, sent: number): void {
    if (this.next < 0) this.next = this.base = this.highest = seq;
    this.segment(seq, captured);
    const end = seqAdd(seq, sent);
    if (seqDiff(this.next, seqAdd(seq, captured.length)) !== 0 || seqDiff(end, this.next) <= 0) return;
    if (seqDiff(end, this.highest) > 0) this.highest = end;
    this.gapTo(end, `the capture's snap length cut the segment: ${captured.length} of ${sent} bytes captured`);
    if (this.queue.length) this.drain();
  }

  /** The sender's FIN at sequence number `seq` (after its payload). */
  fin(seq: number): void {
    if (this.finSeq < 0) this.finSeq = seq;
    if (this.next < 0) this.next = this.base = this.highest = seq;
    this.checkFin();
  }

  /** The peer acknowledged up to `ack`: holes below it will never be filled. */
  acked(ack: number): void {
    if (this.peerAck < 0 || seqDiff(ack, this.peerAck) > 0) this.peerAck = ack;
    if (this.next < 0) return;
    if (this.queue.length && seqDiff(ack, this.next) > 0) this.skipToAck();
    // Everything delivered is acknowledged: the sender has nothing left to retransmit, so
    // the history can go (idle flows then hold no copy of their data).
    else if (this.history && !this.queue.length && seqDiff(ack, this.next) >= 0) {
      this.budget.used -= this.history.length;
      giveRing(this.history);
      this.history = null;
      this.historyLen = 0;
    }
  }

  /** The flow is over: deliver what is queued, with gaps, and count bytes acknowledged but never seen. */
  flush(): void {
    while (this.queue.length) this.skipHole();
    if (this.next >= 0 && this.peerAck >= 0 && !this.finished) {
      let end = this.peerAck;
      if (this.finSeq >= 0 && seqDiff(end, this.finSeq) > 0) end = this.finSeq;
      const missing = seqDiff(end, this.next);
      // An ACK can cover a FIN we never saw; a lone unit is not worth a gap.
      if (missing > 1 && missing < 0x40000000) this.gapTo(end);
    }
    this.checkFin();
    this.release();
  }

  get queuedBytes(): number {
    return this.queued;
  }

  private deliver(bytes: Uint8Array, seq: number): void {
    this.remember(seq, bytes);
    this.next = seqAdd(seq, bytes.length);
    this.delivered += bytes.length;
    this.out.data(bytes);
  }

  private gapTo(seq: number, cause?: string): void {
    const length = seqDiff(seq, this.next);
    if (length <= 0) return;
    this.missed += length;
    this.gaps++;
    this.next = seq;
    this.historyLen = 0;
    this.out.gap(length, cause);
  }

  private enqueue(seq: number, payload: Uint8Array): void {
    const q = this.queue;
    let i = q.length;
    while (i > 0 && seqDiff(q[i - 1]!.seq, seq) > 0) i--;
    const prev = q[i - 1];
    if (prev && prev.seq === seq && prev.data.length >= payload.length) {
      this.retransmissions++;
      return;
    }
    const copy = payload.slice();
    q.splice(i, 0, { seq, data: copy });
    this.queued += copy.length;
    this.budget.used += copy.length;
    this.budget.queued += copy.length;
  }

  /** Deliver queued segments that are now contiguous. */
  private drain(): void {
    const q = this.queue;
    while (q.length && seqDiff(q[0]!.seq, this.next) <= 0) {
      const s = q.shift()!;
      this.queued -= s.data.length;
      this.budget.used -= s.data.length;
      this.budget.queued -= s.data.length;
      const skip = seqDiff(this.next, s.seq);
      if (skip < s.data.length) this.deliver(s.data.subarray(skip), this.next);
    }
  }

  /** Declare the hole before the first queued segment a gap, then deliver what follows. */
  private skipHole(): void {
    if (!this.queue.length) return;
    this.gapTo(this.queue[0]!.seq);
    this.drain();
  }

  private skipToAck(): void {
    const ack = this.peerAck;
    while (this.queue.length && seqDiff(ack, this.next) > 0) {
      const first = this.queue[0]!.seq;
      this.gapTo(seqDiff(first, ack) < 0 ? first : ack);
      this.drain();
    }
  }

  private checkFin(): void {
    if (this.finished || this.finSeq < 0 || this.next < 0) return;
    if (seqDiff(this.next, this.finSeq) >= 0) {
      this.finished = true;
      this.out.finished();
    }
  }

  /** Keep the latest delivered bytes (in a ring indexed by sequence number) to compare retransmissions. */
  private remember(seq: number, bytes: Uint8Array): void {
    let ring = this.history;
    const wanted = this.historyLen + bytes.length;
    if (!ring || (ring.length < wanted && ring.length < HISTORY_MAX)) {
      let cap = ring ? ring.length : HISTORY_MIN;
      while (cap < wanted && cap < HISTORY_MAX) cap *= 2;
      if (this.budget.used + cap - (ring?.length ?? 0) > this.budget.limit && ring) {
        cap = ring.length;
      } else {
        const grown = takeRing(cap);
        if (ring && this.historyLen) copyRing(ring, grown, seq, this.historyLen);
        if (ring) giveRing(ring);
        this.budget.used += cap - (ring?.length ?? 0);
        this.history = ring = grown;
      }
    }
    const cap = ring.length;
    const mask = cap - 1;
    let src = bytes;
    let at = seq;
    if (src.length > cap) {
      at = seqAdd(seq, src.length - cap);
      src = src.subarray(src.length - cap);
    }
    const pos = at & mask;
    const first = Math.min(src.length, cap - pos);
    // Most segments fit before the ring's end: copied whole, without a view (one per segment showed in the profile).
    if (first === src.length) ring.set(src, pos);
    else {
      ring.set(src.subarray(0, first), pos);
      ring.set(src.subarray(first), 0);
    }
    this.historyLen = Math.min(cap, this.historyLen + bytes.length);
  }

  private checkRetransmission(seq: number, old: Uint8Array): void {
    const ring = this.history;
    if (!ring) return;
    const back = seqDiff(this.next, seq);
    if (back > this.historyLen) return;
    const mask = ring.length - 1;
    for (let i = 0; i < old.length; i++) {
      if (ring[(seq + i) & mask] !== old[i]) {
        this.inconsistent++;
        if (this.inconsistent <= REPORT_MAX) {
          this.out.anomaly(
            'tcp.retransmission_inconsistent',
            `retransmitted bytes at seq ${seq} (length ${old.length}) differ from the original at offset ${i}`,
          );
        }
        return;
      }
    }
  }

  private release(): void {
    this.budget.used -= this.queued + (this.history?.length ?? 0);
    this.budget.queued -= this.queued;
    this.queue = [];
    this.queued = 0;
    if (this.history) giveRing(this.history);
    this.history = null;
    this.historyLen = 0;
  }
}

/** Re-lay the last `len` bytes before `end` from one power-of-two ring into a bigger one. */
function copyRing(from: Uint8Array, to: Uint8Array, end: number, len: number): void {
  const fm = from.length - 1;
  const tm = to.length - 1;
  let s = seqAdd(end, -len);
  let left = len;
  // In runs that are contiguous in both rings (the profile showed the byte loop).
  while (left > 0) {
    const fi = s & fm;
    const ti = s & tm;
    const n = Math.min(left, from.length - fi, to.length - ti);
    to.set(from.subarray(fi, fi + n), ti);
    s = seqAdd(s, n);
    left -= n;
  }
}
