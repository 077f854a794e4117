/**
 * What one side of a peer-wire connection did, for the `bittorrent.connection` record:
 * choke and interest changes over time, requests, blocks and cancels, payload bytes and
 * throughput, and the pieces it announced (bitfield + haves) as its availability.
 * Timelines are bounded so a long connection keeps a bounded record.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';
import { hex } from '../../dissect/text.js';

/** Longest timeline kept per direction. */
export const MAX_TIMELINE = 20_000;
/** Largest piece count tracked (a 1 MiB bitfield). */
const MAX_PIECES = 8 * 1024 * 1024;

const secs = (ts: Timestamp): number => Math.round((ts.sec + ts.ns / 1e9) * 1e6) / 1e6;

export class SideStats {
  readonly counts = new Map<string, number>();
  readonly chokeChanges: JsonValue[] = [];
  readonly interestChanges: JsonValue[] = [];
  private choking: boolean | null = null;
  private interested: boolean | null = null;
  requests = 0;
  requestBytes = 0;
  cancels = 0;
  rejects = 0;
  blocks = 0;
  payloadBytes = 0;
  private firstPayload: Timestamp | null = null;
  private lastPayload: Timestamp | null = null;
  private have = new Uint8Array(0);
  private haveAll = false;
  private pieceCount = 0;
  /** [ts, piece] of every have, in order (bounded). */
  readonly haves: JsonValue[] = [];
  /** [ts, piece] of the first request for each piece (bounded). */
  readonly firstRequests: JsonValue[] = [];
  private readonly requested = new Set<number>();
  readonly piecesRequested = new Set<number>();
  readonly piecesSent = new Set<number>();
  readonly pexAdded: string[] = [];
  private readonly pexSeen = new Set<string>();
  clientVersion: string | null = null;
  metadataSize: number | null = null;
  truncated = false;

  count(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  setChoking(choking: boolean, frame: number, ts: Timestamp): void {
    if (this.choking === choking) return;
    this.choking = choking;
    this.push(this.chokeChanges, { choking, frame, ts: secs(ts) });
  }

  setInterested(interested: boolean, frame: number, ts: Timestamp): void {
    if (this.interested === interested) return;
    this.interested = interested;
    this.push(this.interestChanges, { interested, frame, ts: secs(ts) });
  }

  request(piece: number, length: number, ts: Timestamp): void {
    this.requests++;
    this.requestBytes += length;
    this.piecesRequested.add(piece);
    if (!this.requested.has(piece) && this.requested.size < MAX_TIMELINE) {
      this.requested.add(piece);
      this.push(this.firstRequests, [secs(ts), piece]);
    }
  }

  block(piece: number, length: number, ts: Timestamp): void {
    this.blocks++;
    this.payloadBytes += length;
    this.piecesSent.add(piece);
    this.firstPayload ??= ts;
    this.lastPayload = ts;
  }

  private initialBitfield: Uint8Array | null = null;
  private bitfieldTs: Timestamp | null = null;

  bitfield(bits: Uint8Array, ts: Timestamp): void {
    this.have = bits.slice(0, MAX_PIECES / 8);
    this.initialBitfield ??= this.have.slice();
    this.bitfieldTs ??= ts;
    this.pieceCount = Math.max(this.pieceCount, this.have.length * 8);
  }

  setHaveAll(all: boolean, ts: Timestamp): void {
    this.haveAll = all;
    this.bitfieldTs ??= ts;
    if (!all) this.have = new Uint8Array(0);
  }

  addHave(piece: number, ts: Timestamp): void {
    if (piece >= MAX_PIECES) return;
    if (piece >= this.have.length * 8) {
      const grown = new Uint8Array(Math.ceil((piece + 1) / 8));
      grown.set(this.have);
      this.have = grown;
    }
    this.have[piece >> 3]! |= 0x80 >> (piece & 7);
    this.push(this.haves, [secs(ts), piece]);
  }

  pex(added: readonly string[]): void {
    for (const p of added) {
      if (this.pexSeen.has(p) || this.pexAdded.length >= MAX_TIMELINE) continue;
      this.pexSeen.add(p);
      this.pexAdded.push(p);
    }
  }

  private push(list: JsonValue[], v: JsonValue): void {
    if (list.length < MAX_TIMELINE) list.push(v);
    else this.truncated = true;
  }

  private havePieces(): number {
    let n = 0;
    for (const b of this.have) for (let x = b; x; x &= x - 1) n++;
    return n;
  }

  record(): JsonObject {
    const duration = this.firstPayload && this.lastPayload ? this.lastPayload.since(this.firstPayload) : 0;
    const messages: Record<string, number> = {};
    for (const [k, v] of [...this.counts].sort((a, b) => a[0].localeCompare(b[0]))) messages[k] = v;
    return {
      messages,
      choke_changes: this.chokeChanges,
      interest_changes: this.interestChanges,
      requests: this.requests,
      request_bytes: this.requestBytes,
      pieces_requested: this.piecesRequested.size,
      blocks_sent: this.blocks,
      pieces_sent: this.piecesSent.size,
      cancels: this.cancels,
      rejects: this.rejects,
      payload_bytes: this.payloadBytes,
      throughput: duration > 0 ? Math.round(this.payloadBytes / duration) : null,
      have_all: this.haveAll || undefined,
      pieces_available: this.haveAll ? null : this.havePieces(),
      bitfield: this.have.length ? hex(this.have) : null,
      initial_bitfield: this.initialBitfield ? hex(this.initialBitfield) : null,
      bitfield_ts: this.bitfieldTs ? secs(this.bitfieldTs) : null,
      first_payload_ts: this.firstPayload ? secs(this.firstPayload) : null,
      haves: this.haves,
      first_requests: this.firstRequests,
      pex_added: this.pexAdded,
      client_version: this.clientVersion,
      metadata_size: this.metadataSize,
      timelines_truncated: this.truncated || undefined,
    };
  }
}
