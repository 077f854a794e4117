/**
 * HTTP/2 events and anomaly codes.
 *
 * - `http2.frame`   one per frame: {stream_id, frame_type ('DATA'...'CONTINUATION' or
 *   'UNKNOWN(n)'), flags, flag_names, length, + per type: end_stream, end_headers, pad_length,
 *   priority, data_length, error_code (name) and error_code_value, settings [{id, name, value}],
 *   ack, promised_stream_id, opaque_data, last_stream_id, debug_data, window_size_increment}
 * - `http2.headers` one per complete header block (HEADERS + CONTINUATION, or PUSH_PROMISE +
 *   CONTINUATION): {stream_id, headers [[name, value]...], end_stream, block
 *   ('request'|'response'|'informational'|'trailers'|'push_promise'), promised_stream_id,
 *   undecodable (HPACK desync or error: only exactly decoded fields are listed), unknown_fields}
 * - `http.transaction` per stream (version "2"), `http.connection` at the end with streams and
 *   interleaving.
 */
import { declareEvent } from '../../events/declared.js';
import { ANOMALY as HTTP_ANOMALY, HTTP_ANOMALIES } from '../http/events.js';

export const ANOMALY = {
  bad_preface: 'http2.bad_preface',
  bad_frame: 'http2.bad_frame',
  protocol_error: 'http2.protocol_error',
  hpack_error: 'http2.hpack_error',
  hpack_desync: 'http2.hpack_desync',
  header_limit: 'http2.header_limit',
  stream_limit: 'http2.stream_limit',
  gap: 'http2.gap',
} as const;

export const HTTP2_ANOMALIES = {
  [ANOMALY.bad_preface]: 'the client did not start with the HTTP/2 connection preface; the direction is not parsed',
  [ANOMALY.bad_frame]: 'a frame header or payload is malformed (wrong length for its type, wrong stream 0 use, bad padding, oversized)',
  [ANOMALY.protocol_error]: 'a frame breaks the stream state machine or header-block rules of RFC 9113',
  [ANOMALY.hpack_error]: 'a header block is not valid HPACK (bad integer, string, Huffman code or size update)',
  [ANOMALY.hpack_desync]: 'a header block refers to dynamic-table entries never seen (capture began mid-connection or lost a block); those fields are not reported',
  [ANOMALY.header_limit]: 'a header block or list exceeded max_header_bytes/max_headers, or a table size exceeded max_hpack_table; trimmed',
  [ANOMALY.stream_limit]: 'more than max_pending_transactions streams were open at once; the oldest was given up',
  [ANOMALY.gap]: 'bytes were lost in a gap; framing resynchronised on the next plausible frame headers',
  // Bodies are decoded like HTTP/1.1 bodies, with the same codes.
  [HTTP_ANOMALY.decompression_failed]: HTTP_ANOMALIES[HTTP_ANOMALY.decompression_failed]!,
  [HTTP_ANOMALY.decompression_limit]: HTTP_ANOMALIES[HTTP_ANOMALY.decompression_limit]!,
  [HTTP_ANOMALY.object_limit]: HTTP_ANOMALIES[HTTP_ANOMALY.object_limit],
} as const;

/** What each frame type adds to `http2.frame` (RFC 9113 §6). */
export interface Http2FramePayloadFields {
  pad_length?: number;
  end_stream?: boolean;
  end_headers?: boolean;
  priority?: { exclusive: boolean; stream_dependency: number; weight: number };
  data_length?: number;
  error_code?: string;
  error_code_value?: number;
  ack?: boolean;
  settings?: Array<{ id: number; name: string; value: number }>;
  promised_stream_id?: number;
  opaque_data?: string;
  last_stream_id?: number;
  debug_data?: string;
  window_size_increment?: number;
}

/** `http2.frame`: one frame. */
export interface Http2FrameFields extends Http2FramePayloadFields {
  stream_id: number;
  frame_type: string;
  flags: number;
  /** Shared per (type, flags) and frozen: see flagNames in parser.ts. */
  flag_names: readonly string[];
  length: number;
  /** A DATA frame cut by a gap. */
  incomplete?: true;
}

/** `http2.headers`: one complete header block (HEADERS or PUSH_PROMISE, with its CONTINUATIONs). */
export interface Http2HeadersFields {
  stream_id: number;
  headers: ReadonlyArray<readonly [string, string]>;
  end_stream: boolean;
  block: 'request' | 'response' | 'informational' | 'trailers' | 'push_promise';
  promised_stream_id: number | undefined;
  /** HPACK desync or error: only exactly decoded fields are listed. */
  undecodable: true | undefined;
  unknown_fields: number | undefined;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'http2.frame': Http2FrameFields;
    'http2.headers': Http2HeadersFields;
  }
  interface AnomalyCatalogue {
    http2: typeof HTTP2_ANOMALIES;
  }
}

/*
 * Field order of the output (events/declared.ts). The payload fields are one order that keeps
 * every frame type's own order (RFC 9113 §6: pad_length first; DATA end_stream, data_length;
 * HEADERS end_stream, end_headers, priority; GOAWAY last_stream_id, error_code,
 * error_code_value, debug_data; SETTINGS and PING ack first), and `incomplete` last.
 */
export const HTTP2_FRAME = declareEvent('http2.frame', [
  'stream_id', 'frame_type', 'flags', 'flag_names', 'length',
  'pad_length', 'end_stream', 'end_headers', 'priority', 'data_length',
  'last_stream_id', 'error_code', 'error_code_value', 'debug_data',
  'ack', 'settings', 'opaque_data', 'promised_stream_id', 'window_size_increment', 'incomplete',
]);
export const HTTP2_HEADERS = declareEvent('http2.headers', ['stream_id', 'headers', 'end_stream', 'block', 'promised_stream_id', 'undecodable', 'unknown_fields']);
