/**
 * Handshake messages out of handshake records (RFC 8446 §5.1): a message may span several
 * records and one record may hold several messages. Messages above `max` bytes are skipped
 * by their announced length (the caller reports it), so memory stays bounded.
 */
import { StreamBuffer } from '../../dissect/stream-buffer.js';
import { HANDSHAKE_HEADER, parseHandshakeHeader } from './parser.js';

export interface HandshakeEvents {
  /** A whole message; `body` is valid only during the call. */
  message(msg_type: number, body: Uint8Array): void;
  /** A message announced `length` bytes, more than `max`; it is skipped. */
  tooLong(msg_type: number, length: number): void;
}

export class HandshakeReader {
  private readonly buf = new StreamBuffer();
  /** Bytes of an over-long message still to pass over. */
  private skip = 0;

  constructor(
    private readonly on: HandshakeEvents,
    private readonly max: number,
  ) {}

  /** True while a message is incomplete (a record boundary fell inside it). */
  get partial(): boolean {
    return this.buf.length > 0 || this.skip > 0;
  }

  push(fragment: Uint8Array): void {
    let input = fragment;
    if (this.skip > 0) {
      const n = Math.min(this.skip, input.length);
      this.skip -= n;
      input = input.subarray(n);
      if (input.length === 0) return;
    }
    const view = this.buf.append(input);
    let at = 0;
    while (at < view.length) {
      const h = parseHandshakeHeader(view.subarray(at));
      if (h.kind !== 'done') break;
      const { msg_type, length } = h.value;
      if (length > this.max) {
        this.on.tooLong(msg_type, length);
        const available = view.length - at - HANDSHAKE_HEADER;
        if (available >= length) {
          at += HANDSHAKE_HEADER + length;
          continue;
        }
        this.skip = length - available;
        at = view.length;
        break;
      }
      if (view.length - at - HANDSHAKE_HEADER < length) break;
      const body = view.subarray(at + HANDSHAKE_HEADER, at + HANDSHAKE_HEADER + length);
      at += HANDSHAKE_HEADER + length;
      this.on.message(msg_type, body);
    }
    this.buf.keep(view, at);
  }

  /** Forget a partial message (a gap, or the direction turned encrypted). */
  reset(): void {
    this.buf.clear();
    this.skip = 0;
  }
}
