/**
 * HTTP/2 over one cleartext TCP connection (RFC 9113): connection preface, every frame,
 * header blocks assembled across CONTINUATION and decoded with one HPACK decoder per
 * direction, the stream state machine, and one transaction per stream (pushed streams
 * tied to their PUSH_PROMISE). Also the connection's interleaving: the order in which the
 * server's frames of concurrent streams went out, and when each stream completed.
 *
 * Starts three ways: prior knowledge (the client preface), after an HTTP/1.1 `Upgrade: h2c`
 * (the preface follows the 101; stream 1 is the upgraded request), or mid-connection
 * (no preface; HPACK references to entries we never saw are reported as desync).
 */
import type { DissectorContext, StreamDissector } from '../../dissect/contract.js';
import { opposite, type Direction } from '../../events/event.js';
import type { Timestamp } from '../../events/time.js';
import { BodySink, finishResponseBody } from '../http/body.js';
import { ANOMALY as HTTP_ANOMALY, type Http2StreamSummary } from '../http/events.js';
import { header, type HeaderList } from '../http/parser.js';
import { StreamCursor } from '../../dissect/stream-cursor.js';
import { isDohPost, reportDoh, wantsDohResponse } from '../http/doh-link.js';
import { applyBlock, blockKind, fillRequest, newStreamExchange, pseudo, type StreamExchange } from '../http/stream-exchange.js';
import { transactionFields } from '../http/transaction.js';
import { upgradedRequest, type UpgradedRequest } from '../http/upgrade.js';
import { ANOMALY, type Http2HeadersFields } from './events.js';
import { HpackDecoder, type HpackBlock } from './hpack.js';
import {
  FLAG,
  FRAME_HEADER,
  PREFACE_BYTES,
  T,
  errorCodeName,
  frameTypeName,
  frameHeaderAt,
  frameLengthAt,
  parseFrameHeader,
  parsePayload,
  plausibleFrames,
  type FrameHeader,
} from './parser.js';
import { joinChunks } from '../../dissect/bytes.js';
import type { Verdict } from '../../dissect/parse.js';
import { StreamTable } from './streams.js';

interface H2Stream extends StreamExchange {
  firstFrame: number;
  lastFrame: number;
  frames: number;
  completed?: Timestamp;
  /** Index in the connection's stream list, or -1 when not listed. */
  listedAt: number;
}

/** A finished stream as the connection record lists it; its headers and bodies are let go. */
interface ListedStream {
  readonly summary: Http2StreamSummary;
  readonly requestSeen: boolean;
}

interface PendingBlock {
  readonly stream_id: number;
  readonly kind: 'headers' | 'push_promise';
  readonly end_stream: boolean;
  readonly promised: number | undefined;
  parts: Uint8Array[];
  bytes: number;
  overflow: boolean;
}

type DirState = 'preface' | 'frames' | 'resync' | 'opaque';

const MAX_LISTED_STREAMS = 10_000;
/** The payload of a DATA frame cut by a gap: parsed as empty. */
const NO_BYTES = new Uint8Array(0);
const MAX_RUNS = 10_000;

export class Http2Dissector implements StreamDissector {
  private readonly cur = { c2s: new StreamCursor(), s2c: new StreamCursor() };
  private readonly st: Record<Direction, DirState> = { c2s: 'preface', s2c: 'frames' };
  private readonly hpack: Record<Direction, HpackDecoder>;
  /** Largest frame each direction may send: the receiver's SETTINGS_MAX_FRAME_SIZE. */
  private readonly maxFrame: Record<Direction, number> = { c2s: 16384, s2c: 16384 };
  private readonly block: Record<Direction, PendingBlock | null> = { c2s: null, s2c: null };
  private readonly lost: Record<Direction, number> = { c2s: 0, s2c: 0 };
  /** Rest of a DATA frame cut by a gap: its bytes still to come, then its END_STREAM. */
  private readonly skip: Record<Direction, { remaining: number; stream: number; end_stream: boolean } | null> = { c2s: null, s2c: null };
  private readonly streams = new StreamTable<H2Stream>();
  private readonly listed: Array<H2Stream | ListedStream> = [];
  private readonly runs: Array<[number, number]> = [];
  private runsTruncated = false;
  private frames = 0;
  private prefaceSeen = false;
  private serverPrefaceChecked = false;
  private upgradedFrom: string | undefined;
  private goaway: { last_stream_id: number; error_code: string; dir: Direction } | null = null;
  private finished = false;
  private depth = 0;
  private serviceSet = false;

