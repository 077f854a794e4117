import type { Endpoint, FlowInfo, Transport } from '../dissect/contract.js';
import type { Direction } from '../events/event.js';
import type { FlowEndFields, FlowIdentityFields, TunnelFields } from '../events/event-map.js';
import { Timestamp } from '../events/time.js';
import type { TcpDirection } from '../reassembly/stream.js';
import type { TcpAnalyzer } from '../analysis/tcp/analyzer.js';
import { formatAddress } from '../decode/address.js';
import { communityId } from './community-id.js';
import { datagramConnState, EndpointState, onceBit, repeatWritten, swapCase, swapOnceBits, tcpConnState, type HistoryLetter } from './conn-state.js';
import { keyEndpoints } from './key.js';

/**
 * One conversation. Packets are counted by "side": side 0 sends from the flow key's lower
 * endpoint, side 1 from the higher. Which side is the client can change once (a probe may
 * find the capture began mid-flow), so per-side counters never need swapping.
 */
export type Side = 0 | 1;

export type FlowTransport = Transport | 'icmp';

/** The application side of a flow, as the flow table sees it. */
export interface FlowSession {
  data(dir: Direction, bytes: Uint8Array): void;
  gap(dir: Direction, length: number): void;
  end(dir: Direction, how: 'fin' | 'rst'): void;
  datagram(dir: Direction, bytes: Uint8Array): void;
  close(): void;
}

/** The idle time-out a flow waits for: open TCP, closed TCP, or datagram (UDP, ICMP). */
export const enum TimerClass {
  Open,
  Closed,
  Datagram,
}

export class Flow {
  /*
   * Per-side counters, side 0 then side 1, as fields of the flow rather than two objects in
   * an array (about 130 bytes less a flow; a SYN flood holds max_flows of them).
   */
  pkts0 = 0;
  pkts1 = 0;
  ipBytes0 = 0;
  ipBytes1 = 0;
  /** Bytes on the wire (frame lengths), what tshark's conversation table counts. */
  frameBytes0 = 0;
  frameBytes1 = 0;
  /**
   * Small facts packed in one integer (each a field of its own cost 8 bytes a flow): the
   * endpoint states of side 0 (bits 0-2) and side 1 (bits 3-5), the client side (bit 6),
   * the timer class (bits 7-8), IPv6 (bit 9), the transport (bits 10-11) and the history
   * letters seen once per direction (bits 12-27: `onceBit`, originator's then responder's)
   * and whether the first SYN was the first packet (bit 28: `synTs`).
   */
  private bits: number;
  /**
   * Zeek's history (`conn-state.ts`): the text, its once-per-direction letters in `bits` and
   * repeat counts in `FlowExtra`, not an object of its own (about 50 bytes a flow).
   */
  private historyText = '';
  /*
   * First and last packet times as numbers (seconds and nanoseconds: small integers, kept
   * in the flow), not Timestamps: a Timestamp is an object of 40 bytes that a SYN flood's
   * flows would each keep alive (and a longer flow a second one for its last packet).
   * `first` and `last` make one when asked.
   */
  private firstSec: number;
  private firstNs: number;
  private lastSec: number;
  private lastNs: number;
  firstFrame: number;
  lastFrame: number;
  /** Label for the protocol-hierarchy path: `eth:ipv4:tcp`. */
  layers: string;
  /** Wireshark's `tcp.stream` or `udp.stream` number (0-based per transport); null for ICMP. */
  stream: number | null = null;
  /**
   * A TCP flow that so far carried only SYNs and ACKs (a SYN flood, a port scan): instead of
   * reassembly and a session (about 1.1 KB), the facts those would hold, as numbers (the
   * engine's `LITE_*` slots: per side the last SYN's sequence number, the highest
   * acknowledgement of that side's data and the first SYN's; the first segment for its
   * analysis), in the engine's `LiteSlots` (flow/lite-slots.ts): this is the slot. NaN for
   * none. -1 once the flow is full.
   */
  lite = -1;
  /**
   * Owned by the flow table: which of the flow's timers is live (a count of its arms, a small
   * integer; the deadline itself is only in the timer heap: as a field of its own it was a
   * boxed double, 16 bytes more a flow). Its class is in `bits`.
   */
  timerSerial = 0;
  /** What a flow that carried only SYNs and ACKs never needs (see `FlowExtra`); made at the first write. */
  private extra: FlowExtra | null = null;

