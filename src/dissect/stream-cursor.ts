/**
 * One direction of a byte stream with stream offsets: leftover bytes between deliveries,
 * and which delivery (frame, time) carried which offsets. Messages ask "which segments
 * carried bytes [a, b)?" to report their frames, their first-byte time and the number of
 * TCP segments that carried them. Delivered segments are identified by their frame, so a
 * segment handed over in several pieces still counts once (split-point tests rely on it).
 */
import type { Position } from './contract.js';
import { StreamBuffer } from './stream-buffer.js';
import type { Timestamp } from '../events/time.js';

interface Segment {
  start: number;
  end: number;
  frame: number;
  ts: Timestamp;
}

/** Where a message's bytes came from. */
export class Span {
  first: Position | null = null;
  last: Position | null = null;
  segments = 0;

  add(frame: number, ts: Timestamp): void {
    if (this.last && this.last.frame === frame) return;
    if (!this.first) this.first = { frame, ts };
    this.last = { frame, ts };
    this.segments++;
  }
}

export class StreamCursor {
  private readonly buf = new StreamBuffer();
  private readonly segs: Segment[] = [];
  /** Stream offset of the first held byte (gaps included). */
  offset = 0;

  get held(): number {
    return this.buf.length;
  }

  /** Adds a delivery; returns held bytes + new bytes, whose index 0 is at `offset`. */
  append(bytes: Uint8Array, frame: number, ts: Timestamp): Uint8Array {
    const start = this.offset + this.buf.length;
    const last = this.segs[this.segs.length - 1];
    if (last && last.frame === frame && last.end === start) last.end += bytes.length;
    else this.segs.push({ start, end: start + bytes.length, frame, ts });
    return this.buf.append(bytes);
  }

  /** Credits bytes `[a, b)` of `view` (relative to `offset`) to `span`. */
  credit(span: Span, a: number, b: number): void {
    if (b <= a) return;
    const sa = this.offset + a;
    const sb = this.offset + b;
    for (const s of this.segs) {
      if (s.end <= sa) continue;
      if (s.start >= sb) break;
      span.add(s.frame, s.ts);
    }
  }

  /** Position of the delivery that carried byte `a` of the view. */
  positionOf(a: number): Position | null {
    const sa = this.offset + a;
    for (const s of this.segs) if (s.start <= sa && sa < s.end) return { frame: s.frame, ts: s.ts };
    return null;
  }

  /** Done with `view` up to `consumed`: keep the rest. */
  keep(view: Uint8Array, consumed: number): void {
    this.buf.keep(view, consumed);
    this.offset += consumed;
    this.trim();
  }

  /** Drops what is held (lost to a gap or resynchronisation); returns how many bytes. */
  drop(): number {
    const n = this.buf.length;
    this.buf.clear();
    this.offset += n;
    this.trim();
    return n;
  }

  /** `n` bytes never delivered. */
  skip(n: number): void {
    this.offset += n;
    this.trim();
  }

  view(): Uint8Array {
    return this.buf.view();
  }

  private trim(): void {
    const segs = this.segs;
    let i = 0;
    while (i < segs.length && segs[i]!.end <= this.offset) i++;
    if (i === 0) return;
    // In place: a new array per consumed message was most of this class's garbage.
    const left = segs.length - i;
    for (let k = 0; k < left; k++) segs[k] = segs[k + i]!;
    segs.length = left;
  }
}