  constructor(private readonly ctx: DissectorContext) {
    const l = ctx.limits;
    const hl = { maxTable: l.max_hpack_table, maxHeaders: l.max_headers, maxHeaderBytes: l.max_header_bytes };
    this.hpack = { c2s: new HpackDecoder(hl), s2c: new HpackDecoder(hl) };
    const up = upgradedRequest(ctx.handedOver);
    if (up) {
      this.adoptUpgrade(up);
      // The flow began as HTTP/1.1 (request + 101 on the wire): keep the `http` label the
      // engine would replace with ours; the records say `upgraded: h2c`.
      ctx.setService('http');
    }
    // HTTP/2 writes no flow summary, and the service it would name later (`http2`, by
    // `markService`) is the one detection or the hand-over already set: a summary-only run
    // reads nothing more of it.
    if (ctx.summaryOnly) ctx.stop?.();
  }

  data(dir: Direction, bytes: Uint8Array): void {
    if (this.finished) return;
    const c = this.cur[dir];
    const view = c.append(bytes, this.ctx.frame, this.ctx.ts);
    const used = this.parse(dir, view);
    c.keep(view, used);
  }

  gap(dir: Direction, length: number): void {
    if (this.finished || length <= 0) return;
    const c = this.cur[dir];
    if (this.st[dir] === 'opaque') {
      c.drop();
      c.skip(length);
      return;
    }
    const sk = this.skip[dir];
    if (sk && c.held === 0 && length <= sk.remaining) {
      this.streams.get(sk.stream)?.[dir === 'c2s' ? 'reqSink' : 'respSink']?.gap(length);
      this.missed(sk.stream, dir, length);
      sk.remaining -= length;
      c.skip(length);
      if (sk.remaining === 0) this.endSkip(dir);
      return;
    }
    const view = c.view();
    const parsed = parseFrameHeader(view, 0);
    const h = parsed.kind === 'done' ? parsed.value : null;
    if (!sk && h && h.type === T.DATA && this.st[dir] === 'frames' && view.length + length < FRAME_HEADER + h.length) {
      // A gap inside one DATA frame: deliver what we have, count the loss, take the rest as its tail.
      this.frame(dir, h, view.subarray(FRAME_HEADER), 0, view.length, true);
      const s = this.streams.get(h.stream_id);
      s?.[dir === 'c2s' ? 'reqSink' : 'respSink']?.gap(length);
      this.missed(h.stream_id, dir, length);
      this.skip[dir] = { remaining: FRAME_HEADER + h.length - view.length - length, stream: h.stream_id, end_stream: (h.flags & FLAG.END_STREAM) !== 0 };
      c.drop();
      c.skip(length);
      return;
    }
    // Framing lost: a header block may be gone too, so HPACK indices of this direction are unsure.
    const held = c.drop();
    c.skip(length);
    this.skip[dir] = null;
    if (this.block[dir]) this.block[dir] = null;
    this.hpack[dir].markLost();
    this.lost[dir] += held + length;
    this.st[dir] = 'resync';
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    for (const dir of ['c2s', 's2c'] as const) {
      if (this.block[dir]) {
        this.ctx.anomaly(ANOMALY.protocol_error, dir, `header block on stream ${this.block[dir]!.stream_id} never completed (no END_HEADERS)`);
        this.block[dir] = null;
      }
      if (this.lost[dir] > 0) this.ctx.anomaly(ANOMALY.gap, dir, `${this.lost[dir]} bytes lost; no frame boundary found after the gap`);
      const held = this.cur[dir].held;
      if (held > 0 && this.st[dir] === 'frames') this.ctx.anomaly(ANOMALY.bad_frame, dir, `${held} bytes of an unfinished frame at the end of the connection`);
    }
    for (const s of this.streams.byId()) {
      if (!s.emitted && (s.requestSeen || s.responseSeen)) {
        s.tx.incomplete = true;
        this.finish(s);
      }
    }
    this.emitConnection();
  }

