/**
 * A sink's own table of open flows, built from the event stream alone: `flow.start` adds a
 * flow, `flow.update` replaces what is known of it (service found, roles swapped), and the
 * flow is forgotten after its `flow.end`. So export, `events --filter`, the share workers
 * and the UI know each event's flow without a reference to the engine (Suricata's EVE
 * records carry `flow_id` and Zeek's logs `uid`/`id` for the same reason).
 */
import type { WireEvent } from './event.js';
import { isEvent, type FlowIdentityFields } from './event-map.js';

/**
 * What a sink knows of an open flow: the fields of its latest `flow.start`/`flow.update`
 * (the same names `flow.end` carries, so a `flow.end` record serves as well).
 */
export type FlowIdentity = Readonly<FlowIdentityFields>;

/** The two event types that carry a flow's identity. */
export const IDENTITY_TYPES: readonly string[] = ['flow.start', 'flow.update'];

/** Whether an event is a `flow.start` or `flow.update`. */
export function isIdentityEvent(e: WireEvent): boolean {
  return e.type === 'flow.start' || e.type === 'flow.update';
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
      this.open.set(id, e);
      return e;
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