  constructor(
    readonly id: number,
    /** Direction-free key (`flowKey`): the endpoints are decoded from it when needed. */
    readonly key: string,
    transport: FlowTransport,
    ipVersion: 4 | 6,
    /**
     * The Community ID when it cannot be made from the key alone (ICMP: a one-way type
     * hashes its endpoints in the order of the first packet); null to make it when asked.
     */
    communityId: string | null,
    clientSide: Side,
    ts: Timestamp,
    frame: number,
    layers: string,
  ) {
    if (communityId !== null) this.more().communityIdCache = communityId;
    this.bits = clientSide * BIT_CLIENT + (ipVersion === 6 ? BIT_IPV6 : 0) + TRANSPORTS.indexOf(transport) * BIT_TRANSPORT;
    this.firstSec = this.lastSec = ts.sec;
    this.firstNs = this.lastNs = ts.ns;
    this.firstFrame = this.lastFrame = frame;
    this.layers = layers;
  }

  /** The time of the flow's first packet. */
  get first(): Timestamp {
    return new Timestamp(this.firstSec, this.firstNs);
  }
  /** Its seconds and nanoseconds, without making a Timestamp. */
  get firstSeconds(): number {
    return this.firstSec;
  }
  get firstNanos(): number {
    return this.firstNs;
  }

  /** The time of the flow's last packet so far. */
  get last(): Timestamp {
    return new Timestamp(this.lastSec, this.lastNs);
  }
  set last(ts: Timestamp) {
    this.lastSec = ts.sec;
    this.lastNs = ts.ns;
  }
  /** `last` from the two numbers of the packet path. */
  setLast(sec: number, ns: number): void {
    this.lastSec = sec;
    this.lastNs = ns;
  }

  /** Seconds from the last packet to `now`: `now.since(flow.last)`, without making a Timestamp. */
  idleAt(now: Timestamp): number {
    return now.sec - this.lastSec + (now.ns - this.lastNs) / 1e9;
  }

  /** The last packet's time as seconds (a float, for timers). */
  get lastAsSeconds(): number {
    return this.lastSec + this.lastNs / 1e9;
  }

  private more(): FlowExtra {
    return (this.extra ??= new FlowExtra());
  }

  /** Zeek's history letters so far (`conn-state.ts`). */
  get history(): string {
    return this.historyText;
  }

  /** Writes `letter` for the originator (upper case) or the responder (lower), if Zeek would. */
  addHistory(letter: HistoryLetter, originator: boolean): void {
    const once = onceBit(letter);
    if (once !== 0) {
      const bit = (originator ? once : once << 8) << HISTORY_SHIFT;
      if (this.bits & bit) return; // the common case, once per packet: nothing written
      this.bits |= bit;
      this.historyText += originator ? letter : letter.toLowerCase();
      return;
    }
    const cased = originator ? letter : letter.toLowerCase();
    const counts = (this.more().historyCounts ??= new Map());
    const n = (counts.get(cased) ?? 0) + 1;
    counts.set(cased, n);
    if (repeatWritten(n)) this.historyText += cased;
  }

  /** `^`: the roles are not those of the first packet (a SYN-ACK came first). */
  addFlipMark(): void {
    this.historyText += '^';
  }

  /** The application protocol when known (`http`, `tls,http2`); set through `setService`. */
  get service(): string | null {
    return this.extra === null ? null : this.extra.service;
  }

