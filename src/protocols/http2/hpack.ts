/**
 * HPACK header block decoder (RFC 7541), one per direction of an HTTP/2 connection.
 *
 * Why our own and not hpack.js: a passive analyser has needs an endpoint library does not.
 * It must be bounded by our Limits (table size a peer may ask for, header count and bytes),
 * never throw on hostile input, and above all tell "the capture began mid-connection and
 * this block references dynamic-table entries we never saw" (desync) apart from success,
 * without inventing headers and while keeping the table as exact as it can be for later
 * blocks. hpack.js throws on a bad index and has no notion of a partly known table; the
 * package list names no HPACK library either. The decoder is small, and it is checked
 * against every story of the http2jp hpack-test-case suite.
 *
 * Partly known tables: entries are inserted at the front and evicted from the back, so
 * entries added after we lost track keep their exact indices. An entry whose name we
 * could not resolve is stored as unknown; referencing it, or any index past the entries
 * we hold once we know some were missed, makes the block undecodable (desync).
 */
import { decodeText } from '../../dissect/text.js';
import { huffmanDecode } from './huffman.js';

export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

const ENTRY_OVERHEAD = 32;

interface Entry {
  /** null when the name came from an entry we did not know. */
  readonly name: string | null;
  readonly nameOctets: number;
  readonly value: string;
  readonly size: number;
}

/** The static table as entries, made once: a lookup returns one of these, not a new entry per field. */
const STATIC_ENTRIES: readonly Entry[] = STATIC_TABLE.map(([name, value]) => Object.freeze({ name, nameOctets: name.length, value, size: 0 }));

export interface HpackLimits {
  /** Largest dynamic table we agree to hold (Limits.max_hpack_table). */
  readonly maxTable: number;
  readonly maxHeaders: number;
  readonly maxHeaderBytes: number;
}

export interface HpackProblem {
  /** `hpack_error`: malformed block; `desync`: reference to an entry we never saw; `header_limit`, `table_limit`: a bound trimmed. */
  readonly kind: 'hpack_error' | 'desync' | 'header_limit' | 'table_limit';
  readonly detail: string;
}

export interface HpackBlock {
  /** Fields decoded exactly, in order. Fields we could not resolve are left out, never guessed. */
  readonly headers: Array<[string, string]>;
  /** False when some field could not be resolved (desync) or the block is malformed. */
  readonly complete: boolean;
  /** Fields that could not be resolved. */
  readonly unknown_fields: number;
  readonly problems: HpackProblem[];
  readonly table_size_updates: number[];
}

export class HpackDecoder {
  private entries: Entry[] = []; // newest first
  private size = 0;
  /** Current maximum set by the encoder's last size update. */
  private maxSize: number;
  /** Bound from SETTINGS_HEADER_TABLE_SIZE of the decoding side. */
  private settingsMax: number;
  /** True once we know entries exist that we never saw (older than every entry we hold). */
  private missedEntries: boolean;

  constructor(
    private readonly limits: HpackLimits,
    opts: { startsMidConnection?: boolean; settingsMax?: number } = {},
  ) {
    this.settingsMax = Math.min(opts.settingsMax ?? 4096, limits.maxTable);
    this.maxSize = this.settingsMax;
    this.missedEntries = opts.startsMidConnection ?? false;
  }

  get tableSize(): number {
    return this.size;
  }

  get dynamicEntries(): number {
    return this.entries.length;
  }

  get desynced(): boolean {
    return this.missedEntries;
  }

  /** A header block was lost (gap, broken CONTINUATION): entries may exist that we never saw. */
  markLost(): void {
    // What the lost block inserted would sit in front of our entries and shift every index,
    // so none of them can be trusted any more; entries inserted from now on are exact again.
    this.entries = [];
    this.size = 0;
    this.missedEntries = true;
  }

  /**
   * SETTINGS_HEADER_TABLE_SIZE from the side that decodes these blocks. The encoder must
   * acknowledge a reduction with a size update; we shrink right away only if the new bound
   * is below the current maximum, which is what the encoder will have to do anyway.
   * Returns a problem when the request exceeds our limit (we then hold a smaller table).
   */
  setSettingsMax(value: number): HpackProblem | null {
    const bounded = Math.min(value, this.limits.maxTable);
    this.settingsMax = bounded;
    if (this.maxSize > bounded) this.resize(bounded);
    return value > this.limits.maxTable
      ? { kind: 'table_limit', detail: `SETTINGS_HEADER_TABLE_SIZE ${value} exceeds the limit ${this.limits.maxTable}` }
      : null;
  }

