/**
 * What a filter is evaluated against. Two kinds of subject share one shape:
 *
 * - an event (`events --filter`, `check` rules, the UI's `/`): that one event, its flow's
 *   facts, and the facts of the packet of the frame it carries when it was emitted while
 *   that frame was processed (a message event: the frame that completes it);
 * - a frame (`packets --filter`, the conformance table against `tshark -Y`): the packet's
 *   facts and the message events that frame completed.
 */
import type { Direction, WireEvent } from '../events/event.js';
import type { FlowIdentityFields } from '../events/event-map.js';
import type { Timestamp } from '../events/time.js';
import type { PacketFacts } from './packet-facts.js';

/**
 * What a filter knows of an event's flow: the identity fields that `flow.start`,
 * `flow.update` and `flow.end` carry (any of those events is its flow's facts), with
 * Wireshark's tcp.stream / udp.stream number when known.
 */
export type FlowFacts = Pick<FlowIdentityFields, 'proto' | 'orig_h' | 'orig_p' | 'resp_h' | 'resp_p'> & {
  service?: string | null;
  tcp_stream?: number;
  udp_stream?: number;
};

export interface FilterSubject {
  readonly kind: 'event' | 'frame';
  /** The event (kind `event`), or the messages the frame completed (kind `frame`). */
  readonly events: readonly WireEvent[];
  readonly packet: PacketFacts | null;
  readonly flow: FlowFacts | null;
  /** The event's frame and time, or the frame's. */
  readonly frame: number;
  readonly ts: Timestamp | null;
  readonly dir: Direction | null;
}

/** An event as a filter subject; `packet` only when it is the packet of the event's own frame. */
export function eventSubject(e: WireEvent, flow: FlowFacts | null, packet: PacketFacts | null = null): FilterSubject {
  return { kind: 'event', events: [e], packet, flow, frame: e.frame, ts: e.ts, dir: e.dir };
}

/** A frame as a filter subject, with the message events it completed. */
export function frameSubject(packet: PacketFacts, events: readonly WireEvent[], flow: FlowFacts | null): FilterSubject {
  return { kind: 'frame', events, packet, flow, frame: packet.frame, ts: null, dir: null };
}

/** A subject with nothing in it (the UI evaluates a new filter once against it). */
export const EMPTY_SUBJECT: FilterSubject = { kind: 'event', events: [], packet: null, flow: null, frame: 0, ts: null, dir: null };
