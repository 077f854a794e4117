import type { CaptureProblem, RawPacket } from '../capture/types.js';
import type { SecretStore } from '../dissect/secrets.js';
import type { Expectation, ExportedObject, ProtocolDescriptor } from '../dissect/contract.js';
import type { Limits } from '../dissect/limits.js';
import { formatAddress, PacketDecoder } from '../decode/index.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodeResult, type Encapsulation, type IpPacket, type TcpHeader, type UdpHeader } from '../decode/types.js';
import { typedEvent, type Direction, type EventSink } from '../events/event.js';
import { Timestamp } from '../events/time.js';
import { communityId, icmpCounterpart } from '../flow/community-id.js';
import { STEP_ANY_LETTER, STEP_H, STEP_HANDSHAKE_ACK, STEP_LETTERS, STEP_S, stepMine, stepTheirs, tcpStep, type SegmentFacts } from '../flow/conn-state.js';
import { Expectations } from '../flow/expectations.js';
import { LITE, LiteSlots } from '../flow/lite-slots.js';
import { TcpAnalyzer, type TcpPacketAnalysis } from '../analysis/tcp/analyzer.js';
import { flagList, flagNames } from '../analysis/tcp/flags.js';
import { connectionFields } from '../analysis/tcp/connection.js';
import { Flow, type FlowTransport, type Side, type TunnelHop } from '../flow/flow.js';
import { compareEndpoints, keyProbe } from '../flow/key.js';
import { FlowTable, type EndReason } from '../flow/table.js';
import { seqAdd, seqDiff } from '../reassembly/seq.js';
import { ReassemblyBudget, TcpDirection, type StreamOutput } from '../reassembly/stream.js';
import { END_FRAME, Phase, type GroupMark } from './order.js';
import { AppSession, type InnerTap, type SessionHost } from './session.js';
import { TunnelMemo } from './tunnel-memo.js';
import { CaptureStats, linkName } from './stats.js';
import type { WorkPlan } from './work-plan.js';
import type { AnomalyCode, CaptureFileFields, EventType, FieldsOf } from '../events/event-map.js';
import type { DeclaredEvent } from '../events/declared.js';
import { FLOW_END } from '../events/core-events.js';
import type { LineOut } from '../events/line-out.js';
import { TCP_ANALYSIS, TCP_CONNECTION, type TcpAnalysisFields } from '../analysis/tcp/events.js';

export interface EngineOptions {
  limits: Readonly<Limits>;
  protocols: readonly ProtocolDescriptor[];
  sink: EventSink;
  /** Keep object bodies for `export`. */
  wantsObjects?: boolean;
  /**
   * False: find each flow's application by detection and stop there, no dissector and no
   * application events (`flows --quick`). Default true.
   */
  dissect?: boolean;
  onObject?(object: ExportedObject, flow: number): void;
  /** Sees every reassembled stream chunk and gap (for `follow`). */
  tap?(flow: number, dir: Direction, data: Uint8Array | number): void;
  /** Sees every chunk and gap of inner streams, such as decrypted TLS (for `follow`). */
  innerTap?: InnerTap;
  /** Key material for decryption (`--keylog`, pcapng secrets blocks); may grow while the capture is read. */
  secrets?: SecretStore | null;
  /**
   * One worker's share of a capture (`--workers`): ticks come from `tickAt` (the main
   * thread sees every packet's time), a flow's id is the frame that created it (renumbered
   * when merged), and every group of events is marked with its place in the output.
   */
  share?: { mark: GroupMark; created(id: number, transport: FlowTransport): void };
  /**
   * False: no TCP sequence analysis (no `tcp.analysis` or `tcp.connection` events), for runs
   * that read flow records only (`flows`). Default true.
   */
  tcpAnalysis?: boolean;
  /** Verify IPv4 header, TCP and UDP checksums (`--check-checksums`); off by default, as in Wireshark. */
  checkChecksums?: boolean;
  /**
   * Sees every frame after its events were emitted (`wirelens packets`): the decode result,
   * the packet's flow and, for TCP, its analysis. All valid only during the call.
   */
  packetTap?(p: RawPacket, decoded: DecodeResult, flow: Flow | null, tcp: TcpPacketAnalysis | null): void;
  /**
   * The event types worth building and the dissectors that must run for them
   * (`work-plan.ts`); default: all. The engine's own anomalies are always built (the CLI
   * watches them for damaged input); the sink still decides what is written.
   */
  plan?: Pick<WorkPlan, 'types' | 'dissected'> & Partial<Pick<WorkPlan, 'summaryOnly'>>;
  /**
   * Emit `flow.start` when a flow is created and `flow.update` when its service or roles
   * change, for sinks that keep their own table of flows (`events/flow-identity.ts`).
   * Default false: the report and the default `events` output do not carry them.
   */
  flowIdentity?: boolean;
}

/**
 * Everything between a packet record and the dissectors: decode, flow table, TCP
 * reassembly, UDP datagrams, expectations, expiry by capture time, flow records.
 * Synchronous: one packet in, its events out, in capture order.
 */
