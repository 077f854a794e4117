/**
 * Every event type and the shape of its fields, checked by the compiler at the emitter, in
 * the NDJSON writer's callers and in every sink (as Zeek's `&log` records and Suricata's
 * event enums are).
 *
 * The map is built by declaration merging: this file declares the events of the lower
 * layers, and each protocol adds its own from its `events.ts`:
 *
 * ```ts
 * declare module '../../events/event-map.js' {
 *   interface EventMap { 'pop3.reply': Pop3ReplyFields }
 *   interface AnomalyCatalogue { pop3: typeof POP3_ANOMALIES }
 * }
 * ```
 *
 * so `events/` imports no protocol (imports point one way), yet `emit('pop3.reply', ...)`
 * with a misspelled type or field, or `anomaly('pop3.typo', ...)`, does not compile.
 * Types only: nothing here costs anything at run time.
 */
import type { CORE_ANOMALIES } from './anomalies.js';
import type { EventBase, WireEvent } from './event.js';
import type { JsonValue } from './json.js';
import type { Timestamp } from './time.js';

/** `anomaly`: something wrong or surprising in the input, with a stable code. */
export interface AnomalyFields {
  code: AnomalyCode;
  detail: string;
}

/**
 * `flow.start` (a flow was created) and `flow.update` (its service became known or changed,
 * or client and server were swapped): who the flow is, as Suricata's EVE records carry
 * `flow_id` and Zeek's logs `uid`/`id`. Sinks keep their own table of open flows from these
 * (`events/flow-identity.ts`) instead of asking the engine. Emitted only when the run asks
 * for them (`AnalyzeOptions.flowIdentity`); `events` prints them when `--types` selects them.
 */
export interface FlowIdentityFields {
  proto: 'tcp' | 'udp' | 'icmp';
  /** The application protocol when known (`http`, `ftp-data`, `dns`). */
  service: string | undefined;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  community_id: string;
  /** Wireshark's `tcp.stream` / `udp.stream` number (0-based per transport, order of first packet). */
  tcp_stream: number | undefined;
  udp_stream: number | undefined;
}

/** `flow.end`: one per flow, in the words of Zeek's conn.log (its identity, then its counters). */
export interface FlowEndFields extends FlowIdentityFields {
  /**
   * The tunnels the flow's packets came in, outermost first (Zeek's tunnel.log): the outer
   * endpoints oriented as the flow (orig is the outer address on the originator's side).
   */
  tunnel: TunnelFields[] | undefined;
  start: Timestamp;
  duration: number;
  first_frame: number;
  last_frame: number;
  orig_pkts: number;
  /** Payload bytes (TCP/UDP data). */
  orig_bytes: number;
  orig_ip_bytes: number;
  orig_frame_bytes: number;
  resp_pkts: number;
  resp_bytes: number;
  resp_ip_bytes: number;
  resp_frame_bytes: number;
  conn_state: string;
  history: string;
  missed_bytes: number;
  tcp_rtt: number | undefined;
  /** The first packet seen was the server's: the sides were swapped. */
  flipped: true | undefined;
  summary: string | undefined;
  /** Why the flow ended: `closed`, `idle`, `end of capture`, `limit`... */
  end_reason: string | undefined;
}

/** One tunnel around a flow (`flow.end`'s `tunnel`), in Zeek's tunnel.log vocabulary. */
export interface TunnelFields {
  /** `Tunnel::IP`, `Tunnel::GRE`, `Tunnel::VXLAN`, `Tunnel::GENEVE`, `Tunnel::GTPv1`. */
  tunnel_type: string;
  /** The layer: `ipip`, `6in4`, `4in6`, `6in6`, `gre`, `pptp`, `erspan`, `vxlan`, `geneve`, `gtp`. */
  encap: string;
  orig_h: string;
  /** 0 for tunnels that are not UDP-borne. */
  orig_p: number;
  resp_h: string;
  resp_p: number;
  /** VXLAN or Geneve network identifier. */
  vni: number | undefined;
}

/** What `capture.summary` says of the file itself. */
export interface CaptureFileFields {
  file: string;
  format: string;
  compressed: boolean;
  /** The first interfaces the file declares (pcapng: a bounded number of them). */
  interfaces: Array<{ link_type: number; snaplen: number; name: string | undefined }>;
  /** How many interfaces the file declares, when more than are listed. */
  interface_count: number | undefined;
}

