/**
 * The `http.transaction` record, shared by HTTP/1.x and HTTP/2: Zeek http.log vocabulary
 * (trans_depth, method, host, uri, referrer, version, user_agent, request_body_len,
 * response_body_len, status_code, status_msg, info_code, info_msg, username, password,
 * orig_mime_types, resp_mime_types, tags, proxied) plus timing and the facts a web lab
 * asks about.
 *
 * Body lengths: `request_body_len` / `response_body_len` are the message body as sent
 * (transfer coding removed, content coding still applied), like Zeek; `response_decoded_len`
 * is the length after undoing Content-Encoding.
 */
import type { Position } from '../../dissect/contract.js';
import type { HttpTransactionFields } from './events.js';
import type { Timestamp } from '../../events/time.js';
import { basicCredentials, connectTarget, decimalValue, digestCredentials, hostFromUri, mediaType, type HeaderList } from './parser.js';
import { FIELD, FieldIndex } from './field-index.js';
import { Span } from '../../dissect/stream-cursor.js';

export interface TxModel {
  trans_depth: number;
  version: string;
  method?: string;
  uri?: string;
  host?: string;
  request_headers?: HeaderList;
  response_headers?: HeaderList;
  status_code?: number;
  status_msg?: string;
  info?: { code: number; msg: string };
  request: Span;
  response: Span;
  request_end?: Position;
  request_body_len: number;
  response_body_len: number;
  response_decoded_len?: number;
  request_missed: number;
  response_missed: number;
  decode_status?: string;
  stream_id?: number;
  pushed?: boolean;
  promised_by?: number;
  pipelined?: boolean;
  incomplete?: boolean;
  upgraded?: string;
  websocket?: boolean;
  tunnel?: boolean;
  reset?: string;
  request_trailers?: HeaderList;
  response_trailers?: HeaderList;
  unsolicited?: boolean;
  response_lost?: boolean;
  unpaired?: boolean;
  /** A gap cut the message's head: it was reported from the start line and header lines read. */
  request_head_truncated?: boolean;
  response_head_truncated?: boolean;
}

const secs = (a: Timestamp | undefined, b: Timestamp | undefined): number | undefined =>
  a && b ? Math.round(b.since(a) * 1e9) / 1e9 : undefined;

/** The two header sections of the record being built (reused: `transactionFields` does not nest). */
const REQ = new FieldIndex();
const RESP = new FieldIndex();
const NO_HEADERS: HeaderList = [];