export class Engine implements SessionHost {
  readonly limits: Readonly<Limits>;
  readonly protocols: readonly ProtocolDescriptor[];
  readonly sink: EventSink;
  readonly out: LineOut | null;
  readonly wantsObjects: boolean;
  readonly dissect: boolean;
  frame = 0;
  private nameFrame = -1;
  private nameSeq = 0;
  /**
   * The current packet's time as two numbers (what the packet path reads), and the
   * `Timestamp` last made of them: `ts` makes one only when something keeps or writes the
   * time (an event, a flow's handshake), at most one per packet.
   */
  private sec = 0;
  private ns = 0;
  private made = Timestamp.ZERO;
  readonly stats = new CaptureStats();

  private readonly decoder: PacketDecoder;
  private readonly flows: FlowTable;
  private readonly expectations: Expectations;
  private readonly budget: ReassemblyBudget;
  /** The numbers of lite TCP flows (`Flow.lite` is a slot here). */
  private readonly lite = new LiteSlots();
  /** The last tunnel chain's path and scope (tunnel-memo.ts). */
  private readonly tunnels = new TunnelMemo();
  private lastTick = -1;
  /** Set while flows end by time-out or at the end of capture, whose events are grouped per flow. */
  private endingPhase: Phase.FlowExpiry | Phase.EndFlows | null = null;
  private readonly mark: GroupMark | null;
  /** Sees every reassembled chunk and gap (`follow`). */
  readonly tap: EngineOptions['tap'];
  readonly innerTap: InnerTap | undefined;
  readonly secrets: SecretStore | null;
  private evictions = 0;
  private currentLink = 'unknown';
  private readonly layerNames = new Map<string, string>();
  /** Wireshark's `tcp.stream` and `udp.stream`: 0-based, in order of each conversation's first packet. */
  private tcpStreams = 0;
  private udpStreams = 0;
  private readonly packetTap: EngineOptions['packetTap'];
  private readonly tcpAnalysis: boolean;
  /** Objects dissectors share across flows (DissectorContext.shared), by key. */
  private readonly sharedObjects = new Map<string, object>();
  /** The flow and TCP analysis of the packet being processed, for the packet tap. */
  private packetFlow: Flow | null = null;
  private packetTcp: TcpPacketAnalysis | null = null;
  /** The segment `trackState` hands to `tcpStep`, one object refilled per packet. */
  private readonly segment: SegmentFacts = { syn: false, ack: false, fin: false, rst: false, payload: 0, window: 0 };
  /** The fields of `tcp.analysis` events, refilled for each (`analyzeTcp`). */
  private readonly tcpFields: TcpAnalysisFields = {
    tcp_stream: null,
    flags: [],
    seq: 0,
    ack: undefined,
    len: 0,
    window_size: 0,
    dup_ack_num: undefined,
    dup_ack_frame: undefined,
    ack_rtt: undefined,
    bytes_in_flight: undefined,
  };
  /** Event types built (null: all) and protocols dissected (null: all), from `EngineOptions.plan`. */
  private readonly wanted: ReadonlySet<string> | null;
  private readonly dissected: ReadonlySet<string> | null;
  /** `WorkPlan.summaryOnly`: dissectors are read for services and summaries only. */
  readonly summaryOnly: boolean;

  constructor(private readonly opts: EngineOptions) {
    this.limits = opts.limits;
    this.protocols = opts.protocols;
    this.sink = opts.sink;
    this.out = opts.sink.bytes ?? null;
    this.wantsObjects = opts.wantsObjects ?? false;
    this.dissect = opts.dissect ?? true;
    this.mark = opts.share?.mark ?? null;
    this.tap = opts.tap;
    this.innerTap = opts.innerTap;
    this.secrets = opts.secrets ?? null;
    this.packetTap = opts.packetTap;
    this.tcpAnalysis = opts.tcpAnalysis ?? true;
    this.wanted = opts.plan?.types ?? null;
    this.dissected = opts.plan?.dissected ?? null;
    this.summaryOnly = opts.plan?.summaryOnly ?? false;
    this.decoder = new PacketDecoder(opts.limits, (p) => this.anomaly(p.code, p.detail, null), opts.checkChecksums ?? false);
    this.flows = new FlowTable(opts.limits, (flow, reason) => this.flowEnded(flow, reason));
    this.expectations = new Expectations(opts.limits.max_expectations, (e) => {
      this.anomaly('flow.expectation_limit', `more than ${opts.limits.max_expectations} expected connections pending; the oldest (${e.service} to ${e.responder.addr}:${e.responder.port}) was dropped`, null);
      e.expired?.({ frame: this.frame, ts: this.ts });
    });
    this.budget = new ReassemblyBudget(opts.limits.reassembly_total);
  }

  /** The current packet's time (see `sec`). */
  get ts(): Timestamp {
    return (this.made = Timestamp.at(this.made, this.sec, this.ns));
  }
  set ts(t: Timestamp) {
    this.sec = t.sec;
    this.ns = t.ns;
    this.made = t;
  }

