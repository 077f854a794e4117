import type { Endpoint, FlowInfo, Transport } from '../dissect/contract.js';
import type { Direction } from '../events/event.js';
import type { FlowEndFields, FlowIdentityFields, TunnelFields } from '../events/event-map.js';
import { Timestamp } from '../events/time.js';
import type { TcpDirection } from '../reassembly/stream.js';
import type { TcpAnalyzer } from '../analysis/tcp/analyzer.js';
import { datagramConnState, EndpointState, History, tcpConnState } from './conn-state.js';

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

export interface SideCounters {
  pkts: number;
  /** Payload bytes (TCP: by sequence space, so gaps count; UDP: datagram payloads). */
  bytes: number;
  ip_bytes: number;
  /** Bytes on the wire (frame lengths), what tshark's conversation table counts. */
  frame_bytes: number;
  state: EndpointState;
  sent: boolean;
}

/** The idle time-out a flow waits for: open TCP, closed TCP, or datagram (UDP, ICMP). */
export const enum TimerClass {
  Open,
  Closed,
  Datagram,
}

export class Flow {
  readonly counters: [SideCounters, SideCounters] = [newCounters(), newCounters()];
  readonly history = new History();
  clientSide: Side;
  first: Timestamp;
  last: Timestamp;
  firstFrame: number;
  lastFrame: number;
  private serviceName: string | null = null;
  summary: string | null = null;
  /**
   * Told when what `identity()` returns changes (service found or changed, roles swapped),
   * so the engine can announce it (`flow.update`) before any event that reads it.
   */
  onIdentity: ((flow: Flow) => void) | null = null;
  /** Set when the roles were swapped after the first packet. */
  flipped = false;
  /** TCP: SYN sequence numbers per side, to tell a new connection on the same 5-tuple (made at the first SYN). */
  isn: [number | null, number | null] | null = null;
  synTs: Timestamp | null = null;
  synAckTs: Timestamp | null = null;
  handshakeRtt: number | null = null;
  missedBytes = 0;
  /**
   * Packets (and their frame bytes) that carried transport payload: the protocol
   * hierarchy counts these under the flow's application, and the rest (bare ACKs, SYN,
   * FIN, RST) under the transport, as Wireshark counts a frame by its highest protocol.
   */
  payloadPkts = 0;
  payloadFrameBytes = 0;
  /** Label for the protocol-hierarchy path: `eth:ipv4:tcp`. */
  layers: string;
  session: FlowSession | null = null;
  /** Wireshark's `tcp.stream` or `udp.stream` number (0-based per transport); null for ICMP. */
  stream: number | null = null;
  /** Wireshark's sequence analysis and the connection's RTT numbers (TCP only, made at the first segment). */
  tcpAnalysis: TcpAnalyzer | null = null;
  /** TCP reassembly per side; null while the flow has carried no payload, FIN or RST (see `lite`). */
  tcp: [TcpDirection, TcpDirection] | null = null;
  /**
   * A TCP flow that so far carried only SYNs and ACKs (a SYN flood, a port scan): instead of
   * reassembly and a session (about 1.1 KB), the two facts those would hold, per side: the
   * last SYN's sequence number and the highest acknowledgement of that side's data.
   * `[syn0, syn1, ack0, ack1]`; NaN for none. Null once the flow is full.
   */
  lite: number[] | null = null;
  /** The tunnels around the flow, outermost first, oriented by side (a flip needs nothing); null when none. */
  tunnel: TunnelHop[] | null = null;
  /** A tunnel's own UDP flow (VXLAN, Geneve, GTP-U): its datagrams were decapsulated, not dissected. */
  carrier = false;
  /** Owned by the flow table: which idle time-out applies, and the deadline of its live timer. */
  timerClass: TimerClass = TimerClass.Open;
  timerDeadline = NaN;
  private infoCache: FlowInfo | null = null;

  constructor(
    readonly id: number,
    readonly key: string,
    readonly transport: FlowTransport,
    readonly ipVersion: 4 | 6,
    /** Side 0 endpoint (lower) and side 1 endpoint (higher): printable address and port. */
    readonly endpoints: readonly [Endpoint, Endpoint],
    readonly communityId: string,
    clientSide: Side,
    ts: Timestamp,
    frame: number,
    layers: string,
  ) {
    this.clientSide = clientSide;
    this.first = this.last = ts;
    this.firstFrame = this.lastFrame = frame;
    this.layers = layers;
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

  /** The application protocol when known (`http`, `tls,http2`); set through `setService`. */
  get service(): string | null {
    return this.serviceName;
  }

  setService(service: string | null): void {
    if (service === this.serviceName) return;
    this.serviceName = service;
    this.onIdentity?.(this);
  }

  /** Swap client and server (capture began mid-flow, or the first packet was a SYN-ACK). */
  flip(): void {
    this.clientSide = (1 - this.clientSide) as Side;
    this.flipped = !this.flipped;
    this.history.flip();
    this.infoCache = null;
    this.onIdentity?.(this);
  }

  /** Who the flow is (`flow.start` and `flow.update`): endpoints by role, service, stream number. */
  identity(): FlowIdentityFields {
    const client = this.client;
    const server = this.server;
    return {
      proto: this.transport,
      service: this.serviceName ?? undefined,
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
    if (!this.infoCache) {
      this.infoCache = {
        id: this.id,
        transport: this.transport === 'icmp' ? 'udp' : this.transport,
        client: this.client,
        server: this.server,
        ip_version: this.ipVersion,
        community_id: this.communityId,
      };
    }
    return this.infoCache;
  }

  get closed(): boolean {
    const [a, b] = this.counters;
    const done = (s: EndpointState) => s === EndpointState.Closed || s === EndpointState.Reset;
    return a.state === EndpointState.Reset || b.state === EndpointState.Reset || (done(a.state) && done(b.state));
  }

  /** The flow as a conn.log-style record (the `flow.end` event's fields; `end_reason` only there). */
  record(endReason?: string): FlowEndFields {
    const o = this.counters[this.clientSide];
    const r = this.counters[1 - this.clientSide]!;
    const history = this.history.toString();
    const connState =
      this.transport === 'tcp'
        ? tcpConnState(o.state, r.state, history, o.bytes, r.bytes)
        : datagramConnState(o.sent, r.sent);
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
      duration: round6(this.last.since(this.first)),
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
}

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

function newCounters(): SideCounters {
  return { pkts: 0, bytes: 0, ip_bytes: 0, frame_bytes: 0, state: EndpointState.Inactive, sent: false };
}

/** Seconds rounded to microseconds, enough for durations and stable in JSON. */
export const round6 = (seconds: number): number => Math.round(seconds * 1e6) / 1e6;