  /** Decodes one complete header block. Never throws. */
  decode(block: Uint8Array): HpackBlock {
    const headers: Array<[string, string]> = [];
    const problems: HpackProblem[] = [];
    const updates: number[] = [];
    let unknown = 0;
    let listBytes = 0;
    let trimmed = false;
    let fieldsSeen = 0;
    let p = 0;
    const n = block.length;

    const add = (name: string, value: string): void => {
      if (trimmed) return;
      const bytes = name.length + value.length + ENTRY_OVERHEAD;
      if (headers.length >= this.limits.maxHeaders || listBytes + bytes > this.limits.maxHeaderBytes) {
        trimmed = true;
        problems.push({
          kind: 'header_limit',
          detail: `header list trimmed at ${headers.length} fields (limits ${this.limits.maxHeaders} fields, ${this.limits.maxHeaderBytes} bytes)`,
        });
        return;
      }
      listBytes += bytes;
      headers.push([name, value]);
    };
    const malformed = (detail: string): HpackBlock => {
      problems.push({ kind: 'hpack_error', detail });
      // The rest of the block is lost, and so is our view of the table: what it inserted is unknown.
      this.markLost();
      return { headers, complete: false, unknown_fields: unknown, problems, table_size_updates: updates };
    };

    while (p < n) {
      const b = block[p]!;
      if (b & 0x80) {
        // Indexed header field (§6.1).
        const idx = readInt(block, p, 7);
        if (!idx) return malformed('truncated or oversized integer');
        p = idx.next;
        fieldsSeen++;
        if (idx.value === 0) return malformed('index 0');
        const e = this.lookup(idx.value);
        if (e === 'missing' || e.name === null) {
          unknown++;
          problems.push(this.desyncProblem(idx.value));
          continue;
        }
        add(e.name, e.value);
      } else if ((b & 0xe0) === 0x20) {
        // Dynamic table size update (§6.3).
        const v = readInt(block, p, 5);
        if (!v) return malformed('truncated or oversized integer');
        p = v.next;
        updates.push(v.value);
        if (fieldsSeen > 0) problems.push({ kind: 'hpack_error', detail: 'table size update after a header field' });
        if (v.value > this.settingsMax) {
          if (v.value > this.limits.maxTable) {
            problems.push({ kind: 'table_limit', detail: `table size update to ${v.value} exceeds the limit ${this.limits.maxTable}` });
          } else {
            problems.push({ kind: 'hpack_error', detail: `table size update to ${v.value} above the SETTINGS bound ${this.settingsMax}` });
          }
        }
        this.resize(Math.min(v.value, this.limits.maxTable));
      } else {
        // Literal: with incremental indexing (01), without indexing (0000), never indexed (0001).
        const indexing = (b & 0xc0) === 0x40;
        const prefix = indexing ? 6 : 4;
        const idx = readInt(block, p, prefix);
        if (!idx) return malformed('truncated or oversized integer');
        p = idx.next;
        fieldsSeen++;
        let name: string | null;
        let nameOctets = 0;
        if (idx.value === 0) {
          const s = this.readString(block, p);
          if (typeof s === 'string') return malformed(s);
          p = s.next;
          name = s.text;
          nameOctets = s.octets;
        } else {
          const e = this.lookup(idx.value);
          if (e === 'missing' || e.name === null) {
            problems.push(this.desyncProblem(idx.value));
            name = null;
          } else {
            name = e.name;
            nameOctets = e.nameOctets;
          }
        }
        const v = this.readString(block, p);
        if (typeof v === 'string') return malformed(v);
        p = v.next;
        if (name === null) unknown++;
        else add(name, v.text);
        if (indexing) this.insert(name, nameOctets, v.text, v.octets);
      }
    }
    return { headers, complete: unknown === 0, unknown_fields: unknown, problems, table_size_updates: updates };
  }

  private desyncProblem(index: number): HpackProblem {
    this.missedEntries = true;
    return {
      kind: 'desync',
      detail: `index ${index} refers to a dynamic-table entry not seen in this capture (table holds ${this.entries.length})`,
    };
  }

  private lookup(index: number): Entry | 'missing' {
    if (index <= STATIC_ENTRIES.length) return STATIC_ENTRIES[index - 1]!;
    const e = this.entries[index - STATIC_TABLE.length - 1];
    return e ?? 'missing';
  }

  private insert(name: string | null, nameOctets: number, value: string, valueOctets: number): void {
    // Unknown names count as empty: under-estimating sizes evicts too little, never too
    // much, so every index the encoder may still use keeps pointing at the right entry.
    const size = nameOctets + valueOctets + ENTRY_OVERHEAD;
    if (size > this.maxSize) {
      // An entry larger than the table empties it (§4.4).
      this.entries = [];
      this.size = 0;
      return;
    }
    this.entries.unshift({ name, nameOctets, value, size });
    this.size += size;
    this.evictTo(this.maxSize);
  }

  private resize(max: number): void {
    this.maxSize = max;
    this.evictTo(max);
  }

  private evictTo(max: number): void {
    while (this.size > max && this.entries.length) this.size -= this.entries.pop()!.size;
  }

  private readString(block: Uint8Array, p: number): { text: string; octets: number; next: number } | string {
    if (p >= block.length) return 'truncated string';
    const huffman = (block[p]! & 0x80) !== 0;
    const len = readInt(block, p, 7);
    if (!len) return 'truncated or oversized string length';
    const start = len.next;
    const end = start + len.value;
    if (end > block.length) return `string of ${len.value} bytes runs past the block`;
    if (!huffman) return { text: decodeText(block, start, end), octets: len.value, next: end };
    const d = huffmanDecode(block, start, end);
    if (!d.ok) return d.reason;
    return { text: decodeText(d.bytes), octets: d.bytes.length, next: end };
  }
}

/** HPACK integer (§5.1). null when truncated or beyond 2^31 (no legitimate value is). */
export function readInt(buf: Uint8Array, p: number, prefixBits: number): { value: number; next: number } | null {
  if (p >= buf.length) return null;
  const max = (1 << prefixBits) - 1;
  let value = buf[p]! & max;
  p++;
  if (value < max) return { value, next: p };
  let shift = 0;
  for (;;) {
    if (p >= buf.length) return null;
    const b = buf[p++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (value > 0x7fffffff) return null;
    if (!(b & 0x80)) return { value, next: p };
    shift += 7;
  }
}
