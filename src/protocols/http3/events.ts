/**
 * HTTP/3 events and anomaly codes (RFC 9114, QPACK RFC 9204). Requests and responses come
 * out as `http.transaction` records (version "3"), the same vocabulary as HTTP/1.1 and
 * HTTP/2; `http3.frame.frame_type` is what ../shared/tools/fidelity.py counts (keep it).
 *
 * - `http3.stream`: a unidirectional stream opened, with its type (control, qpack_encoder...).
 * - `http3.frame`: one per frame, when its last byte arrived.
 * - `http3.headers`: one per decoded field section (HEADERS, PUSH_PROMISE).
 * - `http3.connection`: at the end: each side's SETTINGS, GOAWAY, QPACK table use.
 */
import { declareEvent } from '../../events/declared.js';
import { ANOMALY as HTTP_ANOMALY, HTTP_ANOMALIES } from '../http/events.js';

export const HTTP3_EVENTS = { stream: 'http3.stream', frame: 'http3.frame', headers: 'http3.headers', connection: 'http3.connection' } as const;

export type Http3StreamKind = 'request' | 'control' | 'push' | 'qpack_encoder' | 'qpack_decoder' | 'reserved' | 'unknown';

/** `http3.stream`. */
export interface Http3StreamFields {
  stream_id: number;
  stream_type: Http3StreamKind;
  stream_type_code: number;
}

/** `http3.frame`. */
export interface Http3FrameFields {
  stream_id: number;
  stream_type: Http3StreamKind;
  /** "DATA", "HEADERS", "SETTINGS", "GOAWAY"..., "RESERVED", "UNKNOWN(0x..)". */
  frame_type: string;
  frame_type_code: number;
  length: number;
  settings?: Array<{ id: number; name: string; value: number }>;
  /** GOAWAY: stream (from the server) or push ID (from the client). */
  goaway_id?: number;
  push_id?: number;
  /** A frame cut short by a gap, a reset or the end of the capture. */
  incomplete?: true;
}

/** `http3.headers`. */
export interface Http3HeadersFields {
  stream_id: number;
  headers: ReadonlyArray<readonly [string, string]>;
  block: 'request' | 'response' | 'informational' | 'trailers' | 'push_promise';
  required_insert_count: number;
  /** Fields taken from the dynamic table. */
  dynamic_refs: number;
  /** The section waited for encoder stream instructions (blocked stream, RFC 9204 §2.1.2). */
  was_blocked: boolean;
  /** Fields over max_headers / max_header_bytes were left out. */
  trimmed: true | undefined;
}

export interface Http3SideFacts {
  settings: Array<{ id: number; name: string; value: number }> | null;
  goaway_id: number | null;
  /** QPACK: inserts this side's encoder made, and its table at the end. */
  qpack_inserts: number;
  qpack_table_bytes: number;
  qpack_table_entries: number;
  qpack_encoder_bytes: number;
  /** Decoder stream instructions this side sent. */
  qpack_section_acks: number;
  qpack_insert_count_increments: number;
  qpack_stream_cancellations: number;
}

/** `http3.connection`. */
export interface Http3ConnectionFields {
  client: Http3SideFacts;
  server: Http3SideFacts;
  requests: number;
  /** Field sections that waited for the encoder stream. */
  blocked_sections: number;
  /** Field sections still blocked at the end (their encoder instructions never came). */
  never_unblocked: number;
}

export const HTTP3_ANOMALIES = {
  'http3.bad_frame': 'a frame is malformed (SETTINGS or GOAWAY payload does not parse, a length over the bound) or not allowed on its stream (DATA on the control stream, an HTTP/2-only type); the rest of that stream is not parsed',
  'http3.missing_settings': 'a control stream whose first frame is not SETTINGS (H3_MISSING_SETTINGS)',
  'http3.stream_error': 'a second control, encoder or decoder stream from one side, a server-initiated bidirectional stream, or a critical stream closed',
  'http3.qpack_error': 'a field section or encoder stream instruction is not valid QPACK (bad integer, Huffman string, a reference past the table or an evicted entry); the section is not reported, the encoder stream is no longer followed',
  'http3.qpack_blocked': 'a field section waited for encoder stream instructions that never arrived (or more than max_qpack_blocked sections waited at once); it is not reported',
  'http3.header_limit': 'a HEADERS frame over max_header_bytes (skipped), a field section over max_headers or max_header_bytes (trimmed), or a table capacity over max_qpack_table',
  'http3.gap': 'bytes of an HTTP/3 stream were never seen; that stream is not parsed further',
  [HTTP_ANOMALY.decompression_failed]: HTTP_ANOMALIES[HTTP_ANOMALY.decompression_failed]!,
  [HTTP_ANOMALY.decompression_limit]: HTTP_ANOMALIES[HTTP_ANOMALY.decompression_limit]!,
  [HTTP_ANOMALY.object_limit]: HTTP_ANOMALIES[HTTP_ANOMALY.object_limit],
} as const;

declare module '../../events/event-map.js' {
  interface EventMap {
    'http3.stream': Http3StreamFields;
    'http3.frame': Http3FrameFields;
    'http3.headers': Http3HeadersFields;
    'http3.connection': Http3ConnectionFields;
  }
  interface AnomalyCatalogue {
    http3: typeof HTTP3_ANOMALIES;
  }
}

/** Field order of the output (events/declared.ts): each interface's order, which is the order the connection writes. */
export const HTTP3_STREAM = declareEvent('http3.stream', ['stream_id', 'stream_type', 'stream_type_code']);
export const HTTP3_FRAME = declareEvent('http3.frame', ['stream_id', 'stream_type', 'frame_type', 'frame_type_code', 'length', 'settings', 'goaway_id', 'push_id', 'incomplete']);
export const HTTP3_HEADERS = declareEvent('http3.headers', ['stream_id', 'headers', 'block', 'required_insert_count', 'dynamic_refs', 'was_blocked', 'trimmed']);
export const HTTP3_CONNECTION = declareEvent('http3.connection', ['client', 'server', 'requests', 'blocked_sections', 'never_unblocked']);
