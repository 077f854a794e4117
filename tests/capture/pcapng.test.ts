import { describe, expect, it } from 'vitest';
import { block, Bytes, concat, endOfOptions, epb, idb, obsoletePb, option, readAll, shb, spb, tempFile } from './builders.js';
import { MAX_INTERFACES, MAX_LISTED_INTERFACES } from '../../src/capture/pcapng-reader.js';

const P1 = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01]);
const P2 = Uint8Array.from([0x11, 0x22]);
const P3 = Uint8Array.from([0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99]);

describe('pcapng reader', () => {
  it('reads several sections in both byte orders with interfaces of different resolutions, exactly', async () => {
    const LE = true;
    const BE = false;
    const comment = concat(option(LE, 1, new TextEncoder().encode('a comment')), endOfOptions(LE));
    const file = concat(
      shb(LE, concat(option(LE, 4, new TextEncoder().encode('test writer')), endOfOptions(LE))),
      idb(LE, 1, 65535, { name: 'eth0' }), // 10^-6 by default
      idb(LE, 101, 262144, { tsresol: 9 }), // 10^-9
      idb(LE, 113, 0, { tsresol: 0x8a }), // 2^-10
      idb(LE, 1, 0, { tsresol: 3, tsoffset: 100n }), // 10^-3, 100 s offset
      epb(LE, 0, 1700000000123456n, P1, 60, comment),
      epb(LE, 1, 1700000000123456789n, P2),
      epb(LE, 2, 1700000000n * 1024n + 1023n, P3),
      epb(LE, 3, 5500n, P1),
      shb(BE),
      idb(BE, 276, 1000, { tsresol: 0x9e }), // 2^-30
      idb(BE, 1, 65535, { tsresol: 0xa0 }), // 2^-32
      idb(BE, 1, 65535, { tsresol: 12 }), // 10^-12: beyond the fast path
      epb(BE, 0, (3n << 30n) | (1n << 29n), P2),
      epb(BE, 1, (1700000000n << 32n) | 0xffffffffn, P2),
      epb(BE, 2, 1000000_123456789_123n, P2), // picoseconds: 2^64 ps is only 213 days
      spb(BE, P3),
      obsoletePb(BE, 1, (7n << 32n) | (1n << 31n), P1),
    );
    const r = await readAll(tempFile(file));
    expect(r.problems).toEqual([]);
    expect(r.starts).toEqual([{ format: 'pcapng', compressed: false }]);
    expect(r.packets.map((p) => [p.frame, p.ts, p.link_type, p.interface_id])).toEqual([
      [1, '1700000000.123456000', 1, 0],
      [2, '1700000000.123456789', 101, 1],
      [3, '1700000000.999023437', 113, 2],
      [4, '105.500000000', 1, 3],
      [5, '3.500000000', 276, 0],
      [6, '1700000000.999999999', 1, 1],
      [7, '1000000.123456789', 1, 2],
      // SPB: interface 0 of its section, no timestamp of its own (the previous packet's).
      [8, '1000000.123456789', 276, 0],
      [9, '7.500000000', 1, 1],
    ]);
    expect(r.packets[0]!.data).toEqual(Array.from(P1));
    expect(r.packets[0]!.orig_len).toBe(60);
    expect(r.packets[7]!.data).toEqual(Array.from(P3));
    expect(r.packets[7]!.orig_len).toBe(P3.length);
    expect(r.interfaces.map((i) => [i.index, i.iface.link_type, i.iface.ts_units_per_second, i.iface.name])).toEqual([
      [0, 1, 1e6, 'eth0'],
      [1, 101, 1e9, undefined],
      [2, 113, 1024, undefined],
      [3, 1, 1000, undefined],
      [0, 276, 2 ** 30, undefined],
      [1, 1, 2 ** 32, undefined],
      [2, 1, 1e12, undefined],
    ]);
    expect(r.summary.packets).toBe(9);
    expect(r.summary.interfaces).toHaveLength(7);
  });

  it('forgets the interfaces of the previous section', async () => {
    const file = concat(shb(true), idb(true, 1, 0), idb(true, 1, 0), epb(true, 1, 1n, P1), shb(true), idb(true, 1, 0), epb(true, 1, 2n, P2), epb(true, 0, 3n, P2));
    const r = await readAll(tempFile(file));
    expect(r.packets.map((p) => p.frame)).toEqual([1, 2]);
    expect(r.problems.map((p) => p.code)).toEqual(['capture.bad_record']);
    expect(r.problems[0]!.detail).toMatch(/interface 1/);
  });

  it('skips unknown blocks (reported once per type) and known non-packet blocks silently', async () => {
    const unknown = block(true, 0x1234, Uint8Array.from([1, 2, 3, 4]));
    const nrb = block(true, 4, new Bytes(true).u16(0).u16(0).build());
    const isb = block(true, 5, new Bytes(true).u32(0).u32(0).u32(0).build());
    const custom = block(true, 0xbad, new Bytes(true).u32(32473).u32(7).build());
    const dsb = block(true, 0xa, new Bytes(true).u32(0x544c534b).u32(0).build());
    const file = concat(shb(true), idb(true, 1, 0), unknown, nrb, epb(true, 0, 1n, P1), unknown, isb, custom, dsb, block(true, 0x99, new Uint8Array(0)), epb(true, 0, 2n, P2));
    const r = await readAll(tempFile(file));
    expect(r.packets.map((p) => p.frame)).toEqual([1, 2]);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([
      ['capture.unknown_block', 0],
      ['capture.unknown_block', 1],
    ]);
    expect(r.problems[0]!.detail).toMatch(/0x1234/);
    expect(r.problems[1]!.detail).toMatch(/0x99/);
  });

  it('stops at a block length that is not a multiple of 4', async () => {
    const broken = block(true, 6, new Uint8Array(28), { head: 41 });
    const r = await readAll(tempFile(concat(shb(true), idb(true, 1, 0), epb(true, 0, 1n, P1), broken, epb(true, 0, 2n, P2))));
    expect(r.packets).toHaveLength(1);
    expect(r.problems.map((p) => p.code)).toEqual(['capture.bad_record']);
    expect(r.problems[0]!.detail).toMatch(/41/);
  });

  it('stops at a block length below 12', async () => {
    const broken = new Bytes(true).u32(6).u32(8).build();
    const r = await readAll(tempFile(concat(shb(true), idb(true, 1, 0), broken, epb(true, 0, 2n, P2))));
    expect(r.packets).toHaveLength(0);
    expect(r.problems.map((p) => p.code)).toEqual(['capture.bad_record']);
  });

  it('skips a block whose trailing length disagrees with its head, and goes on', async () => {
    const good = epb(true, 0, 2n, P2);
    const mismatched = new Uint8Array(good);
    new DataView(mismatched.buffer).setUint32(mismatched.length - 4, 999, true);
    const r = await readAll(tempFile(concat(shb(true), idb(true, 1, 0), mismatched, epb(true, 0, 3n, P3))));
    expect(r.packets.map((p) => [p.frame, p.data.length])).toEqual([[1, P3.length]]);
    expect(r.problems.map((p) => p.code)).toEqual(['capture.bad_record']);
    expect(r.problems[0]!.detail).toMatch(/999/);
  });

  it('skips an EPB whose captured length exceeds the block', async () => {
    const b = epb(true, 0, 2n, P2);
    const lying = new Uint8Array(b);
    new DataView(lying.buffer).setUint32(20, 500, true);
    const r = await readAll(tempFile(concat(shb(true), idb(true, 1, 0), lying, epb(true, 0, 3n, P3))));
    expect(r.packets.map((p) => p.frame)).toEqual([1]);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([['capture.bad_record', 1]]);
  });

  it('reports a file cut inside a block after delivering the packets before it', async () => {
    const whole = concat(shb(false), idb(false, 1, 0), epb(false, 0, 1n, P1), epb(false, 0, 2n, P3));
    const r = await readAll(tempFile(whole.subarray(0, whole.length - 6)));
    expect(r.packets.map((p) => p.frame)).toEqual([1]);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([['capture.truncated', 2]]);
  });

  it('reports caplen > snaplen once per interface', async () => {
    const file = concat(shb(true), idb(true, 1, 4), idb(true, 1, 4), epb(true, 0, 1n, P1), epb(true, 0, 2n, P1), epb(true, 1, 3n, P3));
    const r = await readAll(tempFile(file));
    expect(r.packets).toHaveLength(3);
    expect(r.problems.map((p) => [p.code, p.frame])).toEqual([
      ['capture.snaplen_exceeded', 1],
      ['capture.snaplen_exceeded', 3],
    ]);
  });

  it('cuts an SPB to the snaplen of interface 0', async () => {
    const r = await readAll(tempFile(concat(shb(true), idb(true, 1, 3), spb(true, P3))));
    expect(r.packets[0]!.data).toEqual(Array.from(P3.subarray(0, 3)));
    expect(r.packets[0]!.orig_len).toBe(P3.length);
    expect(r.packets[0]!.ts).toBe('0.000000000');
  });

  it('rejects a file cut inside its section header', async () => {
    await expect(readAll(tempFile(shb(true).subarray(0, 20)))).rejects.toThrow(/section header/);
  });
});

describe('pcapng interface floods (issue 19)', () => {
  it('keeps MAX_INTERFACES per section, lists MAX_LISTED_INTERFACES, counts them all', async () => {
    const n = MAX_INTERFACES + 100;
    const one = idb(true, 1, 65535);
    const many = new Uint8Array(one.length * n);
    for (let i = 0; i < n; i++) many.set(one, i * one.length);
    const file = tempFile(concat(shb(true), many, epb(true, 0, 1n, P1), epb(true, MAX_INTERFACES + 5, 2n, P2)), 'many-idb.pcapng');
    const r = await readAll(file);
    expect(r.summary.interfaces).toHaveLength(MAX_LISTED_INTERFACES);
    expect(r.summary.interface_count).toBe(n);
    expect(r.interfaces).toHaveLength(MAX_INTERFACES);
    expect(r.problems.filter((p) => p.code === 'capture.interface_limit')).toHaveLength(1);
    expect(r.packets[0]!.interface_id).toBe(0);
    // A packet naming an ignored interface is reported, not decoded as if it had one.
    expect(r.problems.some((p) => p.code === 'capture.bad_record' && /interface/.test(p.detail))).toBe(true);
  });
});