  /** The one writer of `service`: a change is announced (`onIdentity`). */
  setService(service: string | null): void {
    if (service === this.service) return;
    this.more().service = service;
    this.onIdentity?.(this);
  }
  get summary(): string | null {
    return this.extra === null ? null : this.extra.summary;
  }
  set summary(v: string | null) {
    this.more().summary = v;
  }
  /** Set when the roles were swapped after the first packet. */
  get flipped(): boolean {
    return this.extra !== null && this.extra.flipped;
  }
  /**
   * TCP: SYN sequence numbers per side, to tell a new connection on the same 5-tuple (made
   * at the first SYN of a full flow; a lite flow keeps them in `lite`, and it is never closed,
   * which is when they are asked for).
   */
  get isn(): [number | null, number | null] | null {
    return this.extra === null ? null : this.extra.isn;
  }
  set isn(v: [number | null, number | null] | null) {
    this.more().isn = v;
  }
  get missedBytes(): number {
    return this.extra === null ? 0 : this.extra.missedBytes;
  }
  set missedBytes(v: number) {
    this.more().missedBytes = v;
  }
  /**
   * Packets (and their frame bytes) that carried transport payload: the protocol
   * hierarchy counts these under the flow's application, and the rest (bare ACKs, SYN,
   * FIN, RST) under the transport, as Wireshark counts a frame by its highest protocol.
   */
  get payloadPkts(): number {
    return this.extra === null ? 0 : this.extra.payloadPkts;
  }
  get payloadFrameBytes(): number {
    return this.extra === null ? 0 : this.extra.payloadFrameBytes;
  }
  /** One packet that carried transport payload, of `frameBytes` on the wire. */
  countPayload(frameBytes: number): void {
    const x = this.more();
    x.payloadPkts++;
    x.payloadFrameBytes += frameBytes;
  }
  get session(): FlowSession | null {
    return this.extra === null ? null : this.extra.session;
  }
  set session(v: FlowSession | null) {
    if (v !== null || this.extra !== null) this.more().session = v;
  }
  /** TCP reassembly per side; null while the flow has carried no payload, FIN or RST (see `lite`). */
  get tcp(): [TcpDirection, TcpDirection] | null {
    return this.extra === null ? null : this.extra.tcp;
  }
  set tcp(v: [TcpDirection, TcpDirection] | null) {
    if (v !== null || this.extra !== null) this.more().tcp = v;
  }
  /** The tunnels around the flow, outermost first, oriented by side (a flip needs nothing); null when none. */
  get tunnel(): TunnelHop[] | null {
    return this.extra === null ? null : this.extra.tunnel;
  }
  set tunnel(v: TunnelHop[] | null) {
    this.more().tunnel = v;
  }
  /** A tunnel's own UDP flow (VXLAN, Geneve, GTP-U): its datagrams were decapsulated, not dissected. */
  get carrier(): boolean {
    return this.extra !== null && this.extra.carrier;
  }
  set carrier(v: boolean) {
    this.more().carrier = v;
  }

  /** Side 0 endpoint (lower) and side 1 endpoint (higher): printable address and port. */
  get endpoints(): readonly [Endpoint, Endpoint] {
    const x = this.more();
    if (x.endpointCache === null) {
      const { a, ap, b, bp } = keyEndpoints(this.key, this.ipVersion);
      x.endpointCache = [
        { addr: formatAddress(a), port: ap },
        { addr: formatAddress(b), port: bp },
      ];
    }
    return x.endpointCache;
  }

  /** Community ID v1 of the flow (TCP and UDP: from the key, which holds the ordered endpoints). */
  get communityId(): string {
    const x = this.more();
    if (x.communityIdCache === null) {
      const { a, ap, b, bp } = keyEndpoints(this.key, this.ipVersion);
      x.communityIdCache = communityId(this.transport === 'tcp' ? 6 : 17, a, ap, b, bp);
    }
    return x.communityIdCache;
  }

