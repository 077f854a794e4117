/**
 * One direction of an IMAP connection cut into logical lines: wire lines from the shared
 * LineFramer, and after a line ending in `{n}` / `{n+}` exactly n bytes of literal in the
 * framer's raw mode, after which the same logical line continues (RFC 3501 §4.3). Literals
 * are carried across segments by the framer.
 *
 * Bounds: the text of one logical line is cut at `max_line`; bytes kept from its literals
 * are bounded by `max_object` in total, and a literal longer than `max_imap_literal` keeps
 * nothing past that size (the rest is skipped by its announced length, which is where the
 * peer resumes, so the reader stays in step).
 */
import { joinChunks } from '../../dissect/bytes.js';
import type { Limits } from '../../dissect/limits.js';
import { LineFramer, type FramerMode } from '../../dissect/line-framer.js';
import { decodeText } from '../../dissect/text.js';
import type { ImapAnomaly } from './events.js';
import { literalMarker, type LiteralMarker } from './parser.js';

export interface Literal {
  readonly size: number;
  readonly nonSync: boolean;
  /** Bytes kept (all of them unless `trimmed`). */
  data: Uint8Array;
  /** Bytes not kept (limits) or never seen (gaps). */
  trimmed: boolean;
  missed: number;
  /** A synchronizing literal the server refused before any of it was sent. */
  cancelled: boolean;
}

export interface LogicalLine {
  /** Text pieces; each but the last ends with the marker of the literal of the same index. */
  readonly segments: string[];
  readonly literals: Literal[];
  /** Some text was cut (max_line) or lost in a gap. */
  truncated: boolean;
}

export interface ReaderHandler {
  /** The first wire line of a logical line (decides what the line is before its literals come). */
  begin(first: string, marker: LiteralMarker | null): void;
  /** All of a logical line has arrived. */
  complete(line: LogicalLine): void;
  anomaly(code: ImapAnomaly, detail: string): void;
}

export class ImapReader {
  private readonly framer: LineFramer;
  private current: LogicalLine | null = null;
  private textBytes = 0;
  private keptBytes = 0;
  private brokenAfterLiteral = false;
  private literal: { lit: Literal; chunks: Uint8Array[]; kept: number; cap: number; seen: number } | null = null;

  constructor(
    private readonly handler: ReaderHandler,
    private readonly limits: Readonly<Limits>,
  ) {
    this.framer = new LineFramer(
      {
        line: (b, start, end, info) => this.line(decodeText(b, start, end), info.truncated),
        raw: (chunk) => this.raw(chunk),
        rawEnd: (missed) => this.rawEnd(missed),
        tooLong: (limit) => handler.anomaly('imap.line_too_long', `line over ${limit} bytes; cut`),
        gap: (n, mode) => this.onGap(n, mode),
      },
      limits.max_line,
    );
  }

  push(bytes: Uint8Array): void {
    this.framer.push(bytes);
  }

  gap(length: number): void {
    this.framer.gap(length);
  }

  /** Waiting for the bytes of a synchronizing literal, none of which came yet. */
  get awaitingSyncLiteral(): boolean {
    return this.literal !== null && !this.literal.lit.nonSync && this.literal.seen === 0 && this.literal.lit.missed === 0;
  }

  /** A logical line is under way (its first line came, its end has not). */
  get inProgress(): boolean {
    return this.current !== null;
  }

  /**
   * The server refused a synchronizing literal (tagged NO/BAD instead of `+`): the client
   * will not send it, so the logical line ends here and lines follow.
   */
  cancelSyncLiteral(): void {
    const pending = this.literal;
    if (!pending || !this.awaitingSyncLiteral) return;
    pending.lit.cancelled = true;
    this.literal = null;
    this.framer.readLines();
    this.current?.literals.push(pending.lit);
    this.finish();
  }

