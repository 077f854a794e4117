/**
 * Pure HTTP/2 framing (RFC 9113 §4, §6): the 9-byte frame header, the payload of each of
 * the ten frame types, and a plausibility check used by the probe and by resynchronisation.
 */
import type { Http2FrameFields } from './events.js';
import { done, needMore, type Parsed, type Verdict } from '../../dissect/parse.js';
import { decodeText, hex } from '../../dissect/text.js';

export const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
export const PREFACE_BYTES = Uint8Array.from(Buffer.from(PREFACE, 'latin1'));
export const FRAME_HEADER = 9;

export const FRAME_TYPES = [
  'DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION',
] as const;
export type FrameTypeName = (typeof FRAME_TYPES)[number];

export const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;

export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export const ERROR_CODES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR',
  'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

export const SETTINGS_NAMES: Readonly<Record<number, string>> = {
  1: 'HEADER_TABLE_SIZE',
  2: 'ENABLE_PUSH',
  3: 'MAX_CONCURRENT_STREAMS',
  4: 'INITIAL_WINDOW_SIZE',
  5: 'MAX_FRAME_SIZE',
  6: 'MAX_HEADER_LIST_SIZE',
  8: 'ENABLE_CONNECT_PROTOCOL',
  9: 'NO_RFC7540_PRIORITIES',
};

export const frameTypeName = (t: number): string => FRAME_TYPES[t] ?? `UNKNOWN(${t})`;
export const errorCodeName = (c: number): string => ERROR_CODES[c] ?? `UNKNOWN(0x${c.toString(16)})`;

export interface FrameHeader {
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly stream_id: number;
  /** The reserved bit before the stream id (must be 0). */
  readonly reserved: boolean;
}

/** The frame header at `p` (its 9 bytes consumed; the payload is the caller's to wait for). */
export function parseFrameHeader(b: Uint8Array, p: number): Parsed<FrameHeader> {
  if (b.length - p < FRAME_HEADER) return needMore(FRAME_HEADER - (b.length - p));
  return done(frameHeaderAt(b, p), FRAME_HEADER);
}

/** The frame header in the 9 bytes at `p`, which the caller has (no `Parsed` wrapper on the frame path). */
export function frameHeaderAt(b: Uint8Array, p: number): FrameHeader {
  return {
    length: u24(b, p),
    type: b[p + 3]!,
    flags: b[p + 4]!,
    stream_id: u31(b, p + 5),
    reserved: (b[p + 5]! & 0x80) !== 0,
  };
}

/** The payload length of the frame whose header starts at `p` (9 bytes there). */
export const frameLengthAt = (b: Uint8Array, p: number): number => u24(b, p);

const u24 = (b: Uint8Array, p: number): number => (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
const u31 = (b: Uint8Array, p: number): number => ((b[p]! & 0x7f) * 0x1000000) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
const u32 = (b: Uint8Array, p: number): number => b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);

function computeFlagNames(type: number, flags: number): string[] {
  const out: string[] = [];
  if (type === T.SETTINGS || type === T.PING) {
    if (flags & FLAG.ACK) out.push('ACK');
    return out;
  }
  if ((type === T.DATA || type === T.HEADERS) && flags & FLAG.END_STREAM) out.push('END_STREAM');
  if ((type === T.HEADERS || type === T.PUSH_PROMISE || type === T.CONTINUATION) && flags & FLAG.END_HEADERS) out.push('END_HEADERS');
  if ((type === T.DATA || type === T.HEADERS || type === T.PUSH_PROMISE) && flags & FLAG.PADDED) out.push('PADDED');
  if (type === T.HEADERS && flags & FLAG.PRIORITY) out.push('PRIORITY');
  return out;
}

/*
 * One frozen list per (type, flags): `http2.frame` is the busiest event of HTTP/2, and its
 * list of names depends on these two bytes only. Unknown types name no flag, so they share
 * the lists of slot 10: at most 11 * 256 lists.
 */
const flagNameLists: Array<readonly string[] | undefined> = [];

/** The names of the flags set in `flags` for a frame of `type` (the same frozen array for the same two bytes). */
export function flagNames(type: number, flags: number): readonly string[] {
  const key = (type > T.CONTINUATION ? 10 : type) * 256 + (flags & 0xff);
  let names = flagNameLists[key];
  if (names === undefined) {
    names = Object.freeze(computeFlagNames(type, flags));
    flagNameLists[key] = names;
  }
  return names;
}

/**
 * The fields of one frame's `http2.frame` event, every key in declared order (HTTP2_FRAME in
 * events.ts) in one object literal: the parser fills in what the frame type carries, and the
 * event is that object, with no copy, spread or second shape.
 */
function frameFields(h: FrameHeader): Http2FrameFields {
  return {
    stream_id: h.stream_id,
    frame_type: frameTypeName(h.type),
    flags: h.flags,
    flag_names: flagNames(h.type, h.flags),
    length: h.length,
    pad_length: undefined,
    end_stream: undefined,
    end_headers: undefined,
    priority: undefined,
    data_length: undefined,
    last_stream_id: undefined,
    error_code: undefined,
    error_code_value: undefined,
    debug_data: undefined,
    ack: undefined,
    settings: undefined,
    opaque_data: undefined,
    promised_stream_id: undefined,
    window_size_increment: undefined,
    incomplete: undefined,
  };
}

