import type { Limits } from '../dissect/limits.js';
import { joinChunks } from '../dissect/bytes.js';
import type { Direction } from '../events/event.js';
import { codings, decodeBody } from '../protocols/http/body-decoder.js';
import { ChunkedDecoder } from '../protocols/http/chunked.js';
import { contentLength, headerTokens, parseHead, parseRequestLine, parseStatusLine, plausibleRequestStart, plausibleStatusStart, type HeaderList, type RequestLine, type StatusLine } from '../protocols/http/parser.js';
import { formatBytes } from './format.js';

type Sink = (dir: Direction, data: Uint8Array | number) => void;
type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; decoder: ChunkedDecoder } | { kind: 'close' };

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * `follow --decode`: the stream with each HTTP/1.x body shown as the application sees it,
 * de-chunked and with its Content-Encoding (gzip, deflate, br) undone, as Wireshark's
 * "Follow HTTP Stream" shows it; a line after each decoded body says what was undone.
 * Heads pass as they are. A direction that does not read as HTTP, a gap, a body over
 * `max_object` or one that does not decode is passed through raw from there on: nothing
 * is ever hidden, only a body replaced by its decoded form when that worked.
 *
 * Used by `follow --decode` and the UI's stream pane, so it sits with the output text both
 * may import (report/), not in cli/ (the UI imports nothing of the CLI).
 */
export class HttpFollowDecoder {
  private readonly sides: Record<Direction, Side>;
  /** Request methods waiting for their response: a response to HEAD has no body. */
  private readonly methods: string[] = [];

  constructor(
    private readonly limits: Limits,
    private readonly sink: Sink,
  ) {
    this.sides = { c2s: new Side('c2s', this), s2c: new Side('s2c', this) };
  }

  add(dir: Direction, data: Uint8Array | number): void {
    this.sides[dir].add(data);
  }

  /** End of stream: a body read until the connection closed is complete now. */
  finish(): void {
    this.sides.c2s.finish();
    this.sides.s2c.finish();
  }

  /** @internal */ emit(dir: Direction, data: Uint8Array | number): void {
    this.sink(dir, data);
  }
  /** @internal */ get lim(): Limits {
    return this.limits;
  }
  /** @internal */ pushMethod(m: string): void {
    if (this.methods.length < 1024) this.methods.push(m);
  }
  /** @internal */ shiftMethod(): string | undefined {
    return this.methods.shift();
  }
}

class Side {
  /** Bytes not yet shown: a head being read, or a body being collected. */
  private buf: Uint8Array[] = [];
  private bufLength = 0;
  private framing: Framing | null = null;
  private head: Uint8Array | null = null;
  private headers: HeaderList = [];
  private body: Uint8Array[] = [];
  private bodyLength = 0;
  private raw = false;

  constructor(
    private readonly dir: Direction,
    private readonly owner: HttpFollowDecoder,
  ) {}

  add(data: Uint8Array | number): void {
    if (typeof data === 'number') {
      this.giveUp();
      this.owner.emit(this.dir, data);
      return;
    }
    if (this.raw) {
      this.owner.emit(this.dir, data);
      return;
    }
    this.buf.push(data);
    this.bufLength += data.length;
    this.run();
  }

  finish(): void {
    if (this.raw) return;
    if (this.framing?.kind === 'close') {
      this.complete();
      return;
    }
    this.giveUp();
  }

