/**
 * HTTP/1.x over one TCP connection (RFC 9112): requests and responses paired in order
 * (pipelining), bodies by Content-Length, chunked or connection close, no body for HEAD,
 * 204, 304 and 1xx, interim 1xx responses, CONNECT tunnels, Upgrade (h2c hands the flow
 * to HTTP/2, WebSocket and others end parsing), gaps (resynchronise on the next start
 * line), and the per-transaction and per-connection records.
 */
import type { DissectorContext, Position, StreamDissector } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { Parsed } from '../../dissect/parse.js';
import { codings } from './body-decoder.js';
import { BodySink, finishResponseBody } from './body.js';
import { ChunkedDecoder } from './chunked.js';
import { authCredentials } from './credentials.js';
import { ANOMALY, type HttpRequestFields, type HttpResponseFields } from './events.js';
import {
  contentLength,
  findStartLine,
  header,
  decimalValue,
  hasToken,
  headerTokens,
  hostFromUri,
  parseCutHead,
  parseHead,
  parseRequestLine,
  parseStatusLine,
  plausibleStatusStart,
  type Head,
  type HeaderList,
  type RequestLine,
  type StatusLine,
} from './parser.js';
import { Span, StreamCursor } from '../../dissect/stream-cursor.js';
import { isDohPost, reportDoh, wantsDohResponse } from './doh-link.js';
import { trackerEvent } from './tracker-link.js';
import { transactionFields, truncationNote, type TxModel } from './transaction.js';
import type { UpgradedRequest } from './upgrade.js';


interface Tx extends TxModel {
  /**
   * A message event waiting for its body: emitted at the frame that completes the message,
   * when what the body lost (`body_missed_bytes`, `incomplete`) is filled in.
   */
  request_event?: HttpRequestFields | undefined;
  response_event?: HttpResponseFields | undefined;
  http09: boolean;
  requestDone: boolean;
  requestSink?: BodySink;
  responseSink?: BodySink;
  emitted: boolean;
  /**
   * `pipelined` is proven: the request was seen before the previous response ended. Until
   * then it is only a candidate (the previous response may have been lost in a gap, and a
   * gap is not pipelining).
   */
  pipelineProven?: boolean;
  /** The request's / response's body ended before its framing said (a gap, or the connection closed). */
  requestCut?: boolean;
  responseCut?: boolean;
  /** The decoded response body, kept only for a DoH exchange (reported with the transaction). */
  dohResponse?: Uint8Array;
}

/** Bytes of the shortest response head (`HTTP/1.1 200\r\n\r\n`): a gap of L bytes holds at most L/16 whole responses. */
const MIN_RESPONSE_BYTES = 16;

/** What a server-side loss proved, kept until the first status line after it. */
interface S2cLoss {
  bytes: number;
  /** The loss covered the start of the next response head (a gap in `head` state or past a Content-Length body). */
  headLost: boolean;
}

interface Body {
  readonly mode: 'length' | 'chunked' | 'close';
  remaining: number;
  readonly chunked: ChunkedDecoder | null;
  readonly sink: BodySink;
  readonly tx: Tx;
  /** Hands body bytes to the sink (reporting `object_limit`). */
  readonly add: (bytes: Uint8Array) => void;
}

/** `head`: expecting a start line; `hold`: waiting for the answer to CONNECT/Upgrade; `opaque`: no longer HTTP. */
type State = 'head' | 'body' | 'hold' | 'resync' | 'opaque';

/**
 * A transaction with every field it can get, so that all of them share one shape (fields
 * added one by one as a transaction learns them made a new hidden class at each step).
 */
function newTx(depth: number, version: string): Tx {
  return {
    trans_depth: depth,
    version,
    method: undefined,
    uri: undefined,
    host: undefined,
    request_headers: undefined,
    response_headers: undefined,
    status_code: undefined,
    status_msg: undefined,
    info: undefined,
    request: new Span(),
    response: new Span(),
    request_end: undefined,
    request_body_len: 0,
    response_body_len: 0,
    response_decoded_len: undefined,
    request_missed: 0,
    response_missed: 0,
    decode_status: undefined,
    stream_id: undefined,
    pushed: undefined,
    promised_by: undefined,
    pipelined: undefined,
    incomplete: undefined,
    upgraded: undefined,
    websocket: undefined,
    tunnel: undefined,
    reset: undefined,
    request_trailers: undefined,
    response_trailers: undefined,
    unsolicited: undefined,
    response_lost: undefined,
    unpaired: undefined,
    request_head_truncated: undefined,
    response_head_truncated: undefined,
    request_event: undefined,
    response_event: undefined,
    http09: false,
    requestDone: false,
    requestSink: undefined,
    responseSink: undefined,
    emitted: false,
    pipelineProven: undefined,
    requestCut: undefined,
    responseCut: undefined,
    dohResponse: undefined,
  };
}

