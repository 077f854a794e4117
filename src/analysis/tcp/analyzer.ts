/**
 * Wireshark's TCP sequence analysis (packet-tcp.c, `tcp_analyze_sequence_number`), packet by
 * packet, for one connection: the expert flags (`tcp.analysis.*`), relative sequence numbers,
 * which frame an ACK acknowledges and its RTT, bytes in flight; and, beside Wireshark's,
 * the textbook's numbers: SampleRTT under Karn's rule and the Kurose & Ross estimator.
 *
 * The checks and their order follow Wireshark's, so the flags agree with tshark's frame for
 * frame (tests/oracle/tcp-analysis.oracle.test.ts); the known differences are listed in
 * tests/oracle/known-differences.md. Everything is capture time; nothing allocates per
 * packet except the unacknowledged-segment list's occasional growth: the state is plain
 * numbers worked in place (issue 18).
 */
import { seqDiff } from '../../reassembly/seq.js';
import {
  A_ACK_LOST_PACKET,
  A_DUPLICATE_ACK,
  A_FAST_RETRANSMISSION,
  A_KEEP_ALIVE,
  A_KEEP_ALIVE_ACK,
  A_LOST_PACKET,
  A_OUT_OF_ORDER,
  A_RETRANSMISSION,
  A_SPURIOUS_RETRANSMISSION,
  A_WINDOW_FULL,
  A_WINDOW_UPDATE,
  A_ZERO_WINDOW,
  A_ZERO_WINDOW_PROBE,
  A_ZERO_WINDOW_PROBE_ACK,
} from './flags.js';
import { RttEstimator } from './rtt-estimator.js';
import { ThroughputSeries } from './throughput.js';
import { UnackedSegments } from './unacked.js';
import { DOUBLE_BILLION, DOUBLE_MINUS_ONE, DOUBLE_ZERO, doubleArrayOf } from '../../dissect/double.js';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** Window scale not known yet (no SYN seen), and known to be unused (RFC 7323: one side did not offer it). */
export const SCALE_UNKNOWN = -1;
export const SCALE_NONE = -2;

/** Wireshark's out-of-order threshold when the handshake RTT is unknown: 3 ms. */
const OOO_DEFAULT_NS = 3_000_000;
/** A fast retransmission follows the duplicate ACKs within 20 ms (Wireshark). */
const FAST_RETRANSMIT_NS = 20_000_000;

/** "None yet" for a sequence number, window, ACK or option: every real one is >= 0. */
export const NONE = -1;
/**
 * NONE for the fields that will hold 32-bit sequence numbers (past 2^31 they are doubles):
 * the same value, made a double from the start (src/dissect/double.ts).
 */
const SEQ_NONE = DOUBLE_MINUS_ONE;
/** 1e9 as a double (see `timeOf`). */
const NANOS_IN_SECOND = DOUBLE_BILLION;

/**
 * One direction of the connection: what this side sent. Every number is a plain number
 * (NONE for "not seen yet", never null), so the fields keep one numeric representation
 * and the per-segment stores write in place: no boxed number per segment (issue 18).
 */
export class TcpSideAnalysis {
  /** Sequence number relative numbers count from (the ISN), or NONE until known. */
  base = SEQ_NONE;
  /** Next sequence number expected from this side (Wireshark's nextseq) or NONE, and when it was set. */
  nextSeq = SEQ_NONE;
  nextSeqTime = DOUBLE_ZERO;
  /** Highest sequence number this side sent that the peer must still acknowledge, or NONE. */
  maxSeqToBeAcked = SEQ_NONE;
  /** The last ACK this side sent (NONE: no packet yet), when, and its window (raw, unscaled; NONE: none yet). */
  lastAck = SEQ_NONE;
  lastAckTime = DOUBLE_ZERO;
  window = NONE;
  windowFromSyn = false;
  dupAcks = 0;
  lastNonDupAck = 0;
  /** Analysis bits of this side's last packet (keep-alive ACKs answer keep-alives). */
  lastBits = 0;
  /** Bytes in flight are measured only while this side's stream has no unexplained hole. */
  validBif = true;
  scale = SCALE_UNKNOWN;
  /** Options from this side's SYN (NONE: not offered or no SYN seen). */
  mss = NONE;
  wscaleOption = NONE;
  sackPermitted = false;
  sawSyn = false;
  finSeen = false;
  readonly unacked: UnackedSegments;
  /** Round trips of this side's segments, measured by the peer's ACKs (Karn's rule); made at the first sample. */
  rtt: RttEstimator | null = null;
  /**
   * The first round-trip samples, for the textbook's table (bounded): SAMPLE_STRIDE numbers
   * each (see `sample`), made at the first sample; `firstSampleCount` of them are filled.
   */
  firstSamples: number[] | null = null;
  firstSampleCount = 0;
  /** New payload bytes, the time-sequence graph's data and SampleRTT over time; made at the first value. */
  throughput: ThroughputSeries | null = null;
  /** Packets per analysis flag, indexed by the flag's bit position (`flagCount`); made at the first flag. */
  counts: Uint32Array | null = null;
  maxBytesInFlight = 0;
  segments = 0;
  /** Payload bytes that advanced the sequence (new data), and all payload bytes sent. */
  newBytes = 0;
  payloadBytes = 0;
  /** The unacknowledged list was full once (reported once). */
  overflowed = false;

