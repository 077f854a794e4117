import type { Limits } from '../dissect/limits.js';
import type { Timestamp } from '../events/time.js';
import type { Flow } from './flow.js';

export type EndReason = 'idle' | 'closed' | 'evicted' | 'end_of_capture' | 'reused';

interface Slot {
  flow: Flow;
  /** Capture time when the flow was placed at the back of its queue. */
  queuedAt: Timestamp;
}

/**
 * Flows by direction-free key, expired by capture time. Each class of flow (TCP open,
 * TCP closed, datagram) has its own idle time-out and a queue in order of placement;
 * a flow touched since it was queued is moved to the back when it reaches the front,
 * so expiry costs amortised O(1) per packet and no per-packet reordering.
 */
export class FlowTable {
  private readonly byKey = new Map<string, Flow>();
  private readonly byId = new Map<number, Flow>();
  private readonly queues = {
    tcp: new Map<Flow, Slot>(),
    closed: new Map<Flow, Slot>(),
    datagram: new Map<Flow, Slot>(),
  };
  private nextId = 1;

  constructor(
    private readonly limits: Readonly<Limits>,
    private readonly onEnd: (flow: Flow, reason: EndReason) => void,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  newId(): number {
    return this.nextId++;
  }

  get(key: string): Flow | undefined {
    return this.byKey.get(key);
  }

  /** An open flow by id (still found while its `flow.end` is being emitted). */
  byFlowId(id: number): Flow | undefined {
    return this.byId.get(id);
  }

  /** Flows still open, in id order. */
  open(): Flow[] {
    return [...this.byKey.values()].sort((a, b) => a.id - b.id);
  }

  /** Adds a flow; returns true if another had to be evicted to stay within `max_flows`. */
  add(flow: Flow, now: Timestamp): boolean {
    this.byKey.set(flow.key, flow);
    this.byId.set(flow.id, flow);
    this.queueOf(flow).set(flow, { flow, queuedAt: now });
    if (this.byKey.size > this.limits.max_flows) {
      this.evictOldest();
      return true;
    }
    return false;
  }

  /** A TCP flow whose both sides closed (or that was reset) waits only `flow_closed_timeout`. */
  markClosed(flow: Flow, now: Timestamp): void {
    if (this.queues.tcp.delete(flow)) this.queues.closed.set(flow, { flow, queuedAt: now });
  }

  /** Ends flows idle for longer than their time-out, by capture time. */
  expire(now: Timestamp): void {
    this.expireQueue(this.queues.tcp, now, this.limits.flow_idle_timeout);
    this.expireQueue(this.queues.closed, now, this.limits.flow_closed_timeout);
    this.expireQueue(this.queues.datagram, now, this.limits.udp_idle_timeout);
  }

  end(flow: Flow, reason: EndReason): void {
    if (this.byKey.get(flow.key) === flow) this.byKey.delete(flow.key);
    this.queues.tcp.delete(flow);
    this.queues.closed.delete(flow);
    this.queues.datagram.delete(flow);
    this.onEnd(flow, reason);
    this.byId.delete(flow.id);
  }

  /** End of capture: every open flow ends, in id order. */
  endAll(): void {
    for (const flow of this.open()) this.end(flow, 'end_of_capture');
  }

  private queueOf(flow: Flow): Map<Flow, Slot> {
    return flow.transport === 'tcp' ? this.queues.tcp : this.queues.datagram;
  }

  private expireQueue(queue: Map<Flow, Slot>, now: Timestamp, timeout: number): void {
    for (const slot of queue.values()) {
      if (now.since(slot.queuedAt) <= timeout) return;
      const flow = slot.flow;
      queue.delete(flow);
      if (now.since(flow.last) > timeout) {
        this.end(flow, queue === this.queues.closed ? 'closed' : 'idle');
      } else {
        queue.set(flow, { flow, queuedAt: flow.last });
      }
    }
  }

  private evictOldest(): void {
    let oldest: Flow | null = null;
    for (const queue of [this.queues.closed, this.queues.datagram, this.queues.tcp]) {
      const first = queue.values().next();
      if (!first.done && (!oldest || first.value.flow.last.isBefore(oldest.last))) oldest = first.value.flow;
    }
    if (oldest) this.end(oldest, 'evicted');
  }
}