  packet(p: RawPacket): void {
    const sec = p.sec;
    const ns = p.ns;
    this.frame = p.frame;
    this.sec = sec;
    this.ns = ns;
    if (!this.mark && sec !== this.lastTick) this.tick(this.ts);
    this.mark?.(p.frame, Phase.Packet, 0, 0);
    const result = this.decoder.decodeFrame(p.link_type, p.bytes, p.offset, p.caplen, sec, ns, p.frame);
    // The link and its shims, as tshark's hierarchy names them: `eth:vlan`, `eth:pppoes:ppp`.
    const shims = this.decoder.linkShims;
    this.currentLink = shims ? linkName(p.link_type) + shims : linkName(p.link_type);
    this.packetFlow = null;
    this.packetTcp = null;
    if (result.kind === 'ip') {
      const ip = result.packet;
      let net = ip.version === 4 ? 'ipv4' : 'ipv6';
      let scope = '';
      const encap = ip.encap;
      if (encap !== undefined || ip.carries !== undefined) {
        if (encap !== undefined) {
          this.carriers(encap, p);
          const memo = this.tunnels;
          if (!memo.same(ip)) {
            memo.path = tunnelPath(ip);
            memo.scope = tunnelScope(encap);
          }
          net = memo.path;
          scope = memo.scope;
        } else net = tunnelPath(ip);
        if (ip.carries !== undefined) {
          this.carrierOnly(ip, p, net);
          this.packetTap?.(p, result, this.packetFlow, this.packetTcp);
          return;
        }
      }
      const t = ip.transport;
      if (t?.protocol === 'tcp') this.tcp(ip, t, p, net, encap, scope);
      else if (t?.protocol === 'udp') this.udp(ip, t, p, net, encap, scope);
      else if (ip.icmp) this.icmp(ip, p, net, encap, scope);
      else this.stats.packet(p, `${this.currentLink}:${net}:${ipProtoName(ip.protocol)}`);
    } else if (result.kind === 'other') {
      this.stats.packet(p, `${this.currentLink}:${result.label}`);
    } else {
      this.stats.packet(p, result.kind === 'held' ? `${this.currentLink}:fragment` : this.currentLink);
    }
    this.packetTap?.(p, result, this.packetFlow, this.packetTcp);
  }

  /** Whether events of `type` are built at all. */
  wants(type: string): boolean {
    return this.wanted === null || this.wanted.has(type);
  }

  /** Whether flows of protocol `name` are dissected (else detected only). */
  dissects(name: string): boolean {
    return this.dissect && (this.dissected === null || this.dissected.has(name));
  }

  /** A problem the capture reader found; it belongs to no flow. */
  problem(p: CaptureProblem): void {
    this.sink.emit(typedEvent('anomaly', p.frame, this.ts, null, null, { code: p.code, detail: p.detail }));
  }

  /** End of capture: flows end in id order, expectations lapse, the capture summary closes the stream. */
  finish(summary: CaptureFileFields): void {
    this.endOfCapture();
    if (this.wants('capture.summary')) this.sink.emit(typedEvent('capture.summary', this.frame, this.ts, null, null, { ...summary, ...this.stats.fields() }));
  }

  /**
   * End of capture without the summary. A share is told where the capture ended (its own
   * last packet may be an earlier one).
   */
  shared<T extends object>(key: string, make: () => T): T {
    let o = this.sharedObjects.get(key) as T | undefined;
    if (o === undefined) this.sharedObjects.set(key, (o = make()));
    return o;
  }

  peekShared(key: string): object | undefined {
    return this.sharedObjects.get(key);
  }

  endOfCapture(at?: { frame: number; ts: Timestamp }): void {
    if (at) {
      this.frame = at.frame;
      this.ts = at.ts;
    }
    const m = this.mark;
    this.decoder.expire(this.ts.plusSeconds(this.limits.fragment_timeout + 1), m ? (first) => m(END_FRAME, Phase.EndFragments, first, 0) : undefined);
    this.endingPhase = Phase.EndFlows;
    this.flows.endAll();
    this.endingPhase = null;
    this.expectations.expireAll(this.ts, this.lapse(END_FRAME, Phase.EndExpectations));
  }

  /** A share's tick: the main thread saw frame `frame` start a new capture second. */
  tickAt(frame: number, ts: Timestamp): void {
    this.frame = frame;
    this.ts = ts;
    this.tick(ts);
  }

  /** Flows not yet ended, for live views. */
  openFlows(): Flow[] {
    return this.flows.open();
  }

  exportObject(object: ExportedObject, flow: number): void {
    this.opts.onObject?.(object, flow);
  }

  expect(expectation: Expectation): void {
    const timeout = expectation.timeout ?? this.limits.expectation_timeout;
    this.expectations.add(expectation, this.ts.plusSeconds(timeout), this.frame);
  }

  private tick(now: Timestamp): void {
    this.lastTick = now.sec;
    const m = this.mark;
    const frame = this.frame;
    this.endingPhase = Phase.FlowExpiry;
    this.flows.expire(now);
    this.endingPhase = null;
    this.decoder.expire(now, m ? (first) => m(frame, Phase.FragmentExpiry, first, 0) : undefined);
    this.expectations.expire(now, this.lapse(frame, Phase.ExpectationExpiry));
  }

  /** Tells an expectation's owner it lapsed, marking the group first in a share. */
  private lapse(frame: number, phase: Phase): (e: Expectation, announced: number, seq: number) => void {
    const at = { frame: 0, ts: this.ts };
    const m = this.mark;
    return (e, announced, seq) => {
      m?.(frame, phase, announced, seq);
      e.expired?.(at);
    };
  }

  /** A flow's service or roles changed: sinks learn it before any event that reads it. */
  private readonly announce = (flow: Flow): void => {
    this.sink.emit(typedEvent('flow.update', this.frame, this.ts, flow.id, null, flow.identity()));
  };

