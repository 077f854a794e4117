/**
 * One request and its response on a stream of their own (HTTP/2, HTTP/3): the state both
 * dissectors keep per stream until the transaction record is emitted. HTTP/1.1 has no
 * streams; its transactions queue on the connection instead (http/dissector.ts).
 */
import type { DissectorContext } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { codings } from './body-decoder.js';
import { BodySink } from './body.js';
import { authCredentials } from './credentials.js';
import { header, type HeaderList } from './parser.js';
import type { TxModel } from './transaction.js';
import { Span } from '../../dissect/stream-cursor.js';

export interface StreamExchange {
  readonly id: number;
  readonly tx: TxModel;
  /** END_STREAM (HTTP/2) or the stream's FIN (HTTP/3) seen, per direction. */
  readonly ended: Record<Direction, boolean>;
  requestSeen: boolean;
  responseSeen: boolean;
  reqSink: BodySink;
  /** Made when the response's headers say how to decode its body. */
  respSink: BodySink | null;
  /** Its `http.transaction` record is out. */
  emitted: boolean;
}

/** A stream's exchange before anything is known of it. */
export function newStreamExchange(id: number, version: '2' | '3'): StreamExchange {
  return {
    id,
    tx: {
      trans_depth: 0,
      version,
      stream_id: id,
      request: new Span(),
      response: new Span(),
      request_body_len: 0,
      response_body_len: 0,
      request_missed: 0,
      response_missed: 0,
    },
    ended: { c2s: false, s2c: false },
    requestSeen: false,
    responseSeen: false,
    reqSink: new BodySink(false, 0),
    respSink: null,
    emitted: false,
  };
}

/** A pseudo-header field (`:method`, `:status`) of a decoded header list; exact, lower-case name. */
export function pseudo(headers: HeaderList, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === name) return h[1];
  }
  return undefined;
}

/** What a header block on a request stream is (RFC 9113 §8.1, RFC 9114 §4.1). */
export type ExchangeBlock = 'request' | 'response' | 'informational' | 'trailers';

/** A block's kind from its direction, its `:status`, and the blocks the stream has had. */
export function blockKind(x: StreamExchange | null | undefined, dir: Direction, status: string | undefined): ExchangeBlock {
  if (dir === 'c2s') return x?.requestSeen ? 'trailers' : 'request';
  if (status !== undefined && status.length === 3 && status.startsWith('1')) return 'informational';
  return x?.responseSeen ? 'trailers' : 'response';
}

/** A request's pseudo-headers into the exchange (a request block, or a promised request). */
export function fillRequest(x: StreamExchange, headers: HeaderList): void {
  const method = pseudo(headers, ':method');
  const path = pseudo(headers, ':path');
  if (method !== undefined) x.tx.method = method;
  if (path !== undefined) x.tx.uri = path;
  const host = pseudo(headers, ':authority') ?? header(headers, 'host');
  if (host !== undefined) x.tx.host = host;
  x.tx.request_headers = headers;
}

/**
 * A decoded header block into the exchange: the request (and its credentials), the response
 * and the sink its body needs, an interim status, or trailers. `keepBody` says whether a
 * response body is needed beyond export and decoding (a DoH answer).
 */
export function applyBlock(ctx: DissectorContext, x: StreamExchange, dir: Direction, block: ExchangeBlock, headers: HeaderList, keepBody: boolean): void {
  if (block === 'request') {
    x.requestSeen = true;
    fillRequest(x, headers);
    // Basic credentials are as readable inside HTTP/2 and decrypted HTTP/3 as in HTTP/1.1.
    const creds = authCredentials(headers);
    for (let i = 0; i < creds.length; i++) ctx.emit('credentials', 'c2s', creds[i]!);
  } else if (block === 'response') {
    const status = pseudo(headers, ':status');
    x.responseSeen = true;
    x.tx.status_code = status !== undefined && /^\d{3}$/.test(status) ? Number(status) : undefined;
    x.tx.response_headers = headers;
    const keep = ctx.wants_objects || codings(header(headers, 'content-encoding')).length > 0 || keepBody;
    x.respSink = new BodySink(keep, ctx.limits.max_object);
  } else if (block === 'informational') {
    x.tx.info = { code: Number(pseudo(headers, ':status')), msg: '' };
  } else if (dir === 'c2s') {
    x.tx.request_trailers = headers;
  } else {
    x.tx.response_trailers = headers;
  }
}