  constructor(maxUnacked: number) {
    this.unacked = new UnackedSegments(maxUnacked);
  }

  /** Packets of this side that carried the analysis flag `bit`. */
  flagCount(bit: number): number {
    return this.counts === null ? 0 : this.counts[31 - Math.clz32(bit)]!;
  }

  /** The i-th kept round-trip sample (i < firstSampleCount). */
  sample(i: number): RttSample {
    const d = this.firstSamples!;
    const at = i * SAMPLE_STRIDE;
    return {
      frame: d[at]!,
      ack_frame: d[at + 1]!,
      sample_rtt: d[at + 2]!,
      estimated_rtt: d[at + 3]!,
      dev_rtt: d[at + 4]!,
      timeout_interval: d[at + 5]!,
    };
  }
}

export interface RttSample {
  /** Frame of the segment measured, frame of the ACK, SampleRTT and the estimator after it (seconds). */
  readonly frame: number;
  readonly ack_frame: number;
  readonly sample_rtt: number;
  readonly estimated_rtt: number;
  readonly dev_rtt: number;
  readonly timeout_interval: number;
}

/** Samples kept per direction for the connection record: the textbook lab asks for the first six. */
export const FIRST_SAMPLES = 8;
/** Numbers per kept sample, in `RttSample`'s order. */
const SAMPLE_STRIDE = 6;

/**
 * The result of one packet, written into one reused object (read it before the next packet).
 * Numbers that do not apply are -1.
 */
export class TcpPacketAnalysis {
  bits = 0;
  relSeq = 0;
  /** Relative ACK, or -1 when the ACK flag is off. */
  relAck = -1;
  /** Window in bytes after scaling (as `tcp.window_size`), and the raw field. */
  windowSize = DOUBLE_ZERO;
  dupAckNum = 0;
  dupAckFrame = 0;
  /** Frame this packet acknowledges (0: none) and the time since it (`tcp.analysis.ack_rtt`, seconds; negative when capture time ran backwards). */
  ackedFrame = 0;
  ackRtt = DOUBLE_MINUS_ONE;
  /** Karn's SampleRTT: as ackRtt, but none when the acknowledged segment was retransmitted. */
  sampleRtt = DOUBLE_MINUS_ONE;
  bytesInFlight = -1;
}

/** The SYN options the analyzer reads (the decoder's `TcpOptions` fits). */
export interface SynOptions {
  mss?: number;
  window_scale?: number;
  sack_permitted?: boolean;
}

export class TcpAnalyzer {
  readonly sides: [TcpSideAnalysis, TcpSideAnalysis];
  private readonly t0sec: number;
  private readonly t0ns: number;
  /** Time of the most recent SYN, and the handshake RTT (SYN to the ACK of the SYN-ACK) in ns, or -1. */
  private synTime = DOUBLE_MINUS_ONE;
  firstRttNs = DOUBLE_MINUS_ONE;
  readonly result = new TcpPacketAnalysis();

  constructor(firstSec: number, firstNs: number, maxUnacked: number) {
    this.t0sec = firstSec;
    this.t0ns = firstNs;
    this.sides = [new TcpSideAnalysis(maxUnacked), new TcpSideAnalysis(maxUnacked)];
  }

