/**
 * One HTTP/3 connection (RFC 9114) over the streams a QUIC connection reassembled: the QUIC
 * dissector calls `streamData` with each stream's bytes in order, `streamGap` for bytes it
 * never saw, `streamEnd` at FIN or RESET_STREAM, and `close` at the end.
 *
 * - Client-initiated bidirectional streams are requests: HEADERS, DATA, trailers; the
 *   server may interleave PUSH_PROMISE. Each becomes an `http.transaction` (version "3").
 * - Unidirectional streams open with their type: control (SETTINGS first, then GOAWAY,
 *   MAX_PUSH_ID, CANCEL_PUSH), push (a push ID, then a response), QPACK encoder and decoder
 *   streams. Reserved and unknown types are named and ignored (§6.2.3, §9).
 * - QPACK: one decoder per direction; the encoder stream of a side feeds the table its field
 *   sections refer to. A section that needs inserts not yet seen waits (blocked) and is
 *   decoded when they come; one still waiting at the end is an anomaly.
 */
import type { DissectorContext, Position } from '../../dissect/contract.js';
import { StreamBuffer } from '../../dissect/stream-buffer.js';
import type { Direction } from '../../events/event.js';
import { BodySink, finishResponseBody } from '../http/body.js';
import { ANOMALY as HTTP_ANOMALY } from '../http/events.js';
import { applyBlock, blockKind, newStreamExchange, pseudo, type StreamExchange } from '../http/stream-exchange.js';
import { transactionFields } from '../http/transaction.js';
import { readVarint } from '../quic/varint.js';
import type { Http3FrameFields, Http3HeadersFields, Http3SideFacts, Http3StreamKind } from './events.js';
import { FRAME, frameTypeName, isHttp2OnlyFrame, parseSettings, readFrameHeader, singleVarint, streamTypeName, streamVarint, type Setting } from './parser.js';
import { decoderInstructions, QpackDecoder } from './qpack.js';

/** Request streams listed in the connection's transaction bookkeeping before the oldest is given up (as HTTP/2's). */
type Request = StreamExchange;

/** Parser state of one direction of one stream. */
interface StreamSide {
  readonly id: number;
  readonly dir: Direction;
  kind: Http3StreamKind | null;
  typeCode: number;
  readonly buf: StreamBuffer;
  /** The frame being read: its header, and payload bytes still to come. */
  frame: { type: number; length: number; remaining: number; started: boolean } | null;
  /** Payload of a non-DATA frame being collected (bounded by max_header_bytes). */
  payload: Uint8Array[] | null;
  payloadBytes: number;
  /** A frame over the bound is passed over, not kept. */
  skipping: boolean;
  /** Parsing stopped (malformed, gap): later bytes are counted only. */
  stopped: boolean;
  framesSeen: number;
}

interface Blocked {
  readonly dir: Direction;
  readonly stream: number;
  readonly block: Uint8Array;
  readonly required: number;
  readonly at: Position;
  readonly push: boolean;
}

const opposite = (d: Direction): Direction => (d === 'c2s' ? 's2c' : 'c2s');

function newSideFacts(): Http3SideFacts {
  return {
    settings: null,
    goaway_id: null,
    qpack_inserts: 0,
    qpack_table_bytes: 0,
    qpack_table_entries: 0,
    qpack_encoder_bytes: 0,
    qpack_section_acks: 0,
    qpack_insert_count_increments: 0,
    qpack_stream_cancellations: 0,
  };
}

export class Http3Connection {
  private readonly sides = new Map<string, StreamSide>();
  private readonly requests = new Map<number, Request>();
  /** Decoders by the direction whose field sections they decode (fed by that direction's encoder stream). */
  private readonly qpack: Record<Direction, QpackDecoder>;
  private readonly facts: Record<Direction, Http3SideFacts> = { c2s: newSideFacts(), s2c: newSideFacts() };
  /** Critical unidirectional streams seen per side (one of each is allowed). */
  private readonly critical: Record<Direction, Set<Http3StreamKind>> = { c2s: new Set(), s2c: new Set() };
  private blocked: Blocked[] = [];
  private blockedTotal = 0;
  private depth = 0;
  private requestCount = 0;
  private closed = false;