export class Http1Dissector implements StreamDissector {
  private readonly cur = { c2s: new StreamCursor(), s2c: new StreamCursor() };
  private readonly state: Record<Direction, State> = { c2s: 'head', s2c: 'head' };
  private readonly body: Record<Direction, Body | null> = { c2s: null, s2c: null };
  /** True while the server's FIN completes a close-delimited response (see `end`). */
  private completedByFin = false;
  /** Bytes lost to gaps while looking for the next start line. */
  private readonly lost: Record<Direction, number> = { c2s: 0, s2c: 0 };
  /**
   * After a head cut short (`cutHead`): captured bytes skipped while looking for the next
   * start line (the rest of that message, which has no known framing); null otherwise.
   */
  private readonly cutRest: Record<Direction, number | null> = { c2s: null, s2c: null };
  /** Requests waiting for their final response, oldest first. */
  private pending: Tx[] = [];
  private depth = 0;
  private requests = 0;
  private responses = 0;
  private pipelined = false;
  /** A request was proven sent before the previous response ended / after it ended. */
  private sawPipelining = false;
  private sawSequential = false;
  /** Responses seen to their end (not lost): a request after one of them is sequential. */
  private answered = 0;
  /** Server bytes were lost somewhere (a pending request's predecessor may have been answered in the gap). */
  private s2cLossSeen = false;
  private s2cHeadLost = false;
  private afterLoss: S2cLoss | null = null;
  /** After an unprovable pairing: responses with no request waiting are unpaired, not unsolicited. */
  private ambiguous = false;
  private upgraded: string | undefined;
  private closeAnnounced = false;
  private versions = new Set<string>();
  private switched = false;
  private finished = false;
  private serviceSet = false;
  private lastSummary = '';
  /** Transactions that lost bytes (cut head, body gap, cut body), for the flow summary. */
  private truncatedCount = 0;

  constructor(private readonly ctx: DissectorContext) {}

  data(dir: Direction, bytes: Uint8Array): void {
    if (this.switched || this.finished) return;
    // The server speaking means the client's held bytes are all it sent for now (HTTP/0.9).
    if (dir === 's2c') this.flushClient();
    if (this.switched) return;
    const c = this.cur[dir];
    const view = c.append(bytes, this.ctx.frame, this.ctx.ts);
    this.run(dir, view);
  }

  private flushClient(): void {
    const c = this.cur.c2s;
    if (c.held === 0 || this.state.c2s !== 'head') return;
    const view = c.view();
    const used = this.parse('c2s', view, true);
    if (!this.switched) c.keep(view, used);
  }

  gap(dir: Direction, length: number): void {
    if (this.switched || this.finished || length <= 0) return;
    const c = this.cur[dir];
    const st = this.state[dir];
    // The head being read was cut by the loss: report what was read of it (snap length).
    if ((st === 'head' || st === 'resync') && c.held > 0 && this.cutHead(dir, length)) return;
    if (dir === 's2c') {
      this.s2cLossSeen = true;
      // Lost while expecting a status line: the next response's head went with it.
      if (st === 'head') this.s2cHeadLost = true;
    }
    if (st === 'opaque') {
      c.drop();
      c.skip(length);
      return;
    }
    const body = this.body[dir];
    if (st === 'body' && body && c.held === 0) {
      if (body.mode === 'close') {
        body.sink.gap(length);
        c.skip(length);
        return;
      }
      if (body.mode === 'length') {
        const absorbed = Math.min(length, body.remaining);
        body.sink.gap(absorbed);
        body.remaining -= absorbed;
        c.skip(length);
        if (body.remaining === 0) this.endBody(dir, length > absorbed);
        if (length === absorbed) return;
        // Past the end of the body: the bytes lost are the next message's.
        if (dir === 's2c') this.s2cHeadLost = true;
        this.startResync(dir, length - absorbed);
        return;
      }
      if (body.chunked!.skipData(length)) {
        body.sink.gap(length);
        c.skip(length);
        return;
      }
    }
    // Lost in a head, chunk framing, or beyond a body: what is held is lost too.
    const held = c.drop();
    c.skip(length);
    if (st === 'body' && body) {
      body.sink.gap(length);
      this.endBody(dir, true);
    }
    if (st === 'hold') {
      // The answer to CONNECT/Upgrade decides; until then the loss is only counted.
      this.lost[dir] += held + length;
      return;
    }
    this.startResync(dir, held + length);
  }

