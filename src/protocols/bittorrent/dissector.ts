/**
 * The peer wire protocol on one TCP connection. Each direction starts with the 68-byte
 * handshake, then 4-byte length-prefixed messages (framed by the shared framer, bounded
 * by limits.max_bt_message). Connections whose first bytes are an MSE/PE key exchange are
 * marked `bittorrent.encrypted` and counted, not parsed. A `bittorrent.connection` record
 * summarising both sides is emitted at close.
 */
import type { DissectorContext, StreamDissector } from '../../dissect/contract.js';
import { LengthPrefixedFramer } from '../../dissect/length-prefixed.js';
import { StreamBuffer } from '../../dissect/stream-buffer.js';
import { hex } from '../../dissect/text.js';
import type { Direction } from '../../events/event.js';
import type { Timestamp } from '../../events/time.js';
import { SideStats } from './connection.js';
import { BT_EVENTS, type BittorrentMessageFields, type BittorrentPeerSide } from './events.js';
import { decodeExtended } from './extended.js';
import { looksEncrypted, MSE_KEY_LENGTH } from './mse.js';
import { peerClient, peerIdText } from './peer-id.js';
import { HANDSHAKE_MAGIC, MESSAGE_NAMES, parseHandshake, parseMessage, reservedExtensions, type Handshake, type PeerMessage } from './peer-wire.js';

type Phase = 'handshake' | 'messages' | 'stopped' | 'encrypted';

interface Side {
  phase: Phase;
  readonly pending: StreamBuffer;
  readonly framer: LengthPrefixedFramer;
  handshake: Handshake | null;
  /** Extension ids this side asked to receive (its handshake `m`), id → name. */
  readonly receives: Map<number, string>;
  readonly stats: SideStats;
  bytes: number;
  /** Encrypted phase: bytes searched for a plaintext handshake, and the tail kept across deliveries. */
  searched: number;
  tail: Uint8Array;
}

/**
 * MSE may negotiate plaintext (crypto_select 0x01): after the key exchange the peers speak
 * the ordinary protocol, handshake first. This far into an encrypted direction we look for it.
 */
const PLAINTEXT_SEARCH = 4096;