  constructor(private readonly ctx: DissectorContext) {
    const limits = { maxTable: ctx.limits.max_qpack_table, maxHeaders: ctx.limits.max_headers, maxHeaderBytes: ctx.limits.max_header_bytes };
    this.qpack = { c2s: new QpackDecoder(limits), s2c: new QpackDecoder(limits) };
  }

  private side(id: number, dir: Direction): StreamSide {
    const key = `${id}${dir}`;
    let s = this.sides.get(key);
    if (s === undefined) {
      const uni = (id & 2) !== 0;
      s = {
        id,
        dir,
        kind: uni ? null : 'request',
        typeCode: -1,
        buf: new StreamBuffer(),
        frame: null,
        payload: null,
        payloadBytes: 0,
        skipping: false,
        stopped: false,
        framesSeen: 0,
      };
      this.sides.set(key, s);
      if (!uni && (id & 1) === 1) {
        this.ctx.anomaly('http3.stream_error', dir, `server-initiated bidirectional stream ${id} (RFC 9114 §6.1: H3_STREAM_CREATION_ERROR)`);
        s.stopped = true;
      }
    }
    return s;
  }

  streamData(id: number, dir: Direction, bytes: Uint8Array): void {
    const s = this.side(id, dir);
    if (s.stopped) return;
    const view = s.buf.append(bytes);
    let at = 0;
    if (s.kind === null) {
      const t = streamVarint(view, 0);
      if (t.kind !== 'done') {
        s.buf.keep(view, 0);
        return;
      }
      at = t.consumed;
      this.openUni(s, t.value);
      if (s.stopped) {
        s.buf.clear();
        return;
      }
    }
    if (s.kind === 'qpack_encoder') {
      this.encoderBytes(s, view.subarray(at));
      return;
    }
    if (s.kind === 'qpack_decoder') {
      const r = decoderInstructions(view.subarray(at));
      const f = this.facts[dir];
      for (const i of r.instructions) {
        if (i.kind === 'section_ack') f.qpack_section_acks++;
        else if (i.kind === 'insert_count_increment') f.qpack_insert_count_increments++;
        else f.qpack_stream_cancellations++;
      }
      if (r.error !== null) {
        this.ctx.anomaly('http3.qpack_error', dir, `decoder stream ${id}: ${r.error}`);
        s.stopped = true;
        s.buf.clear();
        return;
      }
      s.buf.keep(view, at + r.consumed);
      return;
    }
    if (s.kind === 'reserved' || s.kind === 'unknown') {
      s.buf.clear();
      return;
    }
    if (s.kind === 'push' && s.typeCode === 1 && s.framesSeen === 0 && s.frame === null) {
      // The push ID follows the stream type (§4.6).
      const p = streamVarint(view, at);
      if (p.kind !== 'done') {
        s.buf.keep(view, at);
        return;
      }
      at += p.consumed;
      s.framesSeen = -1;
    }
    at = this.frames(s, view, at);
    if (!s.stopped) s.buf.keep(view, at);
    else s.buf.clear();
  }

  private openUni(s: StreamSide, type: number): void {
    const name = streamTypeName(type);
    const kind: Http3StreamKind = name === 'reserved' ? 'reserved' : name.startsWith('unknown') ? 'unknown' : (name as Http3StreamKind);
    s.kind = kind;
    s.typeCode = type;
    this.ctx.emit('http3.stream', s.dir, { stream_id: s.id, stream_type: kind, stream_type_code: type });
    if (kind === 'control' || kind === 'qpack_encoder' || kind === 'qpack_decoder') {
      if (this.critical[s.dir].has(kind)) {
        this.ctx.anomaly('http3.stream_error', s.dir, `a second ${kind} stream (${s.id}) from the ${s.dir === 'c2s' ? 'client' : 'server'} (RFC 9114 §6.2: H3_STREAM_CREATION_ERROR)`);
        s.stopped = true;
        return;
      }
      this.critical[s.dir].add(kind);
    }
    if (kind === 'push' && s.dir === 'c2s') {
      this.ctx.anomaly('http3.stream_error', s.dir, `push stream ${s.id} opened by the client (RFC 9114 §6.2.2)`);
      s.stopped = true;
    }
  }

