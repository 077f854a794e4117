/**
 * Hand-made QUIC packets for the tests: frames, long and short headers, and the packet
 * protection of RFC 9001 §5 applied the way a sender applies it (AEAD, then header
 * protection), with node:crypto. The keys come from the code under test (`initialKeys`,
 * `keysFromSecret`), which tests/quic/protection.test.ts checks against the RFC's vectors.
 */
import { createCipheriv } from 'node:crypto';
import { headerMask, type PacketKeys } from '../../src/protocols/quic/protection.js';

export function varint(n: number): number[] {
  if (n < 0x40) return [n];
  if (n < 0x4000) return [0x40 | (n >> 8), n & 0xff];
  if (n < 0x40000000) return [0x80 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const hi = Math.floor(n / 2 ** 32);
  const lo = n >>> 0;
  return [0xc0 | (hi >>> 24), (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
}

const arr = (b: ArrayLike<number>): number[] => Array.from(b);

export const crypto = (offset: number, data: ArrayLike<number>): number[] => [0x06, ...varint(offset), ...varint(data.length), ...arr(data)];
export const padding = (n: number): number[] => new Array(n).fill(0);
export const ping = (): number[] => [0x01];
export const handshakeDone = (): number[] => [0x1e];
export const ack = (largest: number): number[] => [0x02, ...varint(largest), 0, 0, 0];
export function stream(id: number, offset: number, data: ArrayLike<number>, fin = false): number[] {
  return [0x08 | 0x04 | 0x02 | (fin ? 1 : 0), ...varint(id), ...varint(offset), ...varint(data.length), ...arr(data)];
}
export function connectionClose(code: number, reason: string, application: boolean): number[] {
  const r = Buffer.from(reason);
  return application ? [0x1d, ...varint(code), ...varint(r.length), ...r] : [0x1c, ...varint(code), 0, ...varint(r.length), ...r];
}

/** AEAD-seal `payload` behind `header` (whose last `pnLength` bytes are the packet number), then mask the header. */
function seal(keys: PacketKeys, header: number[], pnOffset: number, pnLength: number, pn: number, payload: number[]): Uint8Array {
  const nonce = Uint8Array.from(keys.iv);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 1 - i]! ^= Math.floor(pn / 2 ** (8 * i)) & 0xff;
  const algo = keys.suite.kind === 'chacha20-poly1305' ? 'chacha20-poly1305' : `aes-${keys.key.length * 8}-gcm`;
  const c = createCipheriv(algo as 'aes-128-gcm', keys.key, nonce, { authTagLength: 16 });
  c.setAAD(Uint8Array.from(header));
  const ct = Buffer.concat([c.update(Uint8Array.from(payload)), c.final(), c.getAuthTag()]);
  const packet = Uint8Array.from([...header, ...ct]);
  const mask = headerMask(keys, packet.subarray(pnOffset + 4, pnOffset + 4 + 16));
  packet[0]! ^= mask[0]! & ((packet[0]! & 0x80) !== 0 ? 0x0f : 0x1f);
  for (let i = 0; i < pnLength; i++) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

function pnBytes(pn: number, len: number): number[] {
  const out: number[] = [];
  for (let i = len - 1; i >= 0; i--) out.push(Math.floor(pn / 2 ** (8 * i)) & 0xff);
  return out;
}

export interface LongSpec {
  /** Long header type bits (v1: 0 Initial, 1 0-RTT, 2 Handshake). */
  type: number;
  version?: number;
  dcid: ArrayLike<number>;
  scid: ArrayLike<number>;
  token?: ArrayLike<number>;
  pn: number;
  pnLength?: number;
  payload: number[];
}

/** A protected long header packet. Short payloads are padded so that the sample exists. */
export function longPacket(keys: PacketKeys, s: LongSpec): Uint8Array {
  const pnLength = s.pnLength ?? 2;
  const payload = s.payload.length + pnLength < 4 ? [...s.payload, ...padding(4 - pnLength - s.payload.length)] : s.payload;
  const v = s.version ?? 1;
  const head = [0xc0 | (s.type << 4) | (pnLength - 1), v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff, s.dcid.length, ...arr(s.dcid), s.scid.length, ...arr(s.scid)];
  if (s.type === 0) head.push(...varint(s.token?.length ?? 0), ...arr(s.token ?? []));
  const length = pnLength + payload.length + 16;
  // Two-byte Length, as most stacks write it.
  head.push(0x40 | (length >> 8), length & 0xff);
  const pnOffset = head.length;
  head.push(...pnBytes(s.pn, pnLength));
  return seal(keys, head, pnOffset, pnLength, s.pn, payload);
}

/** A protected short header (1-RTT) packet. `first` sets the spin, key phase and fixed bits (default: fixed bit only). */
export function shortPacket(keys: PacketKeys, dcid: ArrayLike<number>, pn: number, payload: number[], opts: { keyPhase?: 0 | 1; fixedBit?: boolean; pnLength?: number } = {}): Uint8Array {
  const pnLength = opts.pnLength ?? 2;
  const body = payload.length + pnLength < 4 ? [...payload, ...padding(4 - pnLength - payload.length)] : payload;
  const first = ((opts.fixedBit ?? true) ? 0x40 : 0) | ((opts.keyPhase ?? 0) << 2) | (pnLength - 1);
  const head = [first, ...arr(dcid)];
  const pnOffset = head.length;
  head.push(...pnBytes(pn, pnLength));
  return seal(keys, head, pnOffset, pnLength, pn, body);
}

export const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
