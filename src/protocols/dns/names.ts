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

export function parseName(msg: Uint8Array, offset: number, limits: NameLimits): NameResult {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  /** Targets already jumped to: a walk is deterministic, so meeting one again is a loop. */
  let visited: number[] | null = null;
  let hops = 0;
  let wireLength = 0;
  const bad = (code: NameProblemCode, reason: string): NameResult => ({ name: null, end, problem: { code, reason } });
  for (;;) {
    if (pos >= msg.length) return bad('dns.malformed', 'name runs past the end of the message');
    const len = msg[pos]!;
    const kind = len & 0xc0;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if (kind === 0xc0) {
      if (pos + 1 >= msg.length) return bad('dns.malformed', 'compression pointer cut short');
      const target = ((len & 0x3f) << 8) | msg[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target === offset || visited?.includes(target)) {
        return bad('dns.bad_pointer', `pointer at offset ${pos} to ${target} loops back to where the name already was`);
      }
      if (++hops > MAX_COMPRESSION_DEPTH) {
        return bad('dns.bad_pointer', `compression chain deeper than ${MAX_COMPRESSION_DEPTH} pointers`);
      }
      if (target >= msg.length) return bad('dns.bad_pointer', `pointer at offset ${pos} to ${target} is past the end of the message`);
      (visited ??= []).push(target);
      pos = target;
      continue;
    }
    if (kind !== 0) return bad('dns.malformed', `label type 0x${kind.toString(16)} at offset ${pos} is not supported`);
    if (pos + 1 + len > msg.length) return bad('dns.malformed', 'label runs past the end of the message');
    wireLength += len + 1;
    if (wireLength + 1 > limits.max_dns_name) {
      return bad('dns.name_limit', `name longer than ${limits.max_dns_name} bytes`);
    }
    if (labels.length + 1 > limits.max_dns_labels) {
      return bad('dns.name_limit', `name has more than ${limits.max_dns_labels} labels`);
    }
    labels.push(labelText(msg, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.length ? labels.join('.') : '.', end };
}

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
