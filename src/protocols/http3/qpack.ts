/**
 * QPACK (RFC 9204): HTTP/3's field compression. One `QpackDecoder` per direction of a
 * connection holds the dynamic table its peer's encoder stream builds.
 *
 * - The static table (Appendix A, 99 entries).
 * - Encoder stream instructions (§4.3): Set Dynamic Table Capacity, Insert with Name
 *   Reference, Insert with Literal Name, Duplicate. Read as bytes arrive; a partial
 *   instruction waits for more.
 * - Decoder stream instructions (§4.4) are read for counts: Section Acknowledgment, Stream
 *   Cancellation, Insert Count Increment.
 * - Field sections (§4.5): the Required Insert Count says how many inserts a section needs;
 *   a section that needs more than have arrived is blocked (§2.1.2) and the caller retries
 *   it after each encoder stream delivery.
 *
 * Never throws: a malformed instruction or section is a `{ error }`; a reference past the
 * table is an error, not a guess.
 */
import { decodeText } from '../../dissect/text.js';
import { huffmanDecode } from '../http2/huffman.js';

export const QPACK_STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':path', '/'],
  ['age', '0'],
  ['content-disposition', ''],
  ['content-length', '0'],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['referer', ''],
  ['set-cookie', ''],
  [':method', 'CONNECT'],
  [':method', 'DELETE'],
  [':method', 'GET'],
  [':method', 'HEAD'],
  [':method', 'OPTIONS'],
  [':method', 'POST'],
  [':method', 'PUT'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '103'],
  [':status', '200'],
  [':status', '304'],
  [':status', '404'],
  [':status', '503'],
  ['accept', '*/*'],
  ['accept', 'application/dns-message'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'],
  ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'],
  ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'],
  ['content-encoding', 'br'],
  ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'],
  ['content-type', 'application/javascript'],
  ['content-type', 'application/json'],
  ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'],
  ['content-type', 'image/png'],
  ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'],
  ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'],
  ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
  ['vary', 'accept-encoding'],
  ['vary', 'origin'],
  ['x-content-type-options', 'nosniff'],
  ['x-xss-protection', '1; mode=block'],
  [':status', '100'],
  [':status', '204'],
  [':status', '206'],
  [':status', '302'],
  [':status', '400'],
  [':status', '403'],
  [':status', '421'],
  [':status', '425'],
  [':status', '500'],
  ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'],
  ['alt-svc', 'clear'],
  ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'],
  ['expect-ct', ''],
  ['forwarded', ''],
  ['if-range', ''],
  ['origin', ''],
  ['purpose', 'prefetch'],
  ['server', ''],
  ['timing-allow-origin', '*'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', ''],
  ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'],
  ['x-frame-options', 'sameorigin'],
];

/** RFC 9204 §3.2.1: each entry costs its name and value lengths plus 32. */
const ENTRY_OVERHEAD = 32;

/**
 * QPACK's readers run both on the encoder stream, which may still grow (`'need_more'`: wait,
 * as `Parsed` says it, src/dissect/parse.ts), and inside whole field sections (where the same
 * answer means truncated). They return the next position, not a count, because every
 * instruction chains several of them.
 */
type IntResult = { value: number; next: number } | 'need_more' | 'overflow';

/** A prefixed integer (RFC 7541 §5.1, as QPACK uses it); above 2^40 no table or length is honest. */
export function readPrefixInt(b: Uint8Array, at: number, prefixBits: number): IntResult {
  if (at >= b.length) return 'need_more';
  const max = (1 << prefixBits) - 1;
  let value = b[at]! & max;
  let p = at + 1;
  if (value < max) return { value, next: p };
  let mul = 1;
  for (;;) {
    if (p >= b.length) return 'need_more';
    const x = b[p++]!;
    value += (x & 0x7f) * mul;
    if (value > 2 ** 40) return 'overflow';
    if ((x & 0x80) === 0) return { value, next: p };
    mul *= 128;
  }
}

type StringResult = { text: string; bytes: number; next: number } | 'need_more' | string;

/** A string literal whose H bit is `hBit` of the first byte and length the low `prefixBits`. */
function readString(b: Uint8Array, at: number, hBit: number, prefixBits: number, max: number): StringResult {
  if (at >= b.length) return 'need_more';
  const huffman = (b[at]! & hBit) !== 0;
  const len = readPrefixInt(b, at, prefixBits);
  if (len === 'need_more') return 'need_more';
  if (len === 'overflow' || len.value > max) return `string length over ${max} bytes`;
  const end = len.next + len.value;
  if (end > b.length) return 'need_more';
  if (!huffman) return { text: decodeText(b, len.next, end), bytes: len.value, next: end };
  const d = huffmanDecode(b, len.next, end);
  if (!d.ok) return `Huffman: ${d.reason}`;
  return { text: decodeText(d.bytes), bytes: d.bytes.length, next: end };
}

export interface QpackLimits {
  /** Largest table capacity held (Limits.max_qpack_table); the encoder's capacity is capped at it. */
  readonly maxTable: number;
  readonly maxHeaders: number;
  readonly maxHeaderBytes: number;
}

export type SectionResult =
  | { readonly kind: 'done'; readonly headers: Array<[string, string]>; readonly required_insert_count: number; readonly dynamic_refs: number; readonly trimmed: boolean }
  /** The section needs `required` inserts; `have` arrived so far. */
  | { readonly kind: 'blocked'; readonly required: number; readonly have: number }
  | { readonly kind: 'error'; readonly reason: string };

export type EncoderOutcome =
  | { readonly kind: 'ok'; readonly consumed: number; readonly inserts: number }
  | { readonly kind: 'error'; readonly reason: string; readonly consumed: number };

interface Entry {
  readonly name: string;
  readonly value: string;
  /** Octets of name and value on the wire plus 32 (§3.2.1): the text may be decoded as Latin-1, so its length is not it. */
  readonly size: number;
  readonly valueBytes: number;
}

/** Octets of a static table name (all ASCII). */
const asciiBytes = (s: string): number => s.length;

export class QpackDecoder {
  /** Entries in insertion order; `entries[0]` has absolute index `dropped`. */
  private entries: Entry[] = [];
  private dropped = 0;
  private size = 0;
  private capacity = 0;
  /** Inserts so far (the next absolute index). */
  insertCount = 0;
  /** Bytes of encoder instructions read (for the record). */
  encoderBytes = 0;
  capacitySets = 0;
  /** SETTINGS_QPACK_MAX_TABLE_CAPACITY the decoding side announced (0 until its SETTINGS). */
  maxTableCapacity = 0;

  constructor(private readonly limits: QpackLimits) {}

  get tableSize(): number {
    return this.size;
  }

  get tableEntries(): number {
    return this.entries.length;
  }

  /**
   * Reads whole encoder instructions from `b` (the encoder stream's unread bytes). Stops at
   * a partial instruction (`consumed` tells how far it got) or at an error (the stream can
   * no longer be followed: every later reference would be a guess).
   */
  encoderInstructions(b: Uint8Array): EncoderOutcome {
    let at = 0;
    let inserts = 0;
    const maxString = this.limits.maxHeaderBytes;
    while (at < b.length) {
      const first = b[at]!;
      if (first & 0x80) {
        // Insert with Name Reference.
        const idx = readPrefixInt(b, at, 6);
        if (idx === 'need_more') break;
        if (idx === 'overflow') return { kind: 'error', reason: 'name index overflows', consumed: at };
        const v = readString(b, idx.next, 0x80, 7, maxString);
        if (v === 'need_more') break;
        if (typeof v === 'string') return { kind: 'error', reason: `insert value: ${v}`, consumed: at };
        let name: string;
        let nameBytes: number;
        if (first & 0x40) {
          const e = QPACK_STATIC_TABLE[idx.value];
          if (e === undefined) return { kind: 'error', reason: `insert names static entry ${idx.value}, past the static table (99 entries)`, consumed: at };
          name = e[0];
          nameBytes = asciiBytes(name);
        } else {
          const e = this.relative(idx.value);
          if (e === null) return { kind: 'error', reason: `insert names dynamic entry ${idx.value} back, past the table (${this.entries.length} entries)`, consumed: at };
          name = e.name;
          nameBytes = e.size - ENTRY_OVERHEAD - e.valueBytes;
        }
        const r = this.insert(name, v.text, nameBytes, v.bytes);
        if (r !== null) return { kind: 'error', reason: r, consumed: at };
        inserts++;
        at = v.next;
      } else if (first & 0x40) {
        // Insert with Literal Name.
        const n = readString(b, at, 0x20, 5, maxString);
        if (n === 'need_more') break;
        if (typeof n === 'string') return { kind: 'error', reason: `insert name: ${n}`, consumed: at };
        const v = readString(b, n.next, 0x80, 7, maxString);
        if (v === 'need_more') break;
        if (typeof v === 'string') return { kind: 'error', reason: `insert value: ${v}`, consumed: at };
        const r = this.insert(n.text, v.text, n.bytes, v.bytes);
        if (r !== null) return { kind: 'error', reason: r, consumed: at };
        inserts++;
        at = v.next;
      } else if (first & 0x20) {
        // Set Dynamic Table Capacity.
        const c = readPrefixInt(b, at, 5);
        if (c === 'need_more') break;
        if (c === 'overflow' || (this.maxTableCapacity > 0 && c.value > this.maxTableCapacity)) {
          return { kind: 'error', reason: `table capacity ${c === 'overflow' ? 'overflows' : c.value} over the decoder's SETTINGS_QPACK_MAX_TABLE_CAPACITY (${this.maxTableCapacity})`, consumed: at };
        }
        if (c.value > this.limits.maxTable) return { kind: 'error', reason: `table capacity ${c.value} over max_qpack_table (${this.limits.maxTable})`, consumed: at };
        this.capacity = c.value;
        this.capacitySets++;
        this.evict(0);
        at = c.next;
      } else {
        // Duplicate.
        const idx = readPrefixInt(b, at, 5);
        if (idx === 'need_more') break;
        if (idx === 'overflow') return { kind: 'error', reason: 'duplicate index overflows', consumed: at };
        const e = this.relative(idx.value);
        if (e === null) return { kind: 'error', reason: `duplicate of dynamic entry ${idx.value} back, past the table (${this.entries.length} entries)`, consumed: at };
        const r = this.insert(e.name, e.value, e.size - ENTRY_OVERHEAD - e.valueBytes, e.valueBytes);
        if (r !== null) return { kind: 'error', reason: r, consumed: at };
        inserts++;
        at = idx.next;
      }
    }
    this.encoderBytes += at;
    return { kind: 'ok', consumed: at, inserts };
  }

  /** An entry by encoder-relative index (0 is the newest). */
  private relative(i: number): Entry | null {
    return this.absolute(this.insertCount - 1 - i);
  }

  private absolute(abs: number): Entry | null {
    if (abs < this.dropped || abs >= this.insertCount) return null;
    return this.entries[abs - this.dropped] ?? null;
  }

  private insert(name: string, value: string, nameBytes: number, valueBytes: number): string | null {
    const cost = nameBytes + valueBytes + ENTRY_OVERHEAD;
    if (cost > this.capacity) return `entry of ${cost} bytes does not fit the table capacity ${this.capacity}`;
    this.evict(cost);
    this.entries.push({ name, value, size: cost, valueBytes });
    this.size += cost;
    this.insertCount++;
    return null;
  }

  private evict(room: number): void {
    let drop = 0;
    while (this.size + room > this.capacity && drop < this.entries.length) {
      const e = this.entries[drop]!;
      this.size -= e.size;
      drop++;
    }
    if (drop > 0) {
      this.entries = this.entries.slice(drop);
      this.dropped += drop;
    }
  }

  /** RFC 9204 §4.5.1.1: the Required Insert Count from its encoded form. */
  private requiredInsertCount(encoded: number): number | string {
    if (encoded === 0) return 0;
    // Before the decoding side's SETTINGS is seen (streams are reassembled independently),
    // the capacity the encoder set stands in: it is at most the setting.
    const maxEntries = Math.floor((this.maxTableCapacity || this.capacity) / 32);
    const fullRange = 2 * maxEntries;
    if (fullRange === 0 || encoded > fullRange) return `encoded Required Insert Count ${encoded} over its range ${fullRange}`;
    const maxValue = this.insertCount + maxEntries;
    const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
    let ric = maxWrapped + encoded - 1;
    if (ric > maxValue) {
      if (ric <= fullRange) return 'Required Insert Count out of range';
      ric -= fullRange;
    }
    if (ric === 0) return 'Required Insert Count of 0 encoded as non-zero';
    return ric;
  }

  /** Decodes one field section (a HEADERS or PUSH_PROMISE payload). */
  fieldSection(b: Uint8Array): SectionResult {
    const ricEnc = readPrefixInt(b, 0, 8);
    if (typeof ricEnc === 'string') return { kind: 'error', reason: 'field section prefix truncated' };
    const ric = this.requiredInsertCount(ricEnc.value);
    if (typeof ric === 'string') return { kind: 'error', reason: ric };
    const sign = ricEnc.next < b.length ? (b[ricEnc.next]! & 0x80) !== 0 : false;
    const delta = readPrefixInt(b, ricEnc.next, 7);
    if (typeof delta === 'string') return { kind: 'error', reason: 'field section prefix truncated' };
    if (ric > this.insertCount) return { kind: 'blocked', required: ric, have: this.insertCount };
    const base = sign ? ric - delta.value - 1 : ric + delta.value;
    if (base < 0) return { kind: 'error', reason: `negative base (${base})` };
    const headers: Array<[string, string]> = [];
    let bytes = 0;
    let dynamicRefs = 0;
    let trimmed = false;
    const maxString = this.limits.maxHeaderBytes;
    const push = (name: string, value: string): void => {
      bytes += name.length + value.length + ENTRY_OVERHEAD;
      if (headers.length >= this.limits.maxHeaders || bytes > this.limits.maxHeaderBytes) trimmed = true;
      else headers.push([name, value]);
    };
    const dynamic = (abs: number, what: string): Entry | string => {
      // §2.2.3: a reference at or past the Required Insert Count is an error.
      if (abs >= ric || abs < 0) return `${what} refers to absolute index ${abs}, outside the section's Required Insert Count ${ric}`;
      const e = this.absolute(abs);
      if (e === null) return `${what} refers to dynamic entry ${abs}, already evicted or never inserted`;
      dynamicRefs++;
      return e;
    };
    let at = delta.next;
    while (at < b.length) {
      const first = b[at]!;
      if (first & 0x80) {
        // Indexed field line.
        const idx = readPrefixInt(b, at, 6);
        if (typeof idx === 'string') return { kind: 'error', reason: 'indexed field line truncated' };
        if (first & 0x40) {
          const e = QPACK_STATIC_TABLE[idx.value];
          if (e === undefined) return { kind: 'error', reason: `static index ${idx.value} past the static table (99 entries)` };
          push(e[0], e[1]);
        } else {
          const e = dynamic(base - 1 - idx.value, 'indexed field line');
          if (typeof e === 'string') return { kind: 'error', reason: e };
          push(e.name, e.value);
        }
        at = idx.next;
      } else if (first & 0x40) {
        // Literal field line with name reference.
        const idx = readPrefixInt(b, at, 4);
        if (typeof idx === 'string') return { kind: 'error', reason: 'literal field line truncated' };
        let name: string;
        if (first & 0x10) {
          const e = QPACK_STATIC_TABLE[idx.value];
          if (e === undefined) return { kind: 'error', reason: `static name index ${idx.value} past the static table (99 entries)` };
          name = e[0];
        } else {
          const e = dynamic(base - 1 - idx.value, 'literal field line');
          if (typeof e === 'string') return { kind: 'error', reason: e };
          name = e.name;
        }
        const v = readString(b, idx.next, 0x80, 7, maxString);
        if (typeof v === 'string') return { kind: 'error', reason: v === 'need_more' ? 'field value truncated' : v };
        push(name, v.text);
        at = v.next;
      } else if (first & 0x20) {
        // Literal field line with literal name.
        const n = readString(b, at, 0x08, 3, maxString);
        if (typeof n === 'string') return { kind: 'error', reason: n === 'need_more' ? 'field name truncated' : n };
        const v = readString(b, n.next, 0x80, 7, maxString);
        if (typeof v === 'string') return { kind: 'error', reason: v === 'need_more' ? 'field value truncated' : v };
        push(n.text, v.text);
        at = v.next;
      } else if (first & 0x10) {
        // Indexed field line with post-base index.
        const idx = readPrefixInt(b, at, 4);
        if (typeof idx === 'string') return { kind: 'error', reason: 'post-base field line truncated' };
        const e = dynamic(base + idx.value, 'post-base field line');
        if (typeof e === 'string') return { kind: 'error', reason: e };
        push(e.name, e.value);
        at = idx.next;
      } else {
        // Literal field line with post-base name reference.
        const idx = readPrefixInt(b, at, 3);
        if (typeof idx === 'string') return { kind: 'error', reason: 'post-base literal truncated' };
        const e = dynamic(base + idx.value, 'post-base literal');
        if (typeof e === 'string') return { kind: 'error', reason: e };
        const v = readString(b, idx.next, 0x80, 7, maxString);
        if (typeof v === 'string') return { kind: 'error', reason: v === 'need_more' ? 'field value truncated' : v };
        push(e.name, v.text);
        at = v.next;
      }
    }
    return { kind: 'done', headers, required_insert_count: ric, dynamic_refs: dynamicRefs, trimmed };
  }
}

export type DecoderInstruction = { readonly kind: 'section_ack' | 'stream_cancel' | 'insert_count_increment'; readonly value: number };

/** Decoder stream instructions (§4.4) from `b`; stops at a partial one. */
export function decoderInstructions(b: Uint8Array): { instructions: DecoderInstruction[]; consumed: number; error: string | null } {
  const instructions: DecoderInstruction[] = [];
  let at = 0;
  while (at < b.length) {
    const first = b[at]!;
    const kind = first & 0x80 ? 'section_ack' : first & 0x40 ? 'stream_cancel' : 'insert_count_increment';
    const v = readPrefixInt(b, at, first & 0x80 ? 7 : 6);
    if (v === 'need_more') break;
    if (v === 'overflow') return { instructions, consumed: at, error: 'decoder instruction integer overflows' };
    instructions.push({ kind, value: v.value });
    at = v.next;
  }
  return { instructions, consumed: at, error: null };
}