  get clientSide(): Side {
    return ((this.bits & BIT_CLIENT) >> 6) as Side;
  }
  get transport(): FlowTransport {
    return TRANSPORTS[(this.bits >> 10) & 3]!;
  }
  get ipVersion(): 4 | 6 {
    return this.bits & BIT_IPV6 ? 6 : 4;
  }
  /** Owned by the flow table: which idle time-out applies. */
  get timerClass(): TimerClass {
    return (this.bits >> 7) & 3;
  }
  set timerClass(c: TimerClass) {
    this.bits = (this.bits & ~(3 << 7)) | (c << 7);
  }
  /**
   * Told when what `identity()` returns changes (service found or changed, roles swapped),
   * so the engine can announce it (`flow.update`) before any event that reads it.
   */
  get onIdentity(): ((flow: Flow) => void) | null {
    return this.extra === null ? null : this.extra.onIdentity;
  }
  set onIdentity(v: ((flow: Flow) => void) | null) {
    if (v !== null || this.extra !== null) this.more().onIdentity = v;
  }
  /** Wireshark's sequence analysis and the connection's RTT numbers (TCP only, made at the first segment). */
  get tcpAnalysis(): TcpAnalyzer | null {
    return this.extra === null ? null : this.extra.tcpAnalysis;
  }
  set tcpAnalysis(v: TcpAnalyzer | null) {
    if (v !== null || this.extra !== null) this.more().tcpAnalysis = v;
  }
  /**
   * The time of the originator's first SYN. Most often the flow's first packet (a SYN flood's
   * every flow): then a bit says so, and only a later SYN's time takes room (in `FlowExtra`).
   */
  get synTs(): Timestamp | null {
    if (this.bits & BIT_SYN_AT_FIRST) return this.first;
    return this.extra === null ? null : this.extra.synTs;
  }
  set synTs(v: Timestamp | null) {
    if (v !== null && v.sec === this.firstSec && v.ns === this.firstNs) {
      this.bits |= BIT_SYN_AT_FIRST;
      if (this.extra !== null) this.extra.synTs = null;
    } else {
      this.bits &= ~BIT_SYN_AT_FIRST;
      if (v !== null || this.extra !== null) this.more().synTs = v;
    }
  }
  /** Whether the originator's first SYN was seen: `synTs !== null` without making a Timestamp. */
  get hasSyn(): boolean {
    return (this.bits & BIT_SYN_AT_FIRST) !== 0 || (this.extra !== null && this.extra.synTs !== null);
  }
  /**
   * `synTs ??= ` the time (sec, ns), from the packet path's numbers: a Timestamp is made only
   * when one is kept (the SYN was not the flow's first packet).
   */
  noteSyn(sec: number, ns: number): void {
    if (this.hasSyn) return;
    if (sec === this.firstSec && ns === this.firstNs) this.bits |= BIT_SYN_AT_FIRST;
    else this.more().synTs = new Timestamp(sec, ns);
  }
  /** Seconds from the first SYN to (sec, ns) (`Timestamp.since`), or NaN when there was none; makes no Timestamp. */
  sinceSyn(sec: number, ns: number): number {
    if (this.bits & BIT_SYN_AT_FIRST) return sec - this.firstSec + (ns - this.firstNs) / 1e9;
    const t = this.extra === null ? null : this.extra.synTs;
    return t === null ? NaN : sec - t.sec + (ns - t.ns) / 1e9;
  }
  get synAckTs(): Timestamp | null {
    return this.extra === null ? null : this.extra.synAckTs;
  }
  set synAckTs(v: Timestamp | null) {
    this.more().synAckTs = v;
  }
  get handshakeRtt(): number | null {
    return this.extra === null ? null : this.extra.handshakeRtt;
  }
  set handshakeRtt(v: number | null) {
    this.more().handshakeRtt = v;
  }

  /**
   * Payload bytes (TCP: by sequence space, so gaps count, set at the end; UDP: datagram
   * payloads), in `FlowExtra`: a SYN-only flow has none.
   */
  get bytes0(): number {
    return this.extra === null ? 0 : this.extra.bytes0;
  }
  get bytes1(): number {
    return this.extra === null ? 0 : this.extra.bytes1;
  }

  /** One packet sent by `side`. */
  count(side: Side, ipBytes: number, frameBytes: number): void {
    if (side === 0) {
      this.pkts0++;
      this.ipBytes0 += ipBytes;
      this.frameBytes0 += frameBytes;
    } else {
      this.pkts1++;
      this.ipBytes1 += ipBytes;
      this.frameBytes1 += frameBytes;
    }
  }