/** What one frame says, beyond its header. */
export interface FramePayload {
  /** The `http2.frame` event's fields: the header's, then what this frame type adds. */
  readonly fields: Http2FrameFields;
  /** Violations of RFC 9113 found in this frame alone (the caller raises them). */
  readonly problems: readonly string[];
  /** DATA: the data without padding. HEADERS/PUSH_PROMISE/CONTINUATION: the block fragment. */
  readonly content: Uint8Array | undefined;
  readonly settings: Array<{ id: number; value: number }> | undefined;
  readonly promised_stream_id: number | undefined;
  readonly error_code: number | undefined;
  readonly last_stream_id: number | undefined;
}

/**
 * The problems of a frame that has none: one frozen list shared by every such frame (most
 * of them), so a frame's parse makes its fields and this result, and no array.
 */
const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/** `list` with `problem` added: a frame's first problem gives it a list of its own. */
function problem(list: readonly string[], p: string): string[] {
  const out = list === NO_PROBLEMS ? [] : (list as string[]);
  out.push(p);
  return out;
}

/** Every frame's result has every key (one shape for the reader of all ten types). */
function payload(
  fields: Http2FrameFields,
  problems: readonly string[],
  content?: Uint8Array,
  settings?: Array<{ id: number; value: number }>,
  promised?: number,
  errorCode?: number,
  lastStream?: number,
): FramePayload {
  return { fields, problems, content, settings, promised_stream_id: promised, error_code: errorCode, last_stream_id: lastStream };
}

/** Parses the payload of one frame; never throws, flags what is malformed. */
export function parsePayload(h: FrameHeader, b: Uint8Array): FramePayload {
  let problems = NO_PROBLEMS;
  const fields = frameFields(h);
  const streamFrame = h.type === T.DATA || h.type === T.HEADERS || h.type === T.PRIORITY || h.type === T.RST_STREAM || h.type === T.PUSH_PROMISE || h.type === T.CONTINUATION;
  if (streamFrame && h.stream_id === 0) problems = problem(problems, `${frameTypeName(h.type)} on stream 0`);
  if ((h.type === T.SETTINGS || h.type === T.PING || h.type === T.GOAWAY) && h.stream_id !== 0) problems = problem(problems, `${frameTypeName(h.type)} on stream ${h.stream_id}`);
  if (h.reserved) problems = problem(problems, 'reserved bit set in the stream identifier');

  // Padding (DATA, HEADERS, PUSH_PROMISE).
  let start = 0;
  let end = b.length;
  if ((h.type === T.DATA || h.type === T.HEADERS || h.type === T.PUSH_PROMISE) && h.flags & FLAG.PADDED) {
    if (b.length < 1) {
      problems = problem(problems, 'PADDED frame without a pad length');
      return payload(fields, problems);
    }
    const pad = b[0]!;
    fields.pad_length = pad;
    start = 1;
    end = b.length - pad;
    if (end < start) {
      problems = problem(problems, `pad length ${pad} exceeds the payload`);
      return payload(fields, problems);
    }
  }

  switch (h.type) {
    case T.DATA:
      fields.end_stream = (h.flags & FLAG.END_STREAM) !== 0;
      fields.data_length = end - start;
      return payload(fields, problems, b.subarray(start, end));
    case T.HEADERS: {
      fields.end_stream = (h.flags & FLAG.END_STREAM) !== 0;
      fields.end_headers = (h.flags & FLAG.END_HEADERS) !== 0;
      if (h.flags & FLAG.PRIORITY) {
        if (end - start < 5) {
          problems = problem(problems, 'HEADERS with PRIORITY too short');
          return payload(fields, problems);
        }
        fields.priority = priority(b, start);
        start += 5;
      }
      return payload(fields, problems, b.subarray(start, end));
    }
    case T.PRIORITY:
      if (b.length !== 5) problems = problem(problems, `PRIORITY of length ${b.length}, not 5`);
      else {
        fields.priority = priority(b, 0);
        if ((fields.priority as { stream_dependency: number }).stream_dependency === h.stream_id) problems = problem(problems, 'stream depends on itself');
      }
      return payload(fields, problems);
    case T.RST_STREAM:
      if (b.length !== 4) {
        problems = problem(problems, `RST_STREAM of length ${b.length}, not 4`);
        return payload(fields, problems);
      } else {
        const code = u32(b, 0);
        fields.error_code = errorCodeName(code);
        fields.error_code_value = code;
        return payload(fields, problems, undefined, undefined, undefined, code);
      }
    case T.SETTINGS: {
      const ack = (h.flags & FLAG.ACK) !== 0;
      fields.ack = ack;
      if (ack && b.length) problems = problem(problems, 'SETTINGS ACK with a payload');
      if (b.length % 6) {
        problems = problem(problems, `SETTINGS length ${b.length} is not a multiple of 6`);
        return payload(fields, problems);
      }
      const settings: Array<{ id: number; value: number }> = [];
      for (let p = 0; p + 6 <= b.length; p += 6) {
        const id = (b[p]! << 8) | b[p + 1]!;
        const value = u32(b, p + 2);
        settings.push({ id, value });
        if (id === 2 && value > 1) problems = problem(problems, `ENABLE_PUSH ${value}`);
        if (id === 4 && value > 0x7fffffff) problems = problem(problems, `INITIAL_WINDOW_SIZE ${value} too large`);
        if (id === 5 && (value < 16384 || value > 16777215)) problems = problem(problems, `MAX_FRAME_SIZE ${value} out of range`);
      }
      if (!ack) fields.settings = settings.map(({ id, value }) => ({ id, name: SETTINGS_NAMES[id] ?? `UNKNOWN(${id})`, value }));
      return payload(fields, problems, undefined, settings);
    }
    case T.PUSH_PROMISE: {
      fields.end_headers = (h.flags & FLAG.END_HEADERS) !== 0;
      if (end - start < 4) {
        problems = problem(problems, 'PUSH_PROMISE too short');
        return payload(fields, problems);
      }
      const promised = u31(b, start);
      fields.promised_stream_id = promised;
      return payload(fields, problems, b.subarray(start + 4, end), undefined, promised);
    }
    case T.PING:
      fields.ack = (h.flags & FLAG.ACK) !== 0;
      if (b.length !== 8) problems = problem(problems, `PING of length ${b.length}, not 8`);
      else fields.opaque_data = hex(b);
      return payload(fields, problems);
    case T.GOAWAY: {
      if (b.length < 8) {
        problems = problem(problems, `GOAWAY of length ${b.length}, below 8`);
        return payload(fields, problems);
      }
      const last = u31(b, 0);
      const code = u32(b, 4);
      fields.last_stream_id = last;
      fields.error_code = errorCodeName(code);
      fields.error_code_value = code;
      if (b.length > 8) fields.debug_data = decodeText(b, 8, Math.min(b.length, 8 + 256));
      return payload(fields, problems, undefined, undefined, undefined, code, last);
    }
    case T.WINDOW_UPDATE: {
      if (b.length !== 4) {
        problems = problem(problems, `WINDOW_UPDATE of length ${b.length}, not 4`);
        return payload(fields, problems);
      }
      const inc = u31(b, 0);
      fields.window_size_increment = inc;
      if (inc === 0) problems = problem(problems, 'WINDOW_UPDATE with increment 0');
      return payload(fields, problems);
    }
    case T.CONTINUATION:
      fields.end_headers = (h.flags & FLAG.END_HEADERS) !== 0;
      return payload(fields, problems, b);
    default:
      // Unknown types are ignored by endpoints (RFC 9113 §4.1) and reported as such.
      return payload(fields, problems);
  }
}

