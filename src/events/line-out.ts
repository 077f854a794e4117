import { jsonString, nestedJson } from './json.js';
import { Timestamp } from './time.js';
import type { JsonValue } from './json.js';

const CHUNK = 128 * 1024;
const enc = new TextEncoder();

/** `s` as bytes; for text known to be ASCII (keys, constants). */
export const bytesOf = (s: string): Uint8Array => enc.encode(s);

const NULL = bytesOf('null');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const EMPTY_ARRAY = bytesOf('[]');
/** Nesting the byte walk of arrays and objects follows; deeper values are written by `nestedJson`. */
const MAX_DEPTH = 32;

/**
 * NDJSON lines written as bytes into 128 KB chunks: the output of `events`. A line is begun,
 * written piece by piece (pre-encoded keys, numbers as ASCII digits, strings JSON-escaped
 * straight to bytes), and ended with its newline; a full chunk is handed to `write` with
 * whole lines only, the line being written moving to the next chunk. A chunk once written
 * is never reused, so a stream that holds on to it is safe.
 *
 * Every value is written exactly as `compactJson` (report/ndjson.ts) writes it: strings by
 * `jsonString` (C0 and C1 controls, lone surrogates escaped), non-finite numbers as null,
 * Timestamps as their exact decimal, undefined object members left out.
 * tests/perf/typed-writers.test.ts compares the two on random values.
 */
export class LineOut {
  /** The chunk being filled; `used` bytes of it are taken, the line being written starts at `line`. */
  private buf: Buffer = Buffer.allocUnsafe(CHUNK);
  used = 0;
  private line = 0;

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  /** Starts a line with `head` (an event's constant opening: `{"type":"x","frame":`). */
  begin(head: Uint8Array): void {
    this.line = this.used;
    this.raw(head);
  }

  /** Ends the line. */
  end(): void {
    if (this.used + 2 > this.buf.length) this.spill(2);
    this.buf[this.used++] = 0x7d; // }
    this.buf[this.used++] = 0x0a;
  }

  /** A whole line made elsewhere (an event built as an object), with its newline. */
  text(line: string): void {
    this.line = this.used;
    // A UTF-16 unit takes at most 3 bytes in UTF-8, plus the newline.
    const room = line.length * 3 + 1;
    if (this.used + room > this.buf.length) this.spill(room);
    this.used += this.buf.write(line, this.used, 'utf8');
    this.buf[this.used++] = 0x0a;
  }

  raw(b: Uint8Array): void {
    const n = b.length;
    if (this.used + n > this.buf.length) this.spill(n);
    // Most are pre-encoded keys of a few bytes, which a loop copies faster than `set`'s
    // native call (raw was the top JavaScript function of the `events` profile).
    if (n <= 24) {
      const buf = this.buf;
      let at = this.used;
      for (let i = 0; i < n; i++) buf[at++] = b[i]!;
      this.used = at;
      return;
    }
    this.buf.set(b, this.used);
    this.used += n;
  }

  /** A number as JSON writes it: integers digit by digit, others by `String`, non-finite as null. */
  num(v: number): void {
    if (Number.isSafeInteger(v)) {
      if (this.used + 17 > this.buf.length) this.spill(17);
      return this.int(v);
    }
    // -0 is a safe integer: written 0, as JSON writes it.
    if (!Number.isFinite(v)) return this.raw(NULL);
    this.ascii(String(v));
  }

