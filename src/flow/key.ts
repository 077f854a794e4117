import { hashUnits } from './key-hash.js';

/**
 * Direction-free flow keys. Both directions of a conversation map to the same string;
 * `forward` says whether the packet goes from the lower endpoint to the higher one.
 */
export interface FlowKey {
  key: string;
  /** True when the packet's source is the key's first (lower) endpoint. */
  forward: boolean;
}

/**
 * The key of a packet's flow, as a string (`KeyProbe.text` of `keyProbe`). The engine's
 * packet path uses the probe itself and makes the string only for a new flow.
 */
export function flowKey(proto: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number, scope = ''): FlowKey {
  const p = keyProbe(proto, src, sport, dst, dport, scope);
  return { key: p.text(), forward: p.forward };
}

/**
 * A packet's flow key as its UTF-16 units and their hash, without the string: flows are
 * looked up by these (`FlowMap.find`, comparing a flow's key unit by unit), so a packet of a
 * known flow makes no string (issue 18: a key string per packet, and its hashing, showed in
 * the profile whenever packets of several flows interleave). The units are exactly the
 * string's: IPv4 without a tunnel scope, seven units (protocol, then each endpoint as two
 * address units and the port; the protocol is never a digit, so this form cannot equal the
 * other); else `${proto}${scope}|${a}|${b}` with each endpoint packed as `pushEndpoint` does.
 */
export class KeyProbe {
  units = new Uint16Array(64);
  length = 0;
  /** `hashUnits` of the units (the hash `FlowMap` files the key's string under). */
  hash = 0;
  /** True when the packet's source is the key's first (lower) endpoint. */
  forward = false;

  /** Whether `key` is the string of these units. */
  matches(key: string): boolean {
    const n = this.length;
    if (key.length !== n) return false;
    const u = this.units;
    for (let i = 0; i < n; i++) if (key.charCodeAt(i) !== u[i]) return false;
    return true;
  }

  /** The key's string (made once per flow, when it is created). */
  text(): string {
    const u = this.units;
    if (this.length === 7) return String.fromCharCode(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!);
    let s = '';
    for (let i = 0; i < this.length; i++) s += String.fromCharCode(u[i]!);
    return s;
  }

  push(unit: number): void {
    if (this.length === this.units.length) {
      // A long tunnel scope: grown by doubling, kept for the next packets.
      const grown = new Uint16Array(this.units.length * 2);
      grown.set(this.units);
      this.units = grown;
    }
    this.units[this.length++] = unit;
  }

  /**
   * Address and port packed two bytes per UTF-16 unit (cheap, unique, not for people): an
   * odd last byte takes a unit of its own, the port the last.
   */
  pushEndpoint(addr: Uint8Array, port: number): void {
    for (let i = 0; i + 1 < addr.length; i += 2) this.push((addr[i]! << 8) | addr[i + 1]!);
    if (addr.length & 1) this.push(addr[addr.length - 1]!);
    this.push(port);
  }
}

const probe = new KeyProbe();

/**
 * The key of a packet's flow as units (see `KeyProbe`). The answer is one probe refilled by
 * every call (keys are made for every packet): read it before the next call.
 */
export function keyProbe(proto: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number, scope = ''): KeyProbe {
  const forward = compareEndpoints(src, sport, dst, dport) <= 0;
  const p = probe;
  p.forward = forward;
  const a = forward ? src : dst;
  const ap = forward ? sport : dport;
  const b = forward ? dst : src;
  const bp = forward ? dport : sport;
  if (a.length === 4 && b.length === 4 && scope === '') {
    // IPv4, the common case.
    const u = p.units;
    u[0] = proto;
    u[1] = (a[0]! << 8) | a[1]!;
    u[2] = (a[2]! << 8) | a[3]!;
    u[3] = ap;
    u[4] = (b[0]! << 8) | b[1]!;
    u[5] = (b[2]! << 8) | b[3]!;
    u[6] = bp;
    p.length = 7;
  } else {
    p.length = 0;
    const digits = String(proto);
    for (let i = 0; i < digits.length; i++) p.push(digits.charCodeAt(i));
    for (let i = 0; i < scope.length; i++) p.push(scope.charCodeAt(i));
    p.push(BAR);
    p.pushEndpoint(a, ap);
    p.push(BAR);
    p.pushEndpoint(b, bp);
  }
  p.hash = hashUnits(p.units, p.length);
  return p;
}

const BAR = 0x7c;

/** Orders endpoints by address bytes, then port (the same order Community ID uses). */
export function compareEndpoints(a: Uint8Array, ap: number, b: Uint8Array, bp: number): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return ap - bp;
}

/** `addr:port` key of a listening endpoint, for expectations. */
export const endpointKey = (addr: string, port: number): string => `${addr}|${port}`;

/**
 * The two endpoints a key was made from, lower first: address bytes and port. Flows keep
 * only their key and decode it when their endpoints are first needed (most flows of a
 * SYN flood never need them before they end). The endpoints are the key's last units, of
 * a length fixed by the IP version, so a tunnel scope before them never matters.
 */
export function keyEndpoints(key: string, ipVersion: 4 | 6): { a: Uint8Array; ap: number; b: Uint8Array; bp: number } {
  const units = ipVersion === 4 ? 2 : 8;
  // The IPv4 fast form has no separator before the second endpoint; the general form has '|'.
  const fast = ipVersion === 4 && key.length === 7 && !isDigit(key.charCodeAt(0));
  const bStart = key.length - units - 1;
  const aStart = bStart - (fast ? 0 : 1) - units - 1;
  return { a: unpack(key, aStart, units), ap: key.charCodeAt(aStart + units), b: unpack(key, bStart, units), bp: key.charCodeAt(bStart + units) };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function unpack(key: string, start: number, units: number): Uint8Array {
  const out = new Uint8Array(units * 2);
  for (let i = 0; i < units; i++) {
    const u = key.charCodeAt(start + i);
    out[2 * i] = u >> 8;
    out[2 * i + 1] = u & 0xff;
  }
  return out;
}
