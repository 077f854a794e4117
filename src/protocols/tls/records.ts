/**
 * One direction's record layer: bytes in, whole records out. This is the decryption seam:
 * the dissector receives `TlsRecord`s exactly as sent, and a record protection layer
 * (keys from a key log) can sit between `RecordReader` and the dissector, turning an
 * encrypted record into its inner content type and plaintext without either side changing.
 */
import { StreamBuffer } from '../../dissect/stream-buffer.js';
import { MAX_RECORD_LENGTH, parseRecordHeader, parseSslv2ClientHello, plausibleHeader, RECORD_HEADER, type Sslv2Hello } from './parser.js';

export interface TlsRecord {
  readonly content_type: number;
  /** Record-layer version (TLS 1.3 records say 0x0303). */
  readonly version: number;
  /** The record's payload (ciphertext once protected). Valid only during the call. */
  readonly fragment: Uint8Array;
  /** Frame of the packet that completed the record. */
  readonly frame: number;
}

export interface RecordEvents {
  record(r: TlsRecord): void;
  sslv2Hello(hello: Sslv2Hello, length: number): void;
  /** The bytes are not TLS; the reader has stopped. */
  garbage(detail: string): void;
  /** A record longer than TLS allows (it is still delivered: the length field is 16 bits). */
  overflow(length: number): void;
  /** After a gap, `skipped` bytes were passed over to find the next record header. */
  resynced(skipped: number): void;
}

/**
 * Frames records from a byte stream. A header that is not TLS stops the direction (the
 * caller reports it once); a gap drops the partial record and scans the following bytes
 * for a plausible header.
 */
export class RecordReader {
  private readonly buf = new StreamBuffer();
  private stopped = false;
  private first = true;
  private resync = false;
  private skipped = 0;

  constructor(
    private readonly on: RecordEvents,
    private readonly frame: () => number,
    /** The client's first bytes may be an SSLv2-format ClientHello. */
    private readonly sslv2Allowed: boolean,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Bytes held for an unfinished record. */
  get held(): number {
    return this.buf.length;
  }

  push(bytes: Uint8Array): void {
    if (this.stopped) return;
    const view = this.buf.append(bytes);
    let at = 0;
    if (this.resync) {
      while (at + RECORD_HEADER <= view.length && !plausibleHeader(view, at)) at++;
      if (at + RECORD_HEADER > view.length) {
        // The last bytes are kept: a header may straddle deliveries.
        this.skipped += at;
        this.buf.keep(view, at);
        return;
      }
      this.skipped += at;
      this.resync = false;
      this.on.resynced(this.skipped);
      this.skipped = 0;
    }
    while (at < view.length && !this.stopped) {
      const rest = view.subarray(at);
      if (this.first && this.sslv2Allowed && rest[0]! & 0x80) {
        const v2 = parseSslv2ClientHello(rest);
        if (v2.kind === 'need_more') break;
        this.first = false;
        if (v2.kind === 'error') {
          this.stop(v2.reason);
          break;
        }
        this.on.sslv2Hello(v2.value, v2.consumed);
        at += v2.consumed;
        continue;
      }
      const h = parseRecordHeader(rest);
      if (h.kind === 'need_more') break;
      if (h.kind === 'error') {
        this.stop(h.reason);
        break;
      }
      this.first = false;
      const { content_type, version, length } = h.value;
      if (rest.length < RECORD_HEADER + length) break;
      if (length > MAX_RECORD_LENGTH) this.on.overflow(length);
      at += RECORD_HEADER + length;
      this.on.record({ content_type, version, fragment: rest.subarray(RECORD_HEADER, RECORD_HEADER + length), frame: this.frame() });
    }
    if (this.stopped) this.buf.clear();
    else this.buf.keep(view, at);
  }

  gap(): void {
    if (this.stopped) return;
    this.buf.clear();
    this.first = false;
    this.resync = true;
    this.skipped = 0;
  }

  private stop(detail: string): void {
    this.stopped = true;
    this.on.garbage(detail);
  }
}