  private run(): void {
    let b = this.take();
    while (b.length && !this.raw) {
      if (!this.framing) {
        // Not the start of an HTTP message (another protocol, a capture begun mid-body):
        // shown as it is, at once, so the two directions keep their order.
        const plausible = this.dir === 'c2s' ? plausibleRequestStart(b, 0) : plausibleStatusStart(b, 0);
        if (plausible === 'no') {
          this.keep(b);
          this.giveUp();
          return;
        }
        const limits = this.owner.lim;
        const parsed = this.dir === 'c2s' ? parseHead(b, limits, parseRequestLine) : parseHead(b, limits, parseStatusLine);
        if (parsed.kind === 'need_more') break;
        if (parsed.kind === 'error') {
          this.keep(b);
          this.giveUp();
          return;
        }
        // Copied: the bytes handed to `add` are valid only during the call.
        this.head = b.slice(0, parsed.consumed);
        this.headers = parsed.value.headers;
        b = b.subarray(parsed.consumed);
        const framing = this.framingOf(parsed.value.line);
        if (!framing) {
          this.owner.emit(this.dir, this.head);
          this.head = null;
          continue;
        }
        this.framing = framing;
        continue;
      }
      const f = this.framing;
      if (f.kind === 'length') {
        const n = Math.min(f.left, b.length);
        this.collect(b.subarray(0, n));
        f.left -= n;
        b = b.subarray(n);
        if (f.left === 0) this.complete();
      } else if (f.kind === 'chunked') {
        const r = f.decoder.push(b, (d) => this.collect(d));
        if (r.error) {
          this.keep(b);
          this.giveUp();
          return;
        }
        b = b.subarray(r.consumed);
        if (r.done) this.complete();
        else if (r.consumed === 0) break;
      } else {
        this.collect(b);
        b = b.subarray(b.length);
      }
      if (this.bodyLength > this.owner.lim.max_object) {
        this.keep(b);
        this.giveUp();
        return;
      }
    }
    this.keep(b);
  }

  /** How the body after this head is framed; null when it has none (RFC 9112 §6.3). */
  private framingOf(line: RequestLine | StatusLine): Framing | null {
    if (line.kind === 'request') this.owner.pushMethod(line.method);
    const chunked = headerTokens(this.headers, 'transfer-encoding').includes('chunked');
    if (line.kind === 'status') {
      const code = line.status_code;
      if (code >= 100 && code < 200) return null;
      const method = this.owner.shiftMethod();
      if (method === 'HEAD' || code === 204 || code === 304) return null;
    }
    if (chunked) return { kind: 'chunked', decoder: new ChunkedDecoder(this.owner.lim) };
    const len = contentLength(this.headers);
    if (len.kind === 'ok') return len.value > 0 ? { kind: 'length', left: len.value } : null;
    // A request without a length has no body; a response reads until the connection closes.
    return line.kind === 'status' ? { kind: 'close' } : null;
  }

  private collect(d: Uint8Array): void {
    if (!d.length) return;
    this.body.push(d.slice());
    this.bodyLength += d.length;
  }

  /** A whole body: shown decoded, with a line saying what was undone. */
  private complete(): void {
    const wire = joinChunks(this.body, this.bodyLength);
    const applied = codings(headerTokens(this.headers, 'content-encoding').join(','));
    const chunked = this.framing?.kind === 'chunked';
    const decoded = decodeBody(wire, applied, this.owner.lim);
    this.owner.emit(this.dir, this.head!);
    if (decoded.status === 'ok' || decoded.status === 'identity') {
      this.owner.emit(this.dir, decoded.data);
      const undone = [chunked ? 'chunked' : '', ...applied].filter(Boolean);
      if (undone.length) this.owner.emit(this.dir, text(`\n[wirelens: ${undone.join(', ')} body decoded, ${formatBytes(wire.length)} -> ${formatBytes(decoded.data.length)}]\n`));
    } else {
      this.owner.emit(this.dir, wire);
      this.owner.emit(this.dir, text(`\n[wirelens: body not decoded (${decoded.status} ${decoded.coding}); shown as sent${chunked ? ', de-chunked' : ''}]\n`));
    }
    this.reset();
  }

  /** From here on the direction is shown as it is: what was held back goes first. */
  private giveUp(): void {
    if (this.raw) return;
    this.raw = true;
    if (this.head) this.owner.emit(this.dir, this.head);
    if (this.bodyLength) this.owner.emit(this.dir, joinChunks(this.body, this.bodyLength));
    if (this.bufLength) this.owner.emit(this.dir, this.take());
    this.reset();
  }

  private reset(): void {
    this.framing = null;
    this.head = null;
    this.headers = [];
    this.body = [];
    this.bodyLength = 0;
  }

  private take(): Uint8Array {
    const b = this.bufLength ? joinChunks(this.buf, this.bufLength) : new Uint8Array(0);
    this.buf = [];
    this.bufLength = 0;
    return b;
  }

  private keep(b: Uint8Array): void {
    if (!b.length) return;
    this.buf = [b.slice()];
    this.bufLength = b.length;
  }
}
