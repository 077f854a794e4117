/**
 * Leftover bytes of a stream between deliveries. When nothing is held, new bytes are
 * parsed in place; only the unconsumed tail is copied, into a buffer that grows by
 * doubling so a long message arriving in many segments costs linear time.
 */
/** Shared by every buffer holding nothing yet: most flows never hold bytes between deliveries. */
const EMPTY = new Uint8Array(0);
/**
 * A buffer larger than this is let go as soon as it holds nothing: a stream whose messages
 * spanned segments kept its 8-32 KB buffer for the rest of its life, most of it between
 * messages (the 1 GB bench capture: ~300 of them, 2.7 MB, issue 18). Smaller ones are kept
 * so that a chatty stream does not allocate per message.
 */
const KEEP_EMPTY_BYTES = 4096;
/** Where a let-go buffer starts again (its old size, up to this): one allocation, not a doubling from 256. */
const RESTART_MAX_BYTES = 16384;

export class StreamBuffer {
  private buf = EMPTY;
  private start = 0;
  private end = 0;
  /** Size of the buffer last let go (0: none), where the next one starts. */
  private restart = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** The held bytes followed by `bytes`. The result is valid until the next call. */
  append(bytes: Uint8Array): Uint8Array {
    if (this.end === this.start) {
      this.start = this.end = 0;
      return bytes;
    }
    this.reserve(bytes.length);
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
    return this.buf.subarray(this.start, this.end);
  }

  /**
   * After parsing `view` (the value `append` returned), keep its bytes from `consumed` on.
   * Copies only when the view is not already this buffer.
   */
  keep(view: Uint8Array, consumed: number): void {
    const rest = view.length - consumed;
    if (rest <= 0) {
      this.start = this.end = 0;
      if (this.buf.length > KEEP_EMPTY_BYTES) {
        this.restart = Math.min(this.buf.length, RESTART_MAX_BYTES);
        this.buf = EMPTY;
      }
      return;
    }
    if (view.buffer === this.buf.buffer && this.end - this.start === view.length) {
      this.start += consumed;
      return;
    }
    this.start = this.end = 0;
    this.reserve(rest);
    this.buf.set(view.subarray(consumed), 0);
    this.end = rest;
  }

  /** The held bytes, without taking new ones. */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  clear(): void {
    this.start = this.end = 0;
    if (this.buf.length > 1 << 16) this.buf = EMPTY;
  }

  private reserve(extra: number): void {
    const used = this.end - this.start;
    if (this.start > 0 && this.buf.length - used >= extra) {
      this.buf.copyWithin(0, this.start, this.end);
      this.start = 0;
      this.end = used;
      if (this.buf.length - this.end >= extra) return;
    }
    if (this.buf.length - this.end >= extra) return;
    let cap = this.buf.length === 0 ? Math.max(256, this.restart) : this.buf.length * 2;
    while (cap < used + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(this.start, this.end), 0);
    this.buf = next;
    this.start = 0;
    this.end = used;
  }
}
