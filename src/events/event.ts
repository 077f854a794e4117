import type { JsonValue } from './json.js';
import type { Timestamp } from './time.js';

/** Client→server or server→client. The client sent the SYN, or else the first packet. */
export type Direction = 'c2s' | 's2c';

export const opposite = (dir: Direction): Direction => (dir === 'c2s' ? 's2c' : 'c2s');

/** What every event carries, first and in this order. */
export interface EventBase {
  /** Dotted, lower-case: `http.request`, `flow`, `anomaly`. */
  type: string;
  /** Wireshark's 1-based frame number of the packet that completed this event. */
  frame: number;
  ts: Timestamp;
  /** Flow id (1-based, order of first packet), or null for events not tied to a flow. */
  flow: number | null;
  dir: Direction | null;
}

/** Any event: the base plus the event's own snake_case fields. */
export interface WireEvent extends EventBase {
  readonly [field: string]: JsonValue | undefined;
}

/** Fields an event adds to the base. */
export type EventFields = { readonly [field: string]: JsonValue | undefined };

/**
 * Something wrong or surprising in the input: data, not an exception. `code` is a stable
 * snake_case identifier whose prefix is the layer (`capture.truncated`, `tcp.gap`).
 */
export interface AnomalyEvent extends WireEvent {
  type: 'anomaly';
  code: string;
  detail: string;
}

export interface EventSink {
  emit(event: WireEvent): void;
}

export function makeEvent(
  type: string,
  frame: number,
  ts: Timestamp,
  flow: number | null,
  dir: Direction | null,
  fields: EventFields,
): WireEvent {
  const e = { type, frame, ts, flow, dir, ...fields };
  // A field named like a base key must not overwrite it (the keys keep their first place).
  e.type = type;
  e.frame = frame;
  e.ts = ts;
  e.flow = flow;
  e.dir = dir;
  return e;
}