  anomaly(code: AnomalyCode, detail: string, flow: Flow | null, dir: Direction | null = null): void {
    this.sink.emit(typedEvent('anomaly', this.frame, this.ts, flow?.id ?? null, dir, { code, detail }));
  }

  private newFlow(
    transport: FlowTransport,
    proto: number,
    ip: IpPacket,
    sport: number,
    dport: number,
    key: string,
    side: Side,
    clientSide: Side,
    net: string,
    encap: Encapsulation | undefined,
  ): Flow {
    const id = this.opts.share ? this.shareName() : this.flows.newId();
    this.opts.share?.created(id, transport);
    const flow = new Flow(
      id,
      key,
      transport,
      ip.version,
      // TCP and UDP: made from the key when asked for (a SYN flood's flows are only asked at their end).
      proto === 6 || proto === 17 ? null : communityId(proto, ip.src, sport, ip.dst, dport),
      clientSide,
      this.ts,
      this.frame,
      this.layersOf(net, transport),
    );
    if (encap !== undefined) flow.tunnel = tunnelHops(encap, side);
    // A share numbers streams by the creating frame, like flow ids; the merge renumbers both.
    if (transport === 'tcp') flow.stream = this.opts.share ? id : this.tcpStreams++;
    else if (transport === 'udp') flow.stream = this.opts.share ? id : this.udpStreams++;
    if (this.opts.flowIdentity) {
      this.sink.emit(typedEvent('flow.start', this.frame, this.ts, id, null, flow.identity()));
      flow.onIdentity = this.announce;
    }
    if (this.flows.add(flow) && this.evictions++ === 0) {
      this.anomaly('flow.limit', `more than ${this.limits.max_flows} flows at once; the least recently active are ended early`, flow);
    }
    return flow;
  }

  /** The hierarchy path of a flow's packets, one string per path for all flows (`eth:ipv4:udp`). */
  /**
   * A share's name for a new flow: its creating frame, times SHARE_NAME_STRIDE, plus
   * its place among the flows that frame created (a tunnelled packet creates the tunnel's
   * UDP flow and the inner flow). Increasing in creation order, as the merge needs.
   */
  private shareName(): number {
    if (this.nameFrame !== this.frame) {
      this.nameFrame = this.frame;
      this.nameSeq = 0;
    }
    return this.frame * SHARE_NAME_STRIDE + Math.min(this.nameSeq++, SHARE_NAME_STRIDE - 1);
  }

  private layersOf(net: string, transport: FlowTransport): string {
    const text = `${this.currentLink}:${net}:${transport}`;
    let shared = this.layerNames.get(text);
    // Bounded: tunnels let a capture make many paths.
    if (shared === undefined && this.layerNames.size < 4096) this.layerNames.set(text, (shared = text));
    return shared ?? text;
  }

  private touch(flow: Flow, side: Side, ip: IpPacket, p: RawPacket, count = true): void {
    flow.count(side, ip.ip_length, p.orig_len);
    flow.setLast(this.sec, this.ns);
    flow.lastFrame = this.frame;
    // A flow's frames count under its first packet's link layers (`eth:vlan`), so that the
    // payload frames `flowEnded` moves under the application are taken from where they were
    // counted (tests/oracle/known-differences.md: a flow whose tags differ per packet).
    if (count) this.stats.packet(p, flow.layers);
  }

  /**
   * The tunnels around a decapsulated packet, outermost first: a UDP-borne tunnel's packet
   * counts on its own flow (as in Zeek's conn.log and tshark's udp.stream), whose service
   * is the tunnel; the frame counts once, in the hierarchy of the innermost packet.
   */
  private carriers(encap: Encapsulation, p: RawPacket): void {
    const outer = encap.outer;
    if (outer.encap !== undefined) this.carriers(outer.encap, p);
    if (outer.transport?.protocol === 'udp') this.carrierFlow(outer, outer.transport, p, encap.label);
  }

  /** A tunnel's packet whose payload is not IP (ARP in VXLAN, a PPTP ack): counted as the tunnel. */
  private carrierOnly(ip: IpPacket, p: RawPacket, net: string): void {
    const carries = ip.carries!;
    const t = ip.transport;
    if (t?.protocol === 'udp') {
      this.carrierFlow(ip, t, p, carries.slice(0, carries.indexOf(':')));
      this.stats.packet(p, `${this.currentLink}:${net}:udp:${carries}`);
    } else this.stats.packet(p, `${this.currentLink}:${net}:${carries}`);
  }

  private carrierFlow(ip: IpPacket, udp: UdpHeader, p: RawPacket, label: string): void {
    const encap = ip.encap;
    const scope = encap !== undefined ? tunnelScope(encap) : '';
    const probe = keyProbe(17, ip.src, udp.src_port, ip.dst, udp.dst_port, scope);
    const forward = probe.forward;
    const side: Side = forward ? 0 : 1;
    let flow = this.flows.find(probe);
    if (!flow) {
      flow = this.newFlow('udp', 17, ip, udp.src_port, udp.dst_port, probe.text(), side, side, encap !== undefined ? tunnelPath(ip) : ip.version === 4 ? 'ipv4' : 'ipv6', encap);
      flow.carrier = true;
      flow.setService(label);
    } else if (flow.service === null) flow.setService(label); // a GTP-U echo came first and made the flow
    this.touch(flow, side, ip, p, false);
    flow.addBytes(side, udp.payload.length);
  }

