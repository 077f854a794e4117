import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../src/decode/index.js';
import { bytes, decoder, DST4, ethernet, expectIp, ipv4, ipv6, MAC_A, MAC_B, T0, tcp, u16, u16le, u32, u32le, udp, vlanTag } from './frames.js';

const IP4 = ipv4({ protocol: 17, payload: udp({ payload: [1, 2, 3] }) });
const IP6 = ipv6({ next: 6, payload: tcp({ dport: 443 }) });

function ports(r: ReturnType<ReturnType<typeof decoder>['d']['decode']>): string {
  const p = expectIp(r);
  return `v${p.version} ${formatAddress(p.src)} > ${formatAddress(p.dst)} ${p.transport?.protocol} ${p.transport?.src_port}>${p.transport?.dst_port}`;
}

describe('link layers', () => {
  it('Ethernet II to IPv4 and IPv6', () => {
    const { d, problems } = decoder();
    expect(ports(d.decode(1, ethernet(0x0800, IP4), T0))).toBe('v4 192.0.2.1 > 198.51.100.7 udp 5353>53');
    expect(ports(d.decode(1, ethernet(0x86dd, IP6), T0))).toBe('v6 2001:db8::1 > 2001:db8::2 tcp 40000>443');
    expect(problems).toEqual([]);
  });

  it('trims Ethernet padding to the IP total length', () => {
    const { d } = decoder();
    const small = ipv4({ protocol: 6, payload: tcp({ flags: 0x10 }) }); // 40 bytes
    const p = expectIp(d.decode(1, ethernet(0x0800, bytes(small, new Array(6).fill(0xee))), T0));
    expect(p.ip_length).toBe(40);
    expect(p.payload.length).toBe(20);
    expect(p.transport?.protocol === 'tcp' && p.transport.payload.length).toBe(0);
  });

  it('802.1Q, 802.1ad, QinQ (0x9100) and three stacked tags', () => {
    const { d } = decoder();
    const frame = (tags: number[][]) => bytes(MAC_B, MAC_A, ...tags, u16(0x0800), IP4);
    expect(ports(d.decode(1, frame([vlanTag(0x8100, 10)]), T0))).toMatch(/^v4 .* 5353>53$/);
    expect(ports(d.decode(1, frame([vlanTag(0x88a8, 100), vlanTag(0x8100, 10)]), T0))).toMatch(/udp/);
    expect(ports(d.decode(1, frame([vlanTag(0x9100, 100), vlanTag(0x8100, 10)]), T0))).toMatch(/udp/);
    expect(ports(d.decode(1, frame([vlanTag(0x88a8, 1), vlanTag(0x8100, 2), vlanTag(0x8100, 3)]), T0))).toMatch(/udp/);
  });

  it('reports a VLAN tag cut short', () => {
    const { d, codes } = decoder();
    expect(d.decode(1, bytes(MAC_B, MAC_A, u16(0x8100), 0, 10), T0)).toEqual({ kind: 'bad' });
    expect(codes()).toEqual(['link.truncated']);
  });

  it('MPLS label stacks, then IPv4 or IPv6 by the version nibble', () => {
    const { d } = decoder();
    const label = (l: number, bottom: boolean) => u32((l << 12) | (bottom ? 0x100 : 0) | 64);
    expect(ports(d.decode(1, ethernet(0x8847, bytes(label(100, false), label(200, true), IP4)), T0))).toMatch(/^v4/);
    expect(ports(d.decode(1, ethernet(0x8847, bytes(label(300, true), IP6)), T0))).toMatch(/^v6/);
    // Pseudowire control word then an Ethernet frame.
    expect(ports(d.decode(1, ethernet(0x8847, bytes(label(300, true), u32(0), ethernet(0x0800, IP4))), T0))).toMatch(/^v4/);
    expect(d.decode(1, ethernet(0x8847, bytes(label(1, false))), T0)).toEqual({ kind: 'bad' });
  });

  it('802.3 length field: LLC/SNAP with an EtherType continues, STP and plain LLC are other', () => {
    const { d } = decoder();
    const snap = bytes(0xaa, 0xaa, 0x03, 0, 0, 0, u16(0x0800), IP4);
    expect(ports(d.decode(1, bytes(MAC_B, MAC_A, u16(snap.length), snap), T0))).toMatch(/udp/);
    const stp = bytes(0x42, 0x42, 0x03, 0, 0, 0, 0);
    expect(d.decode(1, bytes(MAC_B, MAC_A, u16(stp.length), stp), T0)).toEqual({ kind: 'other', label: 'stp' });
    const netbios = bytes(0xf0, 0xf0, 0x03, 1, 2);
    expect(d.decode(1, bytes(MAC_B, MAC_A, u16(netbios.length), netbios), T0)).toEqual({ kind: 'other', label: 'netbios' });
    const llc = bytes(0x06, 0x06, 0x03, 1, 2);
    expect(d.decode(1, bytes(MAC_B, MAC_A, u16(llc.length), llc), T0)).toEqual({ kind: 'other', label: 'llc' });
  });

  it('ARP, LLDP and unknown EtherTypes are other', () => {
    const { d, problems } = decoder();
    expect(d.decode(1, ethernet(0x0806, new Array(28).fill(0)), T0)).toEqual({ kind: 'other', label: 'arp' });
    expect(d.decode(1, ethernet(0x88cc, [0, 0]), T0)).toEqual({ kind: 'other', label: 'lldp' });
    expect(d.decode(1, ethernet(0x1234, [0, 0]), T0)).toEqual({ kind: 'other', label: 'ethertype-0x1234' });
    expect(problems).toEqual([]);
  });

  it('PPPoE sessions and PPP links', () => {
    const { d } = decoder();
    const pppoe = bytes(0x11, 0x00, u16(1), u16(IP4.length + 2), u16(0x0021), IP4);
    expect(ports(d.decode(1, ethernet(0x8864, pppoe), T0))).toMatch(/^v4/);
    expect(ports(d.decode(9, bytes(0xff, 0x03, u16(0x0057), IP6), T0))).toMatch(/^v6/);
    expect(ports(d.decode(9, bytes(0x21, IP4), T0))).toMatch(/^v4/); // address/control and protocol compressed
    expect(d.decode(9, bytes(0xff, 0x03, u16(0xc021), 1, 1, 0, 4), T0)).toEqual({ kind: 'other', label: 'ppp-lcp' });
    // EtherType 0x880b is PPP (Wireshark's etypes.h), after Ethernet as after GRE: one EtherType table.
    expect(ports(d.decode(1, ethernet(0x880b, bytes(0xff, 0x03, u16(0x0021), IP4)), T0))).toMatch(/^v4/);
  });

  it("names the link shims for the protocol hierarchy as tshark's io,phs does, and none on a plain frame", () => {
    const { d } = decoder();
    d.decode(1, ethernet(0x0800, IP4), T0);
    expect(d.linkShims).toBe('');
    const pppoe = bytes(0x11, 0x00, u16(1), u16(IP4.length + 2), u16(0x0021), IP4);
    d.decode(1, ethernet(0x8864, pppoe), T0);
    expect(d.linkShims).toBe(':pppoes:ppp');
    d.decode(1, bytes(MAC_B, MAC_A, vlanTag(0x88a8, 10), vlanTag(0x8100, 20), u16(0x0800), IP4), T0);
    expect(d.linkShims).toBe(':vlan:vlan');
    // Two MPLS labels, the second at the bottom of the stack, then IPv4.
    expect(ports(d.decode(1, ethernet(0x8847, bytes(u32(0x00010040), u32(0x00020140), IP4)), T0))).toMatch(/^v4/);
    expect(d.linkShims).toBe(':mpls:mpls');
    d.decode(1, ethernet(0x0800, IP4), T0);
    expect(d.linkShims).toBe('');
  });

  it('Linux SLL (113) and SLL2 (276)', () => {
    const { d } = decoder();
    const sll = (proto: number, hatype = 1) => bytes(u16(0), u16(hatype), u16(6), MAC_A, 0, 0, u16(proto));
    expect(ports(d.decode(113, bytes(sll(0x0800), IP4), T0))).toMatch(/^v4/);
    expect(ports(d.decode(113, bytes(sll(0x86dd, 772), IP6), T0))).toMatch(/^v6/);
    expect(ports(d.decode(113, bytes(sll(0x8100), vlanTag(0x8100, 5).slice(2), u16(0x0800), IP4), T0))).toMatch(/^v4/);
    expect(d.decode(113, bytes(sll(0x0806), new Array(28).fill(0)), T0)).toEqual({ kind: 'other', label: 'arp' });
    expect(d.decode(113, bytes(sll(0x0004), 0x42, 0x42, 3, 0), T0)).toEqual({ kind: 'other', label: 'stp' });
    expect(d.decode(113, bytes(sll(0x0000, 824), 1, 2, 3, 4), T0)).toEqual({ kind: 'other', label: 'netlink' });
    const sll2 = (proto: number) => bytes(u16(proto), u16(0), u32(3), u16(1), 4, 6, MAC_A, 0, 0);
    expect(ports(d.decode(276, bytes(sll2(0x0800), IP4), T0))).toMatch(/^v4/);
    expect(ports(d.decode(276, bytes(sll2(0x86dd), IP6), T0))).toMatch(/^v6/);
    const { d: d2, codes } = decoder();
    expect(d2.decode(276, bytes(u16(0x0800), 0, 0), T0)).toEqual({ kind: 'bad' });
    expect(codes()).toEqual(['link.truncated']);
  });

  it('BSD NULL in both byte orders, with the AF_INET6 values of several systems, and LOOP', () => {
    const { d, problems } = decoder();
    expect(ports(d.decode(0, bytes(u32le(2), IP4), T0))).toMatch(/^v4/);
    expect(ports(d.decode(0, bytes(u32(2), IP4), T0))).toMatch(/^v4/);
    for (const af of [10, 24, 28, 30]) {
      expect(ports(d.decode(0, bytes(u32le(af), IP6), T0))).toMatch(/^v6/);
      expect(ports(d.decode(0, bytes(u32(af), IP6), T0))).toMatch(/^v6/);
    }
    expect(ports(d.decode(108, bytes(u32(2), IP4), T0))).toMatch(/^v4/);
    expect(ports(d.decode(108, bytes(u32(24), IP6), T0))).toMatch(/^v6/);
    expect(d.decode(0, bytes(u32le(7), 0x10, 0), T0)).toEqual({ kind: 'other', label: 'loopback-af-7' });
    expect(problems).toEqual([]);
  });

  it('raw IP link types 101, 12, 14, 228, 229', () => {
    const { d, codes } = decoder();
    for (const lt of [101, 12, 14]) {
      expect(ports(d.decode(lt, IP4, T0))).toMatch(/^v4/);
      expect(ports(d.decode(lt, IP6, T0))).toMatch(/^v6/);
    }
    expect(ports(d.decode(228, IP4, T0))).toMatch(/^v4/);
    expect(ports(d.decode(229, IP6, T0))).toMatch(/^v6/);
    expect(d.decode(101, bytes(0x50, 0), T0)).toEqual({ kind: 'bad' });
    expect(codes()).toEqual(['ip.bad_version']);
    const { d: d2, codes: codes2 } = decoder();
    expect(d2.decode(229, IP4, T0)).toEqual({ kind: 'bad' });
    expect(codes2()).toEqual(['ip.bad_version']);
  });

  it('NFLOG with TLVs in either byte order, the payload TLV last or in the middle', () => {
    const { d, problems } = decoder();
    const tlv = (le: boolean, type: number, value: ArrayLike<number>) => {
      const len = 4 + value.length;
      const pad = new Array((4 - (len % 4)) % 4).fill(0);
      return bytes(le ? u16le(len) : u16(len), le ? u16le(type) : u16(type), value, pad);
    };
    for (const le of [true, false]) {
      const prefix = tlv(le, 10, [0x61, 0x62, 0x63, 0]);
      const hwproto = tlv(le, 1, [0x08, 0x00, 0, 0]);
      expect(ports(d.decode(239, bytes(2, 0, u16(0), hwproto, prefix, tlv(le, 9, IP4)), T0))).toMatch(/^v4 .* udp/);
      expect(ports(d.decode(239, bytes(10, 0, u16(0), tlv(le, 9, IP6), tlv(le, 11, u32(1000))), T0))).toMatch(/^v6 .* tcp/);
    }
    expect(d.decode(239, bytes(2, 0, u16(0), tlv(true, 10, [0x61, 0])), T0)).toEqual({ kind: 'other', label: 'nflog' });
    expect(problems).toEqual([]);
  });

  it('reports an unknown link type once, with its name', () => {
    const { d, problems } = decoder();
    expect(d.decode(187, bytes(0, 0, 8, 0), T0)).toEqual({ kind: 'bad' });
    expect(d.decode(187, bytes(0, 0, 8, 0), T0)).toEqual({ kind: 'bad' });
    expect(d.decode(4242, bytes(0), T0)).toEqual({ kind: 'bad' });
    expect(problems.map((p) => p.code)).toEqual(['capture.unknown_link_type', 'capture.unknown_link_type']);
    expect(problems[0]!.detail).toMatch(/link type 187 \(BLUETOOTH_HCI_H4\) is not supported/);
    expect(problems[1]!.detail).toMatch(/4242/);
  });

  it('reports a frame too short for its Ethernet header', () => {
    const { d, codes } = decoder();
    expect(d.decode(1, bytes(MAC_A, MAC_B), T0)).toEqual({ kind: 'bad' });
    expect(codes()).toEqual(['link.truncated']);
  });

  it('gives payloads as views into the packet, and refills one record per packet', () => {
    const { d } = decoder();
    const frame = ethernet(0x0800, IP4);
    const p = expectIp(d.decode(1, frame, T0));
    const t = p.transport!;
    expect(t.payload.buffer).toBe(frame.buffer);
    expect(Array.from(t.payload)).toEqual([1, 2, 3]);
    expect(Array.from(p.dst)).toEqual(DST4);
    // The addresses are the record's own, copied: valid until the next decode, which refills the same record.
    const q = expectIp(d.decode(1, ethernet(0x0800, ipv4({ protocol: 17, src: DST4, dst: [10, 0, 0, 9], payload: udp({ payload: [4] }) })), T0));
    expect(q).toBe(p);
    expect(Array.from(p.dst)).toEqual([10, 0, 0, 9]);
    expect(Array.from(p.src)).toEqual(DST4);
    expect(Array.from(p.transport!.payload)).toEqual([4]);
  });
});