  private encoderBytes(s: StreamSide, b: Uint8Array): void {
    const dec = this.qpack[s.dir];
    const r = dec.encoderInstructions(b);
    if (r.kind === 'error') {
      this.ctx.anomaly('http3.qpack_error', s.dir, `encoder stream ${s.id}: ${r.reason}; the stream is not followed further`);
      s.stopped = true;
      s.buf.clear();
    } else {
      const rest = b.subarray(r.consumed);
      if (rest.length > this.ctx.limits.max_header_bytes) {
        // One instruction cannot be longer than a field; an endless one is refused.
        this.ctx.anomaly('http3.header_limit', s.dir, `encoder stream ${s.id}: an instruction over max_header_bytes (${this.ctx.limits.max_header_bytes}); the stream is not followed further`);
        s.stopped = true;
        s.buf.clear();
      } else {
        s.buf.keep(b, r.consumed);
      }
      const f = this.facts[s.dir];
      f.qpack_inserts += r.inserts;
      if (r.inserts > 0) this.retryBlocked(s.dir);
    }
  }

  /** Whole frames from `view` starting at `at`; returns how far it read. */
  private frames(s: StreamSide, view: Uint8Array, at: number): number {
    while (at < view.length && !s.stopped) {
      if (s.frame === null) {
        const parsed = readFrameHeader(view.subarray(at));
        if (parsed.kind !== 'done') return at;
        const h = parsed.value;
        at += parsed.consumed;
        if (!this.frameAllowed(s, h.type)) return at;
        const keep = h.type !== FRAME.DATA && !this.ignorable(h.type);
        const tooBig = keep && h.length > this.ctx.limits.max_header_bytes;
        if (tooBig) {
          this.ctx.anomaly(h.type === FRAME.HEADERS ? 'http3.header_limit' : 'http3.bad_frame', s.dir, `stream ${s.id}: ${frameTypeName(h.type)} frame of ${h.length} bytes over max_header_bytes (${this.ctx.limits.max_header_bytes}); skipped`);
        }
        s.frame = { type: h.type, length: h.length, remaining: h.length, started: false };
        s.payload = keep && !tooBig ? [] : null;
        s.payloadBytes = 0;
        s.skipping = tooBig;
      }
      const f = s.frame;
      const n = Math.min(f.remaining, view.length - at);
      const chunk = view.subarray(at, at + n);
      at += n;
      f.remaining -= n;
      if (f.type === FRAME.DATA) this.dataBytes(s, chunk);
      else if (s.payload !== null && n > 0) {
        s.payload.push(chunk.slice());
        s.payloadBytes += n;
      }
      if (f.remaining > 0) return at;
      s.frame = null;
      this.frameDone(s, f.type, f.length, s.payload);
      s.payload = null;
    }
    return at;
  }

  /** Reserved and unknown frame types are passed over (§9). */
  private ignorable(type: number): boolean {
    return frameTypeName(type).startsWith('RESERVED') || frameTypeName(type).startsWith('UNKNOWN') || type === 0x0f0700 || type === 0x0f0701;
  }