  private tcp(ip: IpPacket, tcp: TcpHeader, p: RawPacket, net: string, encap: Encapsulation | undefined, scope: string): void {
    const probe = keyProbe(6, ip.src, tcp.src_port, ip.dst, tcp.dst_port, scope);
    const forward = probe.forward;
    const side: Side = forward ? 0 : 1;
    const flags = tcp.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const ack = (flags & TCP_ACK) !== 0;
    let flow = this.flows.find(probe);
    let key: string | null = null;
    if (flow && syn && !ack && flow.closed && flow.isn?.[side] !== tcp.seq) {
      // The new connection takes the old one's key (made before its end runs other code).
      key = flow.key;
      this.flows.end(flow, 'reused');
      flow = undefined;
    }
    if (!flow) {
      // The client sent the SYN, or else the first packet; a SYN-ACK first means the other side.
      const clientSide = (syn && ack ? 1 - side : side) as Side;
      flow = this.newFlow('tcp', 6, ip, tcp.src_port, tcp.dst_port, key ?? probe.text(), side, clientSide, net, encap);
      if (clientSide !== side) flow.addFlipMark();
      this.attachTcp(flow);
    }
    this.touch(flow, side, ip, p);
    const originator = side === flow.clientSide;
    const payload = tcp.payload;
    if (payload.length) {
      flow.countPayload(p.orig_len);
    }
    // A segment cut short by the snap length still took its whole length of sequence space.
    const sent = ip.truncated && ip.declared_payload !== undefined ? Math.max(payload.length, ip.declared_payload - tcp.data_offset) : payload.length;
    const rst = (flags & TCP_RST) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    if (flow.lite >= 0) {
      if (sent === 0 && !rst && !fin) {
        this.trackState(flow, side, syn, ack, fin, rst, 0, tcp.window, originator);
        // Sequence analysis sees every segment, the handshake included (relative numbers start there).
        if (this.tcpAnalysis) this.analyzeTcp(flow, side, tcp, p, ip);
        const lite = this.lite;
        const slot = flow.lite;
        if (syn) {
          if (Number.isNaN(lite.get(slot, LITE.isn + side))) lite.set(slot, LITE.isn + side, tcp.seq);
          lite.set(slot, LITE.syn + side, tcp.seq);
        }
        if (ack) {
          const peerAck = lite.get(slot, LITE.ack + 1 - side);
          if (Number.isNaN(peerAck) || seqDiff(tcp.ack, peerAck) > 0) lite.set(slot, LITE.ack + 1 - side, tcp.ack);
        }
        return;
      }
      this.materializeTcp(flow);
    }
    const dirs = flow.tcp!;
    const me = dirs[side];
    const peer = dirs[1 - side]!;
    const retransmitsBefore = me.retransmissions;
    const inconsistentBefore = me.inconsistent;

    this.trackState(flow, side, syn, ack, fin, rst, payload.length, tcp.window, originator);
    if (this.tcpAnalysis) this.analyzeTcp(flow, side, tcp, p, ip);

    let dataSeq = tcp.seq;
    if (syn) {
      (flow.isn ??= [null, null])[side] ??= tcp.seq;
      me.syn(tcp.seq);
      dataSeq = seqAdd(tcp.seq, 1);
      if (payload.length) this.anomaly('tcp.syn_with_data', `SYN carries ${payload.length} bytes (TCP Fast Open or crafted)`, flow, flow.dirOf(side));
    }
    if (sent > payload.length) me.cutShort(dataSeq, payload, sent);
    else if (payload.length) me.segment(dataSeq, payload);
    if (fin) me.fin(seqAdd(dataSeq, sent));
    if (ack) peer.acked(tcp.ack);
    if (rst) flow.session?.end(flow.dirOf(side), 'rst');

    if (me.retransmissions > retransmitsBefore) flow.addHistory('T', originator);
    if (me.inconsistent > inconsistentBefore) flow.addHistory('I', originator);
    if ((rst || fin) && flow.closed) this.flows.markClosed(flow);
  }