  /** Nanoseconds since the connection's first packet. */
  timeOf(sec: number, ns: number): number {
    // A double factor: the product passes 2^31 after 2.1 s, and with an integer factor V8
    // first optimises this for small integers and deoptimises ("overflow") when it does.
    return (sec - this.t0sec) * NANOS_IN_SECOND + (ns - this.t0ns);
  }

  /**
   * One segment from `side`. `options` are the SYN's (MSS, window scale, SACK permitted).
   * Returns the reused result. Allocates nothing but the side's lazily made records (its
   * unacknowledged list's growth, its flag counts, RTT estimator and series, once each).
   */
  packet(
    side: 0 | 1,
    seq: number,
    ack: number,
    flags: number,
    window: number,
    seglen: number,
    frame: number,
    sec: number,
    ns: number,
    syn: SynOptions | null,
  ): TcpPacketAnalysis {
    const now = this.timeOf(sec, ns);
    const fwd = this.sides[side];
    const rev = this.sides[side ^ 1]!;
    const r = this.result;
    const isSyn = (flags & SYN) !== 0;
    const hasAck = (flags & ACK) !== 0;
    const sfr = flags & (SYN | FIN | RST);

    if (isSyn) this.syn(fwd, rev, flags, syn, now);
    // Relative numbers: the ISN from a SYN; else one before the first sequence number seen,
    // or one before the peer's first ACK of it, as Wireshark does for connections caught mid-way.
    if (fwd.base < 0) fwd.base = isSyn ? seq : (seq - 1) >>> 0;
    if (hasAck && rev.base < 0) rev.base = (ack - 1) >>> 0;
    if (!isSyn && hasAck && this.firstRttNs < 0 && this.synTime >= 0 && rev.sawSyn && fwd.sawSyn) this.firstRttNs = now - this.synTime;

    let bits = 0;
    r.dupAckNum = 0;
    r.dupAckFrame = 0;
    // NONE (-1) never equals a sequence number, ACK or window (all >= 0): a comparison with
    // one that is not known yet is false, as a comparison with null was.
    const nextSeq = fwd.nextSeq;
    const known = nextSeq >= 0;
    checks: {
      // Zero-window probe: one byte at the next expected number while the peer's window is 0.
      if (seglen === 1 && seq === nextSeq && rev.window === 0) {
        bits |= A_ZERO_WINDOW_PROBE;
        break checks;
      }
      if (window === 0 && sfr === 0) bits |= A_ZERO_WINDOW;
      // A segment beyond the next expected number: the one before it was not captured.
      if (known && seqDiff(seq, nextSeq) > 0 && (flags & RST) === 0) {
        bits |= A_LOST_PACKET;
        fwd.validBif = false;
      }
      if (seglen <= 1 && sfr === 0 && known && ((nextSeq - 1) >>> 0) === seq) bits |= A_KEEP_ALIVE;
      const sameAck = seq === nextSeq && ack === fwd.lastAck && sfr === 0;
      if (seglen === 0 && window !== 0 && fwd.window >= 0 && window !== fwd.window && sameAck) bits |= A_WINDOW_UPDATE;
      if (seglen > 0 && rev.scale !== SCALE_UNKNOWN && rev.lastAck >= 0 && rev.window >= 0 && sfr === 0) {
        const shift = rev.windowFromSyn || rev.scale === SCALE_NONE ? 0 : rev.scale;
        if (((seq + seglen) >>> 0) === ((rev.lastAck + rev.window * 2 ** shift) >>> 0)) bits |= A_WINDOW_FULL;
      }
      if (seglen === 0 && sameAck && window === fwd.window) {
        if (window !== 0 && rev.lastBits & A_KEEP_ALIVE) {
          bits |= A_KEEP_ALIVE_ACK;
          break checks;
        }
        if (window === 0 && rev.lastBits & A_ZERO_WINDOW_PROBE) {
          bits |= A_ZERO_WINDOW_PROBE_ACK;
          break checks;
        }
        if (window !== 0) {
          fwd.dupAcks++;
          bits |= A_DUPLICATE_ACK;
          r.dupAckNum = fwd.dupAcks;
          r.dupAckFrame = fwd.lastNonDupAck;
        }
      }
    }
    if (ack !== fwd.lastAck) {
      fwd.lastNonDupAck = frame;
      fwd.dupAcks = 0;
    }
    // An ACK beyond anything the peer was seen to send: its segment was not captured.
    if (hasAck && rev.maxSeqToBeAcked >= 0 && seqDiff(ack, rev.maxSeqToBeAcked) > 0) {
      bits |= A_ACK_LOST_PACKET;
      rev.maxSeqToBeAcked = rev.nextSeq;
    }

    // Data (or SYN/FIN) that does not advance the sequence: which kind of resend it is.
    const synFin = flags & (SYN | FIN) ? 1 : 0;
    const end = (seq + seglen + synFin) >>> 0;
    let resent = false;
    if ((seglen > 0 || synFin) && !(bits & A_KEEP_ALIVE)) {
      let notAdvanced = known && seqDiff(seq, nextSeq) < 0;
      // New data starting one byte early follows a zero-window probe: not a resend.
      if (seglen > 1 && known && ((nextSeq - 1) >>> 0) === seq) notAdvanced = false;
      resent = notAdvanced;
      const oooThreshold = this.firstRttNs > 0 ? this.firstRttNs : OOO_DEFAULT_NS;
      if (seglen > 0 && rev.lastAck > 0 && seqDiff((seq + seglen) >>> 0, rev.lastAck) <= 0) {
        bits |= A_SPURIOUS_RETRANSMISSION;
        resent = true;
      } else if (notAdvanced && rev.dupAcks >= 2 && rev.lastAck === seq && now - rev.lastAckTime < FAST_RETRANSMIT_NS) {
        bits |= A_FAST_RETRANSMISSION;
      } else if (notAdvanced && now - fwd.nextSeqTime < oooThreshold && nextSeq !== end) {
        bits |= A_OUT_OF_ORDER;
        resent = false;
      } else if (notAdvanced) {
        bits |= A_RETRANSMISSION;
      }
    }

    // Record the segment (data, SYN or FIN); then advance the expected sequence number: any
    // segment does, a pure ACK too (it tells where the sender is), a zero-window probe not.
    if (seglen > 0 || synFin) {
      // Only data segments give the textbook's SampleRTT (SYN and FIN are acknowledged too, for ack_rtt).
      if (!fwd.unacked.push(seq, end, now, frame, resent || seglen === 0)) fwd.overflowed = true;
    }
    // The time-sequence graph (Stevens): where each data segment sits, and which were resent.
    if (seglen > 0) {
      const resentBits = A_RETRANSMISSION | A_FAST_RETRANSMISSION | A_SPURIOUS_RETRANSMISSION;
      (fwd.throughput ??= new ThroughputSeries()).segment(now, (seq - fwd.base) >>> 0, seglen, (bits & resentBits) !== 0);
    }
    const probe = (bits & A_ZERO_WINDOW_PROBE) !== 0;
    if (!probe && (!known || seqDiff(end, nextSeq) > 0)) {
      if (seglen > 0) {
        const fresh = !known ? seglen : Math.min(seglen, seqDiff(end, nextSeq));
        fwd.newBytes += fresh;
        (fwd.throughput ??= new ThroughputSeries()).add(now, fresh);
      }
      fwd.nextSeq = end;
      fwd.nextSeqTime = now;
    }
    // The highest contiguous sequence number sent: an ACK beyond it acknowledges something unseen.
    if (!probe && (fwd.maxSeqToBeAcked < 0 || seq === fwd.maxSeqToBeAcked)) fwd.maxSeqToBeAcked = fwd.nextSeq;
    if (flags & FIN) fwd.finSeen = true;
    fwd.window = window;
    fwd.windowFromSyn = isSyn;
    fwd.lastAck = ack;
    fwd.lastAckTime = now;
    if (hasAck) rev.validBif = true;

    // Which of the peer's segments this ACK acknowledges, and the round trip.
    r.ackedFrame = 0;
    r.ackRtt = -1;
    r.sampleRtt = -1;
    const unacked = rev.unacked;
    if (hasAck && unacked.length) {
      const ackedFrame = unacked.ack(ack);
      if (ackedFrame !== 0) {
        const rtt = (now - unacked.matchTime) / 1e9;
        r.ackedFrame = ackedFrame;
        r.ackRtt = rtt;
        // Karn: no sample from a resent segment; none either when time ran backwards.
        if (!unacked.matchNoSample && rtt >= 0) {
          r.sampleRtt = rtt;
          this.sample(rev, ackedFrame, frame, now, rtt);
        }
      }
    }

    // Bytes in flight after this segment: sent and not yet acknowledged by the peer.
    r.bytesInFlight = -1;
    if (seglen > 0 && fwd.validBif && rev.lastAck >= 0 && fwd.maxSeqToBeAcked >= 0) {
      const inFlight = seqDiff(fwd.maxSeqToBeAcked, rev.lastAck);
      if (inFlight > 0) {
        r.bytesInFlight = inFlight;
        if (inFlight > fwd.maxBytesInFlight) fwd.maxBytesInFlight = inFlight;
      }
    }

    fwd.lastBits = bits;
    fwd.segments++;
    fwd.payloadBytes += seglen;
    if (bits) {
      const c = (fwd.counts ??= new Uint32Array(16));
      for (let b = bits; b; b &= b - 1) c[31 - Math.clz32(b & -b)]!++;
    }
    r.bits = bits;
    r.relSeq = (seq - fwd.base) >>> 0;
    r.relAck = hasAck ? (ack - rev.base) >>> 0 : -1;
    r.windowSize = isSyn || fwd.scale < 0 ? window : window * 2 ** fwd.scale;
    return r;
  }

