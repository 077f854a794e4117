/**
 * HTTP/1.x events and anomaly codes. Field names follow Zeek's http.log where Zeek has the
 * same fact, and `../shared/tools/fidelity.py` for what it compares.
 *
 * - `http.request`  {method, uri, version, host, headers, user_agent, trans_depth, content_length}
 * - `http.response` {status_code, status_msg, version, headers, trans_depth, content_type, content_length}
 *   (1xx interim responses get their own `http.response` too, as in tshark)
 * - `http.transaction` one per request/response pair (also for HTTP/2, `version: "2"`), see `transaction.ts`
 * - `http.connection` one per connection at its end, see the dissectors
 * - `credentials` {protocol: 'http', user, secret, mechanism: 'basic'}, or for Digest
 *   {mechanism: 'digest', user, realm, uri, algorithm, qop, secret: the response hash,
 *   secret_kind: 'digest_response'}
 * - `bittorrent.tracker` for tracker announce/scrape requests answered with bencode
 */

import { declareEvent } from '../../events/declared.js';
import type { JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';

export const ANOMALY = {
  bad_request_line: 'http.bad_request_line',
  bad_status_line: 'http.bad_status_line',
  bad_header: 'http.bad_header',
  header_limit: 'http.header_limit',
  bad_content_length: 'http.bad_content_length',
  bad_transfer_encoding: 'http.bad_transfer_encoding',
  bad_chunk: 'http.bad_chunk',
  te_cl_conflict: 'http.te_cl_conflict',
  decompression_failed: 'http.decompression_failed',
  decompression_limit: 'http.decompression_limit',
  object_limit: 'http.object_limit',
  body_gap: 'http.body_gap',
  unanswered_request: 'http.unanswered_request',
  unsolicited_response: 'http.unsolicited_response',
  responses_lost: 'http.responses_lost',
  unpaired_response: 'http.unpaired_response',
  pending_limit: 'http.pending_limit',
  data_after_close: 'http.data_after_close',
  truncated_head: 'http.truncated_head',
} as const;

export const HTTP_ANOMALIES = {
  [ANOMALY.bad_request_line]: 'client bytes where a request line was expected are not one; skipped to the next request line',
  [ANOMALY.bad_status_line]: 'server bytes where a status line was expected are not one; skipped to the next status line',
  [ANOMALY.bad_header]: 'a header line is not `name: value` (or has space before the colon); it was skipped or kept as flagged',
  [ANOMALY.header_limit]: 'a header section exceeded max_headers or max_header_bytes; fields were trimmed or the head skipped',
  [ANOMALY.bad_content_length]: 'Content-Length is negative, not a number, too large, or given twice with different values',
  [ANOMALY.bad_transfer_encoding]: 'Transfer-Encoding does not end in chunked (request framing undefined) or names an unknown coding',
  [ANOMALY.bad_chunk]: 'a chunk size line is malformed or overflows, or chunk data is not followed by CRLF',
  [ANOMALY.te_cl_conflict]: 'both Transfer-Encoding and Content-Length are present (request smuggling vector); Transfer-Encoding wins',
  [ANOMALY.decompression_failed]: 'a gzip/deflate/br body could not be decoded; the raw body is kept',
  [ANOMALY.decompression_limit]: 'decoding a body hit max_decompressed or max_decompression_ratio; decoding stopped',
  [ANOMALY.object_limit]: 'a body is larger than max_object; the exported copy is truncated',
  [ANOMALY.body_gap]: 'bytes were lost in a gap outside a length-delimited body; parsing resynchronised on the next start line',
  [ANOMALY.unanswered_request]: 'requests had no response when the connection ended',
  [ANOMALY.unsolicited_response]: 'a response arrived with no request waiting for it',
  [ANOMALY.responses_lost]: 'a gap swallowed whole responses; their requests are reported with response_lost and later pairs stay in step',
  [ANOMALY.unpaired_response]: 'after a gap the stream does not prove which request a response answers; requests and responses are reported unpaired instead of guessed',
  [ANOMALY.pending_limit]: 'more than max_pending_transactions requests awaited responses; the oldest was given up',
  [ANOMALY.data_after_close]: 'bytes arrived after the dissector stopped parsing this direction (tunnel or upgrade ended parsing)',
  [ANOMALY.truncated_head]: 'a gap (often the snap length) cut a message head short; the message is reported from its start line and the whole header lines read, marked truncated, and parsing resynchronises on the next start line',
} as const satisfies Record<(typeof ANOMALY)[keyof typeof ANOMALY], string>;

/** Header fields in order as sent: `[name, value]`. */
export type HeaderPairs = ReadonlyArray<readonly [string, string]>;

/** `http.request` (c2s): a request head. */
export interface HttpRequestFields {
  method: string;
  uri: string;
  version: string;
  host: string | undefined;
  headers: HeaderPairs;
  user_agent: string | undefined;
  trans_depth: number;
  content_length: number | undefined;
  /** A gap cut the head short (the snap length, typically): start line and whole header lines as read; the URI may be cut too. */
  truncated?: true | undefined;
  /** Bytes of the body lost in capture gaps (the body is shorter by that much). */
  body_missed_bytes?: number | undefined;
  /** The body ended before its framing said (a gap past it, or the connection closed). */
  incomplete?: true | undefined;
  /**
   * The frame where the request began. The event itself carries the frame that completes
   * it, body included (Wireshark's "reassembled in"), so a POST spanning segments is found
   * at the same frame in both tools.
   */
  first_frame: number;
}

/**
 * `http.response` (s2c): a response (1xx interim responses too, as in tshark), carried by the
 * frame that completes it, body included, as Wireshark shows it; `first_frame` is where it began.
 */
export interface HttpResponseFields {
  status_code: number;
  status_msg: string;
  version: string;
  headers: HeaderPairs;
  trans_depth: number;
  content_type: string | undefined;
  content_length: number | undefined;
  /** A gap cut the head short: status line and whole header lines as read. */
  truncated?: true | undefined;
  /** Bytes of the body lost in capture gaps (the body is shorter by that much). */
  body_missed_bytes?: number | undefined;
  /** The body ended before its framing said (a gap past it, or the connection closed). */
  incomplete?: true | undefined;
  first_frame: number;
}

/**
 * `http.transaction`: one request and its response (HTTP/1.x, or one HTTP/2 stream with
 * `version: "2"`), in the words of Zeek's http.log; see `transaction.ts`.
 */
export interface HttpTransactionFields {
  trans_depth: number;
  method: string | undefined;
  host: string | undefined;
  uri: string | undefined;
  referrer: string | undefined;
  version: string;
  user_agent: string | undefined;
  request_body_len: number;
  response_body_len: number;
  status_code: number | undefined;
  status_msg: string | undefined;
  info_code: number | undefined;
  info_msg: string | undefined;
  username: string | undefined;
  password: string | undefined;
  orig_mime_types: string[] | undefined;
  resp_mime_types: string[] | undefined;
  tags: string[];
  proxied: string[] | undefined;
  stream_id: number | undefined;
  pushed: true | undefined;
  promised_by: number | undefined;
  request_frame: number | undefined;
  request_end_frame: number | undefined;
  response_frame: number | undefined;
  response_end_frame: number | undefined;
  request_ts: Timestamp | undefined;
  response_first_byte_ts: Timestamp | undefined;
  response_end_ts: Timestamp | undefined;
  ttfb: number | undefined;
  duration: number | undefined;
  tcp_rtt: number | undefined;
  request_segments: number;
  response_segments: number;
  conditional: boolean;
  conditional_headers: string[] | undefined;
  not_modified: boolean;
  last_modified: string | undefined;
  etag: string | undefined;
  if_modified_since: string | undefined;
  if_none_match: string | undefined;
  cookies_sent: JsonValue[] | undefined;
  cookies_set: JsonValue[] | undefined;
  accept_language: string | undefined;
  content_type: string | undefined;
  content_length: number | undefined;
  content_encoding: string | undefined;
  transfer_encoding: string | undefined;
  response_decoded_len: number | undefined;
  decode_status: string | undefined;
  location: string | undefined;
  server: string | undefined;
  request_missed_bytes: number | undefined;
  response_missed_bytes: number | undefined;
  /** A gap cut the request's / response's head short (see `truncated` on the message events). */
  request_head_truncated: true | undefined;
  response_head_truncated: true | undefined;
  request_trailers: HeaderPairs | undefined;
  response_trailers: HeaderPairs | undefined;
  pipelined: true | undefined;
  upgraded: string | undefined;
  websocket: true | undefined;
  tunnel: true | undefined;
  /** CONNECT: the target the client asked the proxy for (authority-form `host:port`), granted or not (see `tunnel`). */
  tunnel_host: string | undefined;
  tunnel_port: number | undefined;
  /** The user named in Proxy-Authorization (Basic or Digest); the `credentials` event has the secret. */
  proxy_user: string | undefined;
  reset: string | undefined;
  unsolicited: true | undefined;
  /** Its response was lost in a capture gap (the stream proves it; later pairs stay in step). */
  response_lost: true | undefined;
  /** After a gap, which response (if any) answers this request, or which request this response answers, is not provable. */
  unpaired: true | undefined;
  incomplete: true | undefined;
}

/** One HTTP/2 stream, as `http.connection` lists it. */
export interface Http2StreamSummary {
  stream_id: number;
  first_frame: number;
  last_frame: number;
  frames: number;
  method: string | undefined;
  uri: string | undefined;
  status_code: number | undefined;
  pushed: true | undefined;
  response_body_len: number;
  request_ts: Timestamp | undefined;
  completed_ts: Timestamp | null | undefined;
  reset: string | undefined;
}

/**
 * `http.connection`: one per connection at its end. HTTP/1.x says whether it was
 * persistent and pipelined; HTTP/2 adds its streams and how their frames interleaved.
 */
export interface HttpConnectionFields {
  version: string | null;
  versions?: string[];
  requests: number;
  responses?: number;
  persistent: boolean;
  pipelined: boolean;
  upgraded: string | null;
  websocket?: true | undefined;
  connection_close?: boolean;
  multiplexed?: boolean;
  mid_stream?: true | undefined;
  frames?: number;
  max_concurrent_streams?: number;
  streams?: Http2StreamSummary[];
  streams_truncated?: true | undefined;
  /** Server DATA/HEADERS frames in order, as `[stream_id, consecutive frames]` runs. */
  interleaving?: Array<[number, number]>;
  interleaving_truncated?: true | undefined;
  goaway?: { last_stream_id: number; error_code: string; from: 'client' | 'server' } | undefined;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'http.request': HttpRequestFields;
    'http.response': HttpResponseFields;
    'http.transaction': HttpTransactionFields;
    'http.connection': HttpConnectionFields;
  }
  interface AnomalyCatalogue {
    http: typeof HTTP_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
export const HTTP_TRANSACTION = declareEvent('http.transaction', [
  'trans_depth', 'method', 'host', 'uri', 'referrer', 'version', 'user_agent', 'request_body_len',
  'response_body_len', 'status_code', 'status_msg', 'info_code', 'info_msg', 'username', 'password',
  'orig_mime_types', 'resp_mime_types', 'tags', 'proxied', 'stream_id', 'pushed', 'promised_by',
  'request_frame', 'request_end_frame', 'response_frame', 'response_end_frame', 'request_ts',
  'response_first_byte_ts', 'response_end_ts', 'ttfb', 'duration', 'tcp_rtt', 'request_segments',
  'response_segments', 'conditional', 'conditional_headers', 'not_modified', 'last_modified', 'etag',
  'if_modified_since', 'if_none_match', 'cookies_sent', 'cookies_set', 'accept_language', 'content_type',
  'content_length', 'content_encoding', 'transfer_encoding', 'response_decoded_len', 'decode_status',
  'location', 'server', 'request_missed_bytes', 'response_missed_bytes', 'request_head_truncated',
  'response_head_truncated', 'request_trailers', 'response_trailers', 'pipelined', 'upgraded', 'websocket',
  'tunnel', 'tunnel_host', 'tunnel_port', 'proxy_user', 'reset', 'unsolicited', 'response_lost', 'unpaired',
  'incomplete',
]);
export const HTTP_REQUEST = declareEvent('http.request', [
  'method', 'uri', 'version', 'host', 'headers', 'user_agent', 'trans_depth', 'content_length', 'truncated',
  'body_missed_bytes', 'incomplete', 'first_frame',
]);
export const HTTP_RESPONSE = declareEvent('http.response', [
  'status_code', 'status_msg', 'version', 'headers', 'trans_depth', 'content_type', 'content_length',
  'truncated', 'body_missed_bytes', 'incomplete', 'first_frame',
]);
/**
 * HTTP/1.x and HTTP/2 each write a subset of these keys, in this order (HTTP/1: versions,
 * responses, websocket, connection_close; HTTP/2: multiplexed and what follows upgraded): one
 * declaration gives both one shape, where makeEvent made one per emitter.
 */
export const HTTP_CONNECTION = declareEvent('http.connection', [
  'version', 'versions', 'requests', 'responses', 'persistent', 'pipelined', 'multiplexed', 'upgraded', 'websocket',
  'connection_close', 'mid_stream', 'frames', 'max_concurrent_streams', 'streams', 'streams_truncated', 'interleaving',
  'interleaving_truncated', 'goaway',
]);