  private frameAllowed(s: StreamSide, type: number): boolean {
    const name = frameTypeName(type);
    let problem: string | null = null;
    if (isHttp2OnlyFrame(type)) problem = `${name} is an HTTP/2 frame type, reserved in HTTP/3 (§7.2.8)`;
    else if (s.kind === 'control') {
      if (s.framesSeen === 0 && type !== FRAME.SETTINGS) {
        this.ctx.anomaly('http3.missing_settings', s.dir, `control stream ${s.id} opens with ${name}, not SETTINGS (H3_MISSING_SETTINGS)`);
        s.stopped = true;
        return false;
      }
      if (type === FRAME.DATA || type === FRAME.HEADERS || type === FRAME.PUSH_PROMISE) problem = `${name} on the control stream`;
      else if (type === FRAME.SETTINGS && s.framesSeen > 0) problem = 'a second SETTINGS frame';
    } else if (type === FRAME.SETTINGS || type === FRAME.GOAWAY || type === FRAME.MAX_PUSH_ID || type === FRAME.CANCEL_PUSH) {
      problem = `${name} on ${s.kind} stream ${s.id} (control stream only)`;
    } else if (type === FRAME.PUSH_PROMISE && (s.dir === 'c2s' || s.kind !== 'request')) {
      problem = `PUSH_PROMISE ${s.dir === 'c2s' ? 'from the client' : `on ${s.kind} stream`}`;
    }
    if (problem === null) return true;
    this.ctx.anomaly('http3.bad_frame', s.dir, `stream ${s.id}: ${problem} (H3_FRAME_UNEXPECTED); the rest of the stream is not parsed`);
    s.stopped = true;
    return false;
  }

  private frameDone(s: StreamSide, type: number, length: number, payload: Uint8Array[] | null): void {
    s.framesSeen = Math.max(0, s.framesSeen) + 1;
    // Every declared key in one literal (HTTP3_FRAME): one shape, whatever the frame carries.
    const fields: Http3FrameFields = {
      stream_id: s.id,
      stream_type: s.kind ?? 'unknown',
      frame_type: frameTypeName(type),
      frame_type_code: type,
      length,
      settings: undefined,
      goaway_id: undefined,
      push_id: undefined,
      incomplete: undefined,
    };
    const body = payload === null ? null : payload.length === 1 ? payload[0]! : Buffer.concat(payload);
    if (type === FRAME.SETTINGS && body !== null) {
      const settings = parseSettings(body);
      if (settings === null) this.ctx.anomaly('http3.bad_frame', s.dir, `SETTINGS of ${length} bytes does not parse`);
      else {
        fields.settings = settings;
        this.applySettings(s.dir, settings);
      }
    } else if ((type === FRAME.GOAWAY || type === FRAME.MAX_PUSH_ID || type === FRAME.CANCEL_PUSH) && body !== null) {
      const v = singleVarint(body);
      if (v === null) this.ctx.anomaly('http3.bad_frame', s.dir, `${frameTypeName(type)} payload of ${length} bytes is not one varint`);
      else if (type === FRAME.GOAWAY) {
        fields.goaway_id = v;
        this.facts[s.dir].goaway_id = v;
      } else fields.push_id = v;
    }
    this.ctx.emit('http3.frame', s.dir, fields);
    if ((type === FRAME.HEADERS || type === FRAME.PUSH_PROMISE) && body !== null) this.fieldSection(s, type === FRAME.PUSH_PROMISE, body);
  }

  private applySettings(dir: Direction, settings: readonly Setting[]): void {
    this.facts[dir].settings = settings.map((x) => ({ id: x.id, name: x.name, value: x.value }));
    for (const x of settings) {
      // A side's QPACK_MAX_TABLE_CAPACITY bounds the table the other side's encoder builds.
      if (x.id === 0x01) this.qpack[opposite(dir)].maxTableCapacity = x.value;
    }
  }

  // ---- field sections -----------------------------------------------------------------------

  private fieldSection(s: StreamSide, push: boolean, payload: Uint8Array): void {
    let block = payload;
    if (push) {
      const p = readVarint(payload, 0);
      if (p === null) {
        this.ctx.anomaly('http3.bad_frame', s.dir, `stream ${s.id}: PUSH_PROMISE without a push ID`);
        return;
      }
      block = payload.subarray(p.next);
    }
    this.decodeSection(s.dir, s.id, push, block, false, { frame: this.ctx.frame, ts: this.ctx.ts });
  }

