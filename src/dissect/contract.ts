import type { Direction, WireEvent } from '../events/event.js';
import type { AnomalyCode, EventType, FieldsOf, LayerMark } from '../events/event-map.js';
import type { JsonObject } from '../events/json.js';
import type { Timestamp } from '../events/time.js';
import type { Limits } from './limits.js';
import type { SecretStore } from './secrets.js';

/**
 * The contract between the engine and every protocol. A protocol folder exports one
 * `ProtocolDescriptor`; the engine probes flows with it and creates one dissector per
 * flow. Dissectors hold state and pair transactions; parsers stay pure.
 *
 * "Need more bytes" is spelled `need_more` everywhere: a probe's `ProbeResult` here, a
 * parser's `Parsed<T>` and a prefix judgement's `Verdict` in `parse.ts` (whose comment is the
 * whole contract). Field readers inside a unit that is already whole return `null` instead,
 * because there a short field is malformed, not unfinished.
 */

export type Transport = 'tcp' | 'udp';

export interface Endpoint {
  /** Printable address: dotted IPv4 or RFC 5952 IPv6. */
  readonly addr: string;
  readonly port: number;
}

export interface FlowInfo {
  /** 1-based, in order of the flow's first packet. */
  readonly id: number;
  readonly transport: Transport;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** IP version of the flow. */
  readonly ip_version: 4 | 6;
  /** Community ID v1 (`1:base64`). */
  readonly community_id: string;
}

/** Where an event happened, when not the packet being processed. */
export interface Position {
  readonly frame: number;
  readonly ts: Timestamp;
}

/** Reads the run's shared object for a key (DissectorContext.shared), or undefined when none was made. */
export type SharedLookup = (key: string) => object | undefined;

/** What a probe may be told beside the bytes. */
export interface ProbeExtra {
  /**
   * Reads (never makes) the run's shared objects (DissectorContext.shared): what other flows'
   * dissectors know may name these bytes (a QUIC path found by its connection ID).
   */
  readonly shared?: SharedLookup;
  /**
   * A gap follows these bytes (the snap length cut the segment, or a segment was lost), so
   * they will not grow: a probe that said `need_more` may now judge a first line cut short
   * (`GET /a/lo`).
   */
  readonly cut?: boolean;
}

/** A transferred object (HTTP body, FTP file, mail message) offered for `wirelens export`. */
export interface ExportedObject {
  /** Protocol that carried it: `http`, `ftp`, `smtp`, `pop3`, `imap`. */
  readonly protocol: string;
  /** Name suggested by the protocol (URI basename, FTP path, attachment file name); sanitised by the exporter. */
  readonly name: string;
  readonly content_type?: string;
  /** Frame of the packet that completed the object. */
  readonly frame: number;
  readonly data: Uint8Array;
  /** Set when the object is known to be incomplete (gaps, limit, capture ended). */
  readonly incomplete?: boolean;
}

/** Tell the engine that a connection is coming (FTP data channel). */
export interface Expectation {
  /** The endpoint that will accept the connection (receives the SYN). */
  readonly responder: Endpoint;
  /** Address that will connect, if known. */
  readonly originator_addr?: string;
  /** Label for the flow's `service`, such as `ftp-data`. */
  readonly service: string;
  /** Seconds of capture time to wait; defaults to `limits.expectation_timeout`. */
  readonly timeout?: number;
  /** Called when the connection arrives; the returned dissector gets its stream. */
  readonly create: (ctx: DissectorContext) => StreamDissector;
  /** Called once if the time-out passes with no connection. */
  readonly expired?: (at: Position) => void;
}

/**
 * State one dissector hands to the next with the flow (`switchProtocol`): a value, not a
 * side channel, so it lives exactly as long as the hand-over. The receiver checks `kind`.
 */
export interface HandOver {
  readonly kind: string;
}

export interface DissectorContext {
  readonly flow: FlowInfo;
  readonly limits: Readonly<Limits>;
  /** Frame and time of the packet being processed right now. */
  readonly frame: number;
  readonly ts: Timestamp;
  /** True when `wirelens export` (or another sink) wants object bodies; otherwise keep none. */
  readonly wants_objects: boolean;
  /**
   * TCP handshake round-trip time in seconds (SYN to the ACK of the SYN-ACK), or null when
   * the handshake was not seen or is not complete yet.
   */
  readonly tcp_rtt: number | null;