export function transactionFields(tx: TxModel, tcpRtt: number | null): HttpTransactionFields {
  // One pass per header section finds every field read below (field-index.ts).
  const rq = REQ.index(tx.request_headers ?? NO_HEADERS, true);
  const rs = RESP.index(tx.response_headers ?? NO_HEADERS, false);
  const auth = rq.get(FIELD.authorization);
  const creds = auth ? basicCredentials(auth) : null;
  // Digest names its user too; its response hash is not a password, so `password` stays empty.
  const digest = auth && !creds ? digestCredentials(auth) : null;
  const reqType = mediaType(rq.get(FIELD.content_type));
  const respType = mediaType(rs.get(FIELD.content_type));
  const reqTs = tx.request.first?.ts;
  const firstByte = tx.response.first?.ts;
  const end = tx.response.last?.ts;
  const target = tx.method === 'CONNECT' && tx.uri ? connectTarget(tx.uri) : null;
  const proxyAuth = rq.get(FIELD.proxy_authorization);
  const proxyUser = proxyAuth ? (basicCredentials(proxyAuth)?.user ?? digestCredentials(proxyAuth)?.user) : undefined;
  const conditionalOn = rq.conditional;
  const fields: HttpTransactionFields = {
    trans_depth: tx.trans_depth,
    method: tx.method,
    host: tx.host ?? (tx.uri ? hostFromUri(tx.uri) : undefined),
    uri: tx.uri,
    referrer: rq.get(FIELD.referer),
    version: tx.version,
    user_agent: rq.get(FIELD.user_agent),
    request_body_len: tx.request_body_len,
    response_body_len: tx.response_body_len,
    status_code: tx.status_code,
    status_msg: tx.status_msg,
    info_code: tx.info?.code,
    info_msg: tx.info?.msg,
    username: creds?.user ?? (digest && !digest.userhash ? digest.user : undefined),
    password: creds?.password,
    orig_mime_types: reqType ? [reqType] : undefined,
    resp_mime_types: respType ? [respType] : undefined,
    tags: [],
    proxied: rq.proxied ?? undefined,
    stream_id: tx.stream_id,
    pushed: tx.pushed || undefined,
    promised_by: tx.promised_by,
    request_frame: tx.request.first?.frame,
    request_end_frame: tx.request_end?.frame,
    response_frame: tx.response.first?.frame,
    response_end_frame: tx.response.last?.frame,
    request_ts: reqTs,
    response_first_byte_ts: firstByte,
    response_end_ts: end,
    ttfb: secs(tx.request_end?.ts ?? reqTs, firstByte),
    duration: secs(reqTs, end),
    tcp_rtt: tcpRtt ?? undefined,
    request_segments: tx.request.segments,
    response_segments: tx.response.segments,
    conditional: conditionalOn !== null,
    conditional_headers: conditionalOn ?? undefined,
    not_modified: tx.status_code === 304,
    last_modified: rs.get(FIELD.last_modified),
    etag: rs.get(FIELD.etag),
    if_modified_since: rq.get(FIELD.if_modified_since),
    if_none_match: rq.get(FIELD.if_none_match),
    cookies_sent: rq.cookies ?? undefined,
    cookies_set: rs.setCookies ?? undefined,
    accept_language: rq.get(FIELD.accept_language),
    content_type: rs.get(FIELD.content_type),
    content_length: decimalValue(rs.get(FIELD.content_length)),
    content_encoding: rs.get(FIELD.content_encoding),
    transfer_encoding: rs.get(FIELD.transfer_encoding),
    response_decoded_len: tx.response_decoded_len,
    decode_status: tx.decode_status,
    location: rs.get(FIELD.location),
    server: rs.get(FIELD.server),
    request_missed_bytes: tx.request_missed || undefined,
    response_missed_bytes: tx.response_missed || undefined,
    request_head_truncated: tx.request_head_truncated || undefined,
    response_head_truncated: tx.response_head_truncated || undefined,
    request_trailers: tx.request_trailers?.length ? tx.request_trailers : undefined,
    response_trailers: tx.response_trailers?.length ? tx.response_trailers : undefined,
    pipelined: tx.pipelined || undefined,
    upgraded: tx.upgraded,
    websocket: tx.websocket || undefined,
    tunnel: tx.tunnel || undefined,
    tunnel_host: target?.host,
    tunnel_port: target?.port,
    proxy_user: proxyUser,
    reset: tx.reset,
    unsolicited: tx.unsolicited || undefined,
    response_lost: tx.response_lost || undefined,
    unpaired: tx.unpaired || undefined,
    incomplete: tx.incomplete || undefined,
  };
  return fields;
}

/**
 * The flow summary's note when a transaction lost bytes (` (body truncated)`), so the flows
 * table and the text summary say it, not only the JSON. Read from the transaction (the
 * record's `*_missed_bytes` are its `*_missed`), so a run that builds no record has it too.
 */
export function truncationNote(tx: TxModel): string {
  const notes: string[] = [];
  if (tx.request_head_truncated || tx.response_head_truncated) notes.push('head truncated');
  if (tx.request_missed || tx.response_missed) notes.push('body truncated');
  if (!notes.length && tx.incomplete && tx.status_code !== undefined) notes.push('incomplete');
  return notes.length ? ` (${notes.join(', ')})` : '';
}

