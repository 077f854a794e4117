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
 * The key of a packet's flow. The answer is one object refilled by every call (keys are made
 * for every packet): read it before the next call.
 */
export function flowKey(proto: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number, scope = ''): FlowKey {
  const forward = compareEndpoints(src, sport, dst, dport) <= 0;
  const out = answer;
  out.forward = forward;
  if (src.length === 4 && dst.length === 4 && scope === '') {
    // IPv4, the common case: one string of seven units (protocol, then each endpoint as two
    // address units and the port), made by one call. Its first unit is the protocol number,
    // never a digit, so it cannot equal a key of the general form below.
    const a = forward ? src : dst;
    const b = forward ? dst : src;
    const a0 = (a[0]! << 8) | a[1]!;
    const a1 = (a[2]! << 8) | a[3]!;
    const ap = forward ? sport : dport;
    const b0 = (b[0]! << 8) | b[1]!;
    const b1 = (b[2]! << 8) | b[3]!;
    const bp = forward ? dport : sport;
    // Packets come in runs of one flow, both ways (a segment, its ACK): the last key is
    // given again when the units match, sparing a string and its hashing in the table.
    const l = last;
    if (proto === l.proto && a0 === l.a0 && a1 === l.a1 && ap === l.ap && b0 === l.b0 && b1 === l.b1 && bp === l.bp) {
      out.key = l.key;
      return out;
    }
    l.proto = proto;
    l.a0 = a0;
    l.a1 = a1;
    l.ap = ap;
    l.b0 = b0;
    l.b1 = b1;
    l.bp = bp;
    out.key = l.key = String.fromCharCode(proto, a0, a1, ap, b0, b1, bp);
    return out;
  }
  const a = forward ? endpointText(src, sport) : endpointText(dst, dport);
  const b = forward ? endpointText(dst, dport) : endpointText(src, sport);
  out.key = `${proto}${scope}|${a}|${b}`;
  return out;
}

const answer: FlowKey = { key: '', forward: false };
/** The units of the last IPv4 key made, and the key. */
const last = { proto: -1, a0: 0, a1: 0, ap: 0, b0: 0, b1: 0, bp: 0, key: '' };

/**
 * Address and port packed two bytes per UTF-16 unit (cheap, unique, not for people): one
 * `fromCharCode` call per endpoint instead of one per byte, since keys are built per packet.
 */
function endpointText(addr: Uint8Array, port: number): string {
  if (addr.length === 4) return String.fromCharCode((addr[0]! << 8) | addr[1]!, (addr[2]! << 8) | addr[3]!, port);
  let s = '';
  for (let i = 0; i + 1 < addr.length; i += 2) s += String.fromCharCode((addr[i]! << 8) | addr[i + 1]!);
  if (addr.length & 1) s += String.fromCharCode(addr[addr.length - 1]!);
  return s + String.fromCharCode(port);
}

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
