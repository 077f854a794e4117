/**
 * TLS framing, pure: the record header (RFC 8446 §5.1, RFC 5246 §6.2), the SSLv2-compatible
 * ClientHello (RFC 5246 appendix E.2), the handshake message header, and a bounds-checked
 * cursor the hello and certificate parsers share. Bytes in, value out; nothing throws.
 */
import { done, fail, needMore, type Parsed } from '../../dissect/parse.js';

/** RFC 8446 §5.2 / RFC 5246 §6.2.3: a record's ciphertext is at most 2^14 + 2048 bytes. */
export const MAX_RECORD_LENGTH = (1 << 14) + 2048;
export const RECORD_HEADER = 5;
export const HANDSHAKE_HEADER = 4;

export interface RecordHeader {
  readonly content_type: number;
  readonly version: number;
  readonly length: number;
}

/** Content types a record may carry: change_cipher_spec (20) to heartbeat (24). */
export const isContentType = (t: number): boolean => t >= 20 && t <= 24;
/** SSL 3.0 to TLS 1.3 on the record layer (1.3 records still say 0x0301-0x0303). */
export const isRecordVersion = (v: number): boolean => v >= 0x0300 && v <= 0x0304;

/**
 * The 5-byte record header at the start of `b`. An error means these bytes are not a TLS
 * record (the direction is not TLS, or framing is lost).
 */
export function parseRecordHeader(b: Uint8Array): Parsed<RecordHeader> {
  if (b.length < RECORD_HEADER) return needMore(RECORD_HEADER - b.length);
  const content_type = b[0]!;
  const version = (b[1]! << 8) | b[2]!;
  const length = (b[3]! << 8) | b[4]!;
  if (!isContentType(content_type)) return fail(`content type ${content_type} is not 20-24`);
  if (!isRecordVersion(version)) return fail(`record version 0x${version.toString(16).padStart(4, '0')} is not SSL 3.0-TLS 1.3`);
  return done({ content_type, version, length }, RECORD_HEADER);
}

/**
 * A plausible record header for resynchronising after a gap: a known content type, a known
 * version and a length within the protocol's bound.
 */
export function plausibleHeader(b: Uint8Array, at: number): boolean {
  if (at + RECORD_HEADER > b.length) return false;
  const version = (b[at + 1]! << 8) | b[at + 2]!;
  const length = (b[at + 3]! << 8) | b[at + 4]!;
  return isContentType(b[at]!) && isRecordVersion(version) && length > 0 && length <= MAX_RECORD_LENGTH;
}

/** An SSLv2-format ClientHello (RFC 5246 appendix E.2; SSL 2.0 spec §2.5). */
export interface Sslv2Hello {
  /** The version the client asks for: 0x0002 (SSL 2.0) or 0x0300-0x0303. */
  readonly version: number;
  /** 3-byte cipher specs; TLS suites appear as 0x00XXYY. */
  readonly cipher_specs: readonly number[];
  readonly session_id: Uint8Array;
  readonly challenge: Uint8Array;
}

/**
 * An SSLv2 record carrying a CLIENT-HELLO (2-byte header with the high bit set; a 3-byte
 * header would be padded, which a ClientHello never is). `no` (an error with consumed 0)
 * when the bytes are not one.
 */
export function parseSslv2ClientHello(b: Uint8Array): Parsed<Sslv2Hello> {
  if (b.length < 2) return needMore(2 - b.length);
  if (!(b[0]! & 0x80)) return fail('not an SSLv2 record');
  const length = ((b[0]! & 0x7f) << 8) | b[1]!;
  if (length < 9) return fail('SSLv2 record too short for a CLIENT-HELLO');
  if (b.length >= 3 && b[2] !== 1) return fail('SSLv2 record is not a CLIENT-HELLO');
  if (b.length >= 5) {
    const version = (b[3]! << 8) | b[4]!;
    if (version !== 0x0002 && !(version >= 0x0300 && version <= 0x0303)) return fail('SSLv2 CLIENT-HELLO with an unknown version');
  }
  if (b.length < 2 + length) return needMore(2 + length - b.length);
  const body = b.subarray(2, 2 + length);
  const version = (body[1]! << 8) | body[2]!;
  const specsLen = (body[3]! << 8) | body[4]!;
  const sidLen = (body[5]! << 8) | body[6]!;
  const chLen = (body[7]! << 8) | body[8]!;
  if (specsLen % 3 !== 0 || 9 + specsLen + sidLen + chLen !== body.length) return fail('SSLv2 CLIENT-HELLO lengths do not add up');
  if (sidLen !== 0 && sidLen !== 16) return fail('SSLv2 CLIENT-HELLO session id neither 0 nor 16 bytes');
  if (chLen < 16 || chLen > 32) return fail('SSLv2 CLIENT-HELLO challenge not 16-32 bytes');
  const cipher_specs: number[] = [];
  for (let i = 9; i < 9 + specsLen; i += 3) cipher_specs.push((body[i]! << 16) | (body[i + 1]! << 8) | body[i + 2]!);
  const sid = 9 + specsLen;
  return done(
    { version, cipher_specs, session_id: body.subarray(sid, sid + sidLen), challenge: body.subarray(sid + sidLen, sid + sidLen + chLen) },
    2 + length,
  );
}

export interface HandshakeHeader {
  readonly msg_type: number;
  readonly length: number;
}

export function parseHandshakeHeader(b: Uint8Array): Parsed<HandshakeHeader> {
  if (b.length < HANDSHAKE_HEADER) return needMore(HANDSHAKE_HEADER - b.length);
  return done({ msg_type: b[0]!, length: (b[1]! << 16) | (b[2]! << 8) | b[3]! }, HANDSHAKE_HEADER);
}

/**
 * Reads big-endian fields with bounds checks. A read past the end sets `failed` and returns
 * zero or an empty view, so a parser checks once at the end instead of after every field.
 */
export class Cursor {
  pos = 0;
  failed = false;

  constructor(readonly b: Uint8Array) {}

  get left(): number {
    return this.b.length - this.pos;
  }

  private need(n: number): boolean {
    if (this.failed || this.pos + n > this.b.length) {
      this.failed = true;
      return false;
    }
    return true;
  }

  u8(): number {
    if (!this.need(1)) return 0;
    return this.b[this.pos++]!;
  }

  u16(): number {
    if (!this.need(2)) return 0;
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(): number {
    if (!this.need(3)) return 0;
    const v = (this.b[this.pos]! << 16) | (this.b[this.pos + 1]! << 8) | this.b[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  bytes(n: number): Uint8Array {
    if (!this.need(n)) return new Uint8Array(0);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A vector with a 1-, 2- or 3-byte length prefix. */
  vec(prefix: 1 | 2 | 3): Uint8Array {
    const n = prefix === 1 ? this.u8() : prefix === 2 ? this.u16() : this.u24();
    return this.bytes(n);
  }
}

/** A list of 16-bit values with a length prefix; null if the length is odd or overruns. */
export function u16List(b: Uint8Array, prefix: 1 | 2): number[] | null {
  const c = new Cursor(b);
  const body = c.vec(prefix);
  if (c.failed || body.length % 2 !== 0) return null;
  const out: number[] = [];
  for (let i = 0; i < body.length; i += 2) out.push((body[i]! << 8) | body[i + 1]!);
  return out;
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
