/**
 * Bencode (BEP 3) through the `bencode` package, but only after our own iterative scan
 * has checked the syntax, the lengths and the nesting depth: the package recurses, and
 * on some malformed input (a negative string length) it walks backwards forever.
 * Decoded byte strings become text when they are printable UTF-8, otherwise hex.
 */
import bencode from 'bencode';
import type { JsonObject, JsonValue } from '../../events/json.js';
import { hex, latin1 } from '../../dissect/text.js';

export type BencodeProblem = { readonly code: 'bittorrent.bencode_depth' | 'bittorrent.bad_bencode'; readonly reason: string };

/** Where the first complete bencoded value starting at `start` ends, or why it is not one. */
export function scanBencode(b: Uint8Array, start: number, maxDepth: number): { end: number } | BencodeProblem {
  let pos = start;
  let depth = 0;
  const bad = (reason: string): BencodeProblem => ({ code: 'bittorrent.bad_bencode', reason });
  // Containers open on the stack; dictionaries alternate key (must be a string) and value.
  const stack: Array<{ dict: boolean; expectKey: boolean }> = [];
  do {
    if (pos >= b.length) return bad('unterminated value');
    const c = b[pos]!;
    const top = stack[stack.length - 1];
    if (c === 0x65 /* e */) {
      if (!top) return bad(`unexpected 'e' at ${pos - start}`);
      if (top.dict && !top.expectKey) return bad('dictionary key without value');
      stack.pop();
      depth--;
      pos++;
      afterValue(stack);
      continue;
    }
    if (top?.dict && top.expectKey && !(c >= 0x30 && c <= 0x39)) return bad(`dictionary key is not a string at ${pos - start}`);
    if (c === 0x64 /* d */ || c === 0x6c /* l */) {
      if (++depth > maxDepth) return { code: 'bittorrent.bencode_depth', reason: `nesting deeper than ${maxDepth}` };
      stack.push({ dict: c === 0x64, expectKey: true });
      pos++;
      continue;
    }
    if (c === 0x69 /* i */) {
      let i = pos + 1;
      if (b[i] === 0x2d) i++;
      const digits = i;
      while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
      if (i >= b.length) return bad('unterminated integer');
      if (b[i] !== 0x65 || i === digits || i - digits > 16) return bad(`bad integer at ${pos - start}`);
      pos = i + 1;
      afterValue(stack);
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      let i = pos;
      let len = 0;
      while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39 && i - pos < 10) len = len * 10 + (b[i++]! - 0x30);
      if (i >= b.length) return bad('unterminated string length');
      if (b[i] !== 0x3a) return bad(`bad string length at ${pos - start}`);
      if (i + 1 + len > b.length) return bad(`string of ${len} bytes runs past the end`);
      pos = i + 1 + len;
      afterValue(stack);
      continue;
    }
    return bad(`unexpected byte 0x${c.toString(16)} at ${pos - start}`);
  } while (stack.length > 0);
  return { end: pos };
}

function afterValue(stack: Array<{ dict: boolean; expectKey: boolean }>): void {
  const top = stack[stack.length - 1];
  if (top?.dict) top.expectKey = !top.expectKey;
}

export type BValue = number | Uint8Array | BValue[] | { [key: string]: BValue };

/** Decodes the value at the start of `b` after scanning it. Never throws. */
export function decodeBencode(
  b: Uint8Array,
  maxDepth: number,
): { value: BValue; end: number } | BencodeProblem {
  const scan = scanBencode(b, 0, maxDepth);
  if ('code' in scan) return scan;
  try {
    return { value: bencode.decode(b.subarray(0, scan.end)) as BValue, end: scan.end };
  } catch (e) {
    return { code: 'bittorrent.bad_bencode', reason: e instanceof Error ? e.message : String(e) };
  }
}

export const isDict = (v: BValue | undefined): v is { [key: string]: BValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
export const isBytes = (v: BValue | undefined): v is Uint8Array => v instanceof Uint8Array;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text if printable UTF-8, else null. */
export function bytesText(b: Uint8Array): string | null {
  // Plain ASCII (the common case: ports, events, keys) is decided byte by byte, without a
  // UTF-8 decode and a regex over its result; anything else takes the full path below.
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return null;
  }
  if (ascii) return latin1(b);
  try {
    const s = utf8.decode(b);
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? null : s;
  } catch {
    return null;
  }
}

export const str = (v: BValue | undefined): string | null => (isBytes(v) ? bytesText(v) ?? hex(v) : null);
export const num = (v: BValue | undefined): number | null => (typeof v === 'number' ? v : null);

/** JSON view of a bencoded value, byte strings as text or `hex:`-free hex. */
export function bencodeJson(v: BValue, budget = { left: 4096 }): JsonValue {
  if (--budget.left < 0) return null;
  if (typeof v === 'number') return v;
  if (v instanceof Uint8Array) return bytesText(v) ?? hex(v.length > 256 ? v.subarray(0, 256) : v);
  if (Array.isArray(v)) return v.map((x) => bencodeJson(x, budget));
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(v).sort()) out[k] = bencodeJson(v[k]!, budget);
  return out as JsonObject;
}
