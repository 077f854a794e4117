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
import type { JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';
import { SideStats } from './connection.js';
import { BT_EVENTS } from './events.js';
import { decodeExtended } from './extended.js';
import { looksEncrypted } from './mse.js';
import { peerClient, peerIdText } from './peer-id.js';
import { MESSAGE_NAMES, parseHandshake, parseMessage, reservedExtensions, type Handshake, type PeerMessage } from './peer-wire.js';

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
}

export class PeerWireDissector implements StreamDissector {
  private readonly sides: Record<Direction, Side>;
  private encrypted = false;
  private encryptedAnnounced = false;
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
    });
    this.sides = { c2s: side('c2s'), s2c: side('s2c') };
  }

  data(dir: Direction, bytes: Uint8Array): void {
    const s = this.sides[dir];
    s.bytes += bytes.length;
    this.first ??= this.ctx.ts;
    this.last = this.ctx.ts;
    if (s.phase === 'messages') return s.framer.push(bytes);
    if (s.phase !== 'handshake') return;
    const view = s.pending.append(bytes);
    const r = parseHandshake(view);
    if (r.kind === 'more') return s.pending.keep(view, 0);
    if (r.kind === 'error') {
      s.pending.clear();
      // Both directions of an MSE connection start with a DH public key instead.
      if (this.encrypted || looksEncrypted(view)) return this.markEncrypted(dir, view.length);
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
  }

  close(): void {
    const { c2s, s2c } = this.sides;
    if (!c2s.handshake && !s2c.handshake && !this.encrypted) return;
    const info = c2s.handshake?.info_hash ?? s2c.handshake?.info_hash ?? null;
    const peer = (side: Side, addr: string, port: number): Record<string, JsonValue | undefined> => ({
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
      encrypted: this.encrypted,
      piece_length: this.pieceLength,
      start: this.first,
      duration: this.first && this.last ? Math.round(this.last.since(this.first) * 1e6) / 1e6 : 0,
      c2s: peer(c2s, flow.client.addr, flow.client.port),
      s2c: peer(s2c, flow.server.addr, flow.server.port),
    });
  }

  private markEncrypted(dir: Direction, length: number): void {
    this.encrypted = true;
    this.sides[dir].phase = 'encrypted';
    this.sides[dir === 'c2s' ? 's2c' : 'c2s'].phase = 'encrypted';
    if (this.encryptedAnnounced) return;
    this.encryptedAnnounced = true;
    this.ctx.emit(BT_EVENTS.encrypted, dir, { method: 'MSE/PE', first_bytes: length });
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
    this.ctx.emit(BT_EVENTS.message, dir, fields);
  }

  /** Event fields for one message, and its effect on the sender's statistics. */
  private describe(dir: Direction, m: PeerMessage): Record<string, JsonValue | undefined> {
    const { ctx } = this;
    const stats = this.sides[dir].stats;
    switch (m.kind) {
      case 'keep_alive':
        return { msg_type: 'keep_alive' };
      case 'state': {
        const type = MESSAGE_NAMES[m.id]!;
        if (m.id === 0 || m.id === 1) stats.setChoking(m.id === 0, ctx.frame, ctx.ts);
        if (m.id === 2 || m.id === 3) stats.setInterested(m.id === 2, ctx.frame, ctx.ts);
        if (m.id === 14 || m.id === 15) stats.setHaveAll(m.id === 14, ctx.ts);
        return { msg_type: type };
      }
      case 'index':
        if (m.id === 4) stats.addHave(m.piece_index, ctx.ts);
        return { msg_type: MESSAGE_NAMES[m.id]!, piece_index: m.piece_index };
      case 'bitfield': {
        stats.bitfield(m.bits, ctx.ts);
        let set = 0;
        for (const b of m.bits) for (let x = b; x; x &= x - 1) set++;
        return { msg_type: 'bitfield', bitfield_length: m.bits.length, pieces_set: set };
      }
      case 'block': {
        if (m.id === 6) stats.request(m.piece_index, m.length, ctx.ts);
        if (m.id === 8) stats.cancels++;
        if (m.id === 16) stats.rejects++;
        return { msg_type: MESSAGE_NAMES[m.id]!, piece_index: m.piece_index, begin: m.begin, length: m.length };
      }
      case 'piece':
        stats.block(m.piece_index, m.length, ctx.ts);
        // A block at offset > 0 bounds the piece length from below; the largest seen is a good estimate.
        if (m.begin + m.length > (this.pieceLength ?? 0)) this.pieceLength = m.begin + m.length;
        return { msg_type: 'piece', piece_index: m.piece_index, begin: m.begin, length: m.length };
      case 'port':
        return { msg_type: 'port', port: m.port };
      case 'extended':
        return this.extended(dir, m.ext_id, m.payload);
      case 'unknown':
        // tshark shows the number of an unknown type; we do the same.
        return { msg_type: String(m.id), unknown: true, length: m.length };
    }
  }

  private extended(dir: Direction, extId: number, payload: Uint8Array): Record<string, JsonValue | undefined> {
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
    return { msg_type: 'extended', ext_id: extId, ext_name: r.name, ...r.fields };
  }
}