/** What `capture.summary` counts: packets, bytes, times, the protocol hierarchy, the I/O graph. */
export interface CaptureStatsFields {
  packets: number;
  bytes: number;
  captured_bytes: number;
  first_ts: Timestamp | null;
  last_ts: Timestamp | null;
  duration: number;
  /** Frames per link type; `skipped`: how many of them were not decoded (a link type wirelens does not support). */
  link_types: Array<{ link_type: number; name: string; packets: number; skipped: number | undefined }>;
  hierarchy: Array<{ path: string; packets: number; bytes: number }>;
  io: { readonly [key: string]: JsonValue | undefined };
}

/** `capture.summary`: the last event of a run. */
export interface CaptureSummaryFields extends CaptureFileFields, CaptureStatsFields {}

/** `credentials`: a user name and secret seen in clear. */
export interface CredentialsFields {
  protocol: string;
  user: string;
  secret: string;
  /** `basic`, `USER/PASS`, `LOGIN`, `PLAIN`, `APOP`... */
  mechanism: string;
  /** Whether the server accepted them; null when it never said. */
  success?: boolean | null;
  /** The header that carried them (HTTP). */
  header?: string;
  /**
   * What `secret` is when it is not the password itself: `digest_response` for HTTP Digest
   * (a hash of the password with the server's nonce; it allows an offline guess only).
   */
  secret_kind?: 'digest_response';
  /** `userhash` when `user` is a hash of the name (RFC 7616 §3.4.4), not the name. */
  user_kind?: 'userhash';
  /** HTTP Digest: the protection space, the URI the response covers, its algorithm and qop. */
  realm?: string;
  uri?: string;
  algorithm?: string;
  qop?: string;
}

export interface EventMap {
  anomaly: AnomalyFields;
  'flow.start': FlowIdentityFields;
  'flow.update': FlowIdentityFields;
  'flow.end': FlowEndFields;
  'capture.summary': CaptureSummaryFields;
  credentials: CredentialsFields;
}

/**
 * Anomaly codes, one `{ code: meaning }` table per layer or protocol (`core` here; each
 * protocol merges its table in by its name).
 */
export interface AnomalyCatalogue {
  core: typeof CORE_ANOMALIES;
}

/** Every anomaly code some layer declares. */
export type AnomalyCode = { [L in keyof AnomalyCatalogue]: keyof AnomalyCatalogue[L] & string }[keyof AnomalyCatalogue];

/** Every event type. */
export type EventType = keyof EventMap & string;

/**
 * What an event carried inside another layer says of it, as its last field: `tls: true` for
 * an event of a stream decrypted from TLS (the inner-stream stage adds it; see
 * docs/ARCHITECTURE.md). Any event may carry it.
 */
export interface LayerMarks {
  tls?: true;
}
export type LayerMark = keyof LayerMarks;

/** The fields an event of type `K` adds to the base. */
export type FieldsOf<K extends EventType> = EventMap[K];

/** An event of type `K`: the base (type, frame, ts, flow, dir), then its fields. */
export type EventOf<K extends EventType> = Omit<EventBase, 'type'> & { type: K } & EventMap[K] & LayerMarks;

/** Narrows an event a sink received to its declared shape. */
export function isEvent<K extends EventType>(e: WireEvent, type: K): e is WireEvent & EventOf<K> {
  return e.type === type;
}

/** Narrows an anomaly event to its code. */
export function isAnomaly(e: WireEvent): e is WireEvent & EventOf<'anomaly'> {
  return e.type === 'anomaly';
}

/*
 * Every declared field must be something the JSON writers can write: JSON's own values,
 * Timestamps, and arrays and objects of them (interfaces too, which have no index signature
 * and so cannot be checked against `JsonValue` directly). A field of another type makes
 * `EVENT_FIELDS_ARE_JSON` fail to compile, naming the event and the field.
 */
type Writable<T> = [T] extends [JsonValue | undefined]
  ? true
  : T extends null | undefined
    ? true
    : T extends (...args: never[]) => unknown
      ? false
      : T extends readonly (infer U)[]
        ? Writable<U>
        : T extends object
          ? false extends { [F in keyof T]-?: Writable<T[F]> }[keyof T]
            ? false
            : true
          : false;
type BadFields<K extends EventType> = {
  [F in keyof EventMap[K]]-?: Writable<EventMap[K][F]> extends true ? never : F;
}[keyof EventMap[K]];
type Unwritable = { [K in EventType]: [BadFields<K>] extends [never] ? never : [K, BadFields<K>] }[EventType];
/** Compile-time check: `true` unless some event declares a field JSON cannot hold. */
export const EVENT_FIELDS_ARE_JSON: [Unwritable] extends [never] ? true : Unwritable = true;
