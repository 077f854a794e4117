/**
 * The pictures' pure functions (src/tui/model/graph.ts, flow-graphs.ts): shapes checked on
 * the characters drawn, not on snapshots: a monotone sequence climbs left to right, a
 * retransmission's `×` sits at its time's column and its sequence number's row, bars grow
 * with their values, an I/O graph counts frames per picked interval.
 */
import { describe, expect, it } from 'vitest';
import { A_RETRANSMISSION } from '../../src/analysis/tcp/flags.js';
import type { PacketRow } from '../../src/packets/flow-packets.js';
import { hexDump, hexLine } from '../../src/packets/hex.js';
import { IoBins, MAX_IO_BINS, parseInterval } from '../../src/packets/io-graph.js';
import { bars, BrailleCanvas, resample, scale } from '../../src/plot/graph.js';
import { columnOf, ioGraph, plotCols, rttGraph, timeSequenceGraph, type GraphOptions } from '../../src/tui/model/flow-graphs.js';
import { plain } from '../../src/tui/model/lines.js';

const BLANK = 0x2800;

function row(over: Partial<PacketRow>): PacketRow {
  return {
    frame: 1,
    time: 0,
    dir: 's2c',
    protocol: 'TCP',
    length: 0,
    info: '',
    tcpFlags: 0x10,
    seq: 1,
    ack: 1,
    len: 0,
    window: 65535,
    bits: 0,
    dupAckNum: 0,
    dupAckFrame: 0,
    ackedFrame: 0,
    ackRtt: -1,
    sampleRtt: -1,
    bytesInFlight: -1,
    detail: null,
    ...over,
  };
}

const OPTS: GraphOptions = { width: 80, plotRows: 10, ioInterval: null, client: 'c:1', server: 's:2' };

/** The plot rows of a framed graph (between the title and the x axis), without the y labels. */
function plotRowsOf(lines: string[], rows: number): string[] {
  return lines.slice(1, 1 + rows).map((l) => [...l].slice(9).join(''));
}

/** For each column, the highest row (0 = top) that has anything drawn, or -1. */
function topRowPerColumn(plot: string[]): number[] {
  const cols = Math.max(...plot.map((l) => [...l].length));
  const out: number[] = [];
  for (let c = 0; c < cols; c++) {
    let top = -1;
    for (let r = 0; r < plot.length && top < 0; r++) {
      const ch = [...plot[r]!][c];
      if (ch && ch !== ' ' && ch.codePointAt(0) !== BLANK) top = r;
    }
    out.push(top);
  }
  return out;
}

describe('BrailleCanvas', () => {
  it('puts dot (0, 0) at the bottom left and (1, 3) at the top right of that cell', () => {
    const c = new BrailleCanvas(2, 2);
    c.dot(0, 0);
    expect(c.text()).toEqual(['  ', '\u2840 ']);
    c.dot(1, 3);
    expect(c.text()[1]![0]).toBe(String.fromCharCode(0x2800 | 0x40 | 0x08));
    c.dot(3, 7);
    expect(c.text()[0]![1]).toBe(String.fromCharCode(0x2800 | 0x08));
    // Outside the canvas: ignored, never thrown.
    c.dot(-1, 0);
    c.dot(4, 8);
    expect(c.text()).toHaveLength(2);
  });

  it('a mark replaces the cell it falls in; a line covers every column between its ends', () => {
    const c = new BrailleCanvas(10, 3);
    c.line(0, 0, 19, 11);
    const t = c.text();
    for (let col = 0; col < 10; col++) expect(t.some((r) => r[col] !== ' ')).toBe(true);
    c.mark(9, 5, '×', 'red');
    expect(c.text()[1]![4]).toBe('×');
  });
});

describe('time-sequence graph (Stevens)', () => {
  // Ten 1000-byte segments, one every 100 ms; the fourth is sent again at 0.95 s.
  const rows: PacketRow[] = [];
  for (let i = 0; i < 10; i++) rows.push(row({ frame: 2 * i + 1, time: i * 0.1, seq: 1 + i * 1000, len: 1000 }));
  rows.push(row({ frame: 30, time: 0.95, seq: 3001, len: 1000, bits: A_RETRANSMISSION }));
  rows.sort((a, b) => a.time - b.time);

  it('climbs left to right for a monotone sequence', () => {
    expect(plain(timeSequenceGraph(rows, 's2c', OPTS)[0]!)).toContain('11 segments, 1 retransmitted');
    const lines = timeSequenceGraph(rows.filter((r) => !r.bits), 's2c', OPTS).map(plain);
    const tops = topRowPerColumn(plotRowsOf(lines, OPTS.plotRows)).filter((t) => t >= 0);
    expect(tops.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < tops.length; i++) expect(tops[i]!).toBeLessThanOrEqual(tops[i - 1]!);
    expect(tops[0]).toBeGreaterThan(tops[tops.length - 1]!);
  });

  it('marks the retransmission at its time and sequence number', () => {
    const lines = timeSequenceGraph(rows, 's2c', OPTS).map(plain);
    const plot = plotRowsOf(lines, OPTS.plotRows);
    const cols = plotCols(OPTS.width);
    const marks = plot.flatMap((l, r) => [...l].map((ch, c) => (ch === '×' ? [r, c] : null)).filter((x) => x !== null));
    expect(marks).toHaveLength(1);
    const [r, c] = marks[0]!;
    expect(c).toBe(columnOf(0.95, 0.95, cols));
    // Sequence 3001 of 10001 is in the lower third: the row counted from the bottom.
    const fromBottom = OPTS.plotRows - 1 - r!;
    expect(fromBottom).toBe(Math.floor(scale(3001, 0, 10001, OPTS.plotRows * 4) / 4));
  });

  it('a direction that sent nothing says so instead of drawing', () => {
    expect(plain(timeSequenceGraph(rows, 'c2s', OPTS)[0]!)).toContain('no data sent');
  });
});