/** Mostly printable ASCII: another protocol's text, never a random key. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 16);
  if (n < 4) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) if ((b[i]! >= 0x20 && b[i]! < 0x7f) || b[i] === 0x0d || b[i] === 0x0a) printable++;
  return printable === n;
}

export class PeerWireDissector implements StreamDissector {
  private readonly sides: Record<Direction, Side>;
  private encrypted = false;
  private encryptedAnnounced = false;
  /** MSE negotiated plaintext: the ordinary protocol followed the key exchange. */
  private plaintextAfterMse = false;
  private pieceLength: number | null = null;
  private first: Timestamp | null = null;
  private last: Timestamp | null = null;

  constructor(private readonly ctx: DissectorContext) {
    ctx.setService('bittorrent');
    const side = (dir: Direction): Side => ({
      phase: 'handshake',
      pending: new StreamBuffer(),
      framer: new LengthPrefixedFramer(
        { prefixBytes: 4, maxLength: ctx.limits.max_bt_message },
        {
          message: (body) => this.message(dir, body),
          tooLong: (length) => {
            this.sides[dir].phase = 'stopped';
            ctx.anomaly('bittorrent.message_too_long', dir, `length prefix ${length} exceeds ${ctx.limits.max_bt_message}; direction no longer parsed`);
          },
        },
      ),
      handshake: null,
      receives: new Map(),
      stats: new SideStats(),
      bytes: 0,
      searched: 0,
      tail: new Uint8Array(0),
    });
    this.sides = { c2s: side('c2s'), s2c: side('s2c') };
  }

  data(dir: Direction, bytes: Uint8Array): void {
    const s = this.sides[dir];
    s.bytes += bytes.length;
    this.first ??= this.ctx.ts;
    this.last = this.ctx.ts;
    this.feed(dir, bytes);
    this.stopWhenSummarised();
  }

  /**
   * The summary is written from the handshakes (and MSE): once neither direction can still
   * see one (past the handshake, or given up), a summary-only run needs nothing more.
   */
  private stopWhenSummarised(): void {
    if (!this.ctx.summaryOnly) return;
    const done = (s: Side): boolean => s.phase === 'messages' || s.phase === 'stopped';
    if (done(this.sides.c2s) && done(this.sides.s2c)) this.ctx.stop?.();
  }

  private feed(dir: Direction, bytes: Uint8Array): void {
    const s = this.sides[dir];
    if (s.phase === 'messages') return s.framer.push(bytes);
    if (s.phase === 'encrypted') return this.searchPlaintext(dir, bytes);
    if (s.phase !== 'handshake') return;
    const view = s.pending.append(bytes);
    const r = parseHandshake(view);
    if (r.kind === 'need_more') return s.pending.keep(view, 0);
    // Not a handshake: an MSE key exchange can only be told from garbage after its 96 bytes.
    if (r.kind === 'error' && !this.encrypted && view.length < MSE_KEY_LENGTH && !looksLikeText(view)) return s.pending.keep(view, 0);
    if (r.kind === 'error') {
      s.pending.clear();
      // Both directions of an MSE connection start with a DH public key instead.
      if (this.encrypted || looksEncrypted(view)) {
        const opening = view.slice();
        this.markEncrypted(dir);
        return this.searchPlaintext(dir, opening);
      }
      s.phase = 'stopped';
      this.ctx.anomaly('bittorrent.bad_handshake', dir, `${r.reason}; direction not parsed`);
      return;
    }
    const rest = view.slice(r.consumed);
    s.pending.clear();
    s.phase = 'messages';
    s.handshake = r.value;
    this.emitHandshake(dir, r.value);
    if (rest.length) s.framer.push(rest);
  }

  gap(dir: Direction, length: number): void {
    const s = this.sides[dir];
    if (s.phase === 'stopped' || s.phase === 'encrypted') return;
    s.phase = 'stopped';
    s.framer.stop();
    this.ctx.anomaly('bittorrent.stream_gap', dir, `${length} bytes missing; message boundaries lost for the rest of this direction`);
    this.stopWhenSummarised();
  }

  close(): void {
    const { c2s, s2c } = this.sides;
    for (const dir of ['c2s', 's2c'] as const) {
      const side = this.sides[dir];
      if (side.phase === 'handshake' && side.pending.length && !this.encrypted) {
        this.ctx.anomaly('bittorrent.bad_handshake', dir, `${side.pending.length} bytes that are neither a handshake nor an MSE key exchange`);
      }
    }
    if (!c2s.handshake && !s2c.handshake && !this.encrypted) return;
    const info = c2s.handshake?.info_hash ?? s2c.handshake?.info_hash ?? null;
    const peer = (side: Side, addr: string, port: number): BittorrentPeerSide => ({
      addr,
      port,
      peer_id: side.handshake ? peerIdText(side.handshake.peer_id) : null,
      client: side.handshake ? peerClient(side.handshake.peer_id)?.name ?? null : null,
      bytes: side.bytes,
      ...side.stats.record(),
    });
    const flow = this.ctx.flow;
    this.ctx.emit(BT_EVENTS.connection, null, {
      info_hash: info,
      encrypted: this.encrypted && !this.plaintextAfterMse,
      mse_plaintext: this.plaintextAfterMse || undefined,
      piece_length: this.pieceLength,
      start: this.first,
      duration: this.first && this.last ? Math.round(this.last.since(this.first) * 1e6) / 1e6 : 0,
      c2s: peer(c2s, flow.client.addr, flow.client.port),
      s2c: peer(s2c, flow.server.addr, flow.server.port),
    });
  }

  /** In an MSE direction, a handshake after the key exchange means plaintext was negotiated. */
  private searchPlaintext(dir: Direction, bytes: Uint8Array): void {
    const s = this.sides[dir];
    if (s.searched >= PLAINTEXT_SEARCH) return;
    const joined = new Uint8Array(s.tail.length + bytes.length);
    joined.set(s.tail, 0);
    joined.set(bytes, s.tail.length);
    s.searched += bytes.length;
    const at = Buffer.from(joined.buffer, joined.byteOffset, joined.length).indexOf(HANDSHAKE_MAGIC);
    if (at < 0) {
      s.tail = joined.slice(Math.max(0, joined.length - HANDSHAKE_MAGIC.length + 1));
      return;
    }
    s.tail = new Uint8Array(0);
    s.phase = 'handshake';
    this.plaintextAfterMse = true;
    this.feed(dir, joined.subarray(at));
  }

  private markEncrypted(dir: Direction): void {
    this.encrypted = true;
    for (const side of [this.sides.c2s, this.sides.s2c]) {
      if (side.phase !== 'handshake') continue;
      side.phase = 'encrypted';
      // The opening already seen in this direction is searched too.
      const held = side === this.sides[dir] ? null : side.pending.view().slice();
      side.pending.clear();
      if (held?.length) this.searchPlaintext(side === this.sides.c2s ? 'c2s' : 's2c', held);
    }
    if (this.encryptedAnnounced) return;
    this.encryptedAnnounced = true;
    this.ctx.emit(BT_EVENTS.encrypted, dir, { method: 'MSE/PE' });
    this.ctx.setSummary('encrypted BitTorrent (MSE/PE)');
  }

  private emitHandshake(dir: Direction, h: Handshake): void {
    const client = peerClient(h.peer_id);
    this.ctx.emit(BT_EVENTS.handshake, dir, {
      info_hash: h.info_hash,
      peer_id: peerIdText(h.peer_id),
      client: client?.name ?? null,
      client_version: client?.version ?? null,
      reserved: hex(h.reserved),
      extensions: reservedExtensions(h.reserved),
    });
    if (dir === 'c2s') this.ctx.setSummary(`BitTorrent ${h.info_hash.slice(0, 12)}… ${client?.name ?? ''}`.trim());
  }

  private message(dir: Direction, body: Uint8Array): void {
    const side = this.sides[dir];
    const r = parseMessage(body);
    if (r.kind !== 'done') {
      this.ctx.anomaly('bittorrent.bad_message', dir, r.kind === 'error' ? r.reason : 'incomplete');
      return;
    }
    const fields = this.describe(dir, r.value);
    side.stats.count(String(fields.msg_type));
    // A keep-alive has no type byte (tshark gives it no message type), so it is its own event.
    if (r.value.kind === 'keep_alive') this.ctx.emit(BT_EVENTS.keepAlive, dir, { msg_type: 'keep_alive' });
    else this.ctx.emit(BT_EVENTS.message, dir, fields);
  }

  /** Event fields for one message, and its effect on the sender's statistics. */
  private describe(dir: Direction, m: PeerMessage): BittorrentMessageFields {
    const { ctx } = this;
    const stats = this.sides[dir].stats;
    switch (m.kind) {
      case 'keep_alive':
        return message('keep_alive', undefined, undefined, undefined);
      case 'state': {
        const type = MESSAGE_NAMES[m.id]!;
        if (m.id === 0 || m.id === 1) stats.setChoking(m.id === 0, ctx.frame, ctx.ts);
        if (m.id === 2 || m.id === 3) stats.setInterested(m.id === 2, ctx.frame, ctx.ts);
        if (m.id === 14 || m.id === 15) stats.setHaveAll(m.id === 14, ctx.ts);
        return message(type, undefined, undefined, undefined);
      }
      case 'index':
        if (m.id === 4) stats.addHave(m.piece_index, ctx.ts);
        return message(MESSAGE_NAMES[m.id]!, m.piece_index, undefined, undefined);
      case 'bitfield': {
        stats.bitfield(m.bits, ctx.ts);
        let set = 0;
        for (const b of m.bits) for (let x = b; x; x &= x - 1) set++;
        const f = message('bitfield', undefined, undefined, undefined);
        f.bitfield_length = m.bits.length;
        f.pieces_set = set;
        return f;
      }
      case 'block': {
        if (m.id === 6) stats.request(m.piece_index, m.length, ctx.ts);
        if (m.id === 8) stats.cancels++;
        if (m.id === 16) stats.rejects++;
        return message(MESSAGE_NAMES[m.id]!, m.piece_index, m.begin, m.length);
      }
      case 'piece':
        stats.block(m.piece_index, m.length, ctx.ts);
        // A block at offset > 0 bounds the piece length from below; the largest seen is a good estimate.
        if (m.begin + m.length > (this.pieceLength ?? 0)) this.pieceLength = m.begin + m.length;
        return message('piece', m.piece_index, m.begin, m.length);
      case 'port': {
        const f = message('port', undefined, undefined, undefined);
        f.port = m.port;
        return f;
      }
      case 'extended':
        return this.extended(dir, m.ext_id, m.payload);
      case 'unknown':
        // tshark shows the number of an unknown type; we do the same.
        const f = message(String(m.id), undefined, undefined, m.length);
        f.unknown = true;
        return f;
    }
  }

  private extended(dir: Direction, extId: number, payload: Uint8Array): BittorrentMessageFields {
    const sender = this.sides[dir];
    const receiver = this.sides[dir === 'c2s' ? 's2c' : 'c2s'];
    const r = decodeExtended(extId, payload, receiver.receives, this.ctx.limits.max_bencode_depth);
    if (r.problem) this.ctx.anomaly(r.problem.code, dir, `extended message ${r.name}: ${r.problem.reason}`);
    if (r.m) {
      sender.receives.clear();
      for (const [name, id] of r.m) if (id > 0) sender.receives.set(id, name);
      sender.stats.clientVersion = typeof r.fields.v === 'string' ? r.fields.v : null;
      sender.stats.metadataSize = typeof r.fields.metadata_size === 'number' ? r.fields.metadata_size : null;
    }
    if (r.added) sender.stats.pex(r.added);
    const f = message('extended', undefined, undefined, undefined);
    const x = r.fields;
    f.ext_id = extId;
    f.ext_name = r.name;
    f.m = x.m;
    f.v = x.v;
    f.p = x.p;
    f.metadata_size = x.metadata_size;
    f.reqq = x.reqq;
    f.yourip = x.yourip;
    f.upload_only = x.upload_only;
    f.metadata_msg_type = x.metadata_msg_type;
    f.piece = x.piece;
    f.total_size = x.total_size;
    f.data_length = x.data_length;
    f.added = x.added;
    f.dropped = x.dropped;
    f.added_count = x.added_count;
    f.dropped_count = x.dropped_count;
    f.payload_length = x.payload_length;
    f.payload = x.payload;
    return f;
  }
}

/**
 * The fields of one `bittorrent.message`, every key of its declaration (BT_MESSAGE in
 * events.ts) in one object literal, in order: every message has the same shape, and the
 * kinds that carry more set those keys after. Undefined keys are not written.
 */
function message(msg_type: string, piece_index: number | undefined, begin: number | undefined, length: number | undefined): BittorrentMessageFields {
  return {
    msg_type,
    piece_index,
    begin,
    unknown: undefined,
    length,
    bitfield_length: undefined,
    pieces_set: undefined,
    port: undefined,
    ext_id: undefined,
    ext_name: undefined,
    m: undefined,
    v: undefined,
    p: undefined,
    metadata_size: undefined,
    reqq: undefined,
    yourip: undefined,
    upload_only: undefined,
    metadata_msg_type: undefined,
    piece: undefined,
    total_size: undefined,
    data_length: undefined,
    added: undefined,
    dropped: undefined,
    added_count: undefined,
    dropped_count: undefined,
    payload_length: undefined,
    payload: undefined,
  };
}
