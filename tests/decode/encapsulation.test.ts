/**
 * 802.11 behind its radio headers and tunnels, on hand-made frames: what decodes, what is
 * counted by name, and what malformed headers say (issue 15). The byte layouts are the
 * specs' (radiotap.org, IEEE 802.11-2020 §9.2, RFC 2784/2890/2637, RFC 7348, RFC 8926,
 * TS 29.281); tests/decode/encapsulation-oracle.test.ts checks whole captures against tshark.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../src/decode/index.js';
import type { IpPacket } from '../../src/decode/types.js';
import { Timestamp } from '../../src/events/time.js';
import { bytes, decoder, DST4, ethernet, expectIp, ipv4, ipv6, MAC_A, MAC_B, SRC4, T0, tcp, u16, u16le, u32, u32le, udp } from './frames.js';

const INNER = ipv4({ protocol: 17, src: [10, 1, 1, 1], dst: [10, 1, 1, 2], payload: udp({ sport: 1111, dport: 2222, payload: [1, 2, 3] }) });
const LLC_IP = [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00];
const AP = [2, 0, 0, 0, 0xa, 1];

/** An 802.11 data frame (To DS), QoS when asked. */
function wlanData(body: ArrayLike<number>, o: { qos?: boolean; protected?: boolean; wds?: boolean; amsdu?: boolean } = {}): Uint8Array {
  const flags = (o.wds ? 0x03 : 0x01) | (o.protected ? 0x40 : 0);
  return bytes(o.qos ? 0x88 : 0x08, flags, u16le(44), AP, MAC_A, MAC_B, u16le(5 << 4), o.wds ? MAC_B : [], o.qos ? [o.amsdu ? 0x80 : 0, 0] : [], body);
}

/** Radiotap with TSFT and Flags (FCS 0x10, data pad 0x20). */
function radiotap(frame: Uint8Array, flags: number): Uint8Array {
  return bytes(0, 0, u16le(17), u32le(0x3), new Array(8).fill(7), flags, frame);
}

const describeIp = (p: IpPacket): string => {
  const t = p.transport;
  return `${formatAddress(p.src)} > ${formatAddress(p.dst)}${t ? ` ${t.protocol} ${t.src_port}>${t.dst_port} [${Array.from(t.payload).join(',')}]` : ''}`;
};