function priority(b: Uint8Array, p: number): { exclusive: boolean; stream_dependency: number; weight: number } {
  return { exclusive: (b[p]! & 0x80) !== 0, stream_dependency: u31(b, p), weight: b[p + 4]! + 1 };
}

/**
 * Could a frame header start at `p`? Checks what a real peer never violates: the reserved
 * bit, a length within the largest allowed frame, stream 0 exactly for connection frames,
 * and the fixed lengths of fixed-size frames. Unknown types are not plausible here.
 */
export function plausibleFrame(b: Uint8Array, p: number, maxLength = 16384): Verdict {
  const parsed = parseFrameHeader(b, p);
  if (parsed.kind !== 'done') return 'need_more';
  const h = parsed.value;
  if (h.reserved || h.type > T.CONTINUATION || h.length > maxLength) return 'no';
  const conn = h.type === T.SETTINGS || h.type === T.PING || h.type === T.GOAWAY;
  if (conn !== (h.stream_id === 0) && h.type !== T.WINDOW_UPDATE) return 'no';
  const fixed: Partial<Record<number, number>> = { [T.PRIORITY]: 5, [T.RST_STREAM]: 4, [T.PING]: 8, [T.WINDOW_UPDATE]: 4 };
  if (fixed[h.type] !== undefined && h.length !== fixed[h.type]) return 'no';
  if (h.type === T.SETTINGS && (h.length % 6 !== 0 || (h.flags & FLAG.ACK && h.length !== 0))) return 'no';
  if (h.type === T.GOAWAY && h.length < 8) return 'no';
  // Undefined flag bits are usually zero in practice.
  const allowed = [0x09, 0x2d, 0x00, 0x00, 0x01, 0x0c, 0x01, 0x00, 0x00, 0x04][h.type]!;
  if (h.flags & ~allowed) return 'no';
  return 'yes';
}

/** `count` plausible frames in a row starting at `p` (the mid-stream heuristic). */
export function plausibleFrames(b: Uint8Array, p: number, count: number): Verdict {
  for (let i = 0; i < count; i++) {
    const v = plausibleFrame(b, p);
    if (v !== 'yes') return v;
    p += FRAME_HEADER + u24(b, p);
  }
  return 'yes';
}
