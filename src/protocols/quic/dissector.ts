/**
 * One QUIC connection over one UDP flow (RFC 9000, 9001, 9369).
 *
 * Without keys: every long header is read; Initial packets are opened with the keys of
 * RFC 9001 §5.2 (from the client's first Destination Connection ID, again after a Retry),
 * their CRYPTO frames are reassembled and the TLS handshake inside goes to the TLS
 * dissector (`TlsDissector` in its QUIC embedding): the same `tls.client_hello` and
 * `tls.server_hello` events as over TCP. Handshake and 1-RTT packets are counted.
 *
 * With keys (`--keylog`, pcapng secrets blocks): the TLS 1.3 traffic secrets of the
 * session (found by the ClientHello random) open Handshake and 1-RTT packets, key phase
 * changes move to the next generation of keys, STREAM data is reassembled per stream, and
 * an HTTP/3 connection (ALPN h3) gets the streams (`../http3/`).
 */
import type { DissectorContext, DatagramDissector, FlowInfo } from '../../dissect/contract.js';
import { decodeText, hex, hostPort } from '../../dissect/text.js';
import type { Direction } from '../../events/event.js';
import type { SecretLabel } from '../../dissect/secrets.js';
import { TlsDissector, type TlsEmbedding } from '../tls/dissector.js';
import type { CipherSuiteInfo } from '../tls/crypto/suites.js';
import { HASH_LENGTH, type HashName } from '../tls/crypto/hkdf.js';
import { Http3Connection } from '../http3/connection.js';
import { http3ErrorName } from '../http3/parser.js';
import type { QuicCloseFacts, QuicConnectionFields, QuicFrameFields, QuicPacketFields, QuicPacketType, QuicPathFacts } from './events.js';
import { HANDSHAKE_FRAMES, parseFrames, transportErrorName, type Frame } from './frames.js';
import { longHeaderVersion, parseHeader, type PacketHeader } from './header.js';
import {
  decodePacketNumber,
  initialKeys,
  keysFromSecret,
  nextKeyPhase,
  openPayload,
  quicSuite,
  removeHeaderProtection,
  type PacketKeys,
} from './protection.js';
import { PATH_TABLE_KEY, QuicPathTable, type PathOwner } from './paths.js';
import { OffsetReassembler, type PushOutcome } from './reassembler.js';
import { RetiredStreams } from './retired.js';
import { canCheckRetry, retryIntegrityOk } from './retry.js';
import { isKnownVersion, versionInfo, versionName, type VersionInfo } from './versions.js';

/** Zeek's QUIC::max_history_length. */
export const MAX_HISTORY = 100;
/** Connection IDs listed per direction in the connection record. */
export const MAX_LISTED_CIDS = 16;
/** Frame names listed per packet event (a packet of many PINGs or ACKs lists the first ones). */
export const MAX_LISTED_FRAMES = 64;
/** The TLS 1.3 suites QUIC may use (RFC 9001 §5.3), in the order they are tried for 0-RTT. */
const EARLY_SUITES = [0x1301, 0x1303, 0x1302];
/** Connection ID length from which a repeated ID marks the next segment of a GSO batch. */
const MIN_GSO_CID = 4;

type Level = 'initial' | 'handshake' | 'application';
const LEVELS: readonly Level[] = ['initial', 'handshake', 'application'];

const other = (dir: Direction): Direction => (dir === 'c2s' ? 's2c' : 'c2s');

/** Frames that are events of their own (the rest are listed in their packet). */
const FRAME_EVENTS: ReadonlySet<Frame['type']> = new Set([
  'CONNECTION_CLOSE',
  'RESET_STREAM',
  'STOP_SENDING',
  'NEW_CONNECTION_ID',
  'RETIRE_CONNECTION_ID',
  'NEW_TOKEN',
  'HANDSHAKE_DONE',
  'PATH_CHALLENGE',
  'PATH_RESPONSE',
  'DATAGRAM',
]);

/**
 * Keys of one direction of 1-RTT: generation 0 from the key log, each later one by a key
 * update (RFC 9001 §6). Only the generations next to the current one are kept: a packet
 * reordered across two updates cannot be opened anyway (its keys are discarded by then).
 */
class AppKeys {
  /** Header protection never changes with the key phase. */
  readonly hp: PacketKeys;
  private readonly gens = new Map<number, PacketKeys>();
  /** Generation in use; its parity is the key phase bit. */
  current = 0;
  updates = 0;

  constructor(first: PacketKeys) {
    this.hp = first;
    this.gens.set(0, first);
  }

  generation(n: number): PacketKeys | null {
    if (n < 0) return null;
    let k = this.gens.get(n);
    if (k !== undefined) return k;
    const prev = this.gens.get(n - 1);
    if (prev === undefined) return null;
    k = nextKeyPhase(prev);
    this.gens.set(n, k);
    for (const g of this.gens.keys()) if (g < n - 2) this.gens.delete(g);
    return k;
  }
}

