/**
 * QUIC frames (RFC 9000 §19, DATAGRAM of RFC 9221): a decrypted packet payload in, its
 * frames out. Pure. Frames carry no length of their own, so an unknown type or a frame that
 * runs past the payload ends the parse: what came before is returned with the reason.
 * Data-bearing frames (CRYPTO, STREAM, DATAGRAM, NEW_TOKEN) point into the payload.
 */
import { readVarint } from './varint.js';

export type Frame =
  | { readonly type: 'PADDING'; readonly length: number }
  | { readonly type: 'PING' }
  | { readonly type: 'ACK'; readonly largest: number; readonly delay: number; readonly ranges: number; readonly ecn: boolean }
  | { readonly type: 'RESET_STREAM'; readonly stream_id: number; readonly error_code: number; readonly final_size: number }
  | { readonly type: 'STOP_SENDING'; readonly stream_id: number; readonly error_code: number }
  | { readonly type: 'CRYPTO'; readonly offset: number; readonly data: Uint8Array }
  | { readonly type: 'NEW_TOKEN'; readonly token: Uint8Array }
  | { readonly type: 'STREAM'; readonly stream_id: number; readonly offset: number; readonly fin: boolean; readonly data: Uint8Array }
  | { readonly type: 'MAX_DATA'; readonly maximum: number }
  | { readonly type: 'MAX_STREAM_DATA'; readonly stream_id: number; readonly maximum: number }
  | { readonly type: 'MAX_STREAMS'; readonly bidi: boolean; readonly maximum: number }
  | { readonly type: 'DATA_BLOCKED'; readonly limit: number }
  | { readonly type: 'STREAM_DATA_BLOCKED'; readonly stream_id: number; readonly limit: number }
  | { readonly type: 'STREAMS_BLOCKED'; readonly bidi: boolean; readonly limit: number }
  | { readonly type: 'NEW_CONNECTION_ID'; readonly sequence: number; readonly retire_prior_to: number; readonly cid: Uint8Array; readonly reset_token: Uint8Array }
  | { readonly type: 'RETIRE_CONNECTION_ID'; readonly sequence: number }
  | { readonly type: 'PATH_CHALLENGE'; readonly data: Uint8Array }
  | { readonly type: 'PATH_RESPONSE'; readonly data: Uint8Array }
  | { readonly type: 'CONNECTION_CLOSE'; readonly application: boolean; readonly error_code: number; readonly frame_type: number | null; readonly reason: Uint8Array }
  | { readonly type: 'HANDSHAKE_DONE' }
  | { readonly type: 'DATAGRAM'; readonly data: Uint8Array };

export type FrameType = Frame['type'];

export interface FrameList {
  readonly frames: Frame[];
  /** Why parsing stopped before the end of the payload; null when it reached the end. */
  readonly error: string | null;
  /** True when the list was cut at `max` frames. */
  readonly trimmed: boolean;
}

/** The frame types allowed in Initial and Handshake packets (RFC 9000 §12.4, table 3). */
export const HANDSHAKE_FRAMES: ReadonlySet<FrameType> = new Set(['PADDING', 'PING', 'ACK', 'CRYPTO', 'CONNECTION_CLOSE']);