  /** A safe integer's digits; the caller made room for 17 bytes. */
  private int(v: number): void {
    const b = this.buf;
    let n = v;
    if (n < 0) {
      b[this.used++] = 0x2d;
      n = -n;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let at = this.used + digits;
    this.used = at;
    do {
      const q = Math.floor(n / 10);
      b[--at] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /**
   * A Timestamp's exact decimal, `Timestamp.toString` written as digits: seconds, a point,
   * nine digits of nanoseconds (no string made: a flow's `start` and its packet's `ts` alternate).
   */
  ts(t: Timestamp): void {
    const { sec, ns } = t;
    if (!Number.isSafeInteger(sec) || !Number.isInteger(ns) || ns < 0 || ns > 999_999_999) return this.ascii(t.toString());
    if (this.used + 32 > this.buf.length) this.spill(32);
    this.int(sec);
    const b = this.buf;
    b[this.used] = 0x2e;
    let n = ns;
    for (let at = this.used + 9; at > this.used; at--) {
      const q = Math.floor(n / 10);
      b[at] = 0x30 + (n - q * 10);
      n = q;
    }
    this.used += 10;
  }

  /**
   * A JSON string. Printable ASCII without `"` and `\` (most of what wirelens writes) is
   * copied unit by unit; anything else goes through `jsonString`, then UTF-8.
   */
  str(s: string): void {
    const n = s.length;
    if (this.used + n + 2 > this.buf.length) this.spill(n + 2);
    const b = this.buf;
    let at = this.used;
    b[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.escaped(s);
      b[at++] = c;
    }
    b[at++] = 0x22;
    this.used = at;
  }

  private escaped(s: string): void {
    this.utf8(jsonString(s));
  }

  /** Text as UTF-8. */
  private utf8(s: string): void {
    const room = s.length * 3;
    if (this.used + room > this.buf.length) this.spill(room);
    this.used += this.buf.write(s, this.used, 'utf8');
  }

  /** Text known to be ASCII (a number's `String`). */
  private ascii(s: string): void {
    if (this.used + s.length > this.buf.length) this.spill(s.length);
    const b = this.buf;
    for (let i = 0; i < s.length; i++) b[this.used++] = s.charCodeAt(i);
  }

  /** Any field value, as `compactJson` writes it. */
  value(v: JsonValue | undefined): void {
    if (v === null || v === undefined) return this.raw(NULL);
    switch (typeof v) {
      case 'string':
        return this.str(v);
      case 'number':
        return this.num(v);
      case 'boolean':
        return this.raw(v ? TRUE : FALSE);
    }
    if (v instanceof Timestamp) return this.ts(v);
    // Arrays and objects: walked into bytes (no JSON text, no UTF-8 pass); what the walk
    // does not know (a class instance, a function, deeper than MAX_DEPTH) takes the line
    // back to where the value began and writes `nestedJson`'s text, as before.
    const mark = this.used - this.line;
    if (!this.nested(v as object, 0)) {
      // A spill moves the line being written to the start of a new chunk: `line` follows it.
      this.used = this.line + mark;
      this.utf8(nestedJson(v));
    }
  }

  /**
   * An array or plain object as `nestedJson` writes it: for plain data, native
   * `JSON.stringify`'s text and `toJson`'s are the same (members in key order, undefined
   * members left out, `null` for an array's undefined items, strings by `jsonString`), and
   * a Timestamp anywhere makes `nestedJson` take `toJson`'s, which is `ts`. The profile of
   * `events` had `nestedJson` at the top (3.1% self, the native call's string and its
   * UTF-8 pass; tcp.analysis flags, DNS records, HTTP headers, TLS lists). False, with some
   * bytes written, on a value that is not plain data.
   */
  private nested(v: object, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    if (Array.isArray(v)) {
      const a = v as readonly unknown[];
      const n = a.length;
      if (n === 0) {
        this.raw(EMPTY_ARRAY);
        return true;
      }
      this.byte(0x5b);
      for (let i = 0; i < n; i++) {
        if (i) this.byte(0x2c);
        if (!this.item(a[i], depth)) return false;
      }
      this.byte(0x5d);
      return true;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    const o = v as { readonly [key: string]: unknown };
    let first = true;
    this.byte(0x7b);
    for (const k in o) {
      const x = o[k];
      if (x === undefined) continue;
      if (first) first = false;
      else this.byte(0x2c);
      this.str(k);
      this.byte(0x3a);
      if (!this.item(x, depth)) return false;
    }
    this.byte(0x7d);
    return true;
  }

  /** A member of an array or object (undefined only in arrays: null). */
  private item(x: unknown, depth: number): boolean {
    if (x === null || x === undefined) {
      this.raw(NULL);
      return true;
    }
    switch (typeof x) {
      case 'string':
        this.str(x);
        return true;
      case 'number':
        this.num(x);
        return true;
      case 'boolean':
        this.raw(x ? TRUE : FALSE);
        return true;
      case 'object':
        if (x instanceof Timestamp) {
          this.ts(x);
          return true;
        }
        return this.nested(x, depth + 1);
    }
    return false;
  }

  private byte(c: number): void {
    if (this.used + 1 > this.buf.length) this.spill(1);
    this.buf[this.used++] = c;
  }

  /**
   * The line just ended (by `end` or `text`), newline included: a view of its chunk, which
   * stays valid because a chunk is never reused (the `--workers` shares keep such views
   * until their flow ids are known). It is a Buffer, as every chunk is; the type says
   * Uint8Array so that the library's .d.ts needs no Node types (tests/package).
   */
  lastLine(): Uint8Array {
    return this.buf.subarray(this.line, this.used);
  }

  /** Hands over the lines written so far. */
  flush(): void {
    if (!this.used) return;
    this.write(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.used = this.line = 0;
  }

  /** No room for `need` more bytes: the whole lines go out, the line being written moves to a new chunk. */
  private spill(need: number): void {
    const old = this.buf;
    const partial = this.used - this.line;
    if (this.line) this.write(old.subarray(0, this.line));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, partial + need));
    this.buf.set(old.subarray(this.line, this.used), 0);
    this.used = partial;
    this.line = 0;
  }
}