class Side {
  packets = 0;
  longPackets = 0;
  shortPackets = 0;
  bytes = 0;
  datagrams = 0;
  readonly dcids: string[] = [];
  /** Largest packet number seen per space. */
  readonly largest: Record<Level, number> = { initial: -1, handshake: -1, application: -1 };
  /**
   * CRYPTO reassembly per level, made on the level's first CRYPTO frame: without keys only
   * Initial ever carries one readable, and the four unused ones (with their callbacks) were
   * ~1 KB of every QUIC connection held through its idle time-out (issue 18).
   */
  private readonly crypto: Partial<Record<Level, OffsetReassembler>> = {};
  /** Decryption failures already reported per level (one anomaly each, the rest counted). */
  readonly failReported: Record<Level, boolean> = { initial: false, handshake: false, application: false };
  handshakeKeys: PacketKeys | null = null;
  appKeys: AppKeys | null = null;

  constructor(
    private readonly dissector: QuicDissector,
    readonly dir: Direction,
    private readonly ctx: DissectorContext,
  ) {}

  cryptoAt(level: Level): OffsetReassembler {
    const made = this.crypto[level];
    if (made !== undefined) return made;
    const { dissector, dir, ctx } = this;
    return (this.crypto[level] = new OffsetReassembler(
      {
        data: (bytes) => dissector.cryptoData(dir, bytes),
        gap: (length) => dissector.cryptoGap(dir, level, length),
      },
      ctx.limits.max_tls_handshake,
      ctx.limits.max_quic_stream_offset,
    ));
  }

  /** Gives up the holes of every level's CRYPTO stream (the connection closes), in level order. */
  flushCrypto(): void {
    for (const level of LEVELS) this.crypto[level]?.flush();
  }
}

interface StreamState {
  readonly id: number;
  readonly c2s: OffsetReassembler | null;
  readonly s2c: OffsetReassembler | null;
  /** Directions whose data ended (FIN reached or RESET_STREAM). */
  readonly ended: Record<Direction, boolean>;
}

export class QuicDissector implements DatagramDissector, TlsEmbedding, PathOwner {
  readonly transport = 'q' as const;
  private readonly sides: Record<Direction, Side>;
  private readonly tls: TlsDissector;
  private version: VersionInfo | null = null;
  /** The Destination Connection ID Initial keys derive from (the client's first, or a Retry's SCID). */
  private initialDcid: Uint8Array | null = null;
  private clientInitialDcid: Uint8Array | null = null;
  private initial: { c2s: PacketKeys; s2c: PacketKeys } | null = null;
  private clientScid: Uint8Array | null = null;
  private serverScid: Uint8Array | null = null;
  /** Connection IDs each endpoint announced for the other to use (NEW_CONNECTION_ID), by the direction that uses them. */
  private readonly cidLengths: Partial<Record<Direction, Set<number>>> = {};
  private clientRandom: Uint8Array | null = null;
  private suite: CipherSuiteInfo | null = null;
  private serverName: string | null = null;
  private clientProtocol: string | null = null;
  private serverProtocol: string | null = null;
  private history = '';
  private lastLetter = '';
  private retry = false;
  private versionNegotiation = false;
  private readonly offered: string[] = [];
  private decryptedPackets = 0;
  private undecryptedPackets = 0;
  private keyedDecrypts = 0;
  private noKeyReported = false;
  private handshakeDone = false;
  private closeFacts: QuicCloseFacts | null = null;
  /**
   * Open streams (finished ones are retired: their state freed, their IDs remembered), both
   * made on the first STREAM frame: without keys none is read, and the empty map and table
   * were ~0.4 KB of every connection held through its idle time-out (issue 18).
   */
  private streams: Map<number, StreamState> | null = null;
  private retired: RetiredStreams | null = null;
  private streamCount = 0;
  private streamLimitReported = false;
  private streamBytes = 0;
  private h3: Http3Connection | null = null;
  private closed = false;
  /** 0-RTT keys for each suite the early secret may belong to; one once a packet opened. */
  private earlySuites: PacketKeys[] | null = null;
  /** Captured datagrams that held several (a segmentation offload batch), split by `segmentEnd`. */
  private gsoDatagrams = 0;
  /** The run's connection-ID table (paths.ts), the IDs this connection entered there, and whether one was refused. */
  private readonly pathTable: QuicPathTable;
  private readonly pathCids: string[] = [];
  private pathLimitReported = false;
  /** This flow is a new path of a connection that lives in another flow: its datagrams go there. */
  private migratedTo: { owner: PathOwner; flip: boolean; flow: number } | null = null;
  private serverAt: string | null = null;
  private firstDatagram = true;
  /** Other flows this connection moved to, in order of first use. */
  private readonly paths: QuicPathFacts[] = [];
  /** The flow of the path whose datagram is being read; null for this flow. */
  private onPath: number | null = null;

  constructor(private readonly ctx: DissectorContext) {
    this.sides = { c2s: new Side(this, 'c2s', ctx), s2c: new Side(this, 's2c', ctx) };
    this.tls = new TlsDissector(ctx, this);
    this.pathTable = ctx.shared(PATH_TABLE_KEY, () => new QuicPathTable(ctx.limits.max_quic_path_cids));
    ctx.setService('quic');
  }

  // ---- paths (connection migration, paths.ts) ------------------------------------------------

  get accepting(): boolean {
    return !this.closed;
  }

  get flowId(): number {
    return this.ctx.flow.id;
  }

  get clientEndpoint(): string {
    const c = this.ctx.flow.client;
    return hostPort(c.addr, c.port);
  }

  /** Taken once: the IDs entered under it must be found (and removed) under it. */
  get serverEndpoint(): string {
    const s = this.ctx.flow.server;
    return (this.serverAt ??= hostPort(s.addr, s.port));
  }