  end(dir: Direction): void {
    if (this.switched || this.finished) return;
    const b = this.body[dir];
    // A close-delimited response ends with the server's FIN: that is its normal end, and the
    // FIN's frame completes it (Wireshark reassembles such a body until the FIN).
    if (dir === 's2c' && this.state.s2c === 'body' && b?.mode === 'close') {
      this.completedByFin = true;
      this.endBody('s2c', false);
      this.completedByFin = false;
    }
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.switched) return;
    if (this.state.c2s === 'hold') {
      this.state.c2s = 'head';
      this.resume('c2s');
    }
    this.flushClient();
    if (this.switched) return;
    for (const dir of ['c2s', 's2c'] as const) {
      const b = this.body[dir];
      if (this.state[dir] === 'body' && b) this.endBody(dir, b.mode !== 'close');
      const rest = this.cutRest[dir];
      if (rest !== null && rest + this.lost[dir] > 0) {
        this.ctx.anomaly(ANOMALY.body_gap, dir, `${rest + this.lost[dir]} bytes after a truncated head not parsed (${this.lost[dir]} of them lost in gaps); no later start line to resynchronise on`);
        this.lost[dir] = 0;
      } else if (this.lost[dir] > 0) {
        this.ctx.anomaly(ANOMALY.body_gap, dir, `${this.lost[dir]} bytes lost in a gap; no later start line to resynchronise on`);
        this.lost[dir] = 0;
      }
      const held = this.cur[dir].held;
      if (held > 0 && this.state[dir] === 'head') {
        const kind = dir === 'c2s' ? 'request' : 'response';
        this.ctx.anomaly(dir === 'c2s' ? ANOMALY.bad_request_line : ANOMALY.bad_status_line, dir, `${held} bytes of an unfinished ${kind} head at the end of the connection`);
      }
    }
    const unanswered = this.pending.filter((t) => !t.emitted);
    if (unanswered.length) {
      this.ctx.anomaly(
        ANOMALY.unanswered_request,
        'c2s',
        `${unanswered.length} request(s) without a response: ${unanswered.slice(0, 3).map((t) => `${t.method} ${t.uri}`).join(', ')}`,
      );
    }
    for (const t of unanswered) {
      t.incomplete = true;
      // No server byte was lost, so no response ended before it was sent.
      if (t.pipelined && !this.s2cLossSeen) t.pipelineProven = true;
      this.emitTransaction(t);
    }
    this.pending = [];
    this.emitConnection();
  }

  // ---- parsing loop -------------------------------------------------------------------

  private run(dir: Direction, view: Uint8Array): void {
    const used = this.parse(dir, view);
    if (this.switched) return;
    this.cur[dir].keep(view, used);
  }

  /** Parses what a direction holds (after `hold` ends). */
  private resume(dir: Direction): void {
    const c = this.cur[dir];
    if (this.lost[dir] > 0) {
      c.drop();
      this.state[dir] = 'resync';
    }
    if (c.held === 0) return;
    this.run(dir, c.view());
  }

  /**
   * Parses one direction's bytes: bodies and resynchronisation through `sharedStep`, then
   * a request or response head. Returns how many bytes were used.
   */
  private parse(dir: Direction, b: Uint8Array, final = false): number {
    let p = 0;
    while (p < b.length && !this.switched) {
      const st = this.state[dir];
      // A client on `hold` keeps its bytes for after the response; a server's are not parsed.
      if (st === 'opaque' || (st === 'hold' && dir === 's2c')) return b.length;
      if (st === 'hold') break;
      const atHead = st === 'head';
      const step = this.sharedStep(dir, b, p);
      if (step.stop) return step.at;
      if (!atHead || step.at !== p) {
        p = step.at;
        continue;
      }
      const waiting = dir === 's2c' ? this.pending[0] : undefined;
      if (waiting?.http09) {
        // An HTTP/0.9 response is the raw body until close, unless the server answers in 1.x anyway.
        const v = plausibleStatusStart(b, p);
        if (v === 'need_more') break;
        if (v === 'no') {
          this.pending.shift();
          this.startBody('s2c', waiting, 'close', 0, null);
          continue;
        }
      }
      const next = dir === 'c2s' ? this.requestHead(b, p, final) : this.responseHead(b, p);
      if (next < 0) break;
      p = next;
    }
    return p;
  }

  /** The request head at `p`; returns where parsing goes on, or -1 to wait for more bytes. */
  private requestHead(b: Uint8Array, p: number, final: boolean): number {
    const r = parseHead(b.subarray(p), this.ctx.limits, parseRequestLine, final);
    if (r.kind !== 'done') return this.noHead('c2s', b, p, r);
    this.onRequest(r.value, b, p, p + r.consumed);
    return p + r.consumed;
  }

  /** The response head at `p`; returns where parsing goes on, or -1 to wait for more bytes. */
  private responseHead(b: Uint8Array, p: number): number {
    const r = parseHead(b.subarray(p), this.ctx.limits, parseStatusLine);
    if (r.kind !== 'done') return this.noHead('s2c', b, p, r);
    return this.onResponse(r.value, b, p, p + r.consumed);
  }

  /** No head at `p` yet (-1: wait), or a bad one: reported, and parsing goes on past it. */
  private noHead(dir: Direction, b: Uint8Array, p: number, r: Exclude<Parsed<never>, { kind: 'done' }>): number {
    if (r.kind === 'need_more') return -1;
    this.badHead(dir, b, p, r.reason);
    return r.consumed > 0 ? p + r.consumed : p + 1;
  }

  /**
   * What both directions do before a message head: resynchronise after a gap, read a body,
   * skip the empty lines allowed between messages (RFC 9112 §2.2). `stop` ends the parse
   * at `at` (the rest waits for more bytes); otherwise parsing goes on at `at`.
   */
  private sharedStep(dir: Direction, b: Uint8Array, p: number): { at: number; stop: boolean } {
    const st = this.state[dir];
    if (st === 'resync') {
      const f = findStartLine(b, p, dir === 'c2s' ? 'request' : 'status');
      const rest = this.cutRest[dir];
      if (!f.found) {
        if (rest !== null) this.cutRest[dir] = rest + f.at - p;
        return { at: f.at, stop: true };
      }
      this.resynced(dir, f.at - p);
      return { at: f.at, stop: false };
    }
    if (st === 'body') {
      const q = this.readBody(dir, b, p);
      // The rest of a chunk line is still to come.
      return { at: q, stop: q === p && this.state[dir] === 'body' };
    }
    while (p < b.length && (b[p] === 0x0d || b[p] === 0x0a)) p++;
    return { at: p, stop: p >= b.length };
  }

  private badHead(dir: Direction, b: Uint8Array, p: number, reason: string): void {
    if (reason === 'header section too long' || reason === 'start line too long') {
      this.ctx.anomaly(ANOMALY.header_limit, dir, `${reason} (limit ${reason.startsWith('start') ? this.ctx.limits.max_line : this.ctx.limits.max_header_bytes} bytes); skipped`);
    } else {
      const e = b.subarray(p, Math.min(b.length, p + 60));
      const text = Buffer.from(e).toString('latin1').split(/\r?\n/)[0]!;
      this.ctx.anomaly(dir === 'c2s' ? ANOMALY.bad_request_line : ANOMALY.bad_status_line, dir, `not a ${dir === 'c2s' ? 'request' : 'status'} line: ${JSON.stringify(text)}`);
    }
    this.state[dir] = 'resync';
  }

  /**
   * A gap of `length` bytes cut the head held in `dir` short. When what was read begins with
   * a start line (whole or cut), the message is reported from it, marked truncated, as tshark
   * shows "Packet size limited during capture" messages; its framing went with the rest of
   * the head, so the direction then resynchronises on the next start line. Returns false
   * (the caller treats the loss as before) when the held bytes are not a message's start.
   */
  private cutHead(dir: Direction, length: number): boolean {
    const c = this.cur[dir];
    const view = c.view();
    const strict = this.state[dir] === 'resync';
    const head = dir === 'c2s' ? parseCutHead(view, this.ctx.limits, 'request', strict) : parseCutHead(view, this.ctx.limits, 'status', strict);
    if (!head) return false;
    if (strict) this.resynced(dir, 0);
    const n = head.headers.length;
    const read = `${view.length} bytes (${head.line_cut ? 'start line cut' : n ? `start line and ${n} whole header line${n > 1 ? 's' : ''}` : 'start line, no whole header line'})`;
    this.ctx.anomaly(
      ANOMALY.truncated_head,
      dir,
      `${dir === 'c2s' ? 'request' : 'response'} head cut short: ${read} read, then ${length} bytes lost; reported as read, marked truncated`,
    );
    if (dir === 's2c') {
      this.s2cLossSeen = true;
      this.onResponse(head as Head<StatusLine>, view, 0, view.length, true);
    } else {
      this.onRequest(head as Head<RequestLine>, view, 0, view.length, true);
    }
    if (this.switched || this.finished) return true;
    c.drop();
    c.skip(length);
    // Where the message ends is unknown: what follows is found by its start line.
    if (this.state[dir] !== 'opaque') {
      this.body[dir] = null;
      this.state[dir] = 'resync';
      this.cutRest[dir] = 0;
    }
    return true;
  }

  private startResync(dir: Direction, lost: number): void {
    // The message whose body the gap cut is as complete as it will get.
    const cut = this.body[dir]?.tx;
    if (cut) {
      if (dir === 'c2s') this.emitRequest(cut);
      else this.emitResponse(cut);
    }
    this.body[dir] = null;
    this.lost[dir] += lost;
    this.state[dir] = 'resync';
  }

  private resynced(dir: Direction, skipped: number): void {
    const rest = this.cutRest[dir];
    this.cutRest[dir] = null;
    const lost = this.lost[dir] + (this.lost[dir] > 0 || rest !== null ? skipped : 0);
    if (rest !== null && rest + lost > 0) {
      this.ctx.anomaly(
        ANOMALY.body_gap,
        dir,
        `${rest + lost} bytes after a truncated head not parsed (${this.lost[dir]} of them lost in gaps); resynchronised on the next ${dir === 'c2s' ? 'request' : 'status'} line`,
      );
    } else if (lost > 0) {
      this.ctx.anomaly(ANOMALY.body_gap, dir, `${lost} bytes lost (gap and the partial message after it); resynchronised on the next ${dir === 'c2s' ? 'request' : 'status'} line`);
    }
    if (dir === 's2c' && lost > 0) this.afterLoss = { bytes: lost, headLost: this.s2cHeadLost };
    if (dir === 's2c') this.s2cHeadLost = false;
    this.lost[dir] = 0;
    this.state[dir] = 'head';
  }

  // ---- requests -----------------------------------------------------------------------

  /** `cut`: a gap cut the head short after `b[start, end)` (see `cutHead`). */
  private onRequest(head: Head<RequestLine>, b: Uint8Array, start: number, end: number, cut = false): void {
    const { method, uri, version } = head.line;
    if (!cut && method === 'PRI' && uri === '*' && version === '2.0') {
      // The HTTP/2 connection preface: hand the flow, from this byte on, to HTTP/2.
      this.switchTo('http2', b.subarray(start), this.cur.s2c.view());
      return;
    }
    this.markService();
    const headers = head.headers;
    const tx = newTx(++this.depth, version);
    tx.method = method;
    tx.uri = uri;
    tx.host = header(headers, 'host') ?? hostFromUri(uri);
    tx.request_headers = headers;
    tx.http09 = version === '0.9';
    if (cut) tx.request_head_truncated = true;
    this.cur.c2s.credit(tx.request, start, end);
    this.requests++;
    // A cut line may have lost its version: that is no version the connection used.
    if (version || !cut) this.versions.add(version);
    // Pipelining is decided by capture time (RFC 9112 §9.3.2): sent while a response was
    // being read proves it; sent while a request awaited its response is a candidate until
    // that response ends (proven) or turns out lost in a gap (not proven: a gap is not pipelining).
    if (this.body.s2c) {
      tx.pipelined = true;
      tx.pipelineProven = true;
      this.sawPipelining = true;
    } else if (this.pending.length > 0) {
      tx.pipelined = true;
    } else if (this.answered > 0) {
      this.sawSequential = true;
    }
    this.ambiguous = false;
    if (head.line.malformed) this.ctx.anomaly(ANOMALY.bad_request_line, 'c2s', `${method} ${uri}: ${head.line.malformed}`);
    this.headAnomalies('c2s', head);
    if (hasToken(headers, 'connection', 'close')) this.closeAnnounced = true;
    tx.request_event = {
      method,
      uri,
      version,
      host: tx.host,
      headers,
      user_agent: header(headers, 'user-agent'),
      trans_depth: tx.trans_depth,
      content_length: decimalValue(header(headers, 'content-length')),
      truncated: cut ? true : undefined,
      body_missed_bytes: undefined,
      incomplete: undefined,
      first_frame: this.cur.c2s.positionOf(start)?.frame ?? this.ctx.frame,
    };
    // Request framing (RFC 9112 §6.3): chunked, Content-Length, or no body. A request without
    // one is complete now, and its event comes before what its head says (credentials).
    // A cut head's framing fields may have been in the lost part: its body is not read.
    const framing = cut ? { mode: 'none' as const, length: 0 } : this.framing('c2s', headers);
    if (cut) tx.incomplete = true;
    const bodyLength = framing.mode === 'length' ? framing.length : 0;
    if (framing.mode !== 'chunked' && bodyLength === 0) this.emitRequest(tx);
    if (!this.ctx.summaryOnly) {
      const creds = authCredentials(headers);
      for (let i = 0; i < creds.length; i++) this.ctx.emit('credentials', 'c2s', creds[i]!);
    }
    this.pending.push(tx);
    if (this.pending.length > this.ctx.limits.max_pending_transactions) {
      const old = this.pending.shift()!;
      this.ctx.anomaly(ANOMALY.pending_limit, 'c2s', `more than ${this.ctx.limits.max_pending_transactions} requests awaiting responses; gave up on ${old.method} ${old.uri}`);
      old.incomplete = true;
      this.emitTransaction(old);
    }
    if (framing.mode === 'chunked') this.startBody('c2s', tx, 'chunked', 0, null);
    else if (framing.mode === 'length' && framing.length > 0) this.startBody('c2s', tx, 'length', framing.length, null);
    else this.requestComplete(tx);
  }

  /**
   * Emits the `http.request` of `tx` if it still waits: stamped with the frame that carried
   * its last byte (Wireshark's "reassembled in"), `first_frame` the one that carried its first.
   */
  private emitRequest(tx: Tx): void {
    const f = tx.request_event;
    if (!f) return;
    tx.request_event = undefined;
    if (this.ctx.summaryOnly) return;
    f.body_missed_bytes = tx.requestSink?.missed || undefined;
    f.incomplete = tx.requestCut || undefined;
    this.ctx.emit('http.request', 'c2s', f, this.lastOf(tx.request));
  }

  /** Emits the `http.response` of `tx` if it still waits (see `emitRequest`). */
  private emitResponse(tx: Tx): void {
    const f = tx.response_event;
    if (!f) return;
    tx.response_event = undefined;
    if (this.ctx.summaryOnly) return;
    f.body_missed_bytes = tx.responseSink?.missed || undefined;
    f.incomplete = tx.responseCut || undefined;
    this.ctx.emit('http.response', 's2c', f, this.lastOf(tx.response));
  }

  /** The frame of a message's last byte, when it is not the packet being processed (or the FIN that ends it). */
  private lastOf(span: Span): Position | undefined {
    if (this.completedByFin) return undefined;
    const last = span.last;
    return last && last.frame !== this.ctx.frame ? last : undefined;
  }

  private requestComplete(tx: Tx): void {
    this.emitRequest(tx);
    tx.requestDone = true;
    tx.request_end = tx.request.last ?? { frame: this.ctx.frame, ts: this.ctx.ts };
    const upgrade = header(tx.request_headers ?? [], 'upgrade');
    // Wait for the answer to CONNECT or Upgrade before reading more client bytes: they may not be HTTP/1.
    this.state.c2s = tx.method === 'CONNECT' || upgrade ? 'hold' : 'head';
  }

  // ---- responses ----------------------------------------------------------------------

  /** Returns where parsing continues (the view's end after a hand-off). */
  private onResponse(head: Head<StatusLine>, b: Uint8Array, start: number, end: number, cut = false): number {
    this.markService();
    const { status_code, status_msg, version } = head.line;
    const loss = this.afterLoss;
    this.afterLoss = null;
    const unpaired = loss !== null && this.pending.length > 0 && !this.pairAfterLoss(loss);
    let tx = unpaired ? undefined : this.pending[0];
    if (!tx) {
      if (unpaired || this.ambiguous) {
        this.ctx.anomaly(ANOMALY.unpaired_response, 's2c', `${status_code} ${status_msg} after a gap: which request it answers is not provable`);
      } else {
        this.ctx.anomaly(ANOMALY.unsolicited_response, 's2c', `${status_code} ${status_msg} with no request waiting`);
      }
      tx = newTx(++this.depth, version);
      tx.requestDone = true;
      if (unpaired || this.ambiguous) tx.unpaired = true;
      else tx.unsolicited = true;
      // First in line: the requests still waiting are answered by later responses.
      this.pending.unshift(tx);
    }
    const first = this.cur.s2c.positionOf(start)?.frame ?? this.ctx.frame;
    this.cur.s2c.credit(tx.response, start, end);
    this.responses++;
    this.versions.add(version);
    const headers = head.headers;
    this.headAnomalies('s2c', head);
    const fields: HttpResponseFields = {
      status_code,
      status_msg,
      version,
      headers,
      trans_depth: tx.trans_depth,
      content_type: header(headers, 'content-type'),
      content_length: decimalValue(header(headers, 'content-length')),
      truncated: cut ? true : undefined,
      body_missed_bytes: undefined,
      incomplete: undefined,
      first_frame: first,
    };
    if (status_code >= 100 && status_code < 200 && status_code !== 101) {
      // An interim response has no body: complete with its head.
      this.ctx.emit('http.response', 's2c', fields);
    } else {
      this.emitResponse(tx); // a response that never finished before this one (defensive)
      tx.response_event = fields;
    }
    if (hasToken(headers, 'connection', 'close')) this.closeAnnounced = true;

    if (status_code >= 100 && status_code < 200 && status_code !== 101) {
      tx.info = { code: status_code, msg: status_msg };
      return end;
    }
    tx.status_code = status_code;
    tx.status_msg = status_msg;
    tx.response_headers = headers;
    if (tx.version !== version && !tx.method) tx.version = version;

    if (cut) return this.cutResponse(tx, headers, end);
    if (status_code === 101) return this.onSwitchingProtocols(tx, headers, b, end);
    if (tx.method === 'CONNECT' && status_code >= 200 && status_code < 300) {
      tx.tunnel = true;
      this.pending.shift();
      this.emitTransaction(tx);
      // The tunnel carries another protocol: let detection look at it (RFC 9110 §9.3.6).
      this.switchTo(null, this.cur.c2s.view(), b.subarray(end));
      return b.length;
    }
    this.pending.shift();
    this.release();
    // A 2xx to CONNECT became a tunnel above; any other answer to CONNECT (407, 403, 502) has a
    // body framed as usual (RFC 9112 §6.3: only a 2xx to CONNECT turns the rest into a tunnel).
    const noBody = tx.method === 'HEAD' || status_code === 204 || status_code === 304;
    if (noBody) {
      this.responseComplete(tx);
      return end;
    }
    const framing = this.framing('s2c', headers);
    if (framing.mode === 'chunked') this.startBody('s2c', tx, 'chunked', 0, headers);
    else if (framing.mode === 'length') {
      if (framing.length === 0) this.responseComplete(tx);
      else this.startBody('s2c', tx, 'length', framing.length, headers);
    } else this.startBody('s2c', tx, 'close', 0, headers);
    return end;
  }

  /**
   * A response whose head was cut (see `cutHead`): complete as far as it goes, its body not
   * read (the framing fields may be lost). After a cut 101 or a cut 2xx to CONNECT the bytes
   * that follow belong to another protocol from a point the loss hid, so HTTP ends there.
   */
  private cutResponse(tx: Tx, headers: HeaderList, end: number): number {
    tx.response_head_truncated = true;
    tx.incomplete = true;
    this.pending.shift();
    const code = tx.status_code ?? 0;
    if (code === 101 || (tx.method === 'CONNECT' && code >= 200 && code < 300)) {
      if (code === 101) this.upgraded = headerTokens(headers, 'upgrade')[0] ?? headerTokens(tx.request_headers ?? [], 'upgrade')[0] ?? 'unknown';
      else tx.tunnel = true;
      this.state.c2s = 'opaque';
      this.state.s2c = 'opaque';
      this.cur.c2s.drop();
      this.responseComplete(tx, code === 101 ? { upgraded: this.upgraded!, cut: true } : { cut: true });
      return end;
    }
    this.release();
    this.responseComplete(tx, { cut: true });
    return end;
  }

  private onSwitchingProtocols(tx: Tx, headers: HeaderList, b: Uint8Array, end: number): number {
    const offered = headerTokens(tx.request_headers ?? [], 'upgrade');
    const chosen = headerTokens(headers, 'upgrade');
    const proto = chosen[0] ?? offered[0] ?? 'unknown';
    this.pending.shift();
    this.responseComplete(tx, { upgraded: proto });
    this.upgraded = proto;
    if (proto === 'h2c') {
      const request: UpgradedRequest = {
        kind: 'h2c',
        method: tx.method ?? 'GET',
        uri: tx.uri ?? '/',
        ...(tx.host ? { host: tx.host } : {}),
        headers: tx.request_headers ?? [],
        request_first: tx.request.first,
        request_end: tx.request_end ?? null,
        request_segments: tx.request.segments,
        request_body_len: tx.request_body_len,
      };
      this.switchTo('http2', this.cur.c2s.view(), b.subarray(end), request);
      return b.length;
    }
    // WebSocket and other protocols: HTTP ends here on both sides.
    this.state.c2s = 'opaque';
    this.state.s2c = 'opaque';
    this.cur.c2s.drop();
    return b.length;
  }

  /**
   * The first response after server bytes were lost: which waiting request does it answer?
   * Responses come in request order, so it answers request k and the responses to the k
   * before it were in the gap. What the stream proves about k:
   * - at most the number of requests seen by now (a response does not precede its request);
   * - at most L/16 for L lost bytes (each lost response took at least a minimal head);
   * - at least 1 when the loss took the start of a response head, unless the first waiting
   *   request expected `100 Continue` and has none yet (the loss may have been that interim).
   * When those bounds meet, k is proven. When they do not, a connection that has shown only
   * request-after-response behaviour sent each request after the previous response, so k is
   * the last request seen; a pipelining one gets no guess: its waiting requests are reported
   * unpaired and so is the response (returns false).
   */
  private pairAfterLoss(loss: S2cLoss): boolean {
    const now = this.ctx.ts;
    let seen = 0;
    while (seen < this.pending.length) {
      const first = this.pending[seen]!.request.first;
      if (first && now.isBefore(first.ts)) break;
      seen++;
    }
    if (seen <= 1) return true;
    const kMax = Math.min(seen - 1, Math.floor(loss.bytes / MIN_RESPONSE_BYTES));
    const p0 = this.pending[0]!;
    const awaitsContinue = !p0.info && /\b100-continue\b/i.test(header(p0.request_headers ?? [], 'expect') ?? '');
    const kMin = Math.min(kMax, loss.headLost && !awaitsContinue ? 1 : 0);
    let k: number;
    if (kMin === kMax) k = kMin;
    else if (this.sawSequential && !this.sawPipelining) k = kMax;
    else {
      const dropped = this.pending.splice(0, seen);
      for (const t of dropped) {
        t.unpaired = true;
        t.incomplete = true;
        this.emitTransaction(t);
      }
      this.ambiguous = true;
      return false;
    }
    if (k === 0) return true;
    const lost = this.pending.splice(0, k);
    this.ctx.anomaly(
      ANOMALY.responses_lost,
      's2c',
      `${k} response(s) lost in a gap of ${loss.bytes} bytes: ${lost.slice(0, 3).map((t) => `${t.method ?? '?'} ${t.uri ?? ''}`).join(', ')}`,
    );
    for (const t of lost) {
      t.response_lost = true;
      t.incomplete = true;
      this.emitTransaction(t);
    }
    // Its predecessor's response end is unknown: whether it was pipelined is not proven.
    const next = this.pending[0];
    if (next && next.pipelined && !next.pipelineProven) next.pipelined = undefined;
    return true;
  }

  /** Client bytes held while CONNECT/Upgrade was pending are HTTP/1 after all. */
  private release(): void {
    if (this.state.c2s !== 'hold' || this.pending.some((t) => !t.requestDone)) return;
    const waiting = this.pending.find((t) => t.method === 'CONNECT' || header(t.request_headers ?? [], 'upgrade'));
    if (waiting) return;
    this.state.c2s = 'head';
    this.resume('c2s');
  }

  private responseComplete(tx: Tx, extra: { upgraded?: string; cut?: boolean } = {}): void {
    // A cut response's end was not seen: a later request is not proven sequential.
    if (!extra.cut) this.answered++;
    // Every request still waiting was seen before this response ended: pipelined, proven.
    for (let i = 0; i < this.pending.length; i++) {
      const t = this.pending[i]!;
      if (t.pipelined && !t.pipelineProven) {
        t.pipelineProven = true;
        this.sawPipelining = true;
      }
    }
    this.emitResponse(tx);
    const sink = tx.responseSink;
    if (sink) {
      const data = finishResponseBody(this.ctx, tx, sink);
      tx.response_missed = sink.missed;
      // The bencoded reply is decoded only for its event (`events --types 'http.*'` skips it).
      const trk = this.ctx.wants?.('bittorrent.tracker') === false ? null : trackerEvent(tx, data);
      if (trk) this.ctx.emit('bittorrent.tracker', 's2c', trk);
      if (data && wantsDohResponse(tx, tx.response_headers ?? [])) tx.dohResponse = data;
    } else if (!extra.cut) {
      tx.response_decoded_len = 0;
    }
    if (extra.upgraded) {
      tx.upgraded = extra.upgraded;
      if (extra.upgraded === 'websocket') tx.websocket = true;
    }
    this.emitTransaction(tx);
    this.release();
  }

  private emitTransaction(tx: Tx): void {
    if (tx.emitted) return;
    // Messages cut short (a gap, a tunnel, a given-up request) still come before their record.
    this.emitRequest(tx);
    this.emitResponse(tx);
    tx.emitted = true;
    if (tx.pipelined && !tx.pipelineProven) tx.pipelined = undefined;
    if (tx.pipelined) this.pipelined = true;
    if (tx.requestSink) {
      tx.request_body_len = tx.requestSink.length;
      tx.request_missed = tx.requestSink.missed;
    }
    // A summary-only run reads the summary below, made from `tx`, not the record.
    if (!this.ctx.summaryOnly) {
      this.ctx.emit('http.transaction', null, transactionFields(tx, this.ctx.tcp_rtt));
      const reqBody = tx.requestSink?.keeping ? tx.requestSink.bytes() : undefined;
      reportDoh(this.ctx, tx, reqBody, tx.dohResponse);
    }
    tx.dohResponse = undefined;
    const outcome = tx.status_code ?? (tx.response_lost ? 'response lost in a gap' : tx.unpaired ? 'unpaired after a gap' : 'no response');
    const note = truncationNote(tx);
    if (note) this.truncatedCount++;
    const summary = `${tx.method ?? '?'} ${tx.uri ?? ''} → ${outcome}`;
    if (this.depth === 1 || this.lastSummary === '') this.lastSummary = summary;
    // The first transaction names the flow; a loss in any of them is said too.
    const more = this.depth > 1 ? ` (+${this.depth - 1} more${this.truncatedCount ? `, ${this.truncatedCount} truncated` : ''})` : note;
    this.ctx.setSummary(this.lastSummary + more);
  }

  private emitConnection(): void {
    const versions = [...this.versions].sort();
    const lastVersion = versions.includes('1.1') ? '1.1' : versions[versions.length - 1];
    this.ctx.emit('http.connection', null, {
      version: lastVersion ?? null,
      versions,
      requests: this.requests,
      responses: this.responses,
      // Persistent: more than one request used it, or HTTP/1.1 without `Connection: close`.
      persistent: this.requests > 1 || (lastVersion === '1.1' && !this.closeAnnounced),
      pipelined: this.pipelined,
      upgraded: this.upgraded ?? null,
      websocket: this.upgraded === 'websocket' || undefined,
      connection_close: this.closeAnnounced,
    });
  }

  // ---- bodies -------------------------------------------------------------------------

  private framing(dir: Direction, headers: HeaderList): { mode: 'chunked' | 'length' | 'none' | 'close'; length: number } {
    const te = headerTokens(headers, 'transfer-encoding');
    const cl = contentLength(headers);
    if (te.length) {
      if (cl.kind !== 'none') this.ctx.anomaly(ANOMALY.te_cl_conflict, dir, `Transfer-Encoding ${te.join(', ')} with Content-Length; Transfer-Encoding wins`);
      if (te[te.length - 1] === 'chunked') return { mode: 'chunked', length: 0 };
      this.ctx.anomaly(ANOMALY.bad_transfer_encoding, dir, `Transfer-Encoding ${te.join(', ')} does not end in chunked`);
      return dir === 'c2s' ? { mode: 'none', length: 0 } : { mode: 'close', length: 0 };
    }
    if (cl.kind === 'bad') {
      this.ctx.anomaly(ANOMALY.bad_content_length, dir, cl.reason);
      return dir === 'c2s' ? { mode: 'none', length: 0 } : { mode: 'close', length: 0 };
    }
    if (cl.kind === 'ok') return { mode: 'length', length: cl.value };
    return dir === 'c2s' ? { mode: 'none', length: 0 } : { mode: 'close', length: 0 };
  }

  private startBody(dir: Direction, tx: Tx, mode: Body['mode'], length: number, respHeaders: HeaderList | null): void {
    const l = this.ctx.limits;
    // A copy is kept for export, decoding, a tracker reply or DoH: all read by events only,
    // so a summary-only run keeps none (bodies are framed and counted, not decoded).
    const events = !this.ctx.summaryOnly;
    const keep =
      dir === 's2c'
        ? this.ctx.wants_objects ||
          (events && (codings(header(respHeaders ?? [], 'content-encoding')).length > 0 || trackerEvent.wants(tx) || wantsDohResponse(tx, respHeaders ?? undefined)))
        : events && isDohPost(tx.method, tx.request_headers);
    const sink = new BodySink(keep, l.max_object);
    if (dir === 'c2s') tx.requestSink = sink;
    else tx.responseSink = sink;
    // One closure per body, not one per delivery of it.
    const add = (bytes: Uint8Array): void => {
      if (sink.add(bytes)) {
        this.ctx.anomaly(ANOMALY.object_limit, dir, `body larger than max_object (${l.max_object} bytes); the kept copy is truncated`);
      }
    };
    this.body[dir] = { mode, remaining: length, chunked: mode === 'chunked' ? new ChunkedDecoder(l) : null, sink, tx, add };
    this.state[dir] = 'body';
  }

  private readBody(dir: Direction, b: Uint8Array, p: number): number {
    const body = this.body[dir]!;
    const span = dir === 'c2s' ? body.tx.request : body.tx.response;
    const add = body.add;
    if (body.mode === 'close') {
      this.feed(body, b, p, b.length);
      this.cur[dir].credit(span, p, b.length);
      return b.length;
    }
    if (body.mode === 'length') {
      const take = Math.min(body.remaining, b.length - p);
      this.feed(body, b, p, p + take);
      this.cur[dir].credit(span, p, p + take);
      body.remaining -= take;
      if (body.remaining === 0) this.endBody(dir, false);
      return p + take;
    }
    const r = body.chunked!.push(b.subarray(p), add);
    this.cur[dir].credit(span, p, p + r.consumed);
    for (let i = 0; i < r.warnings.length; i++) this.ctx.anomaly(ANOMALY.bad_chunk, dir, r.warnings[i]!);
    if (r.error) {
      this.ctx.anomaly(ANOMALY.bad_chunk, dir, `${r.error}; body ends here`);
      this.endBody(dir, true);
      this.state[dir] = 'resync';
      return p + r.consumed;
    }
    if (r.done) {
      if (dir === 'c2s') body.tx.request_trailers = body.chunked!.trailers;
      else body.tx.response_trailers = body.chunked!.trailers;
      this.endBody(dir, false);
    }
    return p + r.consumed;
  }

  /** Body bytes `b[from, to)` to the sink: a view of them only when the sink keeps a copy. */
  private feed(body: Body, b: Uint8Array, from: number, to: number): void {
    if (body.sink.keeping) body.add(b.subarray(from, to));
    else body.sink.count(to - from);
  }

  private endBody(dir: Direction, incomplete: boolean): void {
    const body = this.body[dir];
    if (!body) return;
    this.body[dir] = null;
    this.state[dir] = 'head';
    const tx = body.tx;
    if (dir === 'c2s') {
      if (incomplete) tx.incomplete = tx.requestCut = true;
      tx.request_body_len = body.sink.length;
      tx.request_missed = body.sink.missed;
      this.requestComplete(tx);
    } else {
      if (incomplete) tx.incomplete = tx.responseCut = true;
      this.responseComplete(tx);
    }
  }

  // ---- helpers ------------------------------------------------------------------------

  private headAnomalies(dir: Direction, head: Head<unknown>): void {
    if (head.bad_headers.length) {
      this.ctx.anomaly(ANOMALY.bad_header, dir, `${head.bad_headers.length} malformed header line(s), first: ${JSON.stringify(head.bad_headers[0])}`);
    }
    if (head.trimmed_headers) {
      this.ctx.anomaly(ANOMALY.header_limit, dir, `${head.trimmed_headers} header fields beyond max_headers (${this.ctx.limits.max_headers}) dropped`);
    }
  }

  private markService(): void {
    if (this.serviceSet) return;
    this.serviceSet = true;
    this.ctx.setService('http');
  }

  private switchTo(protocol: string | null, c2s: Uint8Array, s2c: Uint8Array, handOver?: UpgradedRequest): void {
    this.switched = true;
    // After h2c the HTTP/2 dissector reports the connection (upgraded: 'h2c'); a tunnel's does not.
    if (protocol !== 'http2') this.emitConnection();
    this.finished = true;
    this.ctx.switchProtocol(protocol, {
      ...(c2s.length ? { c2s: c2s.slice() } : {}),
      ...(s2c.length ? { s2c: s2c.slice() } : {}),
    }, handOver);
  }
}


export type { Position };