  /** Wireshark's sequence analysis of the segment; a flagged one becomes a `tcp.analysis` event. */
  private analyzeTcp(flow: Flow, side: Side, tcp: TcpHeader, p: RawPacket, ip: IpPacket): void {
    // The segment's length as sent (`tcp.len`): a capture cut by its snaplen still says how long it was.
    const seglen = ip.truncated && ip.declared_payload !== undefined ? Math.max(0, ip.declared_payload - tcp.data_offset) : tcp.payload.length;
    const options = tcp.flags & TCP_SYN ? tcp.options : null;
    let a = flow.tcpAnalysis ?? this.replayFirstSegment(flow);
    if (a === null) {
      a = new TcpAnalyzer(flow.firstSeconds, flow.firstNanos, this.limits.max_unacked_segments);
      // A lite flow's first segment (most of a SYN flood's flows have no other): analysed by
      // an analyzer dropped right after, the segment kept in `lite` to be replayed into the
      // flow's own analyzer if a second one comes (`replayFirstSegment`). The analysis is a
      // function of the segments alone, so the replay gives the same state. (One analyzer
      // reset for every such segment saved a little CPU but made the peak RSS of `events` on
      // 200,000 SYNs jump from 196-198 MB to 268 MB in some runs: measured, not kept.)
      if (flow.lite >= 0) keepFirstSegment(this.lite, flow.lite, side, tcp, options);
      else flow.tcpAnalysis = a;
    }
    const me = a.sides[side];
    const full = me.overflowed;
    const r = a.packet(side, tcp.seq, tcp.ack, tcp.flags, tcp.window, seglen, this.frame, this.sec, this.ns, options);
    this.packetFlow = flow;
    this.packetTcp = r;
    if (!full && me.overflowed) {
      this.anomaly('tcp.analysis_limit', `more than ${this.limits.max_unacked_segments} segments unacknowledged; later ones get no ACK RTT`, flow, flow.dirOf(side));
    }
    if (r.bits === 0 || !this.wants('tcp.analysis')) return;
    // One fields record refilled per event: `write` reads it and `build` copies it. The flag
    // list is shared per set of flags when the event is only written, fresh for an object.
    const f = this.tcpFields;
    f.tcp_stream = flow.stream;
    f.flags = this.out !== null ? flagList(r.bits) : flagNames(r.bits);
    f.seq = r.relSeq;
    f.ack = r.relAck >= 0 ? r.relAck : undefined;
    f.len = seglen;
    f.window_size = r.windowSize;
    f.dup_ack_num = r.dupAckNum || undefined;
    f.dup_ack_frame = r.dupAckFrame || undefined;
    f.ack_rtt = r.ackedFrame ? round9(r.ackRtt) : undefined;
    f.bytes_in_flight = r.bytesInFlight >= 0 ? r.bytesInFlight : undefined;
    this.put(TCP_ANALYSIS, this.frame, this.ts, flow.id, flow.dirOf(side), f);
  }

  /** An event of a declared type: written as bytes when the sink takes them, else built and emitted. */
  private put<K extends EventType>(d: DeclaredEvent<K>, frame: number, ts: Timestamp, flow: number | null, dir: Direction | null, fields: FieldsOf<K>): void {
    if (this.out !== null) d.write(this.out, frame, ts, flow, dir, fields);
    else this.sink.emit(typedEvent(d.type, frame, ts, flow, dir, fields));
  }

  /** Zeek's endpoint states and history letters (`tcpStep` in flow/conn-state.ts) and the handshake's times. */
  private trackState(
    flow: Flow,
    side: Side,
    syn: boolean,
    ack: boolean,
    fin: boolean,
    rst: boolean,
    payloadLength: number,
    window: number,
    originator: boolean,
  ): void {
    const other = (1 - side) as Side;
    const seg = this.segment;
    seg.syn = syn;
    seg.ack = ack;
    seg.fin = fin;
    seg.rst = rst;
    seg.payload = payloadLength;
    seg.window = window;
    const step = tcpStep(flow.state(side), flow.state(other), seg);
    flow.setState(side, stepMine(step));
    flow.setState(other, stepTheirs(step));
    if (step & STEP_ANY_LETTER) {
      for (let i = 0; i < STEP_LETTERS.length; i++) {
        const l = STEP_LETTERS[i]!;
        if (step & l[0]) flow.addHistory(l[1], originator);
      }
    }
    if (step & STEP_H) flow.synAckTs ??= this.ts;
    // The SYN's time from the packet's numbers: reading `synTs` made a Timestamp at each read.
    if (step & STEP_S) flow.noteSyn(this.sec, this.ns);
    if (step & STEP_HANDSHAKE_ACK && originator && flow.hasSyn && flow.synAckTs !== null && flow.handshakeRtt === null) {
      flow.handshakeRtt = Math.round(flow.sinceSyn(this.sec, this.ns) * 1e6) / 1e6;
    }
  }

  /**
   * A new TCP flow starts lite (SYNs and ACKs only); an expected one (an FTP data
   * connection) gets its session at once, as the expectation is claimed now.
   */
  private attachTcp(flow: Flow): void {
    const expected = this.expectations.pending ? this.expectations.take(flow.server.addr, flow.server.port, flow.client.addr) : null;
    if (expected) {
      this.fullTcp(flow);
      flow.session = new AppSession(flow, this, expected);
    } else flow.lite = this.lite.alloc();
  }

  /**
   * The analyzer of a lite flow whose first segment was analysed apart (`analyzeTcp`): made
   * now, that segment replayed into it. Null when there is none to replay.
   */
  private replayFirstSegment(flow: Flow): TcpAnalyzer | null {
    const slot = flow.lite;
    const lite = this.lite;
    if (slot < 0 || Number.isNaN(lite.get(slot, LITE.firstHeader))) return null;
    const a = new TcpAnalyzer(flow.firstSeconds, flow.firstNanos, this.limits.max_unacked_segments);
    const header = lite.get(slot, LITE.firstHeader);
    const opts = lite.get(slot, LITE.firstOptions);
    const mss = opts % 0x20000;
    const wscale = Math.floor(opts / 0x20000) % 0x200;
    const sack = Math.floor(opts / 0x4000000);
    const options = sack === 0 ? null : { mss: mss === 0 ? undefined : mss - 1, window_scale: wscale === 0 ? undefined : wscale - 1, sack_permitted: sack === 2 };
    // The kept segment is the flow's first packet (see keepFirstSegment): its frame and time are the flow's first.
    a.packet((header & 1) as Side, lite.get(slot, LITE.firstSeq), lite.get(slot, LITE.firstAck), (header >>> 1) & 0x1ff, header >>> 10, 0, flow.firstFrame, flow.firstSeconds, flow.firstNanos, options);
    lite.set(slot, LITE.firstHeader, NaN);
    flow.tcpAnalysis = a;
    return a;
  }

