import { describe, expect, it } from 'vitest';
import { concat, pcapHeader, pcapRecord, readAll, tempFile, type PcapMagic } from './builders.js';

const A = Uint8Array.from([1, 2, 3, 4, 5]);
const B = Uint8Array.from([9, 8, 7]);

describe('pcap reader', () => {
  const magics: Array<[PcapMagic, string, string]> = [
    ['us-le', 'pcap', '1700000000.123456000'],
    ['us-be', 'pcap', '1700000000.123456000'],
    ['ns-le', 'pcap-nsec', '1700000000.000123456'],
    ['ns-be', 'pcap-nsec', '1700000000.000123456'],
  ];
  for (const [magic, format, firstTs] of magics) {
    it(`reads ${magic} files: format, link type, frames, timestamps, lengths`, async () => {
      const file = tempFile(concat(pcapHeader(magic, 1, 1500), pcapRecord(magic, 1700000000, 123456, A, 60), pcapRecord(magic, 1700000001, 999999, B)));
      const r = await readAll(file);
      expect(r.starts).toEqual([{ format, compressed: false }]);
      expect(r.summary.format).toBe(format);
      expect(r.summary.packets).toBe(2);
      expect(r.summary.interfaces).toEqual([{ link_type: 1, snaplen: 1500, ts_units_per_second: format === 'pcap' ? 1e6 : 1e9 }]);
      expect(r.interfaces.map((i) => i.index)).toEqual([0]);
      expect(r.packets.map((p) => p.frame)).toEqual([1, 2]);
      expect(r.packets[0]!.ts).toBe(firstTs);
      expect(r.packets[1]!.ts).toBe(format === 'pcap' ? '1700000001.999999000' : '1700000001.000999999');
      expect(r.packets[0]!.data).toEqual([1, 2, 3, 4, 5]);
      expect(r.packets[0]!.orig_len).toBe(60);
      expect(r.packets[1]!.data).toEqual([9, 8, 7]);
      expect(r.problems).toEqual([]);
      expect(r.summary.file_bytes).toBe(24 + 16 + 5 + 16 + 3);
    });
  }

  it('masks the FCS bits of the link-type field', async () => {
    const file = tempFile(concat(pcapHeader('us-le', 0x14000001), pcapRecord('us-le', 1, 0, A)));
    const r = await readAll(file);
    expect(r.packets[0]!.link_type).toBe(1);
  });

  it('carries a sub-second field of a second or more into the seconds', async () => {
    const file = tempFile(concat(pcapHeader('us-le', 1), pcapRecord('us-le', 10, 2_500_000, A)));
    expect((await readAll(file)).packets[0]!.ts).toBe('12.500000000');
  });

  it('reports caplen > snaplen once and still delivers the packets', async () => {
    const file = tempFile(concat(pcapHeader('us-le', 1, 4), pcapRecord('us-le', 1, 0, A), pcapRecord('us-le', 2, 0, A)));
    const r = await readAll(file);
    expect(r.packets).toHaveLength(2);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([['capture.snaplen_exceeded', 1]]);
  });

  it('stops at a record larger than 256 MiB, after delivering what came before', async () => {
    const bad = pcapRecord('us-le', 2, 0, new Uint8Array(0), 0, 300 * 1024 * 1024);
    const file = tempFile(concat(pcapHeader('us-le', 1), pcapRecord('us-le', 1, 0, A), bad, pcapRecord('us-le', 3, 0, B)));
    const r = await readAll(file);
    expect(r.packets).toHaveLength(1);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([['capture.packet_too_large', 2]]);
  });

  it('reports a file cut inside a record body with its frame number', async () => {
    const whole = concat(pcapHeader('us-be', 1), pcapRecord('us-be', 1, 0, A), pcapRecord('us-be', 2, 0, B));
    const r = await readAll(tempFile(whole.subarray(0, whole.length - 1)));
    expect(r.packets.map((p) => p.frame)).toEqual([1]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.code).toBe('capture.truncated');
    expect(r.problems[0]!.frame).toBe(2);
  });

  it('reports a file cut inside a record header', async () => {
    const whole = concat(pcapHeader('ns-le', 1), pcapRecord('ns-le', 1, 0, A), pcapRecord('ns-le', 2, 0, B));
    const r = await readAll(tempFile(whole.subarray(0, 24 + 16 + 5 + 7)));
    expect(r.packets).toHaveLength(1);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([['capture.truncated', 2]]);
  });

  it('accepts a header-only file with no packets', async () => {
    const r = await readAll(tempFile(pcapHeader('us-le', 101)));
    expect(r.summary.packets).toBe(0);
    expect(r.problems).toEqual([]);
  });

  it('rejects a file cut inside its 24-byte header', async () => {
    await expect(readAll(tempFile(pcapHeader('us-le', 1).subarray(0, 10)))).rejects.toThrow(/header cut short/);
  });

  it('carries records across 1 MiB chunk boundaries, including records larger than a chunk', async () => {
    const records: Uint8Array[] = [pcapHeader('us-le', 1, 0)];
    const sizes: number[] = [];
    let total = 24;
    for (let i = 0; total < 3.5 * 1024 * 1024; i++) {
      // Sizes chosen so records straddle the boundaries at many offsets; one is 1.5 MiB.
      const size = i === 7 ? 1536 * 1024 : (i * 7919) % 3001;
      const data = new Uint8Array(size);
      for (let k = 0; k < size; k++) data[k] = (k + i) & 0xff;
      records.push(pcapRecord('us-le', i, i, data));
      sizes.push(size);
      total += 16 + size;
    }
    const file = tempFile(concat(...records));
    let n = 0;
    let ok = true;
    const { readCapture } = await import('../../src/capture/index.js');
    const summary = await readCapture(file, {
      packet: (p) => {
        const i = p.frame - 1;
        if (p.data.length !== sizes[i]) ok = false;
        for (let k = 0; k < p.data.length; k += 97) if (p.data[k] !== ((k + i) & 0xff)) ok = false;
        if (p.ts.sec !== i || p.ts.ns !== i * 1000) ok = false;
        n++;
      },
      problem: () => {
        ok = false;
      },
    });
    expect(ok).toBe(true);
    expect(n).toBe(sizes.length);
    expect(summary.packets).toBe(sizes.length);
    expect(summary.file_bytes).toBe(total);
  });
});
