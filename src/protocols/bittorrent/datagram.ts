/**
 * BitTorrent over UDP on one flow: DHT (KRPC) and UDP trackers (BEP 15), told apart per
 * datagram by content. Queries and responses are paired by transaction id; a response
 * event carries its query's frame, method / action and the round-trip time.
 */
import type { DatagramDissector, DissectorContext } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';
import { looksLikeKrpc, parseKrpc } from './dht.js';
import { BT_EVENTS } from './events.js';
import { isConnectRequest, parseUdpTrackerRequest, parseUdpTrackerResponse } from './udp-tracker.js';

interface PendingQuery {
  readonly frame: number;
  readonly ts: Timestamp;
  readonly what: string | null;
  readonly info_hash: JsonValue | undefined;
}

export class BittorrentDatagramDissector implements DatagramDissector {
  /** Open queries keyed by sender direction and transaction id (DHT nodes query both ways). */
  private readonly pending = new Map<string, PendingQuery>();
  private pendingLimitReported = false;
  /** Which direction sends tracker requests: the side that sent connect, else the flow's client. */
  private trackerClient: Direction = 'c2s';

  constructor(private readonly ctx: DissectorContext) {}

  datagram(dir: Direction, bytes: Uint8Array): void {
    const krpc = bytes[0] === 0x64 && looksLikeKrpc(bytes);
    // No summary here: a summary-only run reads the service, which each datagram names first.
    if (this.ctx.summaryOnly) return this.ctx.setService(krpc ? 'bittorrent-dht' : 'bittorrent-tracker');
    if (krpc) return this.dht(dir, bytes);
    this.tracker(dir, bytes);
  }

  close(): void {
    this.pending.clear();
  }

  private dht(dir: Direction, bytes: Uint8Array): void {
    const { ctx } = this;
    ctx.setService('bittorrent-dht');
    const m = parseKrpc(bytes, ctx.limits.max_bencode_depth);
    if (typeof m === 'string') return ctx.anomaly('bittorrent.bad_bencode', dir, `DHT: ${m}`);
    if ('code' in m) return ctx.anomaly(m.code, dir, `DHT: ${m.reason}`);
    if (m.kind === 'query') {
      this.remember(`${dir}|dht|${m.transaction_id}`, m.method, m.fields.info_hash ?? m.fields.target);
      ctx.emit(BT_EVENTS.dht, dir, { y: 'query', method: m.method, transaction_id: m.transaction_id, ...m.fields });
      return;
    }
    const q = this.take(`${other(dir)}|dht|${m.transaction_id}`);
    if (!q) ctx.anomaly('bittorrent.unmatched_response', dir, `DHT ${m.kind} with transaction id ${m.transaction_id} matches no query`);
    ctx.emit(BT_EVENTS.dht, dir, {
      y: m.kind,
      method: q?.what ?? null,
      transaction_id: m.transaction_id,
      ...this.answered(q),
      ...m.fields,
    });
  }

  private tracker(dir: Direction, bytes: Uint8Array): void {
    const { ctx } = this;
    ctx.setService('bittorrent-tracker');
    if (isConnectRequest(bytes)) this.trackerClient = dir;
    if (dir === this.trackerClient) {
      const r = parseUdpTrackerRequest(bytes);
      if (typeof r === 'string') return ctx.anomaly('bittorrent.bad_tracker_packet', dir, r);
      this.remember(`${dir}|trk|${r.transaction_id}`, r.action, r.fields.info_hash);
      ctx.emit(BT_EVENTS.tracker, dir, { transport: 'udp', message: 'request', action: r.action, transaction_id: r.transaction_id, ...r.fields });
      return;
    }
    const r = parseUdpTrackerResponse(bytes, ctx.flow.ip_version === 6);
    if (typeof r === 'string') return ctx.anomaly('bittorrent.bad_tracker_packet', dir, r);
    const q = this.take(`${other(dir)}|trk|${r.transaction_id}`);
    if (!q) ctx.anomaly('bittorrent.unmatched_response', dir, `tracker ${r.action} response with transaction id ${r.transaction_id} matches no request`);
    ctx.emit(BT_EVENTS.tracker, dir, {
      transport: 'udp',
      message: 'response',
      action: r.action,
      request_action: q?.what ?? null,
      transaction_id: r.transaction_id,
      ...this.answered(q),
      tracker: this.trackerClient === 'c2s' ? `${ctx.flow.server.addr}:${ctx.flow.server.port}` : `${ctx.flow.client.addr}:${ctx.flow.client.port}`,
      ...r.fields,
    });
  }

  private remember(key: string, what: string | null, infoHash: JsonValue | undefined): void {
    this.pending.delete(key);
    this.pending.set(key, { frame: this.ctx.frame, ts: this.ctx.ts, what, info_hash: infoHash });
    if (this.pending.size > this.ctx.limits.max_pending_transactions) {
      this.pending.delete(this.pending.keys().next().value as string);
      if (!this.pendingLimitReported) {
        // Once per flow: a scanner would otherwise add one anomaly per query.
        this.pendingLimitReported = true;
        this.ctx.anomaly('bittorrent.pending_limit', null, `more than ${this.ctx.limits.max_pending_transactions} unanswered queries; the oldest are forgotten`);
      }
    }
  }

  /** What a DHT or tracker response says of the query it answers; nulls when none was seen. */
  private answered(q: PendingQuery | undefined): { query_frame: number | null; rtt: number | null; info_hash: JsonValue } {
    return { query_frame: q?.frame ?? null, rtt: q ? round(this.ctx.ts.since(q.ts)) : null, info_hash: q?.info_hash ?? null };
  }

  private take(key: string): PendingQuery | undefined {
    const q = this.pending.get(key);
    this.pending.delete(key);
    return q;
  }
}

const other = (d: Direction): Direction => (d === 'c2s' ? 's2c' : 'c2s');
const round = (x: number): number => Math.round(x * 1e6) / 1e6;
