import { describe, expect, it } from 'vitest';
import { bytes, decoder, expectIp, extension, fragmentHeader, ipv4, ipv6, T0, tcp, u16, udp } from './frames.js';

const TCP = tcp({ payload: [0x47, 0x45, 0x54] });

describe('IPv4', () => {
  it('decodes the header fields and the transport', () => {
    const { d, problems } = decoder();
    const p = expectIp(d.decode(101, ipv4({ ttl: 33, payload: TCP }), T0));
    expect(p).toMatchObject({ version: 4, protocol: 6, ttl: 33, ip_length: 20 + TCP.length, reassembled: false, truncated: false });
    expect(p.payload.length).toBe(TCP.length);
    expect(problems).toEqual([]);
  });

  it('accepts options (header length 24 and 60)', () => {
    const { d, problems } = decoder();
    const rr = [7, 39, 4, ...new Array(36).fill(0), 0]; // record route, padded to 40 bytes
    for (const options of [[0x94, 4, 0, 0], rr]) {
      const p = expectIp(d.decode(101, ipv4({ options, payload: TCP }), T0));
      expect(p.transport?.protocol).toBe('tcp');
      expect(p.transport!.dst_port).toBe(80);
      expect(p.ip_length).toBe(20 + options.length + TCP.length);
    }
    expect(problems).toEqual([]);
  });

  it('does not verify the header checksum unless asked (as Wireshark)', () => {
    const { d, problems } = decoder();
    expectIp(d.decode(101, ipv4({ badChecksum: true, payload: TCP }), T0));
    expect(problems).toEqual([]);
  });

  it('with checksums on, reports a bad header checksum but still uses the packet (offload)', () => {
    const { d, problems } = decoder({}, true);
    const p = expectIp(d.decode(101, ipv4({ badChecksum: true, payload: TCP }), T0));
    expect(p.transport?.protocol).toBe('tcp');
    // The hand-made TCP header's checksum is 0, wrong too.
    expect(problems.map((x) => x.code)).toEqual(['ip.bad_checksum', 'tcp.bad_checksum']);
    expect(problems[0]!.detail).toMatch(/should be 0x[0-9a-f]{4}/);
  });

  it('rejects header length below 20, total length below the header, and bad versions', () => {
    const a = decoder();
    const short = ipv4({ payload: TCP });
    short[0] = 0x44;
    expect(a.d.decode(101, short, T0)).toEqual({ kind: 'bad' });
    expect(a.codes()).toEqual(['ip.bad_header_length']);
    const b = decoder();
    expect(b.d.decode(101, ipv4({ totalLength: 12, payload: TCP }), T0)).toEqual({ kind: 'bad' });
    expect(b.codes()).toEqual(['ip.bad_total_length']);
    const c = decoder();
    expect(c.d.decode(1, bytes(new Array(12).fill(0), u16(0x0800), ipv4({ version: 5 })), T0)).toEqual({ kind: 'bad' });
    expect(c.codes()).toEqual(['ip.bad_version']);
  });

  it('rejects a header length beyond the datagram, and a header cut by the capture', () => {
    const a = decoder();
    const pkt = ipv4({ payload: TCP });
    pkt[0] = 0x4f; // 60-byte header in a 43-byte datagram
    expect(a.d.decode(101, pkt, T0)).toEqual({ kind: 'bad' });
    expect(a.codes()).toEqual(['ip.bad_header_length']);
    const b = decoder();
    const withOptions = ipv4({ options: new Array(20).fill(1), payload: TCP });
    expect(b.d.decode(101, withOptions.subarray(0, 30), T0)).toEqual({ kind: 'bad' });
    expect(b.codes()).toEqual(['ip.truncated']);
    const c = decoder();
    expect(c.d.decode(101, ipv4().subarray(0, 12), T0)).toEqual({ kind: 'bad' });
    expect(c.codes()).toEqual(['ip.truncated']);
  });

  it('keeps a datagram cut by the snaplen: ip_length as sent, payload as captured', () => {
    const { d, problems } = decoder();
    const big = ipv4({ payload: tcp({ payload: new Array(1000).fill(0x61) }) });
    const p = expectIp(d.decode(101, big.subarray(0, 96), T0));
    expect(p.ip_length).toBe(1040);
    expect(p.truncated).toBe(true);
    expect(p.payload.length).toBe(76);
    expect(p.transport?.protocol === 'tcp' && p.transport.payload.length).toBe(56);
    expect(problems).toEqual([]);
  });

  it('uses the captured length when the total length is 0 (segmentation offload)', () => {
    const { d, codes } = decoder();
    const p = expectIp(d.decode(101, ipv4({ totalLength: 0, payload: TCP }), T0));
    expect(p.transport?.protocol).toBe('tcp');
    expect(p.ip_length).toBe(20 + TCP.length);
    expect(codes()).toEqual(['ip.bad_total_length']);
  });

  it('fills icmp type and code, with no transport', () => {
    const { d } = decoder();
    const p = expectIp(d.decode(101, ipv4({ protocol: 1, payload: bytes(8, 0, 0, 0, 0, 1, 0, 1) }), T0));
    expect(p.icmp).toEqual({ type: 8, code: 0 });
    expect(p.transport).toBeNull();
  });
});

