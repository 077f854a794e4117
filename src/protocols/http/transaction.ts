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
import { basicCredentials, connectTarget, cookiesSent, digestCredentials, cookiesSet, header, hostFromUri, mediaType, sameName, type HeaderList } from './parser.js';
import { Span } from '../../dissect/stream-cursor.js';

/** Headers Zeek lists in `proxied`. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-from', 'client-ip', 'via', 'xroxy-connection', 'proxy-connection'];

const isProxyHeader = (n: string): boolean => {
  for (let i = 0; i < PROXY_HEADERS.length; i++) if (sameName(n, PROXY_HEADERS[i]!)) return true;
  return false;
};

const CONDITIONAL = /^if-(modified-since|none-match|match|unmodified-since|range)$/i;

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

/** A new transaction's byte accounting: no bytes of either message seen yet. */
export function emptyCounts(): Pick<TxModel, 'request' | 'response' | 'request_body_len' | 'response_body_len' | 'request_missed' | 'response_missed'> {
  return { request: new Span(), response: new Span(), request_body_len: 0, response_body_len: 0, request_missed: 0, response_missed: 0 };
}

export function transactionFields(tx: TxModel, tcpRtt: number | null): HttpTransactionFields {
  const rq = tx.request_headers ?? [];
  const rs = tx.response_headers ?? [];
  const auth = header(rq, 'authorization');
  const creds = auth ? basicCredentials(auth) : null;
  // Digest names its user too; its response hash is not a password, so `password` stays empty.
  const digest = auth && !creds ? digestCredentials(auth) : null;
  const reqType = mediaType(header(rq, 'content-type'));
  const respType = mediaType(header(rs, 'content-type'));
  // One pass, and a name is lower-cased or matched by regex only when it can be one of these.
  const proxied: string[] = [];
  const conditionalOn: string[] = [];
  for (let i = 0; i < rq.length; i++) {
    const [n, v] = rq[i]!;
    if (isProxyHeader(n)) proxied.push(`${n.toUpperCase()} -> ${v}`);
    if (n.length > 3 && (n.charCodeAt(0) | 0x20) === 0x69 && (n.charCodeAt(1) | 0x20) === 0x66 && n.charCodeAt(2) === 0x2d && CONDITIONAL.test(n)) {
      conditionalOn.push(n.toLowerCase());
    }
  }
  const reqTs = tx.request.first?.ts;
  const firstByte = tx.response.first?.ts;
  const end = tx.response.last?.ts;
  const cookiesOut = cookiesSent(rq);
  const target = tx.method === 'CONNECT' && tx.uri ? connectTarget(tx.uri) : null;
  const proxyAuth = header(rq, 'proxy-authorization');
  const proxyUser = proxyAuth ? (basicCredentials(proxyAuth)?.user ?? digestCredentials(proxyAuth)?.user) : undefined;
  const cookiesIn = cookiesSet(rs);
  const fields: HttpTransactionFields = {
    trans_depth: tx.trans_depth,
    method: tx.method,
    host: tx.host ?? (tx.uri ? hostFromUri(tx.uri) : undefined),
    uri: tx.uri,
    referrer: header(rq, 'referer'),
    version: tx.version,
    user_agent: header(rq, 'user-agent'),
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
    proxied: proxied.length ? proxied : undefined,
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
    conditional: conditionalOn.length > 0,
    conditional_headers: conditionalOn.length ? conditionalOn : undefined,
    not_modified: tx.status_code === 304,
    last_modified: header(rs, 'last-modified'),
    etag: header(rs, 'etag'),
    if_modified_since: header(rq, 'if-modified-since'),
    if_none_match: header(rq, 'if-none-match'),
    cookies_sent: cookiesOut.length ? cookiesOut : undefined,
    cookies_set: cookiesIn.length ? cookiesIn : undefined,
    accept_language: header(rq, 'accept-language'),
    content_type: header(rs, 'content-type'),
    content_length: numberOrUndefined(header(rs, 'content-length')),
    content_encoding: header(rs, 'content-encoding'),
    transfer_encoding: header(rs, 'transfer-encoding'),
    response_decoded_len: tx.response_decoded_len,
    decode_status: tx.decode_status,
    location: header(rs, 'location'),
    server: header(rs, 'server'),
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

function numberOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}
