import type {
  DatagramDissector,
  DissectorContext,
  Expectation,
  ExportedObject,
  FlowInfo,
  HandOver,
  InnerStreamOptions,
  Position,
  ProtocolDescriptor,
  StreamDissector,
} from '../dissect/contract.js';
import type { SecretStore } from '../dissect/secrets.js';
import { DatagramDetector, orderCandidates, StreamDetector, type Verdict } from '../dissect/detect.js';
import type { Limits } from '../dissect/limits.js';
import { makeEvent, opposite, typedEvent, type Direction, type EventFields, type EventSink } from '../events/event.js';
import type { AnomalyCode, EventType, FieldsOf, LayerMark } from '../events/event-map.js';
import { declaredEvent } from '../events/declared.js';
import type { JsonValue } from '../events/json.js';
import type { LineOut } from '../events/line-out.js';
import type { Timestamp } from '../events/time.js';
import type { Flow, FlowSession } from '../flow/flow.js';

/** What a session needs from the engine. */
export interface SessionHost {
  readonly limits: Readonly<Limits>;
  readonly protocols: readonly ProtocolDescriptor[];
  readonly sink: EventSink;
  /** The sink's `bytes`, or null: events of declared types are written there instead of emitted. */
  readonly out: LineOut | null;
  readonly wantsObjects: boolean;
  /** False: detection only; a decided flow gets its service and no dissector. */
  readonly dissect: boolean;
  /** Whether flows of protocol `name` get its dissector (`dissect`, and the run's work plan). */
  dissects(name: string): boolean;
  /** Whether events of `type` are built at all (the run's work plan). */
  wants(type: string): boolean;
  /** Only flows' services and summaries are read of dissectors (`WorkPlan.summaryOnly`). */
  readonly summaryOnly: boolean;
  /** Frame and time of the packet being processed. */
  readonly frame: number;
  readonly ts: Timestamp;
  /** Key material for decryption, or null. */
  readonly secrets: SecretStore | null;
  /** Sees every chunk and gap of inner streams (`follow` shows decrypted bytes). */
  readonly innerTap?: InnerTap;
  exportObject(object: ExportedObject, flow: number): void;
  expect(expectation: Expectation, flow: Flow): void;
  /** The run's object for `key` (DissectorContext.shared). */
  shared<T extends object>(key: string, make: () => T): T;
  /** The same without making one: for probes. */
  peekShared(key: string): object | undefined;
}

/** A chunk (or a gap's length) of an inner stream of `flow`, produced by layer `via`. */
export type InnerTap = (flow: number, dir: Direction, data: Uint8Array | number, via: LayerMark) => void;

/**
 * Where an inner session sits: the layer whose output it reads (`tls`, which is also the
 * field its events carry as `tls: true`) and the service of the flow when it was opened,
 * which prefixes the inner protocol's name (`tls,http`, as Zeek lists every analyzer).
 */
interface Layer {
  readonly via: LayerMark;
  readonly prefix: string;
}

/** Something seen while detection was undecided, replayed into the chosen dissector. */
type Held =
  | { kind: 'data'; dir: Direction; bytes: Uint8Array; frame: number; ts: Timestamp }
  | { kind: 'gap'; dir: Direction; length: number; frame: number; ts: Timestamp }
  | { kind: 'end'; dir: Direction; how: 'fin' | 'rst'; frame: number; ts: Timestamp };

/** Bound on datagrams held while undecided. */
const MAX_HELD_DATAGRAMS = 16;

/**
 * The application side of one flow: protocol detection, then one dissector fed through a
 * context that stamps events with the flow, frame and time. A dissector that throws is
 * detached with a `dissect.error` anomaly; the flow itself carries on.
 */