  addBytes(side: Side, n: number): void {
    if (n === 0) return;
    const x = this.more();
    if (side === 0) x.bytes0 += n;
    else x.bytes1 += n;
  }

  setBytes(side: Side, n: number): void {
    if (n === 0 && this.extra === null) return;
    const x = this.more();
    if (side === 0) x.bytes0 = n;
    else x.bytes1 = n;
  }

  state(side: Side): EndpointState {
    return (side === 0 ? this.bits : this.bits >> 3) & 7;
  }

  setState(side: Side, state: EndpointState): void {
    const shift = side === 0 ? 0 : 3;
    this.bits = (this.bits & ~(7 << shift)) | (state << shift);
  }

  dirOf(side: Side): Direction {
    return side === this.clientSide ? 'c2s' : 's2c';
  }

  sideOf(dir: Direction): Side {
    return (dir === 'c2s' ? this.clientSide : 1 - this.clientSide) as Side;
  }

  get client(): Endpoint {
    return this.endpoints[this.clientSide];
  }

  get server(): Endpoint {
    return this.endpoints[1 - this.clientSide]!;
  }

  /** Swap client and server (capture began mid-flow, or the first packet was a SYN-ACK). */
  flip(): void {
    this.bits ^= BIT_CLIENT;
    const x = this.more();
    x.flipped = !x.flipped;
    this.historyText = '^' + swapCase(this.historyText);
    const seen = (this.bits >> HISTORY_SHIFT) & 0xffff;
    this.bits = (this.bits & ~(0xffff << HISTORY_SHIFT)) | (swapOnceBits(seen) << HISTORY_SHIFT);
    if (x.historyCounts) {
      const counts = new Map<string, number>();
      for (const [l, n] of x.historyCounts) counts.set(swapCase(l), n);
      x.historyCounts = counts;
    }
    x.infoCache = null;
    this.onIdentity?.(this);
  }

  /** Who the flow is (`flow.start` and `flow.update`): endpoints by role, service, stream number. */
  identity(): FlowIdentityFields {
    const client = this.client;
    const server = this.server;
    return {
      proto: this.transport,
      service: this.service ?? undefined,
      orig_h: client.addr,
      orig_p: client.port,
      resp_h: server.addr,
      resp_p: server.port,
      community_id: this.communityId,
      tcp_stream: this.transport === 'tcp' ? (this.stream ?? undefined) : undefined,
      udp_stream: this.transport === 'udp' ? (this.stream ?? undefined) : undefined,
    };
  }

  get info(): FlowInfo {
    const x = this.more();
    if (!x.infoCache) {
      x.infoCache = {
        id: this.id,
        transport: this.transport === 'icmp' ? 'udp' : this.transport,
        client: this.client,
        server: this.server,
        ip_version: this.ipVersion,
        community_id: this.communityId,
      };
    }
    return x.infoCache;
  }

  get closed(): boolean {
    const a = this.state(0);
    const b = this.state(1);
    return a === EndpointState.Reset || b === EndpointState.Reset || (a === EndpointState.Closed && b === EndpointState.Closed);
  }

  /** The flow as a conn.log-style record (the `flow.end` event's fields; `end_reason` only there). */
  record(endReason?: string): FlowEndFields {
    const c0 = this.clientSide === 0;
    const o = c0 ? this.side0() : this.side1();
    const r = c0 ? this.side1() : this.side0();
    const history = this.historyText;
    const connState =
      this.transport === 'tcp'
        ? tcpConnState(o.state, r.state, history, o.bytes, r.bytes)
        : datagramConnState(o.pkts > 0, r.pkts > 0);
    return {
      proto: this.transport,
      service: this.service ?? undefined,
      orig_h: this.client.addr,
      orig_p: this.client.port,
      resp_h: this.server.addr,
      resp_p: this.server.port,
      community_id: this.communityId,
      tunnel: this.tunnel === null ? undefined : this.tunnel.map((t) => tunnelFields(t, this.clientSide)),
      tcp_stream: this.transport === 'tcp' ? (this.stream ?? undefined) : undefined,
      udp_stream: this.transport === 'udp' ? (this.stream ?? undefined) : undefined,
      start: this.first,
      duration: round6(this.lastSec - this.firstSec + (this.lastNs - this.firstNs) / 1e9),
      first_frame: this.firstFrame,
      last_frame: this.lastFrame,
      orig_pkts: o.pkts,
      orig_bytes: o.bytes,
      orig_ip_bytes: o.ip_bytes,
      orig_frame_bytes: o.frame_bytes,
      resp_pkts: r.pkts,
      resp_bytes: r.bytes,
      resp_ip_bytes: r.ip_bytes,
      resp_frame_bytes: r.frame_bytes,
      conn_state: connState,
      history,
      missed_bytes: this.missedBytes,
      tcp_rtt: this.handshakeRtt ?? undefined,
      flipped: this.flipped || undefined,
      summary: this.summary ?? undefined,
      end_reason: endReason,
    };
  }