  // ---- framing ------------------------------------------------------------------------

  private parse(dir: Direction, b: Uint8Array): number {
    let p = 0;
    while (p < b.length) {
      const st = this.st[dir];
      if (st === 'opaque') return b.length;
      const sk = this.skip[dir];
      if (sk) {
        const take = Math.min(sk.remaining, b.length - p);
        this.dataBytes(dir, sk.stream, b.subarray(p, p + take), p, p + take);
        sk.remaining -= take;
        p += take;
        if (sk.remaining === 0) this.endSkip(dir);
        continue;
      }
      if (st === 'preface') {
        const n = Math.min(PREFACE_BYTES.length, b.length - p);
        let match = true;
        for (let i = 0; i < n; i++) if (b[p + i] !== PREFACE_BYTES[i]) match = false;
        if (!match) {
          // After an h2c upgrade the preface is mandatory; otherwise we joined mid-connection.
          if (this.upgradedFrom) {
            this.ctx.anomaly(ANOMALY.bad_preface, dir, 'client bytes after the h2c upgrade are not the HTTP/2 preface');
            this.st[dir] = 'opaque';
            return b.length;
          }
          this.streams.joinMidStream();
          this.st[dir] = 'frames';
          continue;
        }
        if (n < PREFACE_BYTES.length) return p;
        p += PREFACE_BYTES.length;
        this.prefaceSeen = true;
        this.markService();
        this.st[dir] = 'frames';
        continue;
      }
      if (st === 'resync') {
        let q = p;
        let verdict: Verdict = 'no';
        for (; q < b.length; q++) {
          verdict = plausibleFrames(b, q, 2);
          if (verdict !== 'no') break;
        }
        if (verdict !== 'yes') return q; // keep the undecided tail
        this.ctx.anomaly(ANOMALY.gap, dir, `${this.lost[dir] + (q - p)} bytes lost; resynchronised on the next frame header`);
        this.lost[dir] = 0;
        p = q;
        this.st[dir] = 'frames';
        continue;
      }
      // The header is read once the whole frame is here (no object for a frame still coming).
      if (b.length - p < FRAME_HEADER || b.length - p < FRAME_HEADER + frameLengthAt(b, p)) return p;
      const h = frameHeaderAt(b, p);
      const end = p + FRAME_HEADER + h.length;
      this.frame(dir, h, b.subarray(p + FRAME_HEADER, end), p, end, false);
      p = end;
    }
    return p;
  }

  private endSkip(dir: Direction): void {
    const sk = this.skip[dir]!;
    this.skip[dir] = null;
    if (sk.end_stream) this.endStream(dir, sk.stream);
  }

