import { builtKeys, type EventSink, type WireEvent } from '../events/event.js';
import { escapeC1, jsonString, type JsonValue } from '../events/json.js';
import { Timestamp } from '../events/time.js';

const CHUNK = 128 * 1024;

/**
 * One event per line. Lines are encoded straight into a byte chunk, written when full: the
 * profile showed a 64 KB string of joined lines costing more to flatten and encode at write
 * time than the lines do one by one (11 vs 6 ms per MB of output). A written chunk is never
 * reused, so a stream that holds on to it is safe; on Linux, writes to files, pipes and
 * terminals from Node are synchronous, so memory does not grow with output.
 */
export class NdjsonWriter implements EventSink {
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;

  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    private readonly accept: (e: WireEvent) => boolean = () => true,
  ) {}

  emit(e: WireEvent): void {
    if (!this.accept(e)) return;
    const keys = builtKeys(e);
    if (keys !== null) {
      // The event makeEvent just built: its bytes written straight into the chunk.
      let write = byteWriters.get(keys);
      if (write === undefined) {
        write = compileByteWriter(keys);
        byteWriters.set(keys, write);
      }
      write(e, this);
      this.room(1);
      this.chunk[this.used++] = 0x0a;
      return;
    }
    const line = eventLine(e);
    // A UTF-16 unit takes at most 3 bytes in UTF-8, plus the newline.
    const room = line.length * 3 + 1;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) this.chunk = Buffer.allocUnsafe(room);
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
  }

  /**
   * Makes room for `n` more bytes: a full chunk is written first (a line may then span two
   * chunks; the bytes written are the same).
   */
  room(n: number): void {
    if (this.used + n <= this.chunk.length) return;
    this.flush();
    if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n);
  }

  /** Bytes of a field name with its quotes, colon and, unless first, comma. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const chunk = this.chunk;
    let at = this.used;
    // Names are short: a loop costs less than a call to `set`.
    for (let i = 0; i < n; i++) chunk[at++] = b[i]!;
    this.used = at;
  }

  /** `valueJson(v)`, written as bytes: scalars without an intermediate string where they can be. */
  value(v: JsonValue): void {
    switch (typeof v) {
      case 'number':
        if (Number.isInteger(v) && v >= 0 && v < 1e15) return this.digits(v);
        return this.ascii(Number.isFinite(v) ? String(v) : 'null');
      case 'string':
        return this.string(v);
      case 'boolean':
        return this.ascii(v ? 'true' : 'false');
    }
    if (v === null) return this.ascii('null');
    if (v instanceof Timestamp) return this.ascii(timestampText(v));
    if (Array.isArray(v)) return this.array(v as readonly JsonValue[]);
    this.object(v as { readonly [key: string]: JsonValue | undefined });
  }

  /** As `compactJson` writes an array: a hole or `undefined` is `null`. */
  private array(a: readonly JsonValue[]): void {
    this.byte(0x5b);
    for (let i = 0; i < a.length; i++) {
      if (i) this.byte(0x2c);
      const el = a[i];
      if (el === undefined) this.ascii('null');
      else this.value(el);
    }
    this.byte(0x5d);
  }

  /** As `compactJson` writes an object: members in key order, `undefined` ones left out. */
  private object(o: { readonly [key: string]: JsonValue | undefined }): void {
    this.byte(0x7b);
    let first = true;
    for (const key in o) {
      const v = o[key];
      if (v === undefined) continue;
      if (!first) this.byte(0x2c);
      first = false;
      this.bytes(keyBytes(key));
      this.value(v);
    }
    this.byte(0x7d);
  }

  private byte(b: number): void {
    this.room(1);
    this.chunk[this.used++] = b;
  }

  /** A string as JSON: printable ASCII with nothing to escape is copied byte for byte; anything else through `jsonString`. */
  private string(v: string): void {
    const n = v.length;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.text(jsonString(v));
    }
    this.room(n + 2);
    const chunk = this.chunk;
    chunk[this.used++] = 0x22;
    this.used += chunk.write(v, this.used, n, 'latin1');
    chunk[this.used++] = 0x22;
  }

  /** A whole number below 10^15 in decimal, as String(v) writes it. */
  private digits(v: number): void {
    this.room(16);
    const chunk = this.chunk;
    if (v < 10) {
      chunk[this.used++] = 0x30 + v;
      return;
    }
    let len = 1;
    for (let p = 10; p <= v; p *= 10) len++;
    let at = this.used + len;
    this.used = at;
    while (v >= 10) {
      const q = Math.floor(v / 10);
      chunk[--at] = 0x30 + (v - q * 10);
      v = q;
    }
    chunk[--at] = 0x30 + v;
  }

  /** Text known to be ASCII (numbers, literals, timestamps). */
  private ascii(t: string): void {
    this.room(t.length);
    this.used += this.chunk.write(t, this.used, t.length, 'latin1');
  }

  /** Any JSON text, as UTF-8. */
  private text(t: string): void {
    this.room(t.length * 3);
    this.used += this.chunk.write(t, this.used, 'utf8');
  }

  flush(): void {
    if (!this.used) return;
    this.write(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
  }
}

/**
 * `toJson(value)` (no indent), written for speed: the same bytes, built by string
 * concatenation instead of an array of parts (the profile showed the parts array and
 * its join as the largest cost of `events`). tests/perf/ndjson.test.ts checks equality.
 */