  private side0(): SideCounters {
    return { pkts: this.pkts0, bytes: this.bytes0, ip_bytes: this.ipBytes0, frame_bytes: this.frameBytes0, state: this.state(0) };
  }

  private side1(): SideCounters {
    return { pkts: this.pkts1, bytes: this.bytes1, ip_bytes: this.ipBytes1, frame_bytes: this.frameBytes1, state: this.state(1) };
  }
}

/** One side's counters, as the record reads them. */
interface SideCounters {
  pkts: number;
  bytes: number;
  ip_bytes: number;
  frame_bytes: number;
  state: EndpointState;
}

/**
 * The part of a flow that one which carried only SYNs and ACKs (a SYN flood, a port scan)
 * never sets: about 100 bytes less for each of the max_flows such flows a flood keeps open.
 * Made at the first write (a session, a service, a payload, a tunnel) or when the endpoints
 * are first printed.
 */
class FlowExtra {
  onIdentity: ((flow: Flow) => void) | null = null;
  tcpAnalysis: TcpAnalyzer | null = null;
  /** When not the flow's first packet's (see `Flow.synTs`). */
  synTs: Timestamp | null = null;
  synAckTs: Timestamp | null = null;
  handshakeRtt: number | null = null;
  service: string | null = null;
  summary: string | null = null;
  flipped = false;
  isn: [number | null, number | null] | null = null;
  missedBytes = 0;
  bytes0 = 0;
  bytes1 = 0;
  payloadPkts = 0;
  payloadFrameBytes = 0;
  session: FlowSession | null = null;
  tcp: [TcpDirection, TcpDirection] | null = null;
  tunnel: TunnelHop[] | null = null;
  carrier = false;
  infoCache: FlowInfo | null = null;
  endpointCache: readonly [Endpoint, Endpoint] | null = null;
  communityIdCache: string | null = null;
  /** Zeek's repeatable history letters (C, G, T, W) by case: how often each was seen. */
  historyCounts: Map<string, number> | null = null;
}

const TRANSPORTS: readonly FlowTransport[] = ['tcp', 'udp', 'icmp'];
const BIT_CLIENT = 1 << 6;
const BIT_IPV6 = 1 << 9;
const BIT_TRANSPORT = 1 << 10;
const HISTORY_SHIFT = 12;
const BIT_SYN_AT_FIRST = 1 << 28;

/** One tunnel around a flow, by side (see `Flow.tunnel`). */
export interface TunnelHop {
  type: string;
  encap: string;
  /** The outer endpoints on side 0's and side 1's end. */
  h0: string;
  p0: number;
  h1: string;
  p1: number;
  vni: number | undefined;
}

function tunnelFields(t: TunnelHop, clientSide: Side): TunnelFields {
  const c = clientSide === 0;
  return { tunnel_type: t.type, encap: t.encap, orig_h: c ? t.h0 : t.h1, orig_p: c ? t.p0 : t.p1, resp_h: c ? t.h1 : t.h0, resp_p: c ? t.p1 : t.p0, vni: t.vni };
}

/** Seconds rounded to microseconds, enough for durations and stable in JSON. */
export const round6 = (seconds: number): number => Math.round(seconds * 1e6) / 1e6;