describe('bars, resampling, RTT and I/O graphs', () => {
  it('bars grow with their values, eighth by eighth', () => {
    const b = bars([0, 4, 8], 2, 'green').map((segs) => segs.map((s) => s.text).join(''));
    expect(b).toEqual(['  █', ' ██']);
    const half = bars([1, 2], 1, 'green', 16).map((segs) => segs[0]!.text)[0]!;
    expect(half).toBe('▁▁');
  });

  it('resample sums neighbours into the columns there are', () => {
    expect(resample([1, 2, 3, 4, 5], 2)).toEqual({ values: [6, 9], per: 3 });
    expect(resample([1, 2], 5)).toEqual({ values: [1, 2], per: 1 });
  });

  it('plots SampleRTT where ACKs measured one, higher for a longer round trip', () => {
    const rs = [row({ time: 0 }), row({ time: 0.5, dir: 'c2s', sampleRtt: 0.01 }), row({ time: 1, dir: 'c2s', sampleRtt: 0.04 })];
    const lines = rttGraph(rs, OPTS).map(plain);
    expect(lines[0]).toContain('2 samples, 10 ms to 40 ms');
    const tops = topRowPerColumn(plotRowsOf(lines, OPTS.plotRows));
    const drawn = tops.map((t, c) => [t, c]).filter(([t]) => t! >= 0);
    // The last sample (40 ms) is at the top row, the first one lower.
    expect(drawn[drawn.length - 1]![0]).toBe(0);
    expect(drawn[0]![0]).toBeGreaterThan(0);
  });

  it('counts frames per picked interval', () => {
    const rs = [0, 0.1, 0.2, 1.5, 2.9, 2.95].map((t, i) => row({ frame: i + 1, time: 10 + t }));
    const lines = ioGraph(rs, { ...OPTS, ioInterval: 1 }).map(plain);
    expect(lines[0]).toContain('frames per 1 s; peak 3');
    const plot = plotRowsOf(lines, 5);
    // Three intervals: 3 frames, 1 frame, 2 frames; the first column is the full bar.
    expect(plot[0]!.slice(0, 3)).toBe('█  ');
    expect(plot[plot.length - 1]!.slice(0, 3).split('').every((ch) => ch !== ' ')).toBe(true);
  });
});

describe('I/O graph bins (packets --io-interval)', () => {
  it('cuts time in integer nanoseconds: a frame on a boundary starts the next bin', () => {
    const b = new IoBins(0.1);
    b.add(0, 60);
    b.add(99_999_999, 60);
    b.add(100_000_000, 1500);
    b.add(300_000_000, 60);
    expect(b.frames).toEqual([2, 1, 0, 1]);
    expect(b.bytes).toEqual([120, 1500, 0, 60]);
  });

  it('doubles the interval past MAX_IO_BINS bins, keeping every frame', () => {
    const b = new IoBins(1e-6);
    for (let i = 0; i < 3 * MAX_IO_BINS; i += 7) b.add(i * 1000, 1);
    expect(b.frames.length).toBeLessThanOrEqual(MAX_IO_BINS);
    expect(b.frames.reduce((a, x) => a + x, 0)).toBe(Math.ceil((3 * MAX_IO_BINS) / 7));
    expect(b.interval).toBe(4e-6);
  });

  it('parses seconds and refuses the rest', () => {
    expect(parseInterval('0.01')).toBe(0.01);
    expect(parseInterval('1e-3')).toBe(0.001);
    for (const bad of ['0', '-1', 'abc', '', '1s', 'Infinity']) expect(parseInterval(bad)).toBeNull();
  });
});

describe('hex dump', () => {
  it('prints offset, sixteen bytes with a gap after eight, and ASCII, as tshark -x', () => {
    const bytes = Uint8Array.from([...'GET / HTTP/1.1\r\nHost'].map((c) => c.charCodeAt(0)));
    expect(hexLine(bytes, 0)).toBe('0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..');
    expect(hexDump(bytes)[1]).toBe('0010  48 6f 73 74' + ' '.repeat(3 * 12 + 1) + '  Host');
    expect(hexDump(new Uint8Array(0))).toEqual([]);
  });
});
