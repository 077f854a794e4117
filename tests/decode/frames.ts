/** Hand-made packets for the decoder tests. Checksums are computed unless overridden. */
import { PacketDecoder } from '../../src/decode/index.js';
import type { DecodeProblem, DecodeResult, IpPacket } from '../../src/decode/types.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/dissect/limits.js';
import { Timestamp } from '../../src/events/time.js';

export function bytes(...parts: Array<ArrayLike<number> | number>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p & 0xff);
    else for (let i = 0; i < p.length; i++) out.push(p[i]! & 0xff);
  }
  return Uint8Array.from(out);
}

export const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
export const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const u16le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
export const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export function checksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export const SRC4 = [192, 0, 2, 1];
export const DST4 = [198, 51, 100, 7];
export const SRC6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const DST6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

export interface V4 {
  protocol?: number;
  payload?: Uint8Array;
  ttl?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  offset?: number;
  more?: boolean;
  dontFragment?: boolean;
  options?: number[];
  totalLength?: number;
  badChecksum?: boolean;
  version?: number;
  src?: number[];
  dst?: number[];
}

export function ipv4(o: V4 = {}): Uint8Array {
  const options = o.options ?? [];
  const hlen = 20 + options.length;
  const payload = o.payload ?? new Uint8Array(0);
  const flags = (o.more ? 0x2000 : 0) | (o.dontFragment ? 0x4000 : 0) | ((o.offset ?? 0) / 8);
  const h = bytes(
    ((o.version ?? 4) << 4) | (hlen / 4),
    0,
    u16(o.totalLength ?? hlen + payload.length),
    u16(o.id ?? 0x1234),
    u16(flags),
    o.ttl ?? 64,
    o.protocol ?? 6,
    0,
    0,
    o.src ?? SRC4,
    o.dst ?? DST4,
    options,
  );
  const c = checksum(h) ^ (o.badChecksum ? 0x5555 : 0);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return bytes(h, payload);
}

export interface V6 {
  next?: number;
  /** Extension headers, already encoded, in order; `next` is the first one's type. */
  extensions?: Uint8Array;
  payload?: Uint8Array;
  payloadLength?: number;
  hopLimit?: number;
  src?: number[];
  dst?: number[];
}

export function ipv6(o: V6 = {}): Uint8Array {
  const body = bytes(o.extensions ?? [], o.payload ?? []);
  return bytes(0x60, 0, 0, 0, u16(o.payloadLength ?? body.length), o.next ?? 6, o.hopLimit ?? 64, o.src ?? SRC6, o.dst ?? DST6, body);
}

/** An options-type extension header (hop-by-hop, routing, destination options) of `units` 8-byte units. */
export function extension(next: number, units = 1): Uint8Array {
  const h = new Uint8Array(units * 8);
  h[0] = next;
  h[1] = units - 1;
  if (units * 8 > 2) {
    h[2] = 1; // PadN covering the rest
    h[3] = units * 8 - 4;
  }
  return h;
}

export function fragmentHeader(next: number, offset: number, more: boolean, id: number): Uint8Array {
  return bytes(next, 0, u16(offset | (more ? 1 : 0)), u32(id));
}

export interface Tcp {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: number[];
  payload?: ArrayLike<number>;
  dataOffsetWords?: number;
}

export function tcp(o: Tcp = {}): Uint8Array {
  const options = o.options ?? [];
  const doff = o.dataOffsetWords ?? (20 + options.length) / 4;
  return bytes(u16(o.sport ?? 40000), u16(o.dport ?? 80), u32(o.seq ?? 1000), u32(o.ack ?? 0), (doff << 4) | ((o.flags ?? 0x18) >> 8), (o.flags ?? 0x18) & 0xff, u16(o.window ?? 65535), 0, 0, 0, 0, options, o.payload ?? []);
}

export function udp(o: { sport?: number; dport?: number; payload?: ArrayLike<number>; length?: number } = {}): Uint8Array {
  const payload = o.payload ?? [];
  return bytes(u16(o.sport ?? 5353), u16(o.dport ?? 53), u16(o.length ?? 8 + payload.length), 0, 0, payload);
}

export const MAC_A = [0, 1, 2, 3, 4, 5];
export const MAC_B = [6, 7, 8, 9, 10, 11];

export function ethernet(etherType: number, payload: ArrayLike<number>): Uint8Array {
  return bytes(MAC_B, MAC_A, u16(etherType), payload);
}

export function vlanTag(tpid: number, vid: number): number[] {
  return [...u16(tpid), ...u16(vid)];
}

/** A decoder that records its problems. */
export function decoder(limits: Partial<Limits> = {}, checkChecksums = false): { d: PacketDecoder; problems: DecodeProblem[]; codes: () => string[] } {
  const problems: DecodeProblem[] = [];
  const d = new PacketDecoder({ ...DEFAULT_LIMITS, ...limits }, (p) => problems.push(p), checkChecksums);
  return { d, problems, codes: () => problems.map((p) => p.code) };
}

export const T0 = new Timestamp(1_700_000_000, 0);

export function expectIp(r: DecodeResult): IpPacket {
  if (r.kind !== 'ip') throw new Error(`expected an IP packet, got ${JSON.stringify(r)}`);
  return r.packet;
}