  private decodeSection(dir: Direction, stream: number, push: boolean, block: Uint8Array, wasBlocked: boolean, at: Position): boolean {
    const r = this.qpack[dir].fieldSection(block);
    if (r.kind === 'blocked') {
      if (wasBlocked) return false;
      this.blockedTotal++;
      if (this.blocked.length >= this.ctx.limits.max_qpack_blocked) {
        const old = this.blocked.shift()!;
        this.ctx.anomaly('http3.qpack_blocked', old.dir, `stream ${old.stream}: more than max_qpack_blocked (${this.ctx.limits.max_qpack_blocked}) field sections waiting; this one (needing ${old.required} inserts) is given up`);
      }
      this.blocked.push({ dir, stream, block: block.slice(), required: r.required, at, push });
      return false;
    }
    if (r.kind === 'error') {
      this.ctx.anomaly('http3.qpack_error', dir, `stream ${stream}: ${r.reason}`);
      return true;
    }
    if (r.trimmed) this.ctx.anomaly('http3.header_limit', dir, `stream ${stream}: field section over max_headers (${this.ctx.limits.max_headers}) or max_header_bytes; trimmed`);
    this.headers(dir, stream, push, r.headers, r.required_insert_count, r.dynamic_refs, wasBlocked, r.trimmed, at);
    return true;
  }

  private retryBlocked(dir: Direction): void {
    if (this.blocked.length === 0) return;
    const have = this.qpack[dir].insertCount;
    const still: Blocked[] = [];
    for (const b of this.blocked) {
      if (b.dir === dir && b.required <= have) this.decodeSection(b.dir, b.stream, b.push, b.block, true, b.at);
      else still.push(b);
    }
    this.blocked = still;
  }

  /** `at`: where the HEADERS frame arrived (a blocked section is decoded later, but timed from there). */
  private headers(dir: Direction, stream: number, push: boolean, headers: Array<[string, string]>, ric: number, dynamicRefs: number, wasBlocked: boolean, trimmed: boolean, at: Position): void {
    const status = pseudo(headers, ':status');
    const r = (stream & 3) === 0 ? this.request(stream) : null;
    const kind = push ? null : blockKind(r, dir, status);
    const block: Http3HeadersFields['block'] = kind ?? 'push_promise';
    this.ctx.emit('http3.headers', dir, {
      stream_id: stream,
      headers,
      block,
      required_insert_count: ric,
      dynamic_refs: dynamicRefs,
      was_blocked: wasBlocked,
      trimmed: trimmed ? true : undefined,
    });
    if (r === null || kind === null) return;
    // The message's packets, for its timing (request_frame, ttfb, response_end_frame).
    (dir === 'c2s' ? r.tx.request : r.tx.response).add(at.frame, at.ts);
    applyBlock(this.ctx, r, dir, kind, headers, false);
  }

  // ---- requests -----------------------------------------------------------------------------

  private request(id: number): Request | null {
    let r = this.requests.get(id);
    if (r !== undefined) return r.emitted ? null : r;
    r = newStreamExchange(id, '3');
    this.requests.set(id, r);
    this.requestCount++;
    const open = [...this.requests.values()].filter((x) => !x.emitted);
    if (open.length > this.ctx.limits.max_pending_transactions) {
      const oldest = open[0]!;
      this.ctx.anomaly('http.pending_limit', null, `more than max_pending_transactions (${this.ctx.limits.max_pending_transactions}) open HTTP/3 requests; gave up on stream ${oldest.id}`);
      oldest.tx.incomplete = true;
      this.finish(oldest);
    }
    return r;
  }

  private dataBytes(s: StreamSide, chunk: Uint8Array): void {
    if (s.kind !== 'request' || chunk.length === 0) return;
    const r = this.request(s.id);
    if (r === null) return;
    (s.dir === 'c2s' ? r.tx.request : r.tx.response).add(this.ctx.frame, this.ctx.ts);
    const sink = s.dir === 'c2s' ? r.reqSink : (r.respSink ??= new BodySink(this.ctx.wants_objects, this.ctx.limits.max_object));
    if (sink.add(chunk)) this.ctx.anomaly(HTTP_ANOMALY.object_limit, s.dir, `stream ${s.id} body larger than max_object (${this.ctx.limits.max_object} bytes); the kept copy is truncated`);
  }

