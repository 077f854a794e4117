/**
 * HTTP/3 framing (RFC 9114 §7): frames are a varint type, a varint length and a payload;
 * unidirectional streams open with a varint stream type (§6.2). Pure.
 */
import { done, NEED_MORE, type Parsed } from '../../dissect/parse.js';
import { readVarint } from '../quic/varint.js';

export const FRAME = { DATA: 0x00, HEADERS: 0x01, CANCEL_PUSH: 0x03, SETTINGS: 0x04, PUSH_PROMISE: 0x05, GOAWAY: 0x07, MAX_PUSH_ID: 0x0d } as const;

const FRAME_NAMES = new Map<number, string>([
  [0x00, 'DATA'],
  [0x01, 'HEADERS'],
  [0x03, 'CANCEL_PUSH'],
  [0x04, 'SETTINGS'],
  [0x05, 'PUSH_PROMISE'],
  [0x07, 'GOAWAY'],
  [0x0d, 'MAX_PUSH_ID'],
  // RFC 9297 and the priority update of RFC 9218.
  [0x0f0700, 'PRIORITY_UPDATE'],
  [0x0f0701, 'PRIORITY_UPDATE'],
]);

/** HTTP/2 frame types that RFC 9114 §7.2.8 reserves: receiving one is H3_FRAME_UNEXPECTED. */
const HTTP2_ONLY = new Set([0x02, 0x06, 0x08, 0x09]);

/** Reserved ("grease") types: 0x1f * N + 0x21 (RFC 9114 §7.2.8, §6.2.3, §11.2.2). */
export function isReservedType(t: number): boolean {
  return t >= 0x21 && (t - 0x21) % 0x1f === 0;
}

export function frameTypeName(t: number): string {
  const n = FRAME_NAMES.get(t);
  if (n !== undefined) return n;
  if (HTTP2_ONLY.has(t)) return `HTTP2_ONLY(0x${t.toString(16)})`;
  if (isReservedType(t)) return 'RESERVED';
  return `UNKNOWN(0x${t.toString(16)})`;
}

export const isHttp2OnlyFrame = (t: number): boolean => HTTP2_ONLY.has(t);

export const STREAM_TYPE = { control: 0x00, push: 0x01, qpack_encoder: 0x02, qpack_decoder: 0x03 } as const;

const STREAM_TYPE_NAMES = new Map<number, string>(Object.entries(STREAM_TYPE).map(([name, code]) => [code, name]));

export function streamTypeName(t: number): string {
  return STREAM_TYPE_NAMES.get(t) ?? (isReservedType(t) ? 'reserved' : `unknown(0x${t.toString(16)})`);
}

const SETTING_NAMES = new Map<number, string>([
  [0x01, 'SETTINGS_QPACK_MAX_TABLE_CAPACITY'],
  [0x06, 'SETTINGS_MAX_FIELD_SECTION_SIZE'],
  [0x07, 'SETTINGS_QPACK_BLOCKED_STREAMS'],
  [0x08, 'SETTINGS_ENABLE_CONNECT_PROTOCOL'],
  [0x33, 'SETTINGS_H3_DATAGRAM'],
  [0x2b603742, 'SETTINGS_ENABLE_WEBTRANSPORT'],
]);

export function settingName(id: number): string {
  return SETTING_NAMES.get(id) ?? (isReservedType(id) ? 'RESERVED' : `0x${id.toString(16)}`);
}

const ERRORS = new Map<number, string>([
  [0x0100, 'H3_NO_ERROR'],
  [0x0101, 'H3_GENERAL_PROTOCOL_ERROR'],
  [0x0102, 'H3_INTERNAL_ERROR'],
  [0x0103, 'H3_STREAM_CREATION_ERROR'],
  [0x0104, 'H3_CLOSED_CRITICAL_STREAM'],
  [0x0105, 'H3_FRAME_UNEXPECTED'],
  [0x0106, 'H3_FRAME_ERROR'],
  [0x0107, 'H3_EXCESSIVE_LOAD'],
  [0x0108, 'H3_ID_ERROR'],
  [0x0109, 'H3_SETTINGS_ERROR'],
  [0x010a, 'H3_MISSING_SETTINGS'],
  [0x010b, 'H3_REQUEST_REJECTED'],
  [0x010c, 'H3_REQUEST_CANCELLED'],
  [0x010d, 'H3_REQUEST_INCOMPLETE'],
  [0x010e, 'H3_MESSAGE_ERROR'],
  [0x010f, 'H3_CONNECT_ERROR'],
  [0x0110, 'H3_VERSION_FALLBACK'],
  [0x0200, 'QPACK_DECOMPRESSION_FAILED'],
  [0x0201, 'QPACK_ENCODER_STREAM_ERROR'],
  [0x0202, 'QPACK_DECODER_STREAM_ERROR'],
]);

export function http3ErrorName(code: number): string {
  return ERRORS.get(code) ?? `0x${code.toString(16)}`;
}

export interface FrameHeader {
  readonly type: number;
  readonly length: number;
}

/** A varint (a stream type, a push ID) at `at` of a stream that may still grow; `consumed` counts from `at`. */
export function streamVarint(b: Uint8Array, at: number): Parsed<number> {
  const v = readVarint(b, at);
  return v === null ? NEED_MORE : done(v.value, v.next - at);
}

/** A frame header at the start of `b` of a stream; `consumed` is the bytes of its type and length fields. */
export function readFrameHeader(b: Uint8Array): Parsed<FrameHeader> {
  const t = readVarint(b, 0);
  if (t === null) return NEED_MORE;
  const l = readVarint(b, t.next);
  if (l === null) return NEED_MORE;
  return done({ type: t.value, length: l.value }, l.next);
}

export interface Setting {
  readonly id: number;
  readonly name: string;
  readonly value: number;
}

/** A SETTINGS payload; null when a varint runs past it (H3_FRAME_ERROR). */
export function parseSettings(p: Uint8Array): Setting[] | null {
  const out: Setting[] = [];
  let at = 0;
  while (at < p.length) {
    const id = readVarint(p, at);
    if (id === null) return null;
    const value = readVarint(p, id.next);
    if (value === null) return null;
    out.push({ id: id.value, name: settingName(id.value), value: value.value });
    at = value.next;
  }
  return out;
}

/** A payload that is exactly one varint (GOAWAY, CANCEL_PUSH, MAX_PUSH_ID); null otherwise. */
export function singleVarint(p: Uint8Array): number | null {
  const v = readVarint(p, 0);
  return v !== null && v.next === p.length ? v.value : null;
}