  /** A SampleRTT of `s`'s segment (frame `frame`), measured by the ACK in `ackFrame` at `now`. */
  private sample(s: TcpSideAnalysis, frame: number, ackFrame: number, now: number, rtt: number): void {
    (s.throughput ??= new ThroughputSeries()).rtt(now, rtt);
    const e = (s.rtt ??= new RttEstimator());
    e.add(rtt);
    const n = s.firstSampleCount;
    if (n < FIRST_SAMPLES) {
      // Grown by one sample at a time to exactly its length: assigning past the end would
      // give V8's 1.5x + 16 slots (17-77 for 6-48 numbers), held by thousands of open connections.
      const at = n * SAMPLE_STRIDE;
      const old = s.firstSamples;
      const d = doubleArrayOf(at + SAMPLE_STRIDE);
      for (let i = 0; i < at; i++) d[i] = old![i]!;
      s.firstSamples = d;
      d[at] = frame;
      d[at + 1] = ackFrame;
      d[at + 2] = rtt;
      d[at + 3] = e.estimated;
      d[at + 4] = e.dev;
      d[at + 5] = e.timeout;
      s.firstSampleCount = n + 1;
    }
  }

  /** A SYN or SYN-ACK: options, the ISN, and whether window scaling is on (RFC 7323 §2.2). */
  private syn(fwd: TcpSideAnalysis, rev: TcpSideAnalysis, flags: number, o: SynOptions | null, now: number): void {
    fwd.sawSyn = true;
    if (o !== null && o.mss !== undefined) fwd.mss = o.mss;
    fwd.wscaleOption = o !== null && o.window_scale !== undefined ? o.window_scale : NONE;
    fwd.sackPermitted = o !== null && o.sack_permitted !== undefined ? o.sack_permitted : false;
    if (!(flags & ACK)) {
      this.synTime = now;
      // Until the SYN-ACK says otherwise, the SYN's offer stands for this side.
      fwd.scale = fwd.wscaleOption >= 0 ? Math.min(fwd.wscaleOption, 14) : SCALE_NONE;
      return;
    }
    // The SYN-ACK decides: scaling is used only when both sides offered it.
    if (fwd.wscaleOption >= 0 && rev.wscaleOption >= 0) {
      fwd.scale = Math.min(fwd.wscaleOption, 14);
      rev.scale = Math.min(rev.wscaleOption, 14);
    } else if (fwd.wscaleOption >= 0) {
      // The SYN was not captured: this side's shift is known, the other side's is not.
      fwd.scale = rev.sawSyn ? SCALE_NONE : Math.min(fwd.wscaleOption, 14);
      if (rev.sawSyn) rev.scale = SCALE_NONE;
    } else {
      fwd.scale = SCALE_NONE;
      if (rev.sawSyn) rev.scale = SCALE_NONE;
    }
  }
}