  /** One frame: `[start, end)` of the current view. `partial`: a DATA frame cut by a gap. */
  private frame(dir: Direction, h: FrameHeader, payload: Uint8Array, start: number, end: number, partial: boolean): void {
    this.frames++;
    this.markService();
    const pl = parsePayload(h, partial ? NO_BYTES : payload);
    // The parser's fields are the event's (every key in declared order, one literal).
    const fields = pl.fields;
    if (partial) {
      fields.data_length = undefined;
      fields.incomplete = true;
    }
    this.ctx.emit('http2.frame', dir, fields);
    const problems = pl.problems;
    if (!partial) for (let i = 0; i < problems.length; i++) this.ctx.anomaly(ANOMALY.bad_frame, dir, `${frameTypeName(h.type)}: ${problems[i]!}`);
    if (h.length > this.maxFrame[dir]) {
      this.ctx.anomaly(ANOMALY.bad_frame, dir, `${frameTypeName(h.type)} of ${h.length} bytes exceeds SETTINGS_MAX_FRAME_SIZE ${this.maxFrame[dir]}`);
    }
    if (dir === 's2c' && !this.serverPrefaceChecked) {
      this.serverPrefaceChecked = true;
      if (h.type !== T.SETTINGS && this.prefaceSeen && !this.streams.midStream) {
        this.ctx.anomaly(ANOMALY.bad_preface, dir, `server's first frame is ${frameTypeName(h.type)}, not SETTINGS`);
      }
    }
    if (h.stream_id !== 0) {
      const s = this.streams.get(h.stream_id);
      if (s) this.touch(s, dir, start, end);
      if (dir === 's2c' && (h.type === T.DATA || h.type === T.HEADERS || h.type === T.CONTINUATION)) this.run(h.stream_id);
    }

    // A header block in progress admits only its CONTINUATION frames (RFC 9113 §6.10).
    const blk = this.block[dir];
    if (blk && !(h.type === T.CONTINUATION && h.stream_id === blk.stream_id)) {
      this.ctx.anomaly(ANOMALY.protocol_error, dir, `${frameTypeName(h.type)} on stream ${h.stream_id} inside the header block of stream ${blk.stream_id}`);
      this.block[dir] = null;
      this.hpack[dir].markLost();
    }
    if (partial) {
      const s = this.streamFor(dir, h.stream_id, 'DATA');
      if (s) this.dataBytes(dir, h.stream_id, payload.subarray(h.flags & FLAG.PADDED ? 1 : 0), start + FRAME_HEADER, end);
      return;
    }
    if (pl.problems.length && (h.type === T.HEADERS || h.type === T.PUSH_PROMISE) && pl.content === undefined) {
      // The block could not be extracted: the decoder misses whatever it inserted.
      this.hpack[dir].markLost();
      return;
    }
    switch (h.type) {
      case T.DATA:
        if (this.streamFor(dir, h.stream_id, 'DATA') && pl.content) {
          this.dataBytes(dir, h.stream_id, pl.content, start, end);
          if (h.flags & FLAG.END_STREAM) this.endStream(dir, h.stream_id);
        }
        break;
      case T.HEADERS:
      case T.PUSH_PROMISE: {
        if (h.type === T.PUSH_PROMISE && dir === 'c2s') this.ctx.anomaly(ANOMALY.protocol_error, dir, 'PUSH_PROMISE sent by the client');
        const pb: PendingBlock = {
          stream_id: h.stream_id,
          kind: h.type === T.HEADERS ? 'headers' : 'push_promise',
          end_stream: h.type === T.HEADERS && (h.flags & FLAG.END_STREAM) !== 0,
          promised: pl.promised_stream_id,
          parts: [],
          bytes: 0,
          overflow: false,
        };
        const frag = pl.content ?? NO_BYTES;
        if (h.flags & FLAG.END_HEADERS) {
          // A whole block in one frame is decoded from the frame's bytes: no copy of them.
          if (this.fits(dir, pb, frag)) pb.bytes = frag.length;
          this.headerBlock(dir, pb, start, end, frag);
        } else {
          this.addFragment(dir, pb, frag);
          this.block[dir] = pb;
        }
        break;
      }
      case T.CONTINUATION: {
        const cur = this.block[dir];
        if (!cur || cur.stream_id !== h.stream_id) {
          if (!blk) this.ctx.anomaly(ANOMALY.protocol_error, dir, `CONTINUATION on stream ${h.stream_id} without a header block in progress`);
          break;
        }
        this.addFragment(dir, cur, pl.content ?? NO_BYTES);
        if (h.flags & FLAG.END_HEADERS) {
          this.block[dir] = null;
          this.headerBlock(dir, cur, start, end);
        }
        break;
      }
      case T.RST_STREAM: {
        const s = this.streams.get(h.stream_id);
        if (!s) {
          if (this.streams.resetIdle(h.stream_id)) {
            this.ctx.anomaly(ANOMALY.protocol_error, dir, `RST_STREAM on idle stream ${h.stream_id}`);
          }
          break;
        }
        if (!s.emitted) {
          s.tx.reset = `${pl.error_code !== undefined ? errorCodeName(pl.error_code) : 'UNKNOWN'} by ${dir === 'c2s' ? 'client' : 'server'}`;
          if (!(s.ended.c2s && s.ended.s2c)) s.tx.incomplete = s.tx.incomplete || !s.ended.s2c;
          this.finish(s);
        }
        break;
      }
      case T.SETTINGS:
        if (pl.settings && !(h.flags & FLAG.ACK)) this.applySettings(dir, pl.settings);
        break;
      case T.GOAWAY:
        if (pl.last_stream_id !== undefined) {
          this.goaway = { last_stream_id: pl.last_stream_id, error_code: errorCodeName(pl.error_code ?? 0), dir };
        }
        break;
      default:
        break;
    }
  }

