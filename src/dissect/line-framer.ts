/**
 * The one line framer of the text protocols (FTP, SMTP, POP3, IMAP). One instance per
 * direction. It cuts a byte stream into lines (CRLF or a bare LF; a lone CR is data), and
 * switches on request to two other modes the protocols need:
 *
 * - raw mode: exactly N bytes, whatever they contain (SMTP BDAT chunks, IMAP literals);
 * - dot mode: a dot-terminated block (SMTP DATA, POP3 multi-line responses), delivered
 *   dot-unstuffed (RFC 5321 §4.5.2, RFC 1939 §3) with its line endings, so the block
 *   is the message as the sender meant it.
 *
 * Lines longer than `maxLine` are trimmed: the first `maxLine` bytes are delivered with
 * `truncated`, `tooLong` is reported, and the rest of that line is skipped. In dot mode a long
 * line is delivered in pieces instead (message bodies are bounded elsewhere by `max_object`).
 *
 * Callbacks receive views valid only during the call; they may switch modes from inside a
 * callback (a `{5}` line switches to raw mode for the literal that follows it). Lines and
 * dot-mode lines come as a range of the framer's view (`buf[start, end)`), not as a view of
 * their own: a subarray and an info object per line were most of the framer's garbage.
 */
import { StreamBuffer } from './stream-buffer.js';

export interface LineInfo {
  /** Length of the end of line: 2 (CRLF), 1 (LF). */
  readonly eol: number;
  /** The line was longer than the limit and was cut. */
  readonly truncated: boolean;
}

export interface LineHandler {
  /** A line without its end of line: `buf[start, end)`. */
  line(buf: Uint8Array, start: number, end: number, info: LineInfo): void;
  /** Raw-mode bytes, in pieces. */
  raw?(chunk: Uint8Array): void;
  /** Raw mode is over; `missed` of its bytes fell in gaps. */
  rawEnd?(missed: number): void;
  /** Dot-mode content (unstuffed), line endings included: `buf[start, end)`. */
  body?(buf: Uint8Array, start: number, end: number): void;
  /** The terminating `.` line was seen. */
  bodyEnd?(): void;
  /** A line exceeded `limit` bytes; it is delivered cut and its rest skipped. */
  tooLong?(limit: number): void;
  /** Bytes were lost; `mode` is what the framer was doing when they went missing. */
  gap?(length: number, mode: FramerMode): void;
}

export type FramerMode = 'line' | 'raw' | 'dot';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/** The only `LineInfo` values there are, shared: a line allocates none. */
const CRLF_LINE: LineInfo = Object.freeze({ eol: 2, truncated: false });
const LF_LINE: LineInfo = Object.freeze({ eol: 1, truncated: false });
const CUT_LINE: LineInfo = Object.freeze({ eol: 0, truncated: true });

export class LineFramer {
  private readonly held = new StreamBuffer();
  private mode: FramerMode = 'line';
  /** Discard bytes up to and including the next LF (after a trimmed line or a gap). */
  private skipping = false;
  /** Bytes of the held prefix already searched for LF. */
  private scanned = 0;
  private rawLeft = 0;
  private rawMissed = 0;
  /** In dot mode: the next byte starts a line (so `.` there is special). */
  private atLineStart = true;
  /** The current dot-terminated block has used CRLF line ends. */
  private blockSawCrlf = false;

  constructor(
    private readonly handler: LineHandler,
    private readonly maxLine: number,
  ) {}

  get current(): FramerMode {
    return this.mode;
  }

  /** Bytes held waiting for an end of line. */
  get pending(): number {
    return this.held.length;
  }

  /** Deliver the next `n` bytes raw, then return to line mode. */
  readRaw(n: number): void {
    if (n <= 0) {
      this.handler.rawEnd?.(0);
      return;
    }
    this.mode = 'raw';
    this.rawLeft = n;
    this.rawMissed = 0;
  }

  /** Deliver a dot-terminated block, then return to line mode. */
  readDotted(): void {
    this.mode = 'dot';
    this.atLineStart = true;
    this.blockSawCrlf = false;
  }

  /** Back to plain lines (the peer ended a block some other way). */
  readLines(): void {
    this.mode = 'line';
  }

