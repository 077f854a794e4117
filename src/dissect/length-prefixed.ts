/**
 * Splits one direction of a stream into length-prefixed messages: DNS over TCP (2-byte
 * big-endian prefix, RFC 1035 §4.2.2) and the BitTorrent peer wire (4-byte prefix, BEP 3).
 * Messages may arrive several per segment or split across segments; leftovers are kept in
 * a `StreamBuffer`. A prefix beyond `maxLength` is reported once and the framer stops:
 * after a bogus length there is no way to find the next boundary.
 */
import { StreamBuffer } from './stream-buffer.js';

export interface LengthPrefixedOptions {
  /** Size of the prefix in bytes: 2 or 4, big-endian. */
  readonly prefixBytes: 2 | 4;
  /** Largest body accepted (the prefix excluded). */
  readonly maxLength: number;
}

export interface FramerSink {
  /** One complete body (without the prefix). Valid only during the call. */
  message(body: Uint8Array): void;
  /** The prefix announced `length` > max: the framer has stopped. */
  tooLong(length: number): void;
}

export class LengthPrefixedFramer {
  private readonly buffer = new StreamBuffer();
  private stopped = false;

  constructor(
    private readonly options: LengthPrefixedOptions,
    private readonly sink: FramerSink,
  ) {}

  /** True once a bad length stopped framing; later bytes are ignored. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.buffer.length;
  }

  push(bytes: Uint8Array): void {
    if (this.stopped || bytes.length === 0) return;
    const view = this.buffer.append(bytes);
    const p = this.options.prefixBytes;
    let off = 0;
    while (!this.stopped && view.length - off >= p) {
      const length = readLength(view, off, p);
      if (length > this.options.maxLength) {
        this.stop();
        this.sink.tooLong(length);
        return;
      }
      if (view.length - off - p < length) break;
      this.sink.message(view.subarray(off + p, off + p + length));
      off += p + length;
    }
    if (this.stopped) return;
    this.buffer.keep(view, off);
  }

  /** Give up on this direction (after a gap, or when the owner saw garbage). */
  stop(): void {
    this.stopped = true;
    this.buffer.clear();
  }
}

function readLength(view: Uint8Array, off: number, prefixBytes: 2 | 4): number {
  if (prefixBytes === 2) return (view[off]! << 8) | view[off + 1]!;
  return ((view[off]! << 24) >>> 0) + (view[off + 1]! << 16) + (view[off + 2]! << 8) + view[off + 3]!;
}