export function compactJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  const scalar = scalarJson(value);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(value)) {
    const arr = value as readonly JsonValue[];
    if (arr.length === 0) return '[]';
    let s = '[' + compactJson(arr[0]);
    for (let i = 1; i < arr.length; i++) s += ',' + compactJson(arr[i]);
    return s + ']';
  }
  const obj = value as { readonly [key: string]: JsonValue | undefined };
  let s = '{';
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined) continue;
    s += (s.length === 1 ? '' : ',') + quotedKey(key) + compactJson(v);
  }
  return s + '}';
}

/**
 * One event as `compactJson` writes it. An event makeEvent has just built goes through a
 * serializer compiled for its field list: constant keys and direct property reads instead
 * of walking the keys, and nested values through the engine's JSON.stringify. Measured on
 * the 129,803 events of the 100 MB bench capture: 800 -> 530 ms.
 */
export function eventLine(e: WireEvent): string {
  const keys = builtKeys(e);
  if (keys === null) return compactJson(e);
  let write = serializers.get(keys);
  if (write === undefined) {
    write = compileSerializer(keys);
    serializers.set(keys, write);
  }
  return write(e, valueJson);
}

/**
 * Events written as bytes (issue 18): for each field list, a writer compiled with the UTF-8
 * of every `"key":` made once, writing each value straight into the output chunk (digits,
 * plain ASCII strings byte for byte) instead of building the line as a string and encoding
 * it. The same bytes as `eventLine` (tests/perf/ndjson.test.ts, property-tested).
 */
type ByteWriter = (e: WireEvent, out: NdjsonWriter) => void;
const byteWriters = new WeakMap<readonly string[], ByteWriter>();

function compileByteWriter(keys: readonly string[]): ByteWriter {
  const all = ['type', 'frame', 'ts', 'flow', 'dir', ...keys];
  const first = all.map((k) => Buffer.from('{' + JSON.stringify(k) + ':', 'utf8'));
  const later = all.map((k) => Buffer.from(',' + JSON.stringify(k) + ':', 'utf8'));
  let body = 'let c = 0, v;\n';
  all.forEach((k, i) => {
    body += `v = e[${JSON.stringify(k)}]; if (v !== undefined) { out.bytes(c ? later[${i}] : first[${i}]); c = 1; out.value(v); }\n`;
  });
  body += 'out.bytes(c ? close : empty);';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are quoted with JSON.stringify
  const make = new Function('first', 'later', 'close', 'empty', `return (e, out) => {\n${body}\n};`) as (f: Uint8Array[], l: Uint8Array[], c: Uint8Array, e: Uint8Array) => ByteWriter;
  return make(first, later, CLOSE, EMPTY);
}
const CLOSE = Buffer.from('}');
/** `"key":` in UTF-8, per nested member name (bounded, names are few). */
const keyByteCache = new Map<string, Uint8Array>();
function keyBytes(key: string): Uint8Array {
  let b = keyByteCache.get(key);
  if (b === undefined) {
    b = Buffer.from(quotedKey(key), 'utf8');
    if (keyByteCache.size < 4096) keyByteCache.set(key, b);
  }
  return b;
}
const EMPTY = Buffer.from('{}');

type Serializer = (e: WireEvent, value: (v: JsonValue) => string) => string;
const serializers = new WeakMap<readonly string[], Serializer>();

function compileSerializer(keys: readonly string[]): Serializer {
  let body = 'let s = "{", v;\n';
  for (const k of ['type', 'frame', 'ts', 'flow', 'dir', ...keys]) {
    const q = JSON.stringify(k);
    body += `v = e[${q}]; if (v !== undefined) s += (s.length === 1 ? ${JSON.stringify(q + ':')} : ${JSON.stringify(',' + q + ':')}) + value(v);\n`;
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are quoted with JSON.stringify
  return new Function('e', 'value', body + 'return s + "}";') as Serializer;
}

/** `compactJson(v)` for one field value; objects and arrays without Timestamps by JSON.stringify (the same text, made natively). */
function valueJson(v: JsonValue): string {
  const scalar = scalarJson(v);
  if (scalar !== undefined) return scalar;
  const before = Timestamp.stringified;
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // Not JSON (a cycle, a BigInt): walked like any other value.
  }
  return s !== undefined && Timestamp.stringified === before ? escapeC1(s) : compactJson(v);
}

/** JSON of null, a string, number, boolean or Timestamp; undefined for arrays and objects. */
function scalarJson(v: JsonValue): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
  }
  return v instanceof Timestamp ? timestampText(v) : undefined;
}

/** The events of one packet share its Timestamp object: its text is made once. */
let lastTs: Timestamp | null = null;
let lastTsText = '';
function timestampText(ts: Timestamp): string {
  if (ts !== lastTs) {
    lastTsText = ts.toString();
    lastTs = ts;
  }
  return lastTsText;
}

/** Field names repeat on every line: quote each once (bounded, names are few). */
const keyCache = new Map<string, string>();
function quotedKey(key: string): string {
  let q = keyCache.get(key);
  if (q === undefined) {
    q = jsonString(key) + ':';
    if (keyCache.size < 4096) keyCache.set(key, q);
  }
  return q;
}