  push(bytes: Uint8Array): void {
    const view = this.held.append(bytes);
    let pos = 0;
    let from = this.scanned;
    this.scanned = 0;
    while (pos < view.length) {
      if (this.mode === 'raw') {
        const take = Math.min(this.rawLeft, view.length - pos);
        this.rawLeft -= take;
        this.handler.raw?.(view.subarray(pos, pos + take));
        pos += take;
        from = pos;
        if (this.rawLeft === 0) this.finishRaw();
        continue;
      }
      const lf = view.indexOf(LF, Math.max(pos, from));
      if (this.skipping) {
        if (lf < 0) {
          pos = view.length;
          break;
        }
        this.skipping = false;
        pos = from = lf + 1;
        if (this.mode === 'dot') this.atLineStart = true;
        continue;
      }
      if (lf < 0) {
        const have = view.length - pos;
        if (have > this.maxLine) {
          pos = this.overlong(view, pos);
          from = pos;
          continue;
        }
        this.scanned = have;
        break;
      }
      const eol = lf > pos && view[lf - 1] === CR ? 2 : 1;
      const end = lf + 1 - eol;
      if (end - pos > this.maxLine) {
        pos = this.overlong(view, pos);
        from = pos;
        continue;
      }
      const start = pos;
      pos = from = lf + 1;
      if (this.mode === 'dot') this.dotLine(view, start, end, pos);
      else this.handler.line(view, start, end, eol === 2 ? CRLF_LINE : LF_LINE);
    }
    this.held.keep(view, pos);
  }

  /**
   * `length` bytes were never seen: account for them, then resynchronise at the next line.
   * When the gap began at a line boundary, the lost bytes were most likely whole segments
   * of whole lines (text protocols send a line or several per segment), so what follows is
   * taken as the start of a line; otherwise the rest of the broken line is skipped.
   */
  gap(length: number): void {
    const midLine = this.held.length > 0 || this.skipping || (this.mode === 'dot' && !this.atLineStart);
    this.held.clear();
    this.scanned = 0;
    const mode = this.mode;
    this.handler.gap?.(length, mode);
    if (mode === 'raw') {
      const missed = Math.min(length, this.rawLeft);
      this.rawLeft -= missed;
      this.rawMissed += missed;
      if (this.rawLeft === 0) {
        this.finishRaw();
        // The gap ran past the raw block: whatever followed is a partial line.
        if (length > missed) this.skipping = true;
      }
      return;
    }
    this.skipping = midLine;
  }

  private finishRaw(): void {
    this.mode = 'line';
    const missed = this.rawMissed;
    this.rawMissed = 0;
    this.handler.rawEnd?.(missed);
  }

  /** A line longer than the limit starts at `pos`; returns where to continue. */
  private overlong(view: Uint8Array, pos: number): number {
    if (this.mode === 'dot') {
      // Keep the content: hand it over in limit-sized pieces, mid-line from now on.
      const end = Math.min(view.length, pos + this.maxLine);
      this.handler.body?.(view, this.atLineStart && view[pos] === DOT ? pos + 1 : pos, end);
      this.atLineStart = false;
      return pos + this.maxLine;
    }
    this.handler.tooLong?.(this.maxLine);
    this.handler.line(view, pos, Math.min(view.length, pos + this.maxLine), CUT_LINE);
    this.skipping = true;
    return pos + this.maxLine;
  }

  /** One line of a dot-terminated block: `view[start, next)` is the line with its end of line. */
  private dotLine(view: Uint8Array, start: number, contentEnd: number, next: number): void {
    const atStart = this.atLineStart;
    this.atLineStart = true;
    const crlf = next - contentEnd === 2;
    // RFC 5321 §4.1.1.4: the end is CRLF.CRLF. In a block that uses CRLF, a "." ended by a bare
    // LF is content (servers such as Postfix keep reading); an LF-only peer still ends with ".\n".
    if (atStart && contentEnd - start === 1 && view[start] === DOT && (crlf || !this.blockSawCrlf)) {
      this.mode = 'line';
      this.handler.bodyEnd?.();
      return;
    }
    if (crlf) this.blockSawCrlf = true;
    this.handler.body?.(view, atStart && view[start] === DOT ? start + 1 : start, next);
  }
}
