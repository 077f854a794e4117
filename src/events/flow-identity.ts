/**
 * A sink's own table of open flows, built from the event stream alone: `flow.start` adds a
 * flow, `flow.update` replaces what is known of it (service found, roles swapped), and the
 * flow is forgotten after its `flow.end`. So export, `events --filter`, the share workers
 * and the UI know each event's flow without a reference to the engine (Suricata's EVE
 * records carry `flow_id` and Zeek's logs `uid`/`id` for the same reason).
 */
import type { WireEvent } from './event.js';
import { isEvent, type FlowIdentityFields } from './event-map.js';

/** What a sink knows of an open flow: the filter's flow facts plus the Community ID. */
export interface FlowIdentity {
  proto: string;
  service: string | null;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  /** Wireshark's tcp.stream / udp.stream number; null for ICMP. */
  stream: number | null;
  community_id: string;
}

/** The two event types that carry a flow's identity. */
export const IDENTITY_TYPES: readonly string[] = ['flow.start', 'flow.update'];

/** Whether an event is a `flow.start` or `flow.update`. */
export function isIdentityEvent(e: WireEvent): boolean {
  return e.type === 'flow.start' || e.type === 'flow.update';
}

/** A flow's identity from the fields of its `flow.start` / `flow.update`. */
export function identityOf(f: Readonly<FlowIdentityFields>): FlowIdentity {
  return {
    proto: f.proto,
    service: f.service ?? null,
    orig_h: f.orig_h,
    orig_p: f.orig_p,
    resp_h: f.resp_h,
    resp_p: f.resp_p,
    stream: f.tcp_stream ?? f.udp_stream ?? null,
    community_id: f.community_id,
  };
}

export class FlowIdentities {
  private readonly open = new Map<number, FlowIdentity>();

  /**
   * The identity of `e`'s flow as it stood when `e` was emitted. Call it once for every
   * event, in order: it learns from `flow.start`/`flow.update`, and forgets a flow once its
   * `flow.end` has been answered (an event after that gets null, as it has no open flow).
   */
  track(e: WireEvent): FlowIdentity | null {
    const id = e.flow;
    if (id === null) return null;
    if (isEvent(e, 'flow.start') || isEvent(e, 'flow.update')) {
      const known = identityOf(e);
      this.open.set(id, known);
      return known;
    }
    const known = this.open.get(id) ?? null;
    if (e.type === 'flow.end') this.open.delete(id);
    return known;
  }

  /** Flows started and not yet ended. */
  get size(): number {
    return this.open.size;
  }
}