  private fullTcp(flow: Flow): void {
    const perFlow = this.limits.reassembly_per_flow;
    flow.tcp = [new TcpDirection(new SideOutput(this, flow, 0), perFlow, this.budget), new TcpDirection(new SideOutput(this, flow, 1), perFlow, this.budget)];
  }

  /**
   * A lite flow's first payload, FIN or RST (or its end): the reassembly and session it
   * would have had from the start, in the same state. Before any payload a direction's
   * state is the last SYN (`syn` sets it while nothing was delivered) and the highest
   * acknowledgement (`acked` keeps nothing else while nothing was delivered).
   */
  private materializeTcp(flow: Flow): void {
    this.replayFirstSegment(flow);
    const slot = flow.lite;
    const lite = this.lite;
    this.fullTcp(flow);
    const dirs = flow.tcp!;
    for (const side of [0, 1] as const) {
      const synSeq = lite.get(slot, LITE.syn + side);
      if (!Number.isNaN(synSeq)) dirs[side].syn(synSeq);
      const acked = lite.get(slot, LITE.ack + side);
      if (!Number.isNaN(acked)) dirs[side].acked(acked);
      const isn = lite.get(slot, LITE.isn + side);
      if (!Number.isNaN(isn)) (flow.isn ??= [null, null])[side] = isn;
    }
    flow.lite = -1;
    lite.release(slot);
    flow.session = new AppSession(flow, this);
  }

  private udp(ip: IpPacket, udp: UdpHeader, p: RawPacket, net: string, encap: Encapsulation | undefined, scope: string): void {
    const probe = keyProbe(17, ip.src, udp.src_port, ip.dst, udp.dst_port, scope);
    const forward = probe.forward;
    const side: Side = forward ? 0 : 1;
    let flow = this.flows.find(probe);
    if (!flow) {
      flow = this.newFlow('udp', 17, ip, udp.src_port, udp.dst_port, probe.text(), side, side, net, encap);
      flow.session = new AppSession(flow, this);
    } else if (flow.session === null) {
      // A tunnel's flow whose datagram this time was not the tunnel's.
      flow.session = new AppSession(flow, this);
    }
    this.touch(flow, side, ip, p);
    this.packetFlow = flow;
    flow.addBytes(side, udp.payload.length);
    if (udp.payload.length) {
      flow.countPayload(p.orig_len);
    }
    // Said, not dropped: the dissector gets the prefix and finds its own end.
    const ipSent = ip.truncated && ip.declared_payload !== undefined ? ip.declared_payload - 8 : 0;
    const sent = udp.length >= 8 && udp.length - 8 < ipSent ? udp.length - 8 : ipSent;
    if (sent > udp.payload.length) {
      this.anomaly('udp.payload_truncated', `the capture's snap length cut the datagram: ${udp.payload.length} of ${sent} bytes captured; the prefix is dissected`, flow, flow.dirOf(side));
    }
    flow.session!.datagram(flow.dirOf(side), udp.payload);
  }

  private icmp(ip: IpPacket, p: RawPacket, net: string, encap: Encapsulation | undefined, scope: string): void {
    const proto = ip.version === 4 ? 1 : 58;
    const { type, code } = ip.icmp!;
    const dport = icmpCounterpart(proto, type) ?? code;
    const probe = keyProbe(proto, ip.src, type, ip.dst, dport, scope);
    const forward = probe.forward;
    const side: Side = forward ? 0 : 1;
    let flow = this.flows.find(probe);
    if (!flow) flow = this.newFlow('icmp', proto, ip, type, dport, probe.text(), side, side, net, encap);
    this.touch(flow, side, ip, p);
    this.packetFlow = flow;
    flow.addBytes(side, Math.max(0, ip.payload.length - 8));
  }

  private flowEnded(flow: Flow, reason: EndReason): void {
    if (this.endingPhase !== null) this.mark?.(this.endingPhase === Phase.EndFlows ? END_FRAME : this.frame, this.endingPhase, flow.id, 0);
    if (flow.lite >= 0) this.materializeTcp(flow);
    if (flow.tcp) {
      for (const d of flow.tcp) d.flush();
      for (const side of [0, 1] as const) {
        const d = flow.tcp[side];
        flow.setBytes(side, d.base >= 0 && d.highest >= 0 ? Math.max(0, seqDiff(d.highest, d.base)) : 0);
      }
    }
    flow.session?.close();
    if (flow.tcpAnalysis) {
      if (this.wants('tcp.connection')) this.put(TCP_CONNECTION, flow.lastFrame, flow.last, flow.id, null, connectionFields(flow, flow.tcpAnalysis));
      flow.tcpAnalysis = null;
    }
    // A tunnel's flow put its packets in the hierarchy of the packets inside.
    if (!flow.carrier) this.stats.flowEnded(flow.layers, flow.service, flow.payloadPkts, flow.payloadFrameBytes);
    if (this.wants('flow.end')) this.put(FLOW_END, flow.lastFrame, flow.last, flow.id, null, flow.record(reason));
    flow.session = null;
    flow.tcp = null;
  }
}