describe('IPv6', () => {
  it('walks hop-by-hop, routing, destination options and AH to TCP', () => {
    const { d, problems } = decoder();
    const ah = bytes(6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); // (4+2)*4 = 24 bytes
    const extensions = bytes(extension(43), extension(60, 2), extension(51), ah);
    const p = expectIp(d.decode(229, ipv6({ next: 0, extensions, payload: TCP }), T0));
    expect(p.protocol).toBe(6);
    expect(p.transport?.protocol).toBe('tcp');
    expect(p.ip_length).toBe(40 + extensions.length + TCP.length);
    expect(p.payload.length).toBe(TCP.length);
    expect(problems).toEqual([]);
  });

  it('stops at mobility (135) and no next header (59)', () => {
    const { d, problems } = decoder();
    const mob = expectIp(d.decode(229, ipv6({ next: 60, extensions: extension(135), payload: bytes(59, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }), T0));
    expect(mob.protocol).toBe(135);
    expect(mob.transport).toBeNull();
    expect(mob.payload.length).toBe(16);
    const none = expectIp(d.decode(229, ipv6({ next: 0, extensions: extension(59), payload: bytes(1, 2, 3, 4) }), T0));
    expect(none.protocol).toBe(59);
    expect(none.payload.length).toBe(0);
    expect(problems).toEqual([]);
  });

  it('ICMPv6 gets type and code', () => {
    const { d } = decoder();
    const p = expectIp(d.decode(229, ipv6({ next: 58, payload: bytes(128, 0, 0, 0, 0, 1, 0, 1) }), T0));
    expect(p.icmp).toEqual({ type: 128, code: 0 });
  });

  it('reports an extension header running past the payload', () => {
    const { d, codes } = decoder();
    const ext = extension(6, 1);
    ext[1] = 4; // claims 40 bytes
    expect(d.decode(229, ipv6({ next: 60, extensions: ext, payload: TCP }), T0)).toEqual({ kind: 'bad' });
    expect(codes()).toEqual(['ip.bad_extension_header']);
  });

  it('reports a hop-by-hop header that is not first, and goes on', () => {
    const { d, codes } = decoder();
    const p = expectIp(d.decode(229, ipv6({ next: 60, extensions: bytes(extension(0), extension(6)), payload: TCP }), T0));
    expect(p.transport?.protocol).toBe('tcp');
    expect(codes()).toEqual(['ip.bad_extension_header']);
  });

  it('bounds a long chain of extension headers', () => {
    const { d, codes } = decoder();
    const chain = bytes(...Array.from({ length: 40 }, () => extension(60)));
    expect(d.decode(229, ipv6({ next: 60, extensions: chain, payload: TCP }), T0)).toEqual({ kind: 'bad' });
    expect(codes()).toEqual(['ip.bad_extension_header']);
  });

  it('passes an atomic fragment straight through', () => {
    const { d, problems } = decoder();
    const p = expectIp(d.decode(229, ipv6({ next: 44, extensions: fragmentHeader(17, 0, false, 77), payload: udp({ payload: [1] }) }), T0));
    expect(p.reassembled).toBe(false);
    expect(p.transport?.protocol).toBe('udp');
    expect(problems).toEqual([]);
  });

  it('keeps a datagram cut by the snaplen', () => {
    const { d, problems } = decoder();
    const full = ipv6({ next: 6, payload: tcp({ payload: new Array(500).fill(1) }) });
    const p = expectIp(d.decode(229, full.subarray(0, 100), T0));
    expect(p.truncated).toBe(true);
    expect(p.ip_length).toBe(full.length);
    expect(p.transport?.protocol === 'tcp' && p.transport.payload.length).toBe(40);
    expect(problems).toEqual([]);
  });
});