  /** Whether `frag` still fits the block's `max_header_bytes`; the first time it does not, the block overflows (reported). */
  private fits(dir: Direction, pb: PendingBlock, frag: Uint8Array): boolean {
    if (pb.overflow) return false;
    if (pb.bytes + frag.length > this.ctx.limits.max_header_bytes) {
      pb.overflow = true;
      pb.parts = [];
      this.ctx.anomaly(ANOMALY.header_limit, dir, `header block on stream ${pb.stream_id} exceeds max_header_bytes (${this.ctx.limits.max_header_bytes}); not decoded`);
      return false;
    }
    return true;
  }

  private addFragment(dir: Direction, pb: PendingBlock, frag: Uint8Array): void {
    if (!this.fits(dir, pb, frag)) return;
    pb.parts.push(frag.slice());
    pb.bytes += frag.length;
  }

  /** `whole`: the block's one fragment, when it came in one frame (else `pb.parts` hold it). */
  private headerBlock(dir: Direction, pb: PendingBlock, start: number, end: number, whole?: Uint8Array): void {
    let res: HpackBlock;
    if (pb.overflow) {
      this.hpack[dir].markLost();
      res = { headers: [], complete: false, unknown_fields: 0, problems: [], table_size_updates: [] };
    } else {
      const bytes = whole ?? joinChunks(pb.parts, pb.bytes);
      res = this.hpack[dir].decode(bytes);
    }
    let desyncs = 0;
    for (let i = 0; i < res.problems.length; i++) {
      const pr = res.problems[i]!;
      if (pr.kind === 'desync') desyncs++;
      else this.ctx.anomaly(pr.kind === 'hpack_error' ? ANOMALY.hpack_error : ANOMALY.header_limit, dir, `stream ${pb.stream_id}: ${pr.detail}`);
    }
    if (desyncs) {
      const first = res.problems.find((x) => x.kind === 'desync')!;
      this.ctx.anomaly(ANOMALY.hpack_desync, dir, `stream ${pb.stream_id}: ${desyncs} field(s) not decodable; ${first.detail}`);
    }
    const headers = res.headers;
    const status = pseudo(headers, ':status');
    const kind = pb.kind === 'push_promise' ? null : blockKind(this.streams.get(pb.stream_id), dir, status);
    const block: Http2HeadersFields['block'] = kind ?? 'push_promise';
    this.ctx.emit('http2.headers', dir, {
      stream_id: pb.stream_id,
      headers,
      end_stream: pb.end_stream,
      block,
      promised_stream_id: pb.promised,
      undecodable: res.complete && !pb.overflow ? undefined : true,
      unknown_fields: res.unknown_fields || undefined,
    });
    if (kind === null) {
      this.promise(pb, headers, start, end);
      return;
    }
    const s = this.streamFor(dir, pb.stream_id, 'HEADERS');
    if (!s) return;
    if (s.frames === 0) this.touch(s, dir, start, end);
    applyBlock(this.ctx, s, dir, kind, headers, kind === 'response' && wantsDohResponse(s.tx, headers));
    if (kind === 'request') this.keepDohQuery(s, headers);
    if (pb.end_stream) this.endStream(dir, pb.stream_id);
  }

  private keepDohQuery(s: H2Stream, headers: HeaderList): void {
    // A DoH POST's body is the DNS query (RFC 8484 §4.1): keep it to report it.
    if (isDohPost(s.tx.method, headers) && !s.reqSink.keeping && s.reqSink.length === 0) s.reqSink = new BodySink(true, this.ctx.limits.max_object);
  }

  private promise(pb: PendingBlock, headers: HeaderList, start: number, end: number): void {
    const id = pb.promised;
    if (id === undefined) return;
    const problem = this.streams.promise(id);
    if (problem) this.ctx.anomaly(ANOMALY.protocol_error, 's2c', problem);
    const s = this.openStream(id);
    s.tx.pushed = true;
    s.tx.promised_by = pb.stream_id;
    s.requestSeen = true;
    s.ended.c2s = true; // reserved (remote): the client sends nothing on a pushed stream
    fillRequest(s, headers);
    this.keepDohQuery(s, headers);
    this.cur.s2c.credit(s.tx.request, start, end);
  }

