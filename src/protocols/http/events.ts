/**
 * HTTP/1.x events and anomaly codes. Field names follow Zeek's http.log where Zeek has the
 * same fact, and `../shared/tools/fidelity.py` for what it compares.
 *
 * - `http.request`  {method, uri, version, host, headers, user_agent, trans_depth, content_length}
 * - `http.response` {status_code, status_msg, version, headers, trans_depth, content_type, content_length}
 *   (1xx interim responses get their own `http.response` too, as in tshark)
 * - `http.transaction` one per request/response pair (also for HTTP/2, `version: "2"`), see `transaction.ts`
 * - `http.connection` one per connection at its end, see the dissectors
 * - `credentials` {protocol: 'http', user, secret, mechanism: 'basic'}
 * - `bittorrent.tracker` for tracker announce/scrape requests answered with bencode
 */

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
  pending_limit: 'http.pending_limit',
  data_after_close: 'http.data_after_close',
} as const;

export const HTTP_ANOMALIES: Readonly<Record<string, string>> = {
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
  [ANOMALY.pending_limit]: 'more than max_pending_transactions requests awaited responses; the oldest was given up',
  [ANOMALY.data_after_close]: 'bytes arrived after the dissector stopped parsing this direction (tunnel or upgrade ended parsing)',
};
