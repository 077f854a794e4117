/**
 * DNS over HTTPS (RFC 8484) rides on HTTP: a POST whose body is an `application/dns-message`,
 * or a GET with the message base64url-encoded in the `dns` query parameter, answered by an
 * `application/dns-message` body. The DNS folder decodes and reports the messages
 * (`dns/doh.ts`); this module says which transactions are DoH, which bodies to keep, and
 * hands over the bytes when the transaction is finished, as tracker-link.ts does for
 * BitTorrent trackers.
 */
import type { DissectorContext, Position } from '../../dissect/contract.js';
import { dohExchange, type DohMessage } from '../dns/doh.js';
import { header, mediaType } from './parser.js';
import type { TxModel } from './transaction.js';

export const DNS_MESSAGE = 'application/dns-message';

/** The `dns` parameter of a GET's query string, still base64url (RFC 8484 §4.1), or null. */
function dnsParam(uri: string): string | null {
  const q = uri.indexOf('?');
  if (q < 0) return null;
  // Pair by pair in place (asked several times of every transaction with a query string):
  // the query ends at `#`, pairs at `&`; `dns=` holds neither, so a match at a pair's start
  // lies inside that pair.
  let end = uri.indexOf('#', q + 1);
  if (end < 0) end = uri.length;
  for (let at = q + 1; ; ) {
    let next = uri.indexOf('&', at);
    if (next < 0 || next > end) next = end;
    if (uri.startsWith('dns=', at) && at + 4 <= next) return uri.slice(at + 4, next);
    if (next >= end) return null;
    at = next + 1;
  }
}

/** base64url without padding (RFC 4648 §5); padding tolerated; null when not base64url. */
export function base64url(text: string): Uint8Array | null {
  const t = text.replace(/%3D/gi, '=').replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(t) || t.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(t, 'base64url'));
}

/** Whether the request carries a DNS message in its body (POST, RFC 8484 §4.1). */
export function isDohPost(method: string | undefined, requestHeaders: TxModel['request_headers']): boolean {
  return method === 'POST' && mediaType(header(requestHeaders ?? [], 'content-type')) === DNS_MESSAGE;
}

/** Whether a transaction is DoH by its request: a dns-message POST or a GET with `dns=`. */
export function isDohRequest(tx: Pick<TxModel, 'method' | 'uri' | 'request_headers'>): boolean {
  if (isDohPost(tx.method, tx.request_headers)) return true;
  return tx.method === 'GET' && tx.uri !== undefined && dnsParam(tx.uri) !== null;
}

/** Whether a response body must be kept: it is a DNS message, or answers a DoH request. */
export function wantsDohResponse(tx: Pick<TxModel, 'method' | 'uri' | 'request_headers'>, responseHeaders: TxModel['response_headers']): boolean {
  return isDohRequest(tx) || mediaType(header(responseHeaders ?? [], 'content-type')) === DNS_MESSAGE;
}

/**
 * Reports the DNS messages of a finished DoH transaction. `requestBody` is the kept POST
 * body; `responseBody` the decoded response body. A response that is not a dns-message
 * (an error page, a 4xx) carries no DNS message, so the query stands unanswered.
 */
export function reportDoh(ctx: DissectorContext, tx: TxModel, requestBody: Uint8Array | undefined, responseBody: Uint8Array | undefined): void {
  const responseIsDns = mediaType(header(tx.response_headers ?? [], 'content-type')) === DNS_MESSAGE;
  if (!isDohRequest(tx) && !responseIsDns) return;
  let query: Uint8Array | null = null;
  if (isDohPost(tx.method, tx.request_headers)) query = requestBody && requestBody.length ? requestBody : null;
  else if (tx.method === 'GET' && tx.uri) {
    const param = dnsParam(tx.uri);
    query = param === null ? null : base64url(param);
    if (param !== null && query === null) ctx.anomaly('dns.malformed', 'c2s', `DoH GET dns= parameter is not base64url: ${param.slice(0, 40)}`, posOf(tx.request.first, ctx));
  }
  const response = responseIsDns && responseBody && responseBody.length ? responseBody : null;
  if (!query && !response) return;
  const at = (p: Position | null | undefined): Position => posOf(p, ctx);
  const q: DohMessage | null = query ? { bytes: query, at: at(tx.request_end ?? tx.request.first) } : null;
  const r: DohMessage | null = response ? { bytes: response, at: at(tx.response.last) } : null;
  dohExchange(ctx, q, r, { http_version: tx.version, method: tx.method ?? '?', trans_depth: tx.trans_depth, stream_id: tx.stream_id });
}

const posOf = (p: Position | null | undefined, ctx: DissectorContext): Position => p ?? { frame: ctx.frame, ts: ctx.ts };