/** Where one side's reassembled stream goes: the tap, the flow's record, its session. A class: one per direction of every open TCP flow. */
class SideOutput implements StreamOutput {
  constructor(
    private readonly engine: Engine,
    private readonly flow: Flow,
    private readonly side: Side,
  ) {}

  data(bytes: Uint8Array): void {
    const dir = this.flow.dirOf(this.side);
    this.engine.tap?.(this.flow.id, dir, bytes);
    this.flow.session!.data(dir, bytes);
  }

  gap(length: number, cause?: string): void {
    const { flow, side } = this;
    const dir = flow.dirOf(side);
    flow.missedBytes += length;
    flow.addHistory('G', side === flow.clientSide);
    this.engine.anomaly('tcp.gap', `${length} bytes missing from the stream${cause ? `: ${cause}` : ''}`, flow, dir);
    this.engine.tap?.(flow.id, dir, length);
    flow.session!.gap(dir, length);
  }

  finished(): void {
    this.flow.session!.end(this.flow.dirOf(this.side), 'fin');
  }

  anomaly(code: AnomalyCode, detail: string): void {
    this.engine.anomaly(code, detail, this.flow, this.flow.dirOf(this.side));
  }
}

/** The hierarchy path of a decapsulated packet's network layers: `ipv4:udp:vxlan:ipv4`. */
function tunnelPath(ip: IpPacket): string {
  const own = ip.version === 4 ? 'ipv4' : 'ipv6';
  const e = ip.encap;
  if (e === undefined) return own;
  return `${tunnelPath(e.outer)}:${e.outer.transport?.protocol === 'udp' ? 'udp:' : ''}${e.path}:${own}`;
}

/**
 * What keeps flows of different tunnels apart (the same inner 5-tuple in two VXLAN
 * segments): each hop's type, network id and outer address pair, the same both ways.
 * Outer ports are left out: a VXLAN sender picks its source port per inner flow and direction.
 */
function tunnelScope(encap: Encapsulation): string {
  let s = '';
  for (let e: Encapsulation | undefined = encap; e !== undefined; e = e.outer.encap) {
    const o = e.outer;
    const [a, b] = compareEndpoints(o.src, 0, o.dst, 0) <= 0 ? [o.src, o.dst] : [o.dst, o.src];
    s += `|${e.label}/${e.vni ?? ''}/${formatAddress(a)}/${formatAddress(b)}`;
  }
  return s;
}

/** The tunnels of a new flow, outermost first, oriented by side (`side` sent the packet). */
function tunnelHops(encap: Encapsulation, side: Side): TunnelHop[] {
  const hops: TunnelHop[] = [];
  for (let e: Encapsulation | undefined = encap; e !== undefined; e = e.outer.encap) {
    const o = e.outer;
    const u = o.transport?.protocol === 'udp' ? o.transport : null;
    const src = formatAddress(o.src);
    const dst = formatAddress(o.dst);
    const sp = u?.src_port ?? 0;
    const dp = u?.dst_port ?? 0;
    hops.unshift(
      side === 0
        ? { type: e.type, encap: e.label, h0: src, p0: sp, h1: dst, p1: dp, vni: e.vni }
        : { type: e.type, encap: e.label, h0: dst, p0: dp, h1: src, p1: sp, vni: e.vni },
    );
  }
  return hops;
}

/**
 * Share names per frame: a frame creates at most one flow per tunnel carried over UDP and
 * the innermost flow, MAX_TUNNEL_DEPTH + 1 (src/decode/index.ts) at most, below this.
 */
export const SHARE_NAME_STRIDE = 1024;

const round9 = (s: number): number => Math.round(s * 1e9) / 1e9;

function ipProtoName(proto: number): string {
  switch (proto) {
    case 1:
      return 'icmp';
    case 2:
      return 'igmp';
    case 47:
      return 'gre';
    case 50:
      return 'esp';
    case 58:
      return 'icmpv6';
    case 132:
      return 'sctp';
    default:
      return `ip_proto_${proto}`;
  }
}

/**
 * Keeps a lite flow's first analysed segment. It is always the flow's first packet (the
 * flow was made by it, and it carried no payload, FIN or RST, or the flow would not be
 * lite), so its frame and time are the flow's own and its length is 0.
 */
function keepFirstSegment(lite: LiteSlots, slot: number, side: Side, tcp: TcpHeader, options: { mss?: number; window_scale?: number; sack_permitted?: boolean } | null): void {
  lite.set(slot, LITE.firstSeq, tcp.seq);
  lite.set(slot, LITE.firstAck, tcp.ack);
  lite.set(slot, LITE.firstHeader, side | (tcp.flags << 1) | (tcp.window << 10));
  lite.set(
    slot,
    LITE.firstOptions,
    options === null ? 0 : (options.mss === undefined ? 0 : options.mss + 1) + (options.window_scale === undefined ? 0 : options.window_scale + 1) * 0x20000 + (options.sack_permitted ? 2 : 1) * 0x4000000,
  );
}