  /** The stream a frame belongs to, opened if this frame may open it; null if it may not exist. */
  private streamFor(dir: Direction, id: number, what: 'DATA' | 'HEADERS'): H2Stream | null {
    if (id === 0) return null;
    const a = this.streams.admit(dir, id, what);
    if (a.kind === 'use') return a.stream;
    if (a.problem !== null) this.ctx.anomaly(ANOMALY.protocol_error, dir, a.problem);
    return a.kind === 'open' ? this.openStream(id) : null;
  }

  private openStream(id: number): H2Stream {
    const x = newStreamExchange(id, '2');
    // One literal with the exchange's keys and HTTP/2's (a spread of the exchange made each stream in two steps).
    const s: H2Stream = {
      id: x.id,
      tx: x.tx,
      ended: x.ended,
      requestSeen: x.requestSeen,
      responseSeen: x.responseSeen,
      reqSink: x.reqSink,
      respSink: x.respSink,
      emitted: x.emitted,
      firstFrame: this.ctx.frame,
      lastFrame: this.ctx.frame,
      frames: 0,
      completed: undefined,
      listedAt: this.listed.length < MAX_LISTED_STREAMS ? this.listed.length : -1,
    };
    if (s.listedAt >= 0) this.listed.push(s);
    const oldest = this.streams.add(s, this.ctx.limits.max_pending_transactions);
    if (oldest) {
      this.ctx.anomaly(ANOMALY.stream_limit, null, `more than ${this.ctx.limits.max_pending_transactions} open streams; gave up on stream ${oldest.id}`);
      oldest.tx.incomplete = true;
      this.finish(oldest);
    }
    return s;
  }

  private touch(s: H2Stream, dir: Direction, start: number, end: number): void {
    this.cur[dir].credit(dir === 'c2s' ? s.tx.request : s.tx.response, start, end);
    if (s.frames === 0) s.firstFrame = this.ctx.frame;
    s.lastFrame = this.ctx.frame;
    s.frames++;
  }

  private dataBytes(dir: Direction, id: number, data: Uint8Array, start: number, end: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    if (start !== end && this.skip[dir]?.stream === id) this.touch(s, dir, start, end);
    const sink = dir === 'c2s' ? s.reqSink : (s.respSink ??= new BodySink(this.ctx.wants_objects, this.ctx.limits.max_object));
    if (sink.add(data)) {
      this.ctx.anomaly(HTTP_ANOMALY.object_limit, dir, `stream ${id} body larger than max_object (${this.ctx.limits.max_object} bytes); the kept copy is truncated`);
    }
  }

  private missed(id: number, dir: Direction, n: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    if (dir === 'c2s') s.tx.request_missed += n;
    else s.tx.response_missed += n;
  }

  private endStream(dir: Direction, id: number): void {
    const s = this.streams.endStream(dir, id);
    if (!s) return;
    if (dir === 'c2s') s.tx.request_end = { frame: this.ctx.frame, ts: this.ctx.ts };
    if (s.ended.s2c) this.finish(s);
  }

  private finish(s: H2Stream): void {
    if (s.emitted) return;
    s.emitted = true;
    s.completed = this.ctx.ts;
    const tx = s.tx;
    tx.trans_depth = ++this.depth;
    tx.request_body_len = s.reqSink.length;
    let dohResponse: Uint8Array | undefined;
    if (s.respSink) {
      const data = finishResponseBody(this.ctx, tx, s.respSink);
      if (data && wantsDohResponse(tx, tx.response_headers ?? [])) dohResponse = data;
    }
    if (this.goaway && s.id > this.goaway.last_stream_id && !s.ended.s2c) tx.reset = tx.reset ?? `GOAWAY ${this.goaway.error_code}`;
    this.ctx.emit('http.transaction', null, transactionFields(tx, this.ctx.tcp_rtt));
    reportDoh(this.ctx, tx, s.reqSink.keeping ? s.reqSink.bytes() : undefined, dohResponse);
    this.streams.close(s);
    if (s.listedAt >= 0) this.listed[s.listedAt] = { summary: streamSummary(s), requestSeen: s.requestSeen };
  }

