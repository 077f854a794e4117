import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seqAdd } from '../../src/reassembly/seq.js';
import { ReassemblyBudget, TcpDirection } from '../../src/reassembly/stream.js';

interface Out {
  bytes: number[];
  gaps: number[];
  anomalies: string[];
  finished: boolean;
}

function direction(perFlow = 1 << 20, total = 1 << 24) {
  const out: Out = { bytes: [], gaps: [], anomalies: [], finished: false };
  const budget = new ReassemblyBudget(total);
  const d = new TcpDirection(
    {
      data: (b) => out.bytes.push(...b),
      gap: (n) => out.gaps.push(n),
      finished: () => (out.finished = true),
      anomaly: (code) => out.anomalies.push(code),
    },
    perFlow,
    budget,
  );
  return { d, out, budget };
}

const bytes = (s: string) => Uint8Array.from(Buffer.from(s));
const text = (o: Out) => Buffer.from(o.bytes).toString();

describe('TcpDirection', () => {
  it('passes in-order data straight through and finishes at the FIN', () => {
    const { d, out } = direction();
    d.syn(1000);
    d.segment(1001, bytes('hello '));
    d.segment(1007, bytes('world'));
    d.fin(1012);
    expect(text(out)).toBe('hello world');
    expect(out.finished).toBe(true);
    expect(out.gaps).toEqual([]);
  });

  it('queues out-of-order data until the hole is filled', () => {
    const { d, out } = direction();
    d.syn(0);
    d.segment(7, bytes('world'));
    expect(text(out)).toBe('');
    d.segment(1, bytes('hello '));
    expect(text(out)).toBe('hello world');
  });

  it('handles sequence numbers wrapping past 2^32', () => {
    const { d, out } = direction();
    const isn = 0xfffffffa;
    d.syn(isn);
    d.segment(seqAdd(isn, 1), bytes('abcdef'));
    d.segment(seqAdd(isn, 7), bytes('ghij'));
    d.fin(seqAdd(isn, 11));
    expect(text(out)).toBe('abcdefghij');
    expect(out.finished).toBe(true);
  });

  it('reports a retransmission with different bytes', () => {
    const { d, out } = direction();
    d.syn(0);
    d.segment(1, bytes('abcdef'));
    d.segment(1, bytes('abcdef'));
    expect(out.anomalies).toEqual([]);
    d.segment(3, bytes('XY'));
    expect(out.anomalies).toEqual(['tcp.retransmission_inconsistent']);
    expect(text(out)).toBe('abcdef');
    expect(d.retransmissions).toBe(2);
  });

  it('delivers only the new tail of an overlapping segment', () => {
    const { d, out } = direction();
    d.syn(0);
    d.segment(1, bytes('abc'));
    d.segment(2, bytes('bcdef'));
    expect(text(out)).toBe('abcdef');
  });

  it('ignores keep-alives (one byte below the next sequence number)', () => {
    const { d, out } = direction();
    d.syn(0);
    d.segment(1, bytes('abc'));
    d.segment(3, bytes('\0'));
    expect(out.anomalies).toEqual([]);
    expect(text(out)).toBe('abc');
  });

  it('starts mid-stream without a SYN', () => {
    const { d, out } = direction();
    d.segment(5000, bytes('GET / HTTP/1.1\r\n'));
    expect(text(out)).toBe('GET / HTTP/1.1\r\n');
  });

  it('declares a gap when the peer acknowledges past a hole', () => {
    const { d, out } = direction();
    d.syn(0);
    d.segment(1, bytes('aaaa'));
    d.segment(9, bytes('cccc'));
    d.acked(13);
    expect(out.gaps).toEqual([4]);
    expect(text(out)).toBe('aaaacccc');
    expect(d.missed).toBe(4);
  });

  it('declares a gap when the queue outgrows its limit', () => {
    const { d, out } = direction(8);
    d.syn(0);
    d.segment(11, bytes('0123456789'));
    expect(out.anomalies).toContain('tcp.reassembly_limit');
    expect(out.gaps).toEqual([10]);
    expect(text(out)).toBe('0123456789');
  });

  it('flushes queued data as gaps at the end and counts bytes acknowledged but never seen', () => {
    const { d, out, budget } = direction();
    d.syn(0);
    d.segment(1, bytes('ab'));
    d.segment(5, bytes('ef'));
    d.flush();
    expect(out.gaps).toEqual([2]);
    expect(text(out)).toBe('abef');
    expect(budget.used).toBe(0);

    const second = direction();
    second.d.syn(0);
    second.d.segment(1, bytes('ab'));
    second.d.acked(101);
    second.d.flush();
    expect(second.out.gaps).toEqual([98]);
  });

  it('passes data carried on the SYN (TCP Fast Open) when the engine feeds it after syn()', () => {
    const { d, out } = direction();
    d.syn(100);
    d.segment(101, bytes('GET /'));
    expect(text(out)).toBe('GET /');
  });

  // The reassembly property: however segments are cut, shuffled, duplicated and overlapped,
  // the original stream comes out, with no gaps, when every byte was sent at least once.
  it('rebuilds the original stream from shuffled, duplicated and overlapping segments', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 60 })), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        (stream, isn, extra, order) => {
          // Cover every byte with consecutive cuts, then add random overlapping copies.
          const segments: Array<[number, number]> = [];
          for (let at = 0; at < stream.length; ) {
            const len = Math.min(stream.length - at, 1 + ((at * 7 + stream.length) % 23));
            segments.push([at, len]);
            at += len;
          }
          for (const [start, len] of extra) {
            const s = start % stream.length;
            segments.push([s, Math.min(len, stream.length - s)]);
          }
          // A deterministic shuffle driven by `order`.
          for (let i = 0; i < order.length && segments.length > 1; i++) {
            const a = order[i]! % segments.length;
            const b = (i * 31 + 7) % segments.length;
            [segments[a], segments[b]] = [segments[b]!, segments[a]!];
          }
          const { d, out } = direction();
          d.syn(isn);
          for (const [s, len] of segments) d.segment(seqAdd(isn, 1 + s), stream.subarray(s, s + len));
          d.fin(seqAdd(isn, 1 + stream.length));
          d.flush();
          expect(out.gaps).toEqual([]);
          expect(out.anomalies).toEqual([]);
          expect(Uint8Array.from(out.bytes)).toEqual(stream);
          expect(out.finished).toBe(true);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