export class AppSession implements FlowSession {
  private streamDetector: StreamDetector | null = null;
  private datagramDetector: DatagramDetector | null = null;
  private held: Held[] = [];
  private stream: StreamDissector | null = null;
  private datagramDissector: DatagramDissector | null = null;
  /** Where held input being replayed was seen (events take its frame and time). */
  replaying: Position | null = null;
  switchTo: { protocol: string | null; pending?: { c2s?: Uint8Array; s2c?: Uint8Array }; handOver?: HandOver } | null = null;
  /** What the dissector that switched to the current one handed over (`DissectorContext.handedOver`). */
  handedOver: HandOver | null = null;
  /** The service of the tunnel whose handshake handed the stream back to detection (`socks`, `http` for CONNECT). */
  private outerService: string | null = null;
  private closed = false;
  /** The dissector said it is done (`DissectorContext.stop`): nothing more is fed. */
  private stopped = false;
  private context: DissectorContext | null = null;
  /** A byte stream (TCP, or any inner stream), not datagrams. */
  private readonly streamed: boolean;
  /** Inner sessions this one opened, closed with it if their opener did not. */
  private inners: AppSession[] | null = null;

  constructor(
    private readonly flow: Flow,
    private readonly host: SessionHost,
    expected?: Expectation,
    private readonly layer: Layer | null = null,
    named?: ProtocolDescriptor,
  ) {
    this.streamed = flow.transport === 'tcp' || layer !== null;
    if (named) {
      this.start(named);
    } else if (expected) {
      flow.setService(expected.service);
      this.stream = this.guard(() => expected.create(this.ctx)) ?? null;
      this.dropIfStopped();
    } else if (this.streamed) {
      const candidates = this.candidates('tcp');
      if (candidates.length) this.streamDetector = new StreamDetector(candidates, host.limits.detect_buffer);
    } else if (flow.transport === 'udp') {
      const candidates = this.candidates('udp');
      if (candidates.length) this.datagramDetector = new DatagramDetector(candidates);
    }
  }

  /** The dissectors' view of this flow, made when the first dissector is. */
  get ctx(): DissectorContext {
    return (this.context ??= new SessionContext(this, this.flow, this.host));
  }

  data(dir: Direction, bytes: Uint8Array): void {
    if (this.stream) {
      // Called per chunk: a try here, not `guard`, whose closure (and its context) was made
      // for every chunk and datagram (issue 18).
      try {
        this.stream.data(dir, bytes);
      } catch (err) {
        this.failed(err);
      }
      this.applySwitch();
    } else if (this.streamDetector) {
      this.held.push({ kind: 'data', dir, bytes: bytes.slice(), frame: this.host.frame, ts: this.host.ts });
      this.decide(this.streamDetector.offer(dir, bytes, this.flow.info));
    }
  }

  gap(dir: Direction, length: number): void {
    if (this.stream) {
      try {
        this.stream.gap(dir, length);
      } catch (err) {
        this.failed(err);
      }
      this.applySwitch();
    } else if (this.streamDetector) {
      this.held.push({ kind: 'gap', dir, length, frame: this.host.frame, ts: this.host.ts });
      this.decide(this.streamDetector.gap(dir, this.flow.info));
    }
  }

  end(dir: Direction, how: 'fin' | 'rst'): void {
    if (this.stream) {
      const d = this.stream;
      if (d.end) this.guard(() => d.end!(dir, how));
    } else if (this.streamDetector) {
      this.held.push({ kind: 'end', dir, how, frame: this.host.frame, ts: this.host.ts });
    }
  }