describe('802.11', () => {
  it('radiotap with an FCS: the 4 FCS bytes are not part of the datagram', () => {
    const { d, problems } = decoder();
    const frame = wlanData(bytes(LLC_IP, INNER));
    expect(describeIp(expectIp(d.decode(127, bytes(radiotap(frame, 0x10), 0xde, 0xad, 0xbe, 0xef), T0)))).toBe('10.1.1.1 > 10.1.1.2 udp 1111>2222 [1,2,3]');
    expect(problems).toEqual([]);
    // Where it shows: an IPv4 total length of 0 (segmentation offload) means "what was captured",
    // which must end before the FCS, or the UDP length would disagree with it.
    const tso = ipv4({ protocol: 17, src: [10, 1, 1, 1], dst: [10, 1, 1, 2], totalLength: 0, payload: udp({ sport: 1111, dport: 2222, payload: [1, 2, 3] }) });
    const p = expectIp(d.decode(127, bytes(radiotap(wlanData(bytes(LLC_IP, tso)), 0x10), 0xde, 0xad, 0xbe, 0xef), T0));
    expect(p.ip_length).toBe(31);
    expect(problems.map((x) => x.code)).toEqual(['ip.bad_total_length']);
  });

  it('QoS data with radiotap data padding (26-byte header padded to 28) and a 4-address WDS frame', () => {
    const { d } = decoder();
    const qos = wlanData(bytes(0, 0, LLC_IP, INNER), { qos: true });
    expect(describeIp(expectIp(d.decode(127, radiotap(qos, 0x20), T0)))).toMatch(/^10\.1\.1\.1 > /);
    expect(describeIp(expectIp(d.decode(105, wlanData(bytes(LLC_IP, INNER), { wds: true }), T0)))).toMatch(/udp 1111>2222/);
  });

  it('management, control, null and protected frames are named, not decoded', () => {
    const { d, problems } = decoder();
    const beacon = bytes(0x80, 0, 0, 0, new Array(6).fill(0xff), AP, AP, 0, 0, new Array(12).fill(0));
    expect(d.decode(105, beacon, T0)).toEqual({ kind: 'other', label: 'wlan-mgt-beacon' });
    expect(d.decode(105, bytes(0xd4, 0, 0, 0, MAC_A), T0)).toEqual({ kind: 'other', label: 'wlan-ack' });
    expect(d.decode(105, bytes(0x48, 1, 0, 0, AP, MAC_A, AP, 0, 0), T0)).toEqual({ kind: 'other', label: 'wlan-data-null' });
    expect(d.decode(105, wlanData(new Array(40).fill(0x5a), { protected: true }), T0)).toEqual({ kind: 'other', label: 'wlan-encrypted' });
    expect(problems).toEqual([]);
  });

  it('an A-MSDU of two subframes is counted, one subframe is decoded', () => {
    const { d } = decoder();
    const sub = (body: Uint8Array) => bytes(MAC_B, MAC_A, u16(body.length), body);
    const one = sub(bytes(LLC_IP, INNER));
    expect(expectIp(d.decode(105, wlanData(one, { qos: true, amsdu: true }), T0)).protocol).toBe(17);
    const pad = new Array((4 - (one.length % 4)) % 4).fill(0);
    expect(d.decode(105, wlanData(bytes(one, pad, one), { qos: true, amsdu: true }), T0)).toEqual({ kind: 'other', label: 'wlan-amsdu' });
  });

  it('PPI, Prism and AVS headers', () => {
    const { d, problems } = decoder();
    const frame = wlanData(bytes(LLC_IP, INNER));
    const common = bytes(new Array(8).fill(0), u16le(0), new Array(10).fill(0));
    const ppi = bytes(0, 0, u16le(8 + 4 + common.length), u32le(105), u16le(2), u16le(common.length), common, frame);
    expect(expectIp(d.decode(192, ppi, T0)).protocol).toBe(17);
    const prism = bytes(u32le(0x44), u32le(144), new Array(136).fill(0), frame);
    expect(expectIp(d.decode(119, prism, T0)).protocol).toBe(17);
    const avs = bytes(u32(0x80211001), u32(64), new Array(56).fill(0), frame);
    expect(expectIp(d.decode(163, avs, T0)).protocol).toBe(17);
    // Some drivers put an AVS header under Prism's link type.
    expect(expectIp(d.decode(119, avs, T0)).protocol).toBe(17);
    expect(problems).toEqual([]);
  });

  it('impossible radio headers are link.bad_header, short ones link.truncated', () => {
    const { d, codes } = decoder();
    const frame = wlanData(bytes(LLC_IP, INNER));
    expect(d.decode(127, bytes(1, 0, u16le(8), u32le(0), frame), T0)).toEqual({ kind: 'other', label: 'radiotap-bad' });
    // Presence words chained without end (bit 31 in each).
    const chain = new Array(12).fill(0).flatMap(() => u32le(0x80000000));
    expect(d.decode(127, bytes(0, 0, u16le(8 + chain.length), chain, frame), T0)).toEqual({ kind: 'other', label: 'radiotap-bad' });
    expect(d.decode(127, bytes(0, 0, u16le(200), u32le(0), frame), T0)).toEqual({ kind: 'bad' });
    expect(d.decode(163, bytes(u32(0x12345678), u32(64), frame), T0)).toEqual({ kind: 'other', label: 'avs-bad' });
    expect(codes()).toEqual(['link.bad_header', 'link.bad_header', 'link.truncated', 'link.bad_header']);
  });
});

const OUT_S = SRC4;
const OUT_D = DST4;
const gre = (proto: number, body: ArrayLike<number>, flags = 0, extra: number[] = []) => ipv4({ protocol: 47, src: OUT_S, dst: OUT_D, payload: bytes(u16(flags), u16(proto), extra, body) });
const overUdp = (dport: number, body: ArrayLike<number>, sport = 50000) => ipv4({ protocol: 17, src: OUT_S, dst: OUT_D, payload: udp({ sport, dport, payload: body }) });

function chain(p: IpPacket): string[] {
  const out = [describeIp(p)];
  for (let e = p.encap; e; e = e.outer.encap) out.push(`${e.type} ${e.label}${e.vni !== undefined ? ` ${e.vni}` : ''} ${formatAddress(e.outer.src)} > ${formatAddress(e.outer.dst)}`);
  return out;
}

