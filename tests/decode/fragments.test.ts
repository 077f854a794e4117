import { describe, expect, it } from 'vitest';
import { Timestamp } from '../../src/events/time.js';
import { bytes, decoder, expectIp, extension, fragmentHeader, ipv4, ipv6, T0, udp } from './frames.js';

/** A UDP datagram of `n` payload bytes with recognisable content. */
function datagram(n: number): Uint8Array {
  return udp({ sport: 1111, dport: 2222, payload: Array.from({ length: n }, (_, i) => (i * 7) & 0xff) });
}

/** IPv4 fragments of `whole` (the IP payload) cut at the given byte offsets (multiples of 8). */
function v4Fragments(whole: Uint8Array, cuts: number[], id = 99): Uint8Array[] {
  const bounds = [0, ...cuts, whole.length];
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    out.push(ipv4({ protocol: 17, id, offset: bounds[i]!, more: i + 2 < bounds.length, payload: whole.subarray(bounds[i]!, bounds[i + 1]!) }));
  }
  return out;
}

const at = (s: number) => new Timestamp(T0.sec + s, 0);

describe('IPv4 fragment reassembly', () => {
  it('reassembles fragments in order', () => {
    const { d, problems } = decoder();
    const whole = datagram(3000);
    const frags = v4Fragments(whole, [1480, 2960]);
    expect(d.decode(101, frags[0]!, at(0))).toEqual({ kind: 'held' });
    expect(d.decode(101, frags[1]!, at(0))).toEqual({ kind: 'held' });
    const p = expectIp(d.decode(101, frags[2]!, at(0)));
    expect(p.reassembled).toBe(true);
    expect(p.ip_length).toBe(20 + whole.length);
    expect(Array.from(p.payload)).toEqual(Array.from(whole));
    expect(p.transport?.protocol === 'udp' && p.transport.payload.length).toBe(3000);
    expect(p.transport?.dst_port).toBe(2222);
    expect(problems).toEqual([]);
    expect(d.pendingFragments).toBe(0);
  });

  it('reassembles fragments out of order, keeping the copy after the packet bytes change', () => {
    const { d, problems } = decoder();
    const whole = datagram(2000);
    const [a, b, c] = v4Fragments(whole, [800, 1600]);
    expect(d.decode(101, c!, at(0)).kind).toBe('held');
    c!.fill(0); // the reader reuses its buffers: the reassembler must have copied
    expect(d.decode(101, a!, at(0)).kind).toBe('held');
    const p = expectIp(d.decode(101, b!, at(1)));
    expect(Array.from(p.payload)).toEqual(Array.from(whole));
    expect(problems).toEqual([]);
  });

  it('keeps the first bytes received on overlap (Zeek policy) and reports it', () => {
    const { d, problems } = decoder();
    const whole = datagram(40); // 48 bytes
    const first = ipv4({ protocol: 17, id: 5, offset: 0, more: true, payload: whole.subarray(0, 24) });
    const altered = Uint8Array.from(whole.subarray(16, 48)).fill(0xaa, 0, 8); // differs where it overlaps
    const overlapping = ipv4({ protocol: 17, id: 5, offset: 16, more: false, payload: altered });
    expect(d.decode(101, first, T0).kind).toBe('held');
    const p = expectIp(d.decode(101, overlapping, T0));
    expect(Array.from(p.payload.subarray(0, 24))).toEqual(Array.from(whole.subarray(0, 24)));
    expect(Array.from(p.payload.subarray(24))).toEqual(Array.from(whole.subarray(24)));
    expect(problems.map((x) => x.code)).toEqual(['ip.fragment_overlap']);
    expect(problems[0]!.detail).toMatch(/different content; the first received bytes are kept/);
  });

  it('reports an identical duplicate fragment as overlap', () => {
    const { d, problems } = decoder();
    const [a, b] = v4Fragments(datagram(100), [64]);
    d.decode(101, a!, T0);
    d.decode(101, a!, T0);
    expect(d.decode(101, b!, T0).kind).toBe('ip');
    expect(problems.map((x) => x.code)).toEqual(['ip.fragment_overlap']);
    expect(problems[0]!.detail).toMatch(/identical/);
  });

  it('drops datagrams that never complete, by capture time', () => {
    const { d, problems } = decoder({ fragment_timeout: 30 });
    const [a] = v4Fragments(datagram(100), [64]);
    d.decode(101, a!, at(0));
    d.expire(at(29));
    expect(d.pendingFragments).toBe(1);
    d.expire(at(30));
    expect(d.pendingFragments).toBe(0);
    expect(problems.map((x) => x.code)).toEqual(['ip.fragment_timeout']);
    expect(problems[0]!.detail).toMatch(/64 of unknown bytes in 1 fragments/);
  });

  it('starts over when a late fragment arrives after the timeout', () => {
    const { d, codes } = decoder({ fragment_timeout: 10 });
    const [a, b] = v4Fragments(datagram(100), [64]);
    d.decode(101, a!, at(0));
    expect(d.decode(101, b!, at(20))).toEqual({ kind: 'held' });
    expect(codes()).toEqual(['ip.fragment_timeout']);
  });

  it('bounds the bytes of all pending buffers: far fragments cannot hold 64 KiB each (issue 19)', () => {
    // One 8-byte fragment at offset 64000 makes a 64 KiB buffer; 8192 of them were 720 MB.
    const { d, problems } = decoder({ max_fragment_bytes: 1 << 20 });
    for (let id = 1; id <= 100; id++) d.decode(101, ipv4({ protocol: 17, id, offset: 64000, more: true, payload: new Uint8Array(8) }), T0);
    expect(d.pendingFragments).toBeLessThanOrEqual(16); // 1 MiB / 64 KiB
    expect(d.pendingFragments).toBeGreaterThanOrEqual(15);
    expect(problems.length).toBe(100 - d.pendingFragments);
    expect(new Set(problems.map((x) => x.code))).toEqual(new Set(['ip.fragment_limit']));
    expect(problems[0]!.detail).toMatch(/more than 1048576 bytes of datagrams pending reassembly; dropped the oldest \(IPv4 datagram id 1 /);
    // A datagram that completes still does, and frees its buffer.
    const whole = datagram(3000);
    const [a, b] = v4Fragments(whole, [1480], 5000);
    d.decode(101, a!, T0);
    expect(Array.from(expectIp(d.decode(101, b!, T0)).payload)).toEqual(Array.from(whole));
  });

  it('a flood of first fragments is linear: evicting the oldest does not scan deleted entries', () => {
    const { d, problems } = decoder({ max_pending_fragments: 64 });
    for (let id = 1; id <= 20_000; id++) d.decode(101, ipv4({ protocol: 17, id: id & 0xffff, src: [11, 0, id >> 16, 1], offset: 0, more: true, payload: new Uint8Array(8) }), T0);
    expect(d.pendingFragments).toBe(64);
    expect(problems.length).toBe(20_000 - 64);
  });

  it('evicts the oldest datagram at max_pending_fragments', () => {
    const { d, problems } = decoder({ max_pending_fragments: 2 });
    const firsts = [1, 2, 3].map((id) => v4Fragments(datagram(100), [64], id));
    for (const f of firsts) d.decode(101, f[0]!, T0);
    expect(d.pendingFragments).toBe(2);
    expect(problems.map((x) => x.code)).toEqual(['ip.fragment_limit']);
    expect(problems[0]!.detail).toMatch(/id 1 /);
    expect(d.decode(101, firsts[0]![1]!, T0).kind).toBe('held'); // id 1 was dropped
    expect(d.decode(101, firsts[2]![1]!, T0).kind).toBe('ip');
  });

  it('rejects a datagram that would exceed 65535 bytes', () => {
    const { d, codes } = decoder();
    const tail = ipv4({ protocol: 17, id: 7, offset: 65528, more: false, payload: new Uint8Array(100) });
    expect(d.decode(101, tail, T0)).toEqual({ kind: 'held' });
    expect(codes()).toEqual(['ip.fragment_too_large']);
    expect(d.pendingFragments).toBe(0);
  });

  it('keeps datagrams apart by protocol, id, source and destination', () => {
    const { d } = decoder();
    const [a1, b1] = v4Fragments(datagram(100), [64], 1);
    const [a2] = v4Fragments(datagram(100), [64], 2);
    d.decode(101, a2!, T0);
    d.decode(101, a1!, T0);
    expect(d.decode(101, b1!, T0).kind).toBe('ip');
    expect(d.pendingFragments).toBe(1);
  });
});

describe('IPv6 fragment reassembly', () => {
  it('reassembles, with the unfragmentable part before and destination options after the fragment header', () => {
    const { d, problems } = decoder();
    const body = bytes(extension(17), datagram(200)); // destination options (next: UDP) then UDP
    const f1 = ipv6({ next: 0, extensions: bytes(extension(44), fragmentHeader(60, 0, true, 0xabcdef)), payload: body.subarray(0, 96) });
    const f2 = ipv6({ next: 0, extensions: bytes(extension(44), fragmentHeader(60, 96, false, 0xabcdef)), payload: body.subarray(96) });
    expect(d.decode(229, f2, T0)).toEqual({ kind: 'held' });
    const p = expectIp(d.decode(229, f1, T0));
    expect(p.reassembled).toBe(true);
    expect(p.protocol).toBe(17);
    expect(p.transport?.protocol === 'udp' && p.transport.payload.length).toBe(200);
    expect(p.ip_length).toBe(40 + 8 + body.length);
    expect(problems).toEqual([]);
  });

  it('rejects fragments beyond 65535 bytes', () => {
    const { d, codes } = decoder();
    const f = ipv6({ next: 44, extensions: fragmentHeader(17, 65528, true, 1), payload: new Uint8Array(64) });
    expect(d.decode(229, f, T0)).toEqual({ kind: 'held' });
    expect(codes()).toEqual(['ip.fragment_too_large']);
  });
});