  /**
   * A datagram of another flow whose Destination Connection ID is one of this connection's:
   * read as this connection's own, its events carrying this flow's id and `path_flow`.
   */
  pathDatagram(path: FlowInfo, dir: Direction, b: Uint8Array, reversed = false): void {
    if (!this.paths.some((p) => p.flow === path.id) && this.paths.length < MAX_LISTED_CIDS) {
      const [client, server] = reversed ? [path.server, path.client] : [path.client, path.server];
      this.paths.push({ flow: path.id, first_frame: this.ctx.frame, client_h: client.addr, client_p: client.port, server_h: server.addr, server_p: server.port });
    }
    this.onPath = path.id;
    try {
      this.datagram(dir, b);
    } finally {
      this.onPath = null;
    }
  }

  /** Enters a connection ID in use (`dir`: the direction that sends it as destination) in the run's table. */
  private enterCid(cid: Uint8Array, dir: Direction): void {
    const r = this.pathTable.add(cid, this, dir);
    if (r === 'added') this.pathCids.push(hex(cid));
    else if (r === 'full' && !this.pathLimitReported) {
      this.pathLimitReported = true;
      this.ctx.anomaly('quic.path_limit', null, `max_quic_path_cids (${this.pathTable.max}) connection IDs held for the run: ${hex(cid)} not entered; a path that uses it is not tied to this connection`);
    }
  }

  // ---- TlsEmbedding ----------------------------------------------------------------------

  clientHello(random: Uint8Array, alpn: readonly string[], serverName: string | null): void {
    this.clientRandom ??= random;
    this.clientProtocol ??= alpn[0] ?? null;
    this.serverName ??= serverName;
    this.letter('c2s', 'S');
  }

  serverHello(cipherSuite: number, _version: number): void {
    this.suite = quicSuite(cipherSuite);
    this.letter('s2c', 'S');
  }

  alpn(protocol: string): void {
    this.serverProtocol = protocol;
  }

  // ---- datagrams ---------------------------------------------------------------------------

  datagram(dir: Direction, b: Uint8Array): void {
    if (this.firstDatagram) {
      this.firstDatagram = false;
      // A flow that begins with a short header of a connection known by its ID is a path that
      // connection moved to (RFC 9000 §9): hand it over.
      const e = this.pathTable.findShort(b, this.ctx.flow);
      if (e !== null && e.owner !== this) {
        this.migratedTo = { owner: e.owner, flip: e.dir !== dir, flow: e.owner.flowId };
        // Named by the connection's first client address, not its flow id: with --workers a
        // summary is written before the merge gives flows their final ids.
        this.ctx.setSummary(`QUIC path of the connection from ${e.owner.clientEndpoint} (migrated)`);
      }
    }
    const m = this.migratedTo;
    if (m !== null) {
      if (m.owner.accepting) {
        m.owner.pathDatagram(this.ctx.flow, m.flip ? other(dir) : dir, b, m.flip);
        return;
      }
      // The connection was reported (its flow ended) while this path goes on: read here.
      this.migratedTo = null;
    }
    const side = this.sides[dir];
    side.datagrams++;
    let at = 0;
    let split = false;
    for (let index = 0; at < b.length; index++) {
      // Some stacks pad a datagram with zero bytes after its last packet. A short header with
      // its fixed bit clear is not padding: peers that both send the grease_quic_bit transport
      // parameter (RFC 9287, ngtcp2 does) clear it at random, so only all-zero rest is skipped.
      if (b[at] === 0 && !b.subarray(at).some((x) => x !== 0)) return;
      const r = parseHeader(b, at, this.shortDcidLength(dir, b, at));
      if (!r.ok) {
        this.ctx.anomaly('quic.bad_packet', dir, `${r.reason}; ${b.length - at} bytes of the datagram skipped`);
        return;
      }
      let h = r.header;
      if (h.kind === '1rtt' && h.end === b.length) {
        const end = this.segmentEnd(b, h);
        if (end !== null) {
          h = { ...h, end };
          if (!split) this.gsoDatagrams++;
          split = true;
        }
      }
      this.packet(dir, b, h, index);
      at = h.end;
    }
  }

  /**
   * Where a short header packet ends when the captured datagram is really several (UDP
   * segmentation offload: a capture on the sending host sees the batch before the kernel cuts
   * it into datagrams of the segment size; ngtcp2 and quiche send so, Chromium too). A short
   * header packet runs to the end of its datagram, so the next segment is found by the
   * connection ID it repeats: a short header (or a long header of the same version) whose
   * Destination Connection ID equals this packet's. Only for IDs of 4 bytes or more, where a
   * chance match inside ciphertext is below 2^-32 per position; null when there is none.
   */
  private segmentEnd(b: Uint8Array, h: PacketHeader & { kind: '1rtt' }): number | null {
    const n = h.dcid.length;
    if (n < MIN_GSO_CID) return null;
    const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
    const version = this.version?.code ?? null;
    // The packet holds at least a packet number and a tag: the next one starts after that.
    let from = h.pn_offset + 1 + 16;
    for (;;) {
      const q = buf.indexOf(h.dcid, from);
      if (q < 0) return null;
      const short = q - 1;
      // The fixed bit is no help: ngtcp2 greases it (RFC 9287).
      if (short > h.start && (b[short]! & 0x80) === 0) return short;
      const long = q - 6;
      if (long > h.start && (b[long]! & 0x80) !== 0 && b[long + 5] === n && version !== null && longHeaderVersion(b, long) === version) return long;
      from = q + 1;
    }
  }

