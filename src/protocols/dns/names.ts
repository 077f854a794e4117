/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4), decoded before anything else touches
 * the message so that hostile names become anomalies instead of loops or huge strings.
 *
 * A compression pointer may point anywhere in the message, forward as well as back: RFC 1035
 * §4.1.4 says only "a prior occurrence of the same name", and readers (Wireshark, BIND)
 * follow forward pointers. What is an error is a loop: a walk that reaches a pointer
 * target it has already been to. The chain is also bounded (Zeek's
 * `dns_max_compression_chain_depth` idea), which ends every walk even without the check.
 */
import type { Limits } from '../../dissect/limits.js';
import { latin1 } from '../../dissect/text.js';

/** Pointer hops allowed in one name. Real compressors need 1 to 3. */
export const MAX_COMPRESSION_DEPTH = 5;

export type NameProblemCode = 'dns.bad_pointer' | 'dns.name_limit' | 'dns.malformed';

export interface NameResult {
  /** Presentation form without the trailing dot; `.` for the root. Null when the name is bad. */
  readonly name: string | null;
  /** Offset just after the name's in-place bytes, or -1 when even those are cut short. */
  readonly end: number;
  readonly problem?: { readonly code: NameProblemCode; readonly reason: string };
}

export type NameLimits = Pick<Limits, 'max_dns_name' | 'max_dns_labels'>;

/**
 * Where the labels of the name being read lie in the message (start, end pairs), reused from
 * call to call: the walk records ranges, and the name is made once at the end, one string for
 * the whole name when every label is plain (a string per label joined with `.` before).
 */
let spans = new Int32Array(64);

/** Scratch for a plain name's bytes, dots included; grows to the longest name seen. */
let nameBytes = new Uint8Array(256);

/** `size`: where the message ends for this name (RDATA names end with their record), `msg.length` by default. */
export function parseName(msg: Uint8Array, offset: number, limits: NameLimits, size: number = msg.length): NameResult {
  let labels = 0;
  let plain = true;
  let pos = offset;
  let end = -1;
  /** Targets already jumped to: a walk is deterministic, so meeting one again is a loop. */
  let visited: number[] | null = null;
  let hops = 0;
  let wireLength = 0;
  for (;;) {
    if (pos >= size) return bad(end, 'dns.malformed', 'name runs past the end of the message');
    const len = msg[pos]!;
    const kind = len & 0xc0;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if (kind === 0xc0) {
      if (pos + 1 >= size) return bad(end, 'dns.malformed', 'compression pointer cut short');
      const target = ((len & 0x3f) << 8) | msg[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target === offset || visited?.includes(target)) {
        return bad(end, 'dns.bad_pointer', `pointer at offset ${pos} to ${target} loops back to where the name already was`);
      }
      if (++hops > MAX_COMPRESSION_DEPTH) {
        return bad(end, 'dns.bad_pointer', `compression chain deeper than ${MAX_COMPRESSION_DEPTH} pointers`);
      }
      if (target >= size) return bad(end, 'dns.bad_pointer', `pointer at offset ${pos} to ${target} is past the end of the message`);
      (visited ??= []).push(target);
      pos = target;
      continue;
    }
    if (kind !== 0) return bad(end, 'dns.malformed', `label type 0x${kind.toString(16)} at offset ${pos} is not supported`);
    if (pos + 1 + len > size) return bad(end, 'dns.malformed', 'label runs past the end of the message');
    wireLength += len + 1;
    if (wireLength + 1 > limits.max_dns_name) {
      return bad(end, 'dns.name_limit', `name longer than ${limits.max_dns_name} bytes`);
    }
    if (labels + 1 > limits.max_dns_labels) {
      return bad(end, 'dns.name_limit', `name has more than ${limits.max_dns_labels} labels`);
    }
    if (2 * labels + 2 > spans.length) {
      const grown = new Int32Array(spans.length * 2);
      grown.set(spans);
      spans = grown;
    }
    spans[2 * labels] = pos + 1;
    spans[2 * labels + 1] = pos + 1 + len;
    labels++;
    if (plain) for (let i = pos + 1; i <= pos + len; i++) if (!PLAIN[msg[i]!]) plain = false;
    pos += 1 + len;
  }
  if (labels === 0) return { name: '.', end };
  if (!plain) {
    const parts: string[] = [];
    for (let l = 0; l < labels; l++) parts.push(labelText(msg, spans[2 * l]!, spans[2 * l + 1]!));
    return { name: parts.join('.'), end };
  }
  // Every byte stands for itself: copy the labels, dots between, and decode once.
  if (wireLength > nameBytes.length) nameBytes = new Uint8Array(Math.max(wireLength, nameBytes.length * 2));
  let n = 0;
  for (let l = 0; l < labels; l++) {
    if (l) nameBytes[n++] = 0x2e;
    const a = spans[2 * l]!;
    const e = spans[2 * l + 1]!;
    for (let i = a; i < e; i++) nameBytes[n++] = msg[i]!;
  }
  return { name: latin1(nameBytes, 0, n), end };
}

function bad(end: number, code: NameProblemCode, reason: string): NameResult {
  return { name: null, end, problem: { code, reason } };
}

/** Bytes a label shows as they are: printable ASCII and space, except `.` and `\` (escaped). */
const PLAIN = (() => {
  const t = new Uint8Array(256);
  for (let b = 0x20; b < 0x7f; b++) t[b] = 1;
  t[0x2e] = 0;
  t[0x5c] = 0;
  return t;
})();

/**
 * One label in presentation form: printable ASCII and spaces as they are (mDNS service
 * instance names have spaces), valid UTF-8 kept, `.` and `\` escaped, other bytes `\DDD`.
 */
export function labelText(msg: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) if (msg[i]! >= 0x80) ascii = false;
  if (!ascii) {
    try {
      const text = utf8.decode(msg.subarray(start, end));
      if (!/[\u0000-\u001f\u007f]/.test(text)) return text.replace(/[.\\]/g, (c) => '\\' + c);
    } catch {
      // not UTF-8: fall through to byte escapes
    }
  }
  let s = '';
  for (let i = start; i < end; i++) {
    const b = msg[i]!;
    if (b === 0x2e || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\' + String(b).padStart(3, '0');
  }
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Lower-case comparison key of a name (DNS names compare case-insensitively). */
export const nameKey = (name: string | null): string => (name ?? '').toLowerCase();

/** True when `name` equals `zone` or lies under it. */
export function isSubdomain(name: string, zone: string): boolean {
  const n = nameKey(name);
  const z = nameKey(zone);
  if (z === '.' || z === '') return true;
  return n === z || n.endsWith('.' + z);
}