  private applySettings(dir: Direction, settings: Array<{ id: number; value: number }>): void {
    // A side's settings bind what the other side sends: its table size, its frame size.
    const other = opposite(dir);
    for (const { id, value } of settings) {
      if (id === 1) {
        const problem = this.hpack[other].setSettingsMax(value);
        if (problem) this.ctx.anomaly(ANOMALY.header_limit, other, problem.detail);
      } else if (id === 5 && value >= 16384 && value <= 16777215) {
        this.maxFrame[other] = value;
      }
    }
  }

  private run(id: number): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last[0] === id) last[1]++;
    else if (this.runs.length < MAX_RUNS) this.runs.push([id, 1]);
    else this.runsTruncated = true;
  }

  private adoptUpgrade(up: UpgradedRequest): void {
    this.upgradedFrom = 'http/1.1';
    const s = this.openStream(1);
    this.streams.upgraded();
    s.requestSeen = true;
    s.ended.c2s = true; // half-closed (local): the request went out in HTTP/1.1
    s.tx.method = up.method;
    s.tx.uri = up.uri;
    if (up.host) s.tx.host = up.host;
    s.tx.request_headers = up.headers;
    s.tx.request_body_len = up.request_body_len;
    if (up.request_first) s.tx.request.add(up.request_first.frame, up.request_first.ts);
    if (up.request_end) s.tx.request_end = up.request_end;
    s.tx.upgraded = 'h2c';
    // HTTP2-Settings carries the client's SETTINGS payload (RFC 7540 §3.2.1), base64url.
    const hs = header(up.headers, 'http2-settings');
    if (hs) {
      const raw = Buffer.from(hs.trim(), 'base64url');
      const settings: Array<{ id: number; value: number }> = [];
      for (let p = 0; p + 6 <= raw.length; p += 6) settings.push({ id: raw.readUInt16BE(p), value: raw.readUInt32BE(p + 2) });
      this.applySettings('c2s', settings);
    }
  }

  private emitConnection(): void {
    const streams = this.listed.map((s) => ('summary' in s ? s.summary : streamSummary(s)));
    const distinct = new Set(this.runs.map(([id]) => id)).size;
    this.ctx.emit('http.connection', null, {
      version: '2',
      requests: this.listed.filter((s) => s.requestSeen).length,
      persistent: true,
      pipelined: false,
      multiplexed: this.runs.length > distinct,
      upgraded: this.upgradedFrom ? 'h2c' : null,
      mid_stream: this.streams.midStream || undefined,
      frames: this.frames,
      max_concurrent_streams: this.streams.maxOpen,
      streams,
      streams_truncated: this.listed.length >= MAX_LISTED_STREAMS || undefined,
      // Server DATA/HEADERS frames in order, as [stream_id, consecutive frames] runs.
      interleaving: this.runs.map(([id, n]): [number, number] => [id, n]),
      interleaving_truncated: this.runsTruncated || undefined,
      goaway: this.goaway ? { last_stream_id: this.goaway.last_stream_id, error_code: this.goaway.error_code, from: this.goaway.dir === 'c2s' ? 'client' : 'server' } : undefined,
    });
  }

  private markService(): void {
    if (this.serviceSet) return;
    this.serviceSet = true;
    // An h2c connection began as HTTP/1.1 and stays labelled `http` (as Zeek and tshark see
    // it on the wire: an HTTP/1.1 request and its 101); its records say `upgraded: h2c`.
    if (!this.upgradedFrom) this.ctx.setService('http2');
  }
}

function streamSummary(s: H2Stream): Http2StreamSummary {
  return {
    stream_id: s.id,
    first_frame: s.firstFrame,
    last_frame: s.lastFrame,
    frames: s.frames,
    method: s.tx.method,
    uri: s.tx.uri,
    status_code: s.tx.status_code,
    pushed: s.tx.pushed || undefined,
    response_body_len: s.respSink?.length ?? 0,
    request_ts: s.tx.request.first?.ts,
    completed_ts: s.completed,
    reset: s.tx.reset,
  };
}
