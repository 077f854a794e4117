import { describe, expect, it } from 'vitest';
import { formatAddress, TCP_ACK, TCP_SYN } from '../../src/decode/index.js';
import type { TcpHeader, UdpHeader } from '../../src/decode/types.js';
import { bytes, decoder, expectIp, ipv4, ipv6, T0, tcp, u16, u32, udp } from './frames.js';

function tcpOf(segment: Uint8Array, d = decoder()): { h: TcpHeader | null; codes: string[] } {
  const p = expectIp(d.d.decode(101, ipv4({ protocol: 6, payload: segment }), T0));
  return { h: p.transport as TcpHeader | null, codes: d.codes() };
}

function udpOf(datagram: Uint8Array, totalLength?: number): { h: UdpHeader | null; codes: string[] } {
  const d = decoder();
  const p = expectIp(d.d.decode(101, ipv4({ protocol: 17, payload: datagram, totalLength }), T0));
  return { h: p.transport as UdpHeader | null, codes: d.codes() };
}

describe('TCP', () => {
  it('decodes header fields, all nine flags, and the payload', () => {
    const { h, codes } = tcpOf(tcp({ sport: 1, dport: 65535, seq: 0xfffffffe, ack: 0x80000000, flags: 0x1ff, window: 512, payload: [1, 2, 3] }));
    expect(h).toMatchObject({ protocol: 'tcp', src_port: 1, dst_port: 65535, seq: 0xfffffffe, ack: 0x80000000, flags: 0x1ff, window: 512, data_offset: 20, options: null });
    expect(Array.from(h!.payload)).toEqual([1, 2, 3]);
    expect(codes).toEqual([]);
  });

  it('parses MSS, window scale, SACK permitted, SACK blocks and timestamps', () => {
    const syn = tcpOf(tcp({ flags: TCP_SYN, options: [2, 4, ...u16(1460), 1, 3, 3, 7, 4, 2, 8, 10, ...u32(123456), ...u32(0), 1, 1, 0, 0] }));
    expect(syn.h!.options).toEqual({ mss: 1460, window_scale: 7, sack_permitted: true, timestamp: [123456, 0], kinds: [2, 1, 3, 4, 8, 1, 1] });
    expect(syn.codes).toEqual([]);
    const ack = tcpOf(tcp({ flags: TCP_ACK, options: [1, 1, 5, 18, ...u32(1000), ...u32(2000), ...u32(0xfffffff0), ...u32(5)] }));
    expect(ack.h!.options!.sack).toEqual([
      [1000, 2000],
      [0xfffffff0, 5],
    ]);
    expect(ack.h!.data_offset).toBe(40);
  });

  it('stops at a malformed option but keeps the segment', () => {
    for (const options of [
      [2, 0, 0, 0], // length 0
      [1, 1, 8, 30], // runs past the header
      [3, 4, 7, 0], // window scale of length 4
      [5, 7, 0, 0, 0, 0, 0, 0], // SACK of length 7 (not 2 + 8n)
    ]) {
      const { h, codes } = tcpOf(tcp({ options, payload: [9] }));
      expect(codes).toEqual(['tcp.bad_option']);
      expect(h!.payload.length).toBe(1);
    }
  });

  it('rejects a data offset below 5 or beyond the segment', () => {
    expect(tcpOf(tcp({ dataOffsetWords: 4 }))).toEqual({ h: null, codes: ['tcp.bad_data_offset'] });
    expect(tcpOf(tcp({ dataOffsetWords: 15 }))).toEqual({ h: null, codes: ['tcp.bad_data_offset'] });
  });

  it('reports a header cut short', () => {
    expect(tcpOf(tcp().subarray(0, 12))).toEqual({ h: null, codes: ['tcp.truncated'] });
    // Options cut by the snaplen, not a bad offset.
    const d = decoder();
    const full = ipv4({ protocol: 6, payload: tcp({ options: new Array(20).fill(1), payload: new Array(100).fill(0) }) });
    const p = expectIp(d.d.decode(101, full.subarray(0, 50), T0));
    expect(p.transport).toBeNull();
    expect(d.codes()).toEqual(['tcp.truncated']);
  });

  it('decodes TCP over IPv6', () => {
    const d = decoder();
    const p = expectIp(d.d.decode(229, ipv6({ next: 6, payload: tcp({ dport: 22 }) }), T0));
    expect(p.transport?.dst_port).toBe(22);
  });
});

describe('UDP', () => {
  it('decodes ports, length and payload', () => {
    const { h, codes } = udpOf(udp({ sport: 53, dport: 33333, payload: [1, 2, 3, 4] }));
    expect(h).toMatchObject({ protocol: 'udp', src_port: 53, dst_port: 33333, length: 12 });
    expect(Array.from(h!.payload)).toEqual([1, 2, 3, 4]);
    expect(codes).toEqual([]);
  });

  it('reports a header cut short', () => {
    expect(udpOf(udp().subarray(0, 6))).toEqual({ h: null, codes: ['udp.truncated'] });
  });

  it('uses the smaller sane length when the length field disagrees', () => {
    const longer = udpOf(udp({ payload: [1, 2, 3, 4], length: 200 }));
    expect(longer.codes).toEqual(['udp.bad_length']);
    expect(longer.h!.payload.length).toBe(4);
    const shorter = udpOf(udp({ payload: [1, 2, 3, 4], length: 10 }));
    expect(shorter.codes).toEqual(['udp.bad_length']);
    expect(Array.from(shorter.h!.payload)).toEqual([1, 2]);
    const tiny = udpOf(udp({ payload: [1, 2, 3, 4], length: 3 }));
    expect(tiny.codes).toEqual(['udp.bad_length']);
    expect(tiny.h!.payload.length).toBe(4);
  });

  it('keeps a datagram cut by the snaplen without complaint', () => {
    const d = decoder();
    const full = ipv4({ protocol: 17, payload: udp({ payload: new Array(300).fill(7) }) });
    const p = expectIp(d.d.decode(101, full.subarray(0, 60), T0));
    expect(p.transport?.protocol === 'udp' && p.transport.payload.length).toBe(32);
    expect(d.codes()).toEqual([]);
  });
});

describe('formatAddress', () => {
  const v6 = (s: string) => {
    const groups = s.split(':').map((g) => parseInt(g, 16));
    return bytes(...groups.map((g) => u16(g)));
  };
  it('formats IPv4 and RFC 5952 IPv6', () => {
    expect(formatAddress(bytes(10, 0, 0, 255))).toBe('10.0.0.255');
    expect(formatAddress(v6('2001:db8:0:0:0:0:2:1'))).toBe('2001:db8::2:1');
    expect(formatAddress(v6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1'); // one zero group is not shortened
    expect(formatAddress(v6('2001:0:0:1:0:0:0:1'))).toBe('2001:0:0:1::1'); // the longest run
    expect(formatAddress(v6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1'); // the first of equal runs
    expect(formatAddress(v6('0:0:0:0:0:0:0:0'))).toBe('::');
    expect(formatAddress(v6('0:0:0:0:0:0:0:1'))).toBe('::1');
    expect(formatAddress(v6('fe80:0:0:0:0:0:0:0'))).toBe('fe80::');
    expect(formatAddress(v6('ABCD:EF01:0:0:0:0:0:0'.toLowerCase()))).toBe('abcd:ef01::');
    expect(formatAddress(v6('0:0:0:0:0:ffff:c000:0201'))).toBe('::ffff:192.0.2.1');
    expect(formatAddress(v6('0:0:0:0:0:fffe:c000:0201'))).toBe('::fffe:c000:201');
  });
});