describe('tunnels', () => {
  it('GRE with checksum, key and sequence, GRE/TEB, ERSPAN II and III, PPTP', () => {
    const { d, problems } = decoder();
    const innerEth = ethernet(0x0800, INNER);
    const cases: Array<[Uint8Array, string]> = [
      [gre(0x0800, INNER), 'gre'],
      [gre(0x0800, INNER, 0xb000, [0, 0, 0, 0, ...u32(7), ...u32(1)]), 'gre'],
      [gre(0x6558, innerEth, 0x2000, u32(9)), 'gre'],
      [gre(0x88be, bytes(u16(0x1000), u16(1), u32(0), innerEth), 0x1000, u32(1)), 'erspan'],
      [gre(0x88be, innerEth), 'erspan'], // type I: no sequence number, no ERSPAN header
      [gre(0x22eb, bytes(u16(0x2000), u16(1), u32(0), u16(0), u16(0), innerEth), 0x1000, u32(1)), 'erspan'],
      [gre(0x880b, bytes(0xff, 0x03, u16(0x21), INNER), 0x3001, [...u16(INNER.length + 4), ...u16(7), ...u32(1)]), 'pptp'],
    ];
    for (const [frame, label] of cases) {
      const c = chain(expectIp(d.decode(101, frame, T0)));
      expect(c).toEqual(['10.1.1.1 > 10.1.1.2 udp 1111>2222 [1,2,3]', `Tunnel::GRE ${label} 192.0.2.1 > 198.51.100.7`]);
    }
    expect(problems).toEqual([]);
  });

  it('a PPTP acknowledgement without payload stays the tunnel packet, named for the hierarchy', () => {
    const { d } = decoder();
    const p = expectIp(d.decode(101, gre(0x880b, [], 0x2081, [...u16(0), ...u16(7), ...u32(1)]), T0));
    expect(p.protocol).toBe(47);
    expect(p.carries).toBe('pptp:pptp-ack');
  });

  it('VXLAN, Geneve with options, GTP-U with sequence number and an extension header', () => {
    const { d, problems } = decoder();
    const innerEth = ethernet(0x0800, INNER);
    const vx = overUdp(4789, bytes(0x08, 0, 0, 0, 0, 0, 42, 0, innerEth));
    expect(chain(expectIp(d.decode(101, vx, T0)))[1]).toBe('Tunnel::VXLAN vxlan 42 192.0.2.1 > 198.51.100.7');
    const opt = bytes(u16(0x0101), 0x01, 1, u32(0xdeadbeef));
    const gen = overUdp(6081, bytes(2, 0, u16(0x6558), 0, 0, 43, 0, opt, innerEth));
    expect(chain(expectIp(d.decode(101, gen, T0)))[1]).toBe('Tunnel::GENEVE geneve 43 192.0.2.1 > 198.51.100.7');
    // E and S set; one extension header (PDU session container, 4 bytes), then next type 0.
    const body = bytes(u16(1), 0, 0x85, 1, 0x10, 0x09, 0, INNER);
    const gtp = overUdp(2152, bytes(0x36, 0xff, u16(body.length), u32(0x1234), body), 2152);
    expect(chain(expectIp(d.decode(101, gtp, T0)))).toEqual(['10.1.1.1 > 10.1.1.2 udp 1111>2222 [1,2,3]', 'Tunnel::GTPv1 gtp 192.0.2.1 > 198.51.100.7']);
    expect(problems).toEqual([]);
  });

  it('IP in IP, 6in4, 4in6, 6in6 name their layer', () => {
    const { d } = decoder();
    const inner6 = ipv6({ next: 17, payload: udp({ payload: [9] }) });
    const label = (frame: Uint8Array) => expectIp(d.decode(101, frame, T0)).encap?.label;
    expect(label(ipv4({ protocol: 4, payload: INNER }))).toBe('ipip');
    expect(label(ipv4({ protocol: 41, payload: inner6 }))).toBe('6in4');
    expect(label(ipv6({ next: 4, payload: INNER }))).toBe('4in6');
    expect(label(ipv6({ next: 41, payload: inner6 }))).toBe('6in6');
  });

  it('what is not the tunnel stays the outer packet: VXLAN without its I flag, a GTP echo, a plain UDP datagram to 4789', () => {
    const { d, problems } = decoder();
    expect(expectIp(d.decode(101, overUdp(4789, bytes(0, 0, 0, 0, 0, 0, 42, 0, ethernet(0x0800, INNER))), T0)).encap).toBeUndefined();
    expect(expectIp(d.decode(101, overUdp(2152, bytes(0x32, 1, u16(4), u32(0), u16(1), 0, 0), 2152), T0)).encap).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('malformed tunnel headers: tunnel.bad_header, and the outer packet is kept', () => {
    const { d, codes } = decoder();
    const outer = (frame: Uint8Array) => expectIp(d.decode(101, frame, T0));
    expect(outer(gre(0x0800, INNER, 0x0002)).protocol).toBe(47); // GRE version 2
    expect(outer(ipv4({ protocol: 47, payload: bytes(0, 0) })).protocol).toBe(47); // 2 of 4 bytes
    expect(outer(gre(0x0800, [], 0x3000)).protocol).toBe(47); // key and sequence announced, absent
    expect(outer(overUdp(6081, bytes(10, 0, u16(0x6558), 0, 0, 1, 0))).transport?.protocol).toBe('udp'); // 40 option bytes announced
    expect(outer(overUdp(2152, bytes(0x34, 0xff, u16(12), u32(1), u16(0), 0, 0x85, 0, 0, 0, 0), 2152)).transport?.protocol).toBe('udp'); // extension of length 0
    expect(codes()).toEqual(['tunnel.bad_header', 'tunnel.bad_header', 'tunnel.bad_header', 'tunnel.bad_header', 'tunnel.bad_header']);
  });

  it('max_tunnel_depth: deeper tunnels are not decapsulated, and it is said', () => {
    const { d, problems } = decoder({ max_tunnel_depth: 2 });
    let frame = INNER;
    for (let i = 0; i < 4; i++) frame = ipv4({ protocol: 4, src: [172, 16, i, 1], dst: [172, 16, i, 2], payload: frame });
    const p = expectIp(d.decode(101, frame, T0));
    // Outermost is 172.16.3.x; two tunnels taken off leaves 172.16.1.x, itself a tunnel not taken off.
    expect(formatAddress(p.src)).toBe('172.16.1.1');
    expect(p.protocol).toBe(4);
    expect(problems.map((x) => x.code)).toEqual(['tunnel.depth_limit']);
    expect(problems[0]!.detail).toMatch(/max_tunnel_depth 2/);
  });

  it('never throws on mutated tunnel and 802.11 frames', () => {
    const { d } = decoder({ max_tunnel_depth: 3, max_pending_fragments: 8 });
    const innerEth = ethernet(0x0800, INNER);
    const seeds: Array<[number, Uint8Array]> = [
      [101, gre(0x88be, bytes(u16(0x1000), u16(1), u32(0), innerEth), 0x1000, u32(1))],
      [101, gre(0x22eb, bytes(u16(0x2000), u16(1), u32(0), u16(0), u16(1), new Array(8).fill(0), innerEth), 0x1000, u32(1))],
      [101, gre(0x880b, bytes(0xff, 0x03, u16(0x21), INNER), 0x3081, [...u16(INNER.length + 4), ...u16(7), ...u32(1), ...u32(2)])],
      [101, overUdp(6081, bytes(2, 0, u16(0x6558), 0, 0, 43, 0, u16(0x0101), 0x01, 1, u32(1), innerEth))],
      [101, overUdp(2152, bytes(0x36, 0xff, u16(INNER.length + 8), u32(1), u16(1), 0, 0x85, 1, 0x10, 9, 0, INNER), 2152)],
      [101, overUdp(4789, bytes(0x08, 0, 0, 0, 0, 0, 42, 0, ethernet(0x0800, overUdp(4789, bytes(0x08, 0, 0, 0, 0, 0, 43, 0, innerEth)))))],
      [127, radiotap(wlanData(bytes(0, 0, LLC_IP, INNER), { qos: true, amsdu: false }), 0x30)],
      [192, bytes(0, 0, u16le(32), u32le(105), u16le(2), u16le(20), new Array(8).fill(0), u16le(1), new Array(10).fill(0), wlanData(bytes(LLC_IP, INNER)), 0, 0, 0, 0)],
      [163, bytes(u32(0x80211001), u32(64), new Array(56).fill(0), wlanData(bytes(LLC_IP, tcp()), { wds: true }))],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (seed, flips, cut) => {
        const [lt, orig] = seed;
        const frame = Uint8Array.from(orig);
        for (const [pos, v] of flips) frame[pos % frame.length] = v;
        const r = d.decode(lt, frame.subarray(0, frame.length - (cut % 12)), new Timestamp(1, 0));
        expect(['ip', 'held', 'other', 'bad']).toContain(r.kind);
        if (r.kind === 'ip') {
          let depth = 0;
          for (let e = r.packet.encap; e; e = e.outer.encap) depth++;
          expect(depth).toBeLessThanOrEqual(3);
        }
      }),
      { numRuns: 20000 },
    );
  });
});
