/**
 * Literals as Wireshark writes them, turned into tests of one field value: numbers (decimal
 * or 0x hex), booleans (`1`, `0`, `True`, `False`), IPv4 and IPv6 addresses in any of their
 * spellings, CIDR blocks (`ip.addr == 10.0.0.0/8`, `ipv6.addr == fe80::/10`), MAC
 * addresses (`00:11:22:33:44:55`, `00-11-22-33-44-55`, `0011.2233.4455`), ranges inside
 * `in {...}`, and strings (compared exactly, case and all).
 */
import type { Value } from './parse.js';
import type { Scalar } from './values.js';

export type ValueTest = (have: Scalar) => boolean;

export function toNumber(v: Scalar): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return null;
}

function ipv4(s: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : null;
}

function ipv6(s: string): Uint8Array | null {
  if (!s.includes(':') || s.length > 45) return null;
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // `::ffff:192.0.2.1`: the dotted tail is the last two groups.
    const v4 = ipv4(text.slice(lastColon + 1));
    if (!v4) return null;
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if (!head || !rest) return null;
  if (halves.length === 2 && head.length + rest.length > 7) return null;
  const words = halves.length === 2 ? [...head, ...Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (words.length !== 8) return null;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** An address's bytes (IPv4 or IPv6), or null. */
export function addressBytes(s: string): Uint8Array | null {
  return ipv4(s) ?? ipv6(s);
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

const MAC = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;
const MAC_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;

function macText(s: string): string | null {
  const m = MAC.exec(s);
  if (m) return m.slice(1).join(':').toLowerCase();
  const d = MAC_DOTTED.exec(s);
  if (d) return d.slice(1).join('').toLowerCase().replace(/(..)(?!$)/g, '$1:');
  return null;
}

function booleanOf(s: string): boolean | null {
  const l = s.toLowerCase();
  return l === 'true' || l === '1' ? true : l === 'false' || l === '0' ? false : null;
}

/** The equality test of one literal (`==`, and each member of `in {...}`). */
export function equalityTest(v: Value): ValueTest {
  if (v.kind === 'range') return (h) => {
    const n = toNumber(h);
    return n !== null && n >= v.lo && n <= v.hi;
  };
  if (v.kind === 'number') {
    const text = v.text;
    return (h) => {
      if (typeof h === 'string') {
        const n = toNumber(h);
        return n !== null ? n === v.value : h === text;
      }
      return toNumber(h) === v.value;
    };
  }
  const s = v.value;
  const bool = booleanOf(s);
  const slash = s.indexOf('/');
  if (!v.quoted && slash > 0) {
    const net = addressBytes(s.slice(0, slash));
    const bits = Number(s.slice(slash + 1));
    if (net && Number.isInteger(bits) && bits >= 0 && bits <= net.length * 8) {
      return (h) => {
        const a = typeof h === 'string' ? addressBytes(h) : null;
        return a !== null && samePrefix(a, net, bits);
      };
    }
  }
  const addr = addressBytes(s);
  if (addr) return (h) => {
    if (h === s) return true;
    const a = typeof h === 'string' ? addressBytes(h) : null;
    return a !== null && samePrefix(a, addr, addr.length * 8);
  };
  const mac = macText(s);
  if (mac) return (h) => typeof h === 'string' && (h === s || macText(h) === mac);
  return (h) => {
    if (typeof h === 'boolean') return bool === h;
    if (typeof h === 'number') return toNumber(s) === h;
    return h === s;
  };
}

/** `>`, `>=`, `<`, `<=`: numbers by value, strings that are not numbers by code point. */
export function orderTest(op: '>' | '>=' | '<' | '<=', v: Value): ValueTest {
  const cmp = (d: number) => (op === '>' ? d > 0 : op === '>=' ? d >= 0 : op === '<' ? d < 0 : d <= 0);
  if (v.kind === 'range') return () => false;
  const n = v.kind === 'number' ? v.value : toNumber(v.value);
  const text = v.kind === 'number' ? v.text : v.value;
  return (h) => {
    const a = toNumber(h);
    if (a !== null && n !== null) return cmp(a - n);
    if (typeof h === 'string' && n === null) return cmp(h < text ? -1 : h > text ? 1 : 0);
    return false;
  };
}

/** The literal as text, for `contains` and `matches`. */
export function literalText(v: Value): string {
  return v.kind === 'number' ? v.text : v.kind === 'string' ? v.value : `${v.lo}..${v.hi}`;
}
