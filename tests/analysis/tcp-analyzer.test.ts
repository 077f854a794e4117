/**
 * Wireshark's TCP analysis rules and the Kurose & Ross estimator, on hand-made segments:
 * one connection, client side 0, server side 1, ISNs 1000 and 5000.
 */
import { describe, expect, it } from 'vitest';
import { TcpAnalyzer } from '../../src/analysis/tcp/analyzer.js';
import { flagNames, infoLabels } from '../../src/analysis/tcp/flags.js';
import { RttEstimator } from '../../src/analysis/tcp/rtt-estimator.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

/** A connection with a handshake done; `t(ms)` gives the time; `send` returns the flag names. */
function connection(opts: { wscale?: boolean } = {}) {
  const a = new TcpAnalyzer(100, 0, 10_000);
  let frame = 0;
  const send = (side: 0 | 1, seq: number, ack: number, flags: number, len: number, ms: number, window = 1000, syn: { mss?: number; window_scale?: number; sack_permitted?: boolean } | null = null) => {
    const r = a.packet(side, seq >>> 0, ack >>> 0, flags, window, len, ++frame, 100 + Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6), syn);
    return { names: flagNames(r.bits), r: { ...r }, frame };
  };
  const ws = opts.wscale ? { mss: 1460, window_scale: 7, sack_permitted: true } : { mss: 1460 };
  send(0, 1000, 0, SYN, 0, 0, 64240, ws);
  send(1, 5000, 1001, SYN | ACK, 0, 10, 65160, ws);
  send(0, 1001, 5001, ACK, 0, 20, 1000);
  return { a, send };
}

describe('TCP analysis: Wireshark flags', () => {
  it('numbers relative to the ISN, handshake RTT, no flags on a clean exchange', () => {
    const { a, send } = connection();
    const d = send(0, 1001, 5001, ACK | PSH, 100, 30);
    expect(d.names).toEqual([]);
    expect(d.r.relSeq).toBe(1);
    expect(d.r.relAck).toBe(1);
    const reply = send(1, 5001, 1101, ACK, 0, 40);
    expect(reply.r.ackedFrame).toBe(4);
    expect(reply.r.ackRtt).toBeCloseTo(0.01, 9);
    expect(reply.r.relAck).toBe(101);
    expect(a.firstRttNs).toBe(20_000_000);
  });

  it('retransmission, then duplicate ACKs counted, then a fast retransmission within 20 ms', () => {
    const { send } = connection();
    send(0, 1001, 5001, ACK, 100, 30);
    send(0, 1101, 5001, ACK, 100, 31); // lost on the way
    send(0, 1201, 5001, ACK, 100, 32);
    expect(send(1, 5001, 1101, ACK, 0, 60).names).toEqual([]);
    const d1 = send(1, 5001, 1101, ACK, 0, 61);
    expect(d1.names).toEqual(['duplicate_ack']);
    expect(d1.r.dupAckNum).toBe(1);
    expect(d1.r.dupAckFrame).toBe(7);
    expect(send(1, 5001, 1101, ACK, 0, 62).r.dupAckNum).toBe(2);
    expect(infoLabels(send(1, 5001, 1101, ACK, 0, 63).r.bits, 7, 3)).toBe('[TCP Dup ACK 7#3] ');
    expect(send(0, 1101, 5001, ACK, 100, 64).names).toEqual(['fast_retransmission']);
    // Much later, the same bytes again: a plain retransmission (no recent duplicate ACKs).
    expect(send(0, 1101, 5001, ACK, 100, 900).names).toEqual(['retransmission']);
  });

  it('previous segment not captured, ACKed unseen segment, spurious retransmission', () => {
    const { send } = connection();
    send(0, 1001, 5001, ACK, 100, 30);
    expect(send(0, 1201, 5001, ACK, 100, 31).names).toEqual(['lost_segment']);
    expect(send(1, 5001, 1301, ACK, 0, 40).names).toEqual(['ack_lost_segment']);
    expect(send(0, 1001, 5001, ACK, 100, 900).names).toEqual(['spurious_retransmission']);
  });

  it('zero window, zero-window probe, its ACK, window update; keep-alive and its ACK', () => {
    const { send } = connection();
    send(0, 1001, 5001, ACK, 100, 30);
    expect(send(1, 5001, 1101, ACK, 0, 40, 0).names).toEqual(['zero_window']);
    expect(send(0, 1101, 5001, ACK, 1, 300).names).toEqual(['zero_window_probe']);
    // Wireshark checks the zero window before the probe's ACK, so both are set.
    expect(send(1, 5001, 1101, ACK, 0, 310, 0).names).toEqual(['zero_window', 'zero_window_probe_ack']);
    expect(send(1, 5001, 1101, ACK, 0, 500, 2000).names).toEqual(['window_update']);
    expect(send(0, 1100, 5001, ACK, 0, 9000).names).toEqual(['keep_alive']);
    expect(send(1, 5001, 1101, ACK, 0, 9001, 2000).names).toEqual(['keep_alive_ack']);
  });

  it('window full against the scaled window; window_size is scaled after the handshake', () => {
    const { send } = connection({ wscale: true });
    // The server advertised 100 << 7 = 12800 bytes from ACK 1001.
    send(1, 5001, 1001, ACK, 0, 25, 100);
    const full = send(0, 1001, 5001, ACK, 12800, 30, 10);
    expect(full.names).toEqual(['window_full']);
    expect(full.r.windowSize).toBe(10 * 128);
  });

  it('a retransmitted SYN and an out-of-order segment', () => {
    const a = new TcpAnalyzer(0, 0, 100);
    a.packet(0, 1000, 0, SYN, 1000, 0, 1, 0, 0, null);
    expect(flagNames(a.packet(0, 1000, 0, SYN, 1000, 0, 2, 1, 0, null).bits)).toEqual(['retransmission']);
    a.packet(1, 5000, 1001, SYN | ACK, 1000, 0, 3, 1, 1000, null);
    a.packet(0, 1001, 5001, ACK, 1000, 0, 4, 1, 2000, null);
    a.packet(0, 1101, 5001, ACK, 1000, 100, 5, 1, 3000, null);
    // Within the handshake RTT of the highest segment: reordered, not resent.
    expect(flagNames(a.packet(0, 1001, 5001, ACK, 1000, 100, 6, 1, 3100, null).bits)).toEqual(['out_of_order']);
    a.packet(0, 1201, 5001, FIN | ACK, 1000, 0, 7, 1, 4000, null);
  });
});