  datagram(dir: Direction, bytes: Uint8Array): void {
    if (this.datagramDissector) {
      try {
        this.datagramDissector.datagram(dir, bytes);
      } catch (err) {
        this.failed(err);
      }
    } else if (this.datagramDetector) {
      this.held.push({ kind: 'data', dir, bytes: bytes.slice(), frame: this.host.frame, ts: this.host.ts });
      const verdict = this.datagramDetector.offer(dir, bytes, this.flow.info, (key) => this.host.peekShared(key));
      if (verdict.kind === 'undecided' && this.held.length >= MAX_HELD_DATAGRAMS) this.decide({ kind: 'none' });
      else this.decide(verdict);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.stream;
    const g = this.datagramDissector;
    if (s) this.guard(() => s.close());
    if (g) this.guard(() => g.close());
    this.stream = this.datagramDissector = null;
    this.held = [];
    if (this.inners) for (const inner of this.inners) inner.close();
  }

  /**
   * A session for a stream derived from this flow's (decrypted TLS): detection as for a
   * new flow, or `protocol` directly when the registry has it; the same flow, so the same
   * id, counters and service.
   */
  openInner(opts: InnerStreamOptions, at: DissectorContext): StreamDissector {
    const host = new InnerHost(this.host, at);
    const named = opts.protocol === undefined ? undefined : this.host.protocols.find((p) => p.name === opts.protocol && p.createStream);
    const layer = { via: opts.via, prefix: this.flow.service ?? opts.via };
    const inner = new AppSession(this.flow, host, undefined, layer, named);
    (this.inners ??= []).push(inner);
    return new InnerStream(inner, this.flow, opts.via, this.host.innerTap);
  }

  /** The service label of protocol `name` at this session's layer (`http`, or `tls,http` inside TLS). */
  serviceOf(name: string): string {
    const own = this.layer ? `${this.layer.prefix},${name}` : name;
    // After a tunnel's handshake (SOCKS, HTTP CONNECT) the service names both, as Zeek's conn.log does: `socks,http`;
    // HTTP through an HTTP CONNECT tunnel is `http,http` (two sessions, the proxy's and the origin's).
    return this.outerService !== null ? `${this.outerService},${own}` : own;
  }

  private candidates(transport: 'tcp' | 'udp'): ProtocolDescriptor[] {
    return orderCandidates(this.host.protocols, transport, this.flow.info);
  }

  private decide(verdict: Verdict): void {
    if (verdict.kind === 'undecided') return;
    this.streamDetector = null;
    this.datagramDetector = null;
    const held = this.held;
    this.held = [];
    if (verdict.kind === 'none') return;
    // An inner stream's directions are its outer layer's, which detection already settled.
    // A tunnel's inner stream keeps the tunnel's directions.
    if (verdict.reversed && !this.layer && this.outerService === null) {
      this.flow.flip();
      for (const h of held) h.dir = opposite(h.dir);
    }
    this.start(verdict.protocol);
    if (verdict.lenient) {
      this.anomaly('dissect.lenient_detection', null, `${verdict.protocol.name} recognised on port ${this.flow.info.server.port} although its first lines carry control bytes`);
    }
    this.replay(held);
  }

  private start(protocol: ProtocolDescriptor): void {
    if (this.layer || this.outerService !== null) this.flow.setService(this.serviceOf(protocol.name));
    else if (this.flow.service === null) this.flow.setService(protocol.name);
    if (!this.host.dissects(protocol.name)) return;
    if (this.streamed && protocol.createStream) {
      this.stream = this.guard(() => protocol.createStream!(this.ctx)) ?? null;
    } else if (protocol.createDatagram) {
      this.datagramDissector = this.guard(() => protocol.createDatagram!(this.ctx)) ?? null;
    }
    this.dropIfStopped();
  }

  /** `DissectorContext.stop`: the dissector gets nothing more, `close` included. */
  stop(): void {
    this.stopped = true;
    this.stream = null;
    this.datagramDissector = null;
  }

  /** A dissector may stop while it is being made (nothing of it is read in this run). */
  private dropIfStopped(): void {
    if (!this.stopped) return;
    this.stream = null;
    this.datagramDissector = null;
  }

  private replay(held: Held[]): void {
    for (const h of held) {
      this.replaying = { frame: h.frame, ts: h.ts };
      if (h.kind === 'data') {
        if (this.streamed) this.data(h.dir, h.bytes);
        else this.datagram(h.dir, h.bytes);
      } else if (h.kind === 'gap') this.gap(h.dir, h.length);
      else this.end(h.dir, h.how);
    }
    this.replaying = null;
  }

  /** Protocol hand-over requested by the dissector, done once its call has returned. */
  private applySwitch(): void {
    const request = this.switchTo;
    if (!request) return;
    this.switchTo = null;
    this.stream = null;
    const pending: Held[] = [];
    const at = { frame: this.host.frame, ts: this.host.ts };
    for (const dir of ['c2s', 's2c'] as const) {
      const bytes = request.pending?.[dir];
      if (bytes?.length) pending.push({ kind: 'data', dir, bytes: bytes.slice(), ...at });
    }
    if (request.protocol === null) {
      this.outerService ??= this.flow.service;
      this.streamDetector = new StreamDetector(this.candidates('tcp'), this.host.limits.detect_buffer);
      for (const h of pending) if (h.kind === 'data') this.data(h.dir, h.bytes);
      return;
    }
    const next = this.host.protocols.find((p) => p.name === request.protocol);
    if (!next?.createStream) {
      this.anomaly('dissect.error', null, `hand-over to unknown protocol ${request.protocol}`);
      return;
    }
    this.flow.setService(this.serviceOf(next.name));
    if (!this.host.dissects(next.name)) return;
    this.handedOver = request.handOver ?? null;
    this.stream = this.guard(() => next.createStream!(this.ctx)) ?? null;
    this.dropIfStopped();
    this.replay(pending);
  }

  anomaly(code: AnomalyCode, dir: Direction | null, detail: string, at?: Position): void {
    this.emit('anomaly', dir, { code, detail }, at);
  }

  emit<K extends EventType>(type: K, dir: Direction | null, fields: FieldsOf<K>, at?: Position): void {
    if (!this.host.wants(type)) return;
    const pos = at ?? this.replaying;
    const frame = pos?.frame ?? this.host.frame;
    const ts = pos?.ts ?? this.host.ts;
    if (this.layer) {
      this.host.sink.emit(makeEvent(type, frame, ts, this.flow.id, dir, marked(type, fields, this.layer.via)));
      return;
    }
    const out = this.host.out;
    const declared = out !== null ? declaredEvent(type) : undefined;
    if (declared !== undefined) declared.write(out!, frame, ts, this.flow.id, dir, fields);
    else this.host.sink.emit(typedEvent(type, frame, ts, this.flow.id, dir, fields));
  }

  /** Runs dissector code; a throw detaches the dissector instead of ending the run. */
  private guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  /** A dissector threw: reported, and the dissector detached instead of ending the run. */
  private failed(err: unknown): void {
    const name = this.flow.service ?? 'dissector';
    this.anomaly('dissect.error', null, `${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    this.stream = null;
    this.datagramDissector = null;
  }
}

/**
 * The dissectors' view of a flow. A class, not an object of closures: thousands of flows
 * are open at once, and a dozen closures each was about 10 MB of a 90 MB heap.
 */
class SessionContext implements DissectorContext {
  readonly limits: Readonly<Limits>;
  readonly wants_objects: boolean;

  constructor(
    private readonly session: AppSession,
    private readonly owner: Flow,
    private readonly host: SessionHost,
  ) {
    this.limits = host.limits;
    this.wants_objects = host.wantsObjects;
  }

  get flow(): FlowInfo {
    return this.owner.info;
  }

  get frame(): number {
    return this.session.replaying?.frame ?? this.host.frame;
  }

  get ts(): Timestamp {
    return this.session.replaying?.ts ?? this.host.ts;
  }

  get tcp_rtt(): number | null {
    return this.owner.handshakeRtt;
  }

  emit<K extends EventType>(type: K, dir: Direction | null, fields: FieldsOf<K>, at?: Position): void {
    this.session.emit(type, dir, fields, at);
  }

  anomaly(code: AnomalyCode, dir: Direction | null, detail: string, at?: Position): void {
    this.session.anomaly(code, dir, detail, at);
  }

  wants(type: EventType): boolean {
    return this.host.wants(type);
  }

  get summaryOnly(): boolean {
    return this.host.summaryOnly;
  }

  stop(): void {
    if (this.host.summaryOnly) this.session.stop();
  }

  exportObject(object: ExportedObject): void {
    if (this.host.wantsObjects) this.host.exportObject(object, this.owner.id);
  }

  expect(expectation: Expectation): void {
    this.host.expect(expectation, this.owner);
  }

  switchProtocol(protocol: string | null, pending?: { c2s?: Uint8Array; s2c?: Uint8Array }, handOver?: HandOver): void {
    this.session.switchTo = { protocol, pending, handOver };
  }

  get handedOver(): HandOver | null {
    return this.session.handedOver;
  }

  setService(service: string): void {
    this.owner.setService(this.session.serviceOf(service));
  }

  setSummary(summary: string): void {
    this.owner.summary = summary;
  }

  get secrets(): SecretStore | null {
    return this.host.secrets;
  }

  openInner(opts: InnerStreamOptions): StreamDissector {
    return this.session.openInner(opts, this);
  }

  shared<T extends object>(key: string, make: () => T): T {
    return this.host.shared(key, make);
  }
}

/**
 * The engine as an inner session sees it: the same engine, except that "the packet being
 * processed" is the one its opener is processing (which may be held input it replays).
 */
class InnerHost implements SessionHost {
  readonly limits: Readonly<Limits>;
  readonly protocols: readonly ProtocolDescriptor[];
  readonly sink: EventSink;
  readonly out: LineOut | null;
  readonly wantsObjects: boolean;
  readonly dissect = true;
  readonly secrets: SecretStore | null;
  readonly innerTap: InnerTap | undefined;

  constructor(
    private readonly outer: SessionHost,
    private readonly at: DissectorContext,
  ) {
    this.limits = outer.limits;
    this.protocols = outer.protocols;
    this.sink = outer.sink;
    this.out = outer.out;
    this.wantsObjects = outer.wantsObjects;
    this.secrets = outer.secrets;
    this.innerTap = outer.innerTap;
  }

  get frame(): number {
    return this.at.frame;
  }

  get ts(): Timestamp {
    return this.at.ts;
  }

  dissects(name: string): boolean {
    return this.outer.dissects(name);
  }

  wants(type: string): boolean {
    return this.outer.wants(type);
  }

  get summaryOnly(): boolean {
    return this.outer.summaryOnly;
  }

  exportObject(object: ExportedObject, flow: number): void {
    this.outer.exportObject(object, flow);
  }

  expect(expectation: Expectation, flow: Flow): void {
    this.outer.expect(expectation, flow);
  }

  shared<T extends object>(key: string, make: () => T): T {
    return this.outer.shared(key, make);
  }

  peekShared(key: string): object | undefined {
    return this.outer.peekShared(key);
  }
}

/** What `openInner` hands back: the inner session, with the tap (`follow`) seeing its bytes first. */
class InnerStream implements StreamDissector {
  private closed = false;

  constructor(
    private readonly session: AppSession,
    private readonly flow: Flow,
    private readonly via: LayerMark,
    private readonly tap: InnerTap | undefined,
  ) {}

  data(dir: Direction, bytes: Uint8Array): void {
    if (this.closed || !bytes.length) return;
    this.tap?.(this.flow.id, dir, bytes, this.via);
    this.session.data(dir, bytes);
  }

  gap(dir: Direction, length: number): void {
    if (this.closed || length <= 0) return;
    this.tap?.(this.flow.id, dir, length, this.via);
    this.session.gap(dir, length);
  }

  end(dir: Direction, how: 'fin' | 'rst'): void {
    if (!this.closed) this.session.end(dir, how);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
  }
}

/** An inner event's fields with the layer's marker last (`tls: true`). */
/** An event's fields with the mark of the layer that carried it (`LayerMarks`), last. */
function marked(type: string, declared: object, via: LayerMark): EventFields {
  const fields = declared as EventFields;
  const out: { [field: string]: JsonValue | undefined } = {};
  // A type that declares its field order (events/declared.ts) keeps it inside a layer too.
  const order = declaredEvent(type)?.keys;
  if (order !== undefined) {
    for (const key of order) out[key] = fields[key];
    out[via] = true;
    return out;
  }
  for (const key in fields) {
    // Assigning `__proto__` would set the prototype (see makeEvent).
    if (key === '__proto__') Object.defineProperty(out, key, { value: fields[key], enumerable: true, writable: true, configurable: true });
    else out[key] = fields[key];
  }
  out[via] = true;
  return out;
}