  /**
   * Emit an event for this flow, stamped with the current packet unless `at` is given. The
   * type and its fields are declared in `EventMap` (the protocol's `events.ts`).
   */
  emit<K extends EventType>(type: K, dir: Direction | null, fields: FieldsOf<K>, at?: Position): void;
  /** Emit an `anomaly` event with a stable code (declared in the protocol's `events.ts`). */
  anomaly(code: AnomalyCode, dir: Direction | null, detail: string, at?: Position): void;
  /**
   * Whether events of `type` are built at all in this run (`--types`: the work plan). A
   * dissector may skip work whose only product is such an event. Absent: every type is.
   */
  wants?(type: EventType): boolean;
  /**
   * True when nothing of this dissector is read but the flow's service and summary (`flows`,
   * `events --types flow.end`): none of its events is built, anomalies included. It may skip
   * work whose only product is events (event fields, fingerprints, certificates, decoded
   * bodies, parsed mail) and `stop` once neither the service nor the summary can change.
   * Absent: false.
   */
  readonly summaryOnly?: boolean;
  /**
   * Feed this dissector nothing more: no bytes, gaps or ends, and no `close` (so it must have
   * set everything it would set there). Only for `summaryOnly` runs, where nothing else of
   * it is read.
   */
  stop?(): void;
  /** Offer an object to the exporter. A no-op unless `wants_objects`. */
  exportObject(object: ExportedObject): void;
  /** Expect a new connection (FTP PORT/EPRT/PASV/EPSV). */
  expect(expectation: Expectation): void;
  /**
   * Hand the rest of this flow to another protocol (`http2` after an h2c upgrade), or to
   * detection again with `null` (after HTTP CONNECT). Bytes not yet consumed by this
   * dissector are passed as `pending` per direction and are fed first; what the next
   * dissector must know of this one's state (the request an h2c upgrade made) goes as
   * `handOver`, which it reads as `handedOver` when it is created.
   */
  switchProtocol(protocol: string | null, pending?: { c2s?: Uint8Array; s2c?: Uint8Array }, handOver?: HandOver): void;
  /** What the dissector that switched the flow to this one handed over with it; null otherwise. */
  readonly handedOver: HandOver | null;
  /** Name the flow's service once the dissector is sure (`http`, `ftp-data`, `dns`). */
  setService(service: string): void;
  /** One-line summary of the flow for flow lists, such as `GET /index.html → 200`. */
  setSummary(summary: string): void;
  /**
   * Key material for decryption (`--keylog`, pcapng Decryption Secrets Blocks), looked up
   * by label and client random; null when the run has none. A store that is empty now may
   * fill later (a secrets block read after this flow began), so ask when a key is needed.
   */
  readonly secrets: SecretStore | null;
  /**
   * Open a derived byte stream of this flow (decrypted TLS application data) and get the
   * stream to feed it through. Behind it the engine runs detection as for a fresh flow (or
   * starts `protocol` directly when it is known, from ALPN), then that protocol's dissector
   * with a context for the same flow: its events carry this flow's id, the frame and time of
   * the packet being processed when the bytes were fed, and `[via]: true` (`tls: true`). The
   * flow's service becomes `<outer>,<inner>` (`tls,http2`). Feed bytes in order per
   * direction, `gap` for bytes that could not be recovered, and `close()` when done (the
   * engine also closes it with the flow).
   */
  openInner(opts: InnerStreamOptions): StreamDissector;
  /**
   * One object per run and `key`, shared by every flow's dissector that asks for it, made by
   * `make` on the first ask: what ties flows together that no expectation announces (QUIC's
   * connection-ID table finds the connection a new path belongs to after a migration). What a
   * dissector keeps there is bounded by a limit of its own.
   */
  shared<T extends object>(key: string, make: () => T): T;
}

/** What `openInner` is told. */
export interface InnerStreamOptions {
  /** The layer that produced the bytes (`tls`): names the event marker (`LayerMarks`) and the service prefix. */
  readonly via: LayerMark;
  /** The protocol inside, when the outer layer says (ALPN `h2` → `http2`, `http/1.1` → `http`). */
  readonly protocol?: string;
}