  /** The DCID length of a short header packet: a known CID that matches, else the peer's SCID length. */
  private shortDcidLength(dir: Direction, b: Uint8Array, at: number): number {
    const chosen = dir === 'c2s' ? this.serverScid : this.clientScid;
    const lengths = this.cidLengths[dir];
    if (lengths === undefined || (chosen !== null && lengths.size === 1 && lengths.has(chosen.length))) return chosen?.length ?? 0;
    for (const n of lengths) if (b.length >= at + 1 + n && this.knownCid(dir, b.subarray(at + 1, at + 1 + n))) return n;
    return chosen?.length ?? 0;
  }

  /**
   * Announced IDs by the direction that uses them, made on the first NEW_CONNECTION_ID (this
   * and `cidLengths`): without keys none is ever read, and four empty sets were ~0.7 KB of
   * every connection held through its idle time-out (issue 18).
   */
  private readonly knownCids: Partial<Record<Direction, Set<string>>> = {};

  private knownCid(dir: Direction, cid: Uint8Array): boolean {
    return this.knownCids[dir]?.has(hex(cid)) === true;
  }

  private letter(dir: Direction, upper: string): void {
    const l = dir === 'c2s' ? upper : upper.toLowerCase();
    if (l === this.lastLetter || this.history.length >= MAX_HISTORY) return;
    this.lastLetter = l;
    this.history += l;
  }

  /** `dcid` is the hex text the packet's event writes too (made once per packet). */
  private noteDcid(side: Side, dcid: string): void {
    if (side.dcids.length >= MAX_LISTED_CIDS) return;
    if (!side.dcids.includes(dcid)) side.dcids.push(dcid);
  }

  private packet(dir: Direction, b: Uint8Array, h: PacketHeader, index: number): void {
    const side = this.sides[dir];
    side.packets++;
    side.bytes += h.end - h.start;
    if (h.kind === '1rtt') side.shortPackets++;
    else side.longPackets++;
    // The connection IDs as text are read by events only (`quic.packet`, the connection's ID
    // lists): a summary-only run (`flows`) makes no two strings per packet for them.
    const events = this.ctx.summaryOnly !== true;
    const dcid = events ? hex(h.dcid) : '';
    if (events) this.noteDcid(side, dcid);
    const base: QuicPacketFields = {
      packet_type: h.kind,
      version: h.kind === '1rtt' ? null : versionName(h.kind === 'version_negotiation' ? 0 : h.version),
      version_code: h.kind === '1rtt' ? null : h.kind === 'version_negotiation' ? 0 : h.version,
      dcid,
      scid: h.kind === '1rtt' || !events ? null : hex(h.scid),
      length: h.end - h.start,
      packet_number: null,
      key_phase: null,
      decrypted: false,
      frames: [],
      coalesced_index: index,
      token_length: h.kind === 'initial' || h.kind === 'retry' ? h.token.length : null,
      supported_versions: null,
    };
    if (this.onPath !== null) base.path_flow = this.onPath;
    switch (h.kind) {
      case 'version_negotiation':
        this.versionNegotiation = true;
        base.supported_versions = h.versions.map(versionName);
        for (const v of base.supported_versions) if (this.offered.length < MAX_LISTED_CIDS && !this.offered.includes(v)) this.offered.push(v);
        this.ctx.emit('quic.packet', dir, base);
        return;
      case 'retry': {
        this.retry = true;
        this.letter(dir, 'R');
        this.version ??= versionInfo(h.version);
        const v = versionInfo(h.version);
        if (this.clientInitialDcid !== null && canCheckRetry(v) && !retryIntegrityOk(v, this.clientInitialDcid, b.subarray(h.start, h.end))) {
          // A client drops such a Retry (RFC 9000 §17.2.5.2): its Initial keys stay as they were.
          this.ctx.anomaly('quic.bad_retry', dir, `Retry integrity tag does not verify for the client's original connection ID ${hex(this.clientInitialDcid)} (RFC 9001 §5.8); ignored`);
          this.ctx.emit('quic.packet', dir, base);
          return;
        }
        // RFC 9001 §5.2: the client's next Initial goes to the Retry's SCID, and both sides'
        // Initial keys derive from it.
        this.setInitialDcid(h.scid);
        this.ctx.emit('quic.packet', dir, base);
        return;
      }
    }
    if (h.kind !== '1rtt') {
      if (this.version === null) this.version = versionInfo(h.version);
      if (!isKnownVersion(h.version)) {
        this.letter(dir, 'U');
        this.undecryptedPackets++;
        this.ctx.emit('quic.packet', dir, base);
        return;
      }
      if (h.kind === 'initial') this.letter(dir, 'I');
      else if (h.kind === 'handshake') this.letter(dir, 'H');
      else this.letter(dir, 'Z');
      if (dir === 'c2s') {
        if (this.clientScid === null) {
          this.clientScid = h.scid.slice();
          this.enterCid(this.clientScid, 's2c');
        }
        if (h.kind === 'initial' && this.clientInitialDcid === null) {
          this.clientInitialDcid = h.dcid.slice();
          this.setInitialDcid(this.clientInitialDcid);
        }
      } else {
        if (this.serverScid === null) {
          this.serverScid = h.scid.slice();
          this.enterCid(this.serverScid, 'c2s');
        }
        if (h.kind === 'initial' && h.token.length > 0) this.ctx.anomaly('quic.protocol_violation', dir, 'a server Initial packet carries a token (RFC 9000 §17.2.2)');
      }
    }
    const level: Level = h.kind === 'initial' ? 'initial' : h.kind === 'handshake' ? 'handshake' : 'application';
    const opened = this.open(dir, b, h, level);
    if (opened === null) {
      this.undecryptedPackets++;
      this.ctx.emit('quic.packet', dir, base);
      return;
    }
    this.decryptedPackets++;
    base.decrypted = true;
    base.packet_number = opened.pn;
    if (h.kind === '1rtt') base.key_phase = (opened.first >> 2) & 1;
    const reserved = h.kind === '1rtt' ? opened.first & 0x18 : opened.first & 0x0c;
    if (reserved !== 0) this.ctx.anomaly('quic.protocol_violation', dir, `reserved header bits set in packet ${opened.pn} (RFC 9000 §17.2)`);
    const list = parseFrames(opened.payload, this.ctx.limits.max_quic_frames);
    const frames = list.frames;
    for (let i = 0; i < frames.length && i < MAX_LISTED_FRAMES; i++) base.frames.push(frames[i]!.type);
    this.ctx.emit('quic.packet', dir, base);
    if (list.trimmed) this.ctx.anomaly('quic.frame_limit', dir, `packet ${opened.pn} holds more than max_quic_frames (${this.ctx.limits.max_quic_frames}) frames; the rest were not read`);
    if (list.error !== null) this.ctx.anomaly('quic.bad_frame', dir, `${h.kind} packet ${opened.pn}: ${list.error}`);
    if (opened.payload.length === 0) this.ctx.anomaly('quic.protocol_violation', dir, `${h.kind} packet ${opened.pn} has no frames`);
    for (let i = 0; i < frames.length; i++) this.frame(dir, level, h.kind, opened.pn, frames[i]!);
  }