export function parseFrames(p: Uint8Array, max: number): FrameList {
  const frames: Frame[] = [];
  let at = 0;
  // Each read returns the value or throws nothing: a missing field ends the parse.
  const v = (): number | null => {
    const r = readVarint(p, at);
    if (r === null) return null;
    at = r.next;
    return r.value;
  };
  const bytes = (n: number | null): Uint8Array | null => {
    if (n === null || n > p.length - at) return null;
    const out = p.subarray(at, at + n);
    at += n;
    return out;
  };
  const stop = (reason: string): FrameList => ({ frames, error: reason, trimmed: false });
  while (at < p.length) {
    if (frames.length >= max) return { frames, error: null, trimmed: true };
    const start = at;
    const t = v();
    if (t === null) return stop('frame type truncated');
    const truncated = (name: string): FrameList => stop(`${name} frame at offset ${start} truncated`);
    if (t === 0x00) {
      while (at < p.length && p[at] === 0) at++;
      frames.push({ type: 'PADDING', length: at - start });
      continue;
    }
    if (t === 0x01) {
      frames.push({ type: 'PING' });
      continue;
    }
    if (t === 0x02 || t === 0x03) {
      const largest = v();
      const delay = v();
      const count = v();
      const firstRange = v();
      if (largest === null || delay === null || count === null || firstRange === null) return truncated('ACK');
      // Each range is two varints: at least two bytes, so the count is bounded by the payload.
      if (count > (p.length - at) / 2) return truncated('ACK');
      for (let i = 0; i < count; i++) if (v() === null || v() === null) return truncated('ACK');
      if (t === 0x03 && (v() === null || v() === null || v() === null)) return truncated('ACK');
      frames.push({ type: 'ACK', largest, delay, ranges: count + 1, ecn: t === 0x03 });
      continue;
    }
    if (t === 0x04) {
      const stream_id = v();
      const error_code = v();
      const final_size = v();
      if (stream_id === null || error_code === null || final_size === null) return truncated('RESET_STREAM');
      frames.push({ type: 'RESET_STREAM', stream_id, error_code, final_size });
      continue;
    }
    if (t === 0x05) {
      const stream_id = v();
      const error_code = v();
      if (stream_id === null || error_code === null) return truncated('STOP_SENDING');
      frames.push({ type: 'STOP_SENDING', stream_id, error_code });
      continue;
    }
    if (t === 0x06) {
      const offset = v();
      const data = bytes(v());
      if (offset === null || data === null) return truncated('CRYPTO');
      frames.push({ type: 'CRYPTO', offset, data });
      continue;
    }
    if (t === 0x07) {
      const token = bytes(v());
      if (token === null) return truncated('NEW_TOKEN');
      frames.push({ type: 'NEW_TOKEN', token });
      continue;
    }
    if (t >= 0x08 && t <= 0x0f) {
      const stream_id = v();
      const offset = t & 0x04 ? v() : 0;
      const data = t & 0x02 ? bytes(v()) : bytes(p.length - at);
      if (stream_id === null || offset === null || data === null) return truncated('STREAM');
      frames.push({ type: 'STREAM', stream_id, offset, fin: (t & 0x01) !== 0, data });
      continue;
    }
    if (t === 0x10 || t === 0x14) {
      const n = v();
      if (n === null) return truncated(t === 0x10 ? 'MAX_DATA' : 'DATA_BLOCKED');
      frames.push(t === 0x10 ? { type: 'MAX_DATA', maximum: n } : { type: 'DATA_BLOCKED', limit: n });
      continue;
    }
    if (t === 0x11 || t === 0x15) {
      const stream_id = v();
      const n = v();
      if (stream_id === null || n === null) return truncated(t === 0x11 ? 'MAX_STREAM_DATA' : 'STREAM_DATA_BLOCKED');
      frames.push(t === 0x11 ? { type: 'MAX_STREAM_DATA', stream_id, maximum: n } : { type: 'STREAM_DATA_BLOCKED', stream_id, limit: n });
      continue;
    }
    if (t >= 0x12 && t <= 0x13) {
      const n = v();
      if (n === null) return truncated('MAX_STREAMS');
      frames.push({ type: 'MAX_STREAMS', bidi: t === 0x12, maximum: n });
      continue;
    }
    if (t >= 0x16 && t <= 0x17) {
      const n = v();
      if (n === null) return truncated('STREAMS_BLOCKED');
      frames.push({ type: 'STREAMS_BLOCKED', bidi: t === 0x16, limit: n });
      continue;
    }
    if (t === 0x18) {
      const sequence = v();
      const retire_prior_to = v();
      const len = at < p.length ? p[at++]! : null;
      if (len !== null && (len < 1 || len > 20)) return stop(`NEW_CONNECTION_ID with a connection ID of ${len} bytes`);
      const cid = bytes(len);
      const reset_token = bytes(16);
      if (sequence === null || retire_prior_to === null || cid === null || reset_token === null) return truncated('NEW_CONNECTION_ID');
      frames.push({ type: 'NEW_CONNECTION_ID', sequence, retire_prior_to, cid, reset_token });
      continue;
    }
    if (t === 0x19) {
      const sequence = v();
      if (sequence === null) return truncated('RETIRE_CONNECTION_ID');
      frames.push({ type: 'RETIRE_CONNECTION_ID', sequence });
      continue;
    }
    if (t === 0x1a || t === 0x1b) {
      const data = bytes(8);
      if (data === null) return truncated('PATH_CHALLENGE');
      frames.push({ type: t === 0x1a ? 'PATH_CHALLENGE' : 'PATH_RESPONSE', data });
      continue;
    }
    if (t === 0x1c || t === 0x1d) {
      const error_code = v();
      const frame_type = t === 0x1c ? v() : null;
      const reason = bytes(v());
      if (error_code === null || (t === 0x1c && frame_type === null) || reason === null) return truncated('CONNECTION_CLOSE');
      frames.push({ type: 'CONNECTION_CLOSE', application: t === 0x1d, error_code, frame_type, reason });
      continue;
    }
    if (t === 0x1e) {
      frames.push({ type: 'HANDSHAKE_DONE' });
      continue;
    }
    if (t === 0x30 || t === 0x31) {
      const data = t === 0x31 ? bytes(v()) : bytes(p.length - at);
      if (data === null) return truncated('DATAGRAM');
      frames.push({ type: 'DATAGRAM', data });
      continue;
    }
    return stop(`unknown frame type 0x${t.toString(16)} at offset ${start}`);
  }
  return { frames, error: null, trimmed: false };
}

/** RFC 9000 §20.1 transport error codes; 0x0100-0x01ff are TLS alerts (CRYPTO_ERROR). */
const TRANSPORT_ERRORS = [
  'NO_ERROR',
  'INTERNAL_ERROR',
  'CONNECTION_REFUSED',
  'FLOW_CONTROL_ERROR',
  'STREAM_LIMIT_ERROR',
  'STREAM_STATE_ERROR',
  'FINAL_SIZE_ERROR',
  'FRAME_ENCODING_ERROR',
  'TRANSPORT_PARAMETER_ERROR',
  'CONNECTION_ID_LIMIT_ERROR',
  'PROTOCOL_VIOLATION',
  'INVALID_TOKEN',
  'APPLICATION_ERROR',
  'CRYPTO_BUFFER_EXCEEDED',
  'KEY_UPDATE_ERROR',
  'AEAD_LIMIT_REACHED',
  'NO_VIABLE_PATH',
  // RFC 9368 §4.
  'VERSION_NEGOTIATION_ERROR',
];

export function transportErrorName(code: number): string {
  if (code < TRANSPORT_ERRORS.length) return TRANSPORT_ERRORS[code]!;
  if (code >= 0x100 && code <= 0x1ff) return `CRYPTO_ERROR(${code - 0x100})`;
  return `0x${code.toString(16)}`;
}