/**
 * A dissector for a reassembled byte stream. Data arrives in order, once per delivered
 * TCP segment. The array is valid only during the call: copy what must outlive it.
 */
export interface StreamDissector {
  data(dir: Direction, bytes: Uint8Array): void;
  /** `length` bytes in `dir` were never seen. Resynchronise, count, carry on. */
  gap(dir: Direction, length: number): void;
  /** `dir` closed its side (FIN) or the connection was reset. */
  end?(dir: Direction, how: 'fin' | 'rst'): void;
  /** The flow is over (closed, idle, or end of capture): emit what is unfinished, marked incomplete. */
  close(): void;
}

/** A dissector for datagrams of one UDP flow. The array is valid only during the call. */
export interface DatagramDissector {
  datagram(dir: Direction, bytes: Uint8Array): void;
  close(): void;
}

/**
 * What a probe says about the first bytes of a flow:
 * - `match`: this protocol, directions as the engine has them;
 * - `match_reversed`: this protocol, but the engine's client is really the server (capture began mid-flow);
 * - `no`: not this protocol;
 * - `need_more`: ask again with more bytes.
 */
/**
 * `match_lenient`: a match on the protocol's own port that holds only once a few stray
 * control bytes are overlooked (`220 Welcome\x1b` from a broken or hostile server, which a
 * lenient client accepts). The flow is dissected and a `dissect.lenient_detection` anomaly
 * says why.
 */
export type ProbeResult = 'match' | 'match_reversed' | 'match_lenient' | 'no' | 'need_more';

export interface ProtocolDescriptor {
  /** Folder name and `service` label: `http`, `http2`, `ftp`, `smtp`, `pop3`, `imap`, `dns`, `bittorrent`. */
  readonly name: string;
  readonly transports: readonly Transport[];
  /** Well-known ports: a hint that orders probing, never a verdict. */
  readonly ports: readonly number[];
  /**
   * Looks at the bytes seen so far in one direction (the first datagram for UDP).
   * Pure and cheap; called again with a longer prefix after `need_more`. `extra` says more
   * than the bytes do: see ProbeExtra.
   */
  probe(bytes: Uint8Array, dir: Direction, flow: FlowInfo, extra?: ProbeExtra): ProbeResult;
  createStream?(ctx: DissectorContext): StreamDissector;
  createDatagram?(ctx: DissectorContext): DatagramDissector;
  /** Anomaly codes this protocol emits, with one-line meanings. */
  readonly anomalies: Readonly<Record<string, string>>;
  /**
   * Report section this protocol fills (`http`, `dns`...) and which of its event types are
   * records in it. Sinks read events only, so transactions reach the report as events.
   */
  readonly report?: ReportSpec;
  /**
   * The event types its dissectors emit besides `anomaly`, exact or `family.*`. A run that
   * asked for none of them (`--types`) detects this protocol's flows but does not dissect
   * them (`pipeline/work-plan.ts`). Absent: it may emit anything, so it always runs.
   */
  readonly emits?: readonly string[];
  /**
   * Patterns of `emits` that come only from decrypted payloads (HTTP/3 inside QUIC needs the
   * 1-RTT keys): a run that cannot hold key material does not run this dissector for them.
   */
  readonly emitsOnlyWithSecrets?: readonly string[];
  /**
   * The protocols whose dissectors its flows may start: `stream` for any stream protocol (an
   * inner stream found by detection, a hand-over back to detection, an expected connection
   * that would otherwise be detected), or names. `onlyWithSecrets`: only when the run may
   * hold key material (TLS opens its inner stream on decrypted records).
   */
  readonly carries?: { readonly protocols: 'stream' | readonly string[]; readonly onlyWithSecrets?: boolean };
}

export interface ReportSpec {
  readonly section: string;
  /** Event types that are records of this section, in the order they were emitted. */
  readonly events: readonly string[];
  /**
   * Cross-flow views computed at the end from events only (HTTP page loads, DNS resolution
   * chains, BitTorrent swarms). `flows` are the `flow.end` records, sorted by flow id.
   * The result is added to the section beside `records`.
   */
  summarize?(records: readonly WireEvent[], context: { readonly flows: readonly WireEvent[] }): JsonObject;
}