  private setInitialDcid(dcid: Uint8Array): void {
    // Neither copy is ever written: the client's first DCID (the usual case, no Retry) is
    // shared rather than held twice for the connection's life (issue 18).
    this.initialDcid = dcid === this.clientInitialDcid ? dcid : dcid.slice();
    this.initial = this.version ? initialKeys(this.version, this.initialDcid) : null;
  }

  /** Header protection off, payload opened; null when no keys or the tag does not verify. */
  private open(dir: Direction, b: Uint8Array, h: PacketHeader, level: Level): { pn: number; first: number; payload: Uint8Array } | null {
    if (h.kind === 'retry' || h.kind === 'version_negotiation') return null;
    const side = this.sides[dir];
    if (level === 'initial') {
      let r = this.initial === null ? null : this.tryOpen(side, this.initial[dir], this.initial[dir], b, h, level);
      if (r === null && dir === 'c2s' && h.kind === 'initial' && this.version !== null && (this.initialDcid === null || hex(h.dcid) !== hex(this.initialDcid))) {
        // A new connection attempt on the same 5-tuple, or a Retry the capture missed.
        const keys = initialKeys(this.version, h.dcid);
        if (keys !== null) {
          r = this.tryOpen(side, keys.c2s, keys.c2s, b, h, level);
          if (r !== null) {
            this.initial = keys;
            this.initialDcid = h.dcid.slice();
          }
        }
      }
      if (r === null && this.initial !== null) this.failed(dir, level, 'Initial packet did not authenticate with the keys of its connection ID');
      return r;
    }
    if (level === 'handshake') {
      const keys = (side.handshakeKeys ??= this.keysFor(dir, dir === 'c2s' ? 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' : 'SERVER_HANDSHAKE_TRAFFIC_SECRET'));
      if (keys === null) return null;
      const r = this.tryOpen(side, keys, keys, b, h, level);
      if (r === null) this.failed(dir, level, 'Handshake packet did not authenticate with the logged handshake secret');
      else this.keyedDecrypts++;
      return r;
    }
    if (h.kind === '0rtt') {
      const r = this.openEarly(side, b, h);
      if (r !== null) this.keyedDecrypts++;
      else if (this.earlySuites !== null) this.failed(dir, level, '0-RTT packet did not authenticate with the logged early traffic secret');
      return r;
    }
    if (side.appKeys === null) {
      const k = this.keysFor(dir, dir === 'c2s' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0');
      if (k === null) return null;
      side.appKeys = new AppKeys(k);
    }
    const app = side.appKeys;
    const u = removeHeaderProtection(app.hp, b, h.start, h.pn_offset, h.end);
    if (u === null) return null;
    const phase = (u.first >> 2) & 1;
    const pn = decodePacketNumber(side.largest.application, u.truncated_pn, u.pn_length * 8);
    const payloadStart = h.pn_offset + u.pn_length;
    const tryGen = (g: number): Uint8Array | null => {
      const k = app.generation(g);
      return k === null ? null : openPayload(k, u, pn, b, payloadStart, h.end);
    };
    let payload: Uint8Array | null;
    if (phase === (app.current & 1)) {
      payload = tryGen(app.current);
    } else {
      payload = tryGen(app.current + 1);
      if (payload !== null) {
        app.current++;
        app.updates++;
      } else {
        payload = tryGen(app.current - 1);
      }
    }
    if (payload === null) {
      this.failed(dir, level, `1-RTT packet (key phase ${phase}) did not authenticate with the logged traffic secret or its key updates`);
      return null;
    }
    this.keyedDecrypts++;
    if (pn > side.largest.application) side.largest.application = pn;
    return { pn, first: u.first, payload };
  }

  /**
   * 0-RTT packets come before the ServerHello names the suite: early data uses the suite of
   * the session being resumed, which only the client and server knew. Each suite QUIC allows
   * is tried with the early secret until one authenticates; that one is kept.
   */
  private openEarly(side: Side, b: Uint8Array, h: PacketHeader): { pn: number; first: number; payload: Uint8Array } | null {
    const store = this.ctx.secrets;
    if (store === null || this.clientRandom === null || this.version === null) return null;
    if (this.earlySuites === null) {
      const secret = store.get('CLIENT_EARLY_TRAFFIC_SECRET', this.clientRandom);
      if (secret === undefined) return null;
      const label = this.version.label;
      this.earlySuites = EARLY_SUITES.flatMap((code) => {
        const suite = quicSuite(code);
        // The secret's length is its suite's hash length: SHA-384 suites need 48 bytes.
        return suite !== null && HASH_LENGTH[suite.hash as HashName] === secret.length ? [keysFromSecret(suite, secret, label)] : [];
      });
    }
    for (const k of this.earlySuites) {
      const r = this.tryOpen(side, k, k, b, h, 'application');
      if (r !== null) {
        this.earlySuites = [k];
        return r;
      }
    }
    return null;
  }

  private tryOpen(side: Side, hp: PacketKeys, keys: PacketKeys, b: Uint8Array, h: PacketHeader, level: Level): { pn: number; first: number; payload: Uint8Array } | null {
    if (h.kind === 'retry' || h.kind === 'version_negotiation') return null;
    const u = removeHeaderProtection(hp, b, h.start, h.pn_offset, h.end);
    if (u === null) return null;
    const pn = decodePacketNumber(side.largest[level], u.truncated_pn, u.pn_length * 8);
    const payload = openPayload(keys, u, pn, b, h.pn_offset + u.pn_length, h.end);
    if (payload === null) return null;
    if (pn > side.largest[level]) side.largest[level] = pn;
    return { pn, first: u.first, payload };
  }

  private failed(dir: Direction, level: Level, detail: string): void {
    const side = this.sides[dir];
    if (side.failReported[level]) return;
    side.failReported[level] = true;
    this.ctx.anomaly('quic.decrypt_failed', dir, `${detail}; later ${level} failures in ${dir} are counted, not reported`);
  }

  /** Packet keys from the key log for this connection, or null (and `quic.no_key` once when a key log was given). */
  private keysFor(dir: Direction, label: SecretLabel): PacketKeys | null {
    const store = this.ctx.secrets;
    if (store === null || store.size === 0 || this.clientRandom === null || this.suite === null || this.version === null) return null;
    const secret = store.get(label, this.clientRandom);
    if (secret === undefined) {
      if (!this.noKeyReported) {
        this.noKeyReported = true;
        this.ctx.anomaly('quic.no_key', dir, `no ${label} for client random ${hex(this.clientRandom)}; the connection's protected packets are counted, not read`);
      }
      return null;
    }
    return keysFromSecret(this.suite, secret, this.version.label);
  }

  // ---- frames ------------------------------------------------------------------------------

  private frame(dir: Direction, level: Level, packetType: QuicPacketType, pn: number, f: Frame): void {
    if (level !== 'application' && !HANDSHAKE_FRAMES.has(f.type)) {
      this.ctx.anomaly('quic.protocol_violation', dir, `${f.type} frame in a ${packetType} packet (RFC 9000 §12.4)`);
      return;
    }
    switch (f.type) {
      case 'CRYPTO': {
        const outcome = this.sides[dir].cryptoAt(level).push(f.offset, f.data);
        this.pushOutcome(dir, `CRYPTO (${level})`, outcome);
        break;
      }
      case 'STREAM':
        this.streamFrame(dir, f.stream_id, f.offset, f.data, f.fin);
        break;
      case 'RESET_STREAM':
        this.streamReset(dir, f.stream_id, f.final_size);
        break;
      case 'HANDSHAKE_DONE':
        this.handshakeDone = true;
        this.tls.handshakeDone();
        break;
      case 'NEW_CONNECTION_ID':
        // Announced by one endpoint for the other to use as its destination.
        const known = (this.knownCids[other(dir)] ??= new Set());
        if (known.size < MAX_LISTED_CIDS * 4) {
          known.add(hex(f.cid));
          (this.cidLengths[other(dir)] ??= new Set()).add(f.cid.length);
          this.enterCid(f.cid, other(dir));
        }
        break;
      case 'CONNECTION_CLOSE':
        this.letter(dir, 'C');
        this.closeFacts ??= {
          sender: dir === 'c2s' ? 'client' : 'server',
          application: f.application,
          error_code: f.error_code,
          error_name: this.errorName(f.application, f.error_code),
          reason: decodeText(f.reason),
          frame: this.ctx.frame,
        };
        break;
    }
    if (FRAME_EVENTS.has(f.type)) this.ctx.emit('quic.frame', dir, this.frameFields(packetType, pn, f));
  }

  private errorName(application: boolean, code: number): string {
    if (!application) return transportErrorName(code);
    return this.isH3() ? http3ErrorName(code) : `0x${code.toString(16)}`;
  }

  private frameFields(packetType: QuicPacketType, pn: number, f: Frame): QuicFrameFields {
    const fields: QuicFrameFields = { frame_type: f.type, packet_type: packetType, packet_number: pn };
    switch (f.type) {
      case 'CONNECTION_CLOSE':
        fields.error_code = f.error_code;
        fields.error_name = this.errorName(f.application, f.error_code);
        fields.application = f.application;
        fields.caused_by_frame = f.frame_type;
        fields.reason = decodeText(f.reason);
        break;
      case 'RESET_STREAM':
      case 'STOP_SENDING':
        // The two ways to abort one direction of a stream carry the same application error.
        fields.stream_id = f.stream_id;
        fields.error_code = f.error_code;
        fields.error_name = this.errorName(true, f.error_code);
        if (f.type === 'RESET_STREAM') fields.final_size = f.final_size;
        break;
      case 'NEW_CONNECTION_ID':
        fields.sequence = f.sequence;
        fields.retire_prior_to = f.retire_prior_to;
        fields.connection_id = hex(f.cid);
        break;
      case 'RETIRE_CONNECTION_ID':
        fields.sequence = f.sequence;
        break;
      case 'NEW_TOKEN':
        fields.length = f.token.length;
        break;
      case 'PATH_CHALLENGE':
      case 'PATH_RESPONSE':
        fields.data = hex(f.data);
        break;
      case 'DATAGRAM':
        fields.length = f.data.length;
        break;
    }
    return fields;
  }

  private pushOutcome(dir: Direction, what: string, outcome: PushOutcome): void {
    const limits = this.ctx.limits;
    switch (outcome) {
      case 'offset_limit':
        this.ctx.anomaly('quic.stream_offset', dir, `${what} data reaching past max_quic_stream_offset (${limits.max_quic_stream_offset}); dropped`);
        return;
      case 'too_far':
        this.ctx.anomaly('quic.stream_offset', dir, `${what} data starting more than max_quic_stream_buffer (${limits.max_quic_stream_buffer}) bytes ahead of the delivered point; dropped`);
        return;
      case 'after_fin':
        this.ctx.anomaly('quic.stream_offset', dir, `${what} data past the stream's final size; dropped`);
        return;
      case 'held_limit':
        this.ctx.anomaly('quic.reassembly_limit', dir, `${what}: more than the bound of out-of-order bytes waited behind a hole; the hole was given up`);
        return;
    }
  }

  /** In-order CRYPTO bytes of one direction (levels follow each other in the handshake). */
  cryptoData(dir: Direction, bytes: Uint8Array): void {
    this.tls.handshakeBytes(dir, bytes);
  }

  cryptoGap(dir: Direction, level: Level, length: number): void {
    this.ctx.anomaly('quic.gap', dir, `${length} bytes of the ${level} CRYPTO stream were never seen`);
    this.tls.handshakeGap(dir);
  }

  // ---- streams -----------------------------------------------------------------------------

  private isH3(): boolean {
    const p = this.serverProtocol ?? this.clientProtocol;
    return p !== null && /^h3(-\d+)?$/.test(p);
  }

  private stream(id: number): StreamState | null {
    const streams = (this.streams ??= new Map());
    let s = streams.get(id);
    if (s !== undefined) return s;
    // A finished stream's data again is a retransmission: counted, not a new stream.
    if (this.retired?.has(id) === true) return null;
    if (streams.size >= this.ctx.limits.max_quic_streams) {
      if (!this.streamLimitReported) {
        this.streamLimitReported = true;
        this.ctx.anomaly('quic.stream_limit', null, `more than max_quic_streams (${this.ctx.limits.max_quic_streams}) streams open at once; stream ${id} and other new streams while so many are open are not reassembled`);
      }
      return null;
    }
    const clientInitiated = (id & 1) === 0;
    const uni = (id & 2) !== 0;
    const make = (dir: Direction): OffsetReassembler =>
      new OffsetReassembler(
        { data: (bytes) => this.streamBytesIn(id, dir, bytes), gap: (length) => this.streamGapIn(id, dir, length) },
        this.ctx.limits.max_quic_stream_buffer,
        this.ctx.limits.max_quic_stream_offset,
      );
    s = {
      id,
      c2s: !uni || clientInitiated ? make('c2s') : null,
      s2c: !uni || !clientInitiated ? make('s2c') : null,
      ended: { c2s: false, s2c: false },
    };
    streams.set(id, s);
    this.streamCount++;
    return s;
  }

  /** Frees a stream whose every direction ended. */
  private maybeRetire(s: StreamState): void {
    if ((s.c2s !== null && !s.ended.c2s) || (s.s2c !== null && !s.ended.s2c)) return;
    this.streams?.delete(s.id);
    (this.retired ??= new RetiredStreams()).add(s.id);
    this.h3?.streamRetired(s.id);
  }

  private streamFrame(dir: Direction, id: number, offset: number, data: Uint8Array, fin: boolean): void {
    this.streamBytes += data.length;
    const s = this.stream(id);
    if (s === null) return;
    const r = s[dir];
    if (r === null) {
      this.ctx.anomaly('quic.protocol_violation', dir, `STREAM frame for unidirectional stream ${id} from its receiving side`);
      return;
    }
    const wasFinished = r.finished;
    this.pushOutcome(dir, `stream ${id}`, r.push(offset, data, fin));
    if (!wasFinished && r.finished) {
      s.ended[dir] = true;
      this.h3Conn()?.streamEnd(id, dir, 'fin');
      this.maybeRetire(s);
    }
  }

  private streamReset(dir: Direction, id: number, finalSize: number): void {
    if (this.retired?.has(id) === true) return;
    const s = this.streams?.get(id);
    const r = s?.[dir] ?? null;
    if (r !== null && !r.finished) {
      r.flush();
      if (finalSize > r.delivered && finalSize - r.delivered <= this.ctx.limits.max_quic_stream_offset) this.streamGapIn(id, dir, finalSize - r.delivered);
    }
    this.h3Conn()?.streamEnd(id, dir, 'reset');
    if (s !== undefined) {
      s.ended[dir] = true;
      this.maybeRetire(s);
    }
  }

  private streamBytesIn(id: number, dir: Direction, bytes: Uint8Array): void {
    this.h3Conn()?.streamData(id, dir, bytes);
  }

  private streamGapIn(id: number, dir: Direction, length: number): void {
    this.ctx.anomaly('quic.gap', dir, `${length} bytes of stream ${id} were never seen`);
    this.h3Conn()?.streamGap(id, dir, length);
  }

  private h3Conn(): Http3Connection | null {
    if (this.h3 === null && this.isH3()) {
      this.h3 = new Http3Connection(this.ctx);
      this.ctx.setService('quic,http3');
    }
    return this.h3;
  }

  // ---- end ---------------------------------------------------------------------------------

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pathTable.remove(this, this.pathCids);
    // A path that only carried another connection's datagrams: that connection reports them.
    if (this.migratedTo !== null && this.sides.c2s.datagrams + this.sides.s2c.datagrams === 0) return;
    if (this.streams !== null) for (const s of this.streams.values()) {
      for (const dir of ['c2s', 's2c'] as const) {
        const r = s[dir];
        if (r !== null && r.pending > 0) r.flush();
      }
    }
    this.h3?.close();
    for (const dir of ['c2s', 's2c'] as const) this.sides[dir].flushCrypto();
    const { c2s, s2c } = this.sides;
    // Without keys HANDSHAKE_DONE is unreadable; a client sends 1-RTT packets only after its
    // Finished, so 1-RTT both ways says the handshake completed.
    const established = this.handshakeDone || (c2s.shortPackets > 0 && s2c.shortPackets > 0);
    if (established && !this.handshakeDone) this.tls.handshakeDone();
    this.tls.close();
    const fields: QuicConnectionFields = {
      version: this.version?.name ?? null,
      version_code: this.version?.code ?? null,
      client_initial_dcid: this.clientInitialDcid ? hex(this.clientInitialDcid) : null,
      client_scid: this.clientScid ? hex(this.clientScid) : null,
      server_scid: this.serverScid ? hex(this.serverScid) : null,
      server_name: this.serverName,
      client_protocol: this.clientProtocol,
      server_protocol: this.serverProtocol,
      history: this.history,
      retry: this.retry,
      version_negotiation: this.versionNegotiation,
      offered_versions: this.offered,
      c2s_packets: c2s.packets,
      s2c_packets: s2c.packets,
      c2s_long_packets: c2s.longPackets,
      s2c_long_packets: s2c.longPackets,
      c2s_short_packets: c2s.shortPackets,
      s2c_short_packets: s2c.shortPackets,
      c2s_bytes: c2s.bytes,
      s2c_bytes: s2c.bytes,
      c2s_datagrams: c2s.datagrams,
      s2c_datagrams: s2c.datagrams,
      gso_datagrams: this.gsoDatagrams,
      decrypted_packets: this.decryptedPackets,
      undecrypted_packets: this.undecryptedPackets,
      c2s_key_updates: c2s.appKeys?.updates ?? 0,
      s2c_key_updates: s2c.appKeys?.updates ?? 0,
      c2s_dcids: c2s.dcids,
      s2c_dcids: s2c.dcids,
      streams: this.streamCount,
      stream_bytes: this.streamBytes,
      handshake_done: this.handshakeDone,
      close: this.closeFacts,
      decrypted: this.keyedDecrypts > 0,
      established,
    };
    if (this.paths.length) fields.paths = this.paths;
    this.ctx.emit('quic.connection', null, fields);
    // No long header seen: the capture began after the handshake (or on a migrated path).
    const parts = [this.version === null ? 'QUIC (no handshake seen)' : `QUIC ${this.version.name}`];
    if (this.serverName) parts.push(this.serverName);
    const alpn = this.serverProtocol ?? this.clientProtocol;
    if (alpn) parts.push(alpn);
    if (this.retry) parts.push('retry');
    if (this.versionNegotiation) parts.push('version negotiation');
    if (this.closeFacts) parts.push(`close ${this.closeFacts.error_name}`);
    if (this.paths.length) parts.push(`migrated to ${this.paths.map((p) => hostPort(p.client_h, p.client_p)).join(', ')}`);
    this.ctx.setSummary(parts.join(' '));
  }
}

