/**
 * Typed views of the events programs lean on most. Every event is a `WireEvent` (the five
 * base fields, then its own snake_case fields); an interface here names the fields that an
 * event type always carries, with their types, so that code importing wirelens reads
 * `event.qname` as `string | null` rather than as any JSON value. Only fields present on
 * every event of the type are declared (optional ones are marked so); the rest remain
 * reachable through the index signature. tests/package/typed-events.test.ts checks these
 * declarations against the events of every capture in captures/.
 */
import type { AnomalyEvent, WireEvent } from './event.js';
import type { Timestamp } from './time.js';

/** One per flow, when it ends: Zeek's conn.log in wirelens's words. */
export interface FlowEndEvent extends WireEvent {
  type: 'flow.end';
  flow: number;
  dir: null;
  proto: 'tcp' | 'udp' | 'icmp';
  /** The application protocol, when one was recognised (`dns`, `http`, `ftp-data`...). */
  service?: string;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  community_id: string;
  start: Timestamp;
  /** Seconds from the first packet to the last. */
  duration: number;
  first_frame: number;
  last_frame: number;
  orig_pkts: number;
  /** Payload bytes the originator sent (TCP: sequence space, as Zeek). */
  orig_bytes: number;
  resp_pkts: number;
  resp_bytes: number;
  conn_state: string;
  history: string;
  missed_bytes: number;
}

/** One decoded DNS message (also over TCP); mDNS and LLMNR have their own `*.message` types. */
export interface DnsMessageEvent extends WireEvent {
  type: 'dns.message';
  flow: number;
  trans_id: number;
  /** False for a query, true for a response (the QR bit). */
  response: boolean;
  opcode: number;
  /** The header's four bits; with EDNS, `rcode_ext` holds the full value. */
  rcode: number;
  rcode_name: string;
  /** The first question's name, or null for a message without one. */
  qname: string | null;
  qtype: number | null;
  qtype_name: string | null;
}

export interface HttpRequestEvent extends WireEvent {
  type: 'http.request';
  flow: number;
  method: string;
  uri: string;
  /** `1.1`, `1.0`, `0.9`, or `''` when the request line had none. */
  version: string;
  /** Header lines in order, names as sent. */
  headers: readonly (readonly [string, string])[];
}

export interface HttpResponseEvent extends WireEvent {
  type: 'http.response';
  flow: number;
  status_code: number;
  status_msg: string;
  version: string;
  headers: readonly (readonly [string, string])[];
}

/** The last event of every analysis: the file and its totals. */
export interface CaptureSummaryEvent extends WireEvent {
  type: 'capture.summary';
  flow: null;
  dir: null;
  file: string;
  format: 'pcap' | 'pcap-nsec' | 'pcapng';
  compressed: boolean;
  packets: number;
  bytes: number;
  captured_bytes: number;
  /** Null when the capture holds no packet. */
  first_ts: Timestamp | null;
  last_ts: Timestamp | null;
}

/** Event types with a typed view, by type name. */
export interface TypedEvents {
  anomaly: AnomalyEvent;
  'flow.end': FlowEndEvent;
  'dns.message': DnsMessageEvent;
  'http.request': HttpRequestEvent;
  'http.response': HttpResponseEvent;
  'capture.summary': CaptureSummaryEvent;
}

/**
 * Narrows an event to its typed view: `if (isEvent(e, 'dns.message')) e.qname` is a
 * `string | null`. The check is the type name alone: the dissectors build each type with
 * the fields declared above.
 */
export function isEvent<T extends keyof TypedEvents>(event: WireEvent, type: T): event is TypedEvents[T] {
  return event.type === type;
}