describe('Kurose & Ross RTT estimation', () => {
  it('EstimatedRTT (α = 1/8), DevRTT (β = 1/4), TimeoutInterval = EstimatedRTT + 4·DevRTT', () => {
    const e = new RttEstimator();
    e.add(0.1);
    expect(e.estimated).toBe(0.1);
    expect(e.dev).toBe(0.05);
    e.add(0.2);
    expect(e.dev).toBeCloseTo(0.75 * 0.05 + 0.25 * 0.1, 12);
    expect(e.estimated).toBeCloseTo(0.875 * 0.1 + 0.125 * 0.2, 12);
    expect(e.timeout).toBeCloseTo(e.estimated + 4 * e.dev, 12);
  });

  it("Karn's rule: a retransmitted segment gives an ACK RTT (Wireshark's) but no SampleRTT", () => {
    const { a, send } = connection();
    send(0, 1001, 5001, ACK, 100, 30);
    send(0, 1001, 5001, ACK, 100, 500); // resent
    const ack = send(1, 5001, 1101, ACK, 0, 510);
    expect(ack.r.ackRtt).toBeCloseTo(0.48, 9); // from the first transmission, as Wireshark
    expect(ack.r.sampleRtt).toBe(-1);
    expect(a.sides[0].rtt).toBeNull();
    send(0, 1101, 5001, ACK, 100, 600);
    expect(send(1, 5001, 1201, ACK, 0, 650).r.sampleRtt).toBeCloseTo(0.05, 9);
    expect(a.sides[0].rtt?.samples).toBe(1);
  });
});

describe('graph data over time (time-sequence, throughput, SampleRTT)', () => {
  it('buckets each data segment by time with its relative sequence range, resent ones counted, SampleRTT at the ACK', () => {
    const { a, send } = connection();
    // Client data at 30 ms and 35 ms (bucket 3), the second resent at 255 ms (bucket 25).
    send(0, 1001, 5001, ACK | PSH, 100, 30);
    send(0, 1101, 5001, ACK | PSH, 100, 35);
    send(0, 1101, 5001, ACK | PSH, 100, 255);
    send(1, 5001, 1201, ACK, 0, 260);
    const t = a.sides[0].throughput!;
    expect(t.width).toBe(10_000_000);
    expect(t.buckets![3]).toBe(200);
    expect(t.seqMin![3]).toBe(1);
    expect(t.seqMax![3]).toBe(201);
    expect(t.resent![3]).toBe(0);
    expect(t.seqMin![25]).toBe(101);
    expect(t.resent![25]).toBe(1);
    expect(t.seqMin![10]).toBe(-1);
    // The ACK at 260 ms acknowledges the resent segment: Karn, no sample. The handshake ACK's sample is the SYN's, not data.
    expect(t.rttCount).toBeNull();
  });

  it('stays at 128 buckets: a long connection doubles the width and merges, keeping lows, highs and counts', () => {
    const { a, send } = connection();
    let seq = 1001;
    for (let ms = 30; ms < 5030; ms += 10) {
      send(0, seq, 5001, ACK, 10, ms);
      send(1, 5001, seq + 10, ACK, 0, ms + 1);
      seq += 10;
    }
    const t = a.sides[0].throughput!;
    expect(t.buckets!.length).toBeLessThanOrEqual(128);
    expect(t.width).toBe(40_000_000);
    expect(t.buckets!.reduce((x, y) => x + y, 0)).toBe(5000);
    expect(t.seqMin![0]).toBe(1);
    expect(t.seqMax![t.seqMax!.length - 1]).toBe(5001);
    for (let i = 1; i < t.seqMax!.length; i++) if (t.seqMax![i]! >= 0) expect(t.seqMax![i]).toBeGreaterThan(t.seqMax![i - 1]!);
    expect(t.rttCount!.reduce((x, y) => x + y, 0)).toBe(500);
    expect(t.rttSum!.reduce((x, y) => x + y, 0)).toBeCloseTo(0.5, 9);
  });
});