  /** At close: hand over what is unfinished. */
  flush(): void {
    if (this.literal) {
      const { lit, chunks, seen } = this.literal;
      lit.data = joinChunks(chunks);
      lit.missed += Math.max(0, lit.size - seen - lit.missed);
      lit.trimmed = true;
      this.literal = null;
      this.current?.literals.push(lit);
    }
    if (this.current) {
      this.current.truncated = true;
      this.finish();
    }
  }

  private line(text: string, truncated: boolean): void {
    const marker = truncated ? null : literalMarker(text);
    const first = this.current === null;
    if (first) {
      this.current = { segments: [], literals: [], truncated: false };
      this.textBytes = 0;
      this.keptBytes = 0;
    }
    const cur = this.current!;
    if (truncated) cur.truncated = true;
    if (marker === 'bad') this.handler.anomaly('imap.bad_literal', `literal size beyond 2^53 in "${text.slice(-40)}"`);
    const lit = marker === 'bad' ? null : marker;
    // Bound the text of the whole logical line; keep a dropped piece's marker so segments and literals stay paired.
    const room = this.limits.max_line - this.textBytes;
    let piece = text;
    if (text.length > room) {
      if (!cur.truncated) this.handler.anomaly('imap.line_too_long', `logical line over ${this.limits.max_line} bytes; cut`);
      cur.truncated = true;
      const keepMarker = lit ? (MARKER_TAIL.exec(text)?.[0] ?? '') : '';
      piece = keepMarker;
    }
    this.textBytes += piece.length;
    cur.segments.push(piece);
    if (first) this.handler.begin(text, lit);
    if (this.current !== cur) return; // begin() may have ended it (cannot today; defensive)
    if (!lit) {
      this.finish();
      return;
    }
    if (lit.size > this.limits.max_imap_literal) {
      this.handler.anomaly('imap.literal_limit', `literal of ${lit.size} bytes over max_imap_literal (${this.limits.max_imap_literal}); the rest is skipped`);
    }
    const cap = Math.max(0, Math.min(lit.size, this.limits.max_imap_literal, this.limits.max_object - this.keptBytes));
    this.literal = {
      lit: { size: lit.size, nonSync: lit.nonSync, data: EMPTY, trimmed: false, missed: 0, cancelled: false },
      chunks: [],
      kept: 0,
      cap,
      seen: 0,
    };
    this.framer.readRaw(lit.size);
  }

  private raw(chunk: Uint8Array): void {
    const l = this.literal;
    if (!l) return;
    l.seen += chunk.length;
    const room = l.cap - l.kept;
    if (room > 0) {
      const piece = chunk.slice(0, Math.min(room, chunk.length));
      l.chunks.push(piece);
      l.kept += piece.length;
    }
  }

  private rawEnd(missed: number): void {
    const l = this.literal;
    if (!l) return;
    this.literal = null;
    l.lit.missed += missed;
    l.lit.data = joinChunks(l.chunks);
    l.lit.trimmed = l.kept < l.lit.size;
    this.keptBytes += l.kept;
    this.current?.literals.push(l.lit);
    if (this.brokenAfterLiteral) {
      this.brokenAfterLiteral = false;
      if (this.current) this.current.truncated = true;
      this.finish();
    }
  }

  private onGap(n: number, mode: FramerMode): void {
    const l = this.literal;
    if (mode === 'raw' && l) {
      this.handler.anomaly('imap.data_gap', `${n} bytes of a literal were not captured`);
      // The gap ran past the literal: the rest of its logical line is lost too.
      if (n > l.lit.size - l.seen - l.lit.missed) this.brokenAfterLiteral = true;
      return;
    }
    if (this.current) {
      // Lost bytes in the text after a literal: the logical line ends broken here.
      this.handler.anomaly('imap.data_gap', `${n} bytes lost inside a line with literals`);
      this.current.truncated = true;
      this.finish();
    }
  }

  private finish(): void {
    const cur = this.current;
    this.current = null;
    if (cur) this.handler.complete(cur);
  }
}

const EMPTY = new Uint8Array(0);
const MARKER_TAIL = /~?\{\d+\+?\}$/;