  streamGap(id: number, dir: Direction, length: number): void {
    const s = this.side(id, dir);
    if (!s.stopped) this.ctx.anomaly('http3.gap', dir, `${length} bytes of stream ${id} lost; the stream is not parsed further`);
    if (s.kind === 'qpack_encoder' && !s.stopped) this.ctx.anomaly('http3.qpack_error', dir, `encoder stream ${id} lost ${length} bytes: later dynamic table references cannot be resolved`);
    s.stopped = true;
    s.buf.clear();
    if (s.kind === 'request') {
      const r = this.requests.get(id);
      if (r !== undefined) {
        if (dir === 'c2s') r.tx.request_missed += length;
        else r.tx.response_missed += length;
      }
    }
  }

  streamEnd(id: number, dir: Direction, how: 'fin' | 'reset'): void {
    const s = this.side(id, dir);
    if (s.frame !== null && !s.stopped) {
      const f = s.frame;
      this.ctx.emit('http3.frame', dir, { stream_id: id, stream_type: s.kind ?? 'unknown', frame_type: frameTypeName(f.type), frame_type_code: f.type, length: f.length, incomplete: true });
      s.frame = null;
    }
    if ((s.kind === 'control' || s.kind === 'qpack_encoder' || s.kind === 'qpack_decoder') && !s.stopped) {
      this.ctx.anomaly('http3.stream_error', dir, `critical ${s.kind} stream ${id} closed (${how}) (RFC 9114 §6.2.1: H3_CLOSED_CRITICAL_STREAM)`);
    }
    s.stopped = true;
    if (s.kind !== 'request') return;
    const r = this.requests.get(id);
    if (r === undefined || r.emitted) return;
    r.ended[dir] = true;
    if (how === 'reset') r.tx.reset = r.tx.reset ?? `RESET_STREAM (${dir})`;
    if (dir === 'c2s') r.tx.request_end = { frame: this.ctx.frame, ts: this.ctx.ts };
    if (r.ended.s2c || (how === 'reset' && dir === 'c2s' && !r.responseSeen)) {
      if (how === 'reset') r.tx.incomplete = true;
      this.finish(r);
    }
  }

  /**
   * The QUIC connection freed a stream whose every direction ended: its parser state goes,
   * and its transaction was emitted at its end (`streamEnd`).
   */
  streamRetired(id: number): void {
    // A field section still waiting for the encoder stream keeps the request (it may yet be decoded).
    if (this.blocked.some((b) => b.stream === id)) return;
    this.sides.delete(`${id}c2s`);
    this.sides.delete(`${id}s2c`);
    const r = this.requests.get(id);
    if (r !== undefined && r.emitted) this.requests.delete(id);
  }

  private finish(r: Request): void {
    if (r.emitted) return;
    r.emitted = true;
    const tx = r.tx;
    tx.trans_depth = ++this.depth;
    tx.request_body_len = r.reqSink.length;
    if (r.respSink) finishResponseBody(this.ctx, tx, r.respSink);
    this.ctx.emit('http.transaction', null, transactionFields(tx, null));
    // The entry stays (emitted) so late frames of the stream do not open a second transaction.
    r.reqSink = new BodySink(false, 0);
    r.respSink = null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.blocked) {
      this.ctx.anomaly('http3.qpack_blocked', b.dir, `stream ${b.stream}: field section needing ${b.required} QPACK inserts never unblocked (${this.qpack[b.dir].insertCount} arrived); not reported`, b.at);
    }
    for (const r of this.requests.values()) {
      if (r.emitted) continue;
      r.tx.incomplete = true;
      this.finish(r);
    }
    for (const dir of ['c2s', 's2c'] as const) {
      const f = this.facts[dir];
      const q = this.qpack[dir];
      f.qpack_table_bytes = q.tableSize;
      f.qpack_table_entries = q.tableEntries;
      f.qpack_encoder_bytes = q.encoderBytes;
    }
    this.ctx.emit('http3.connection', null, {
      client: this.facts.c2s,
      server: this.facts.s2c,
      requests: this.requestCount,
      blocked_sections: this.blockedTotal,
      never_unblocked: this.blocked.length,
    });
  }
}

