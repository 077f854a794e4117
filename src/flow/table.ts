import type { Limits } from '../dissect/limits.js';
import type { Timestamp } from '../events/time.js';
import { DeadlineHeap } from './deadline-heap.js';
import { FlowMap } from './flow-map.js';
import type { KeyProbe } from './key.js';
import { TimerClass, type Flow } from './flow.js';

export type EndReason = 'idle' | 'closed' | 'evicted' | 'end_of_capture' | 'reused';

const seconds = (t: Timestamp): number => t.sec + t.ns / 1e9;

/**
 * A timer's tag in the heap: the flow's id, then its arm count modulo 2^20 (`Flow.timerSerial`),
 * in one number (exact: ids stay far below 2^33). Equal deadlines still pop in id order, and
 * a timer is live when its flow (found by key) has that id and arm count. A flow armed 2^20
 * times while an older timer of its own still waits cannot happen: only `markClosed` leaves
 * one waiting, once a flow.
 */
const SERIAL_BITS = 2 ** 20;

/**
 * Flows by direction-free key, expired by capture time. Each flow has one live timer in a
 * heap, due at its last activity plus its class's idle time-out (open TCP, closed TCP,
 * datagram). Timers are lazy: a flow touched since its timer was set is re-armed when the
 * timer comes due, so packets cost nothing here.
 *
 * Whether a flow expires at a given tick depends only on that flow, and the flows expiring
 * at one tick end in id order. So a table holding any subset of the flows (one worker's
 * share) ends them at the same ticks and in the same relative order as one table holding
 * them all, which is what makes `--workers N` output identical to one thread's.
 */
export class FlowTable {
  private readonly byKey = new FlowMap<Flow>();
  private readonly timers = new DeadlineHeap();
  private nextId = 1;
  /** The flow the last lookup or add gave (packets come in runs of one flow), and its key's hash. */
  private lastHash = 0;
  private lastFlow: Flow | undefined = undefined;

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

  /** The open flow of the key `probe` holds (no string made for it). */
  find(probe: KeyProbe): Flow | undefined {
    // Packets come in runs of one flow (a download's segments, their ACKs): the last answer
    // is checked first.
    const last = this.lastFlow;
    if (last !== undefined && probe.hash === this.lastHash && probe.matches(last.key)) return last;
    const flow = this.byKey.find(probe);
    if (flow !== undefined) {
      this.lastHash = probe.hash;
      this.lastFlow = flow;
    }
    return flow;
  }

  /** Whether `flow` is open (no longer once its `flow.end` is being emitted). */
  has(flow: Flow): boolean {
    return this.byKey.get(flow.key) === flow;
  }

  /** Flows still open, in id order. */
  open(): Flow[] {
    return [...this.byKey.entries()].sort((a, b) => a.id - b.id);
  }

  /** Adds a flow; returns true if another had to be evicted to stay within `max_flows`. */
  add(flow: Flow): boolean {
    this.lastHash = this.byKey.set(flow);
    this.lastFlow = flow;
    flow.timerClass = flow.transport === 'tcp' ? TimerClass.Open : TimerClass.Datagram;
    this.arm(flow);
    if (this.byKey.size > this.limits.max_flows) {
      this.evictOldest();
      return true;
    }
    return false;
  }

  /** A TCP flow whose both sides closed (or that was reset) waits only `flow_closed_timeout`. */
  markClosed(flow: Flow): void {
    if (flow.timerClass !== TimerClass.Open) return;
    flow.timerClass = TimerClass.Closed;
    this.arm(flow);
  }

  /** Ends flows idle for longer than their time-out, by capture time, in id order. */
  expire(now: Timestamp): void {
    const nowSeconds = seconds(now);
    const due: Flow[] = [];
    const rearm: Flow[] = [];
    while (this.timers.peek() < nowSeconds) {
      const flow = this.live(this.timers.pop());
      if (!flow) continue;
      if (flow.idleAt(now) > this.timeout(flow)) due.push(flow);
      else rearm.push(flow);
    }
    // Re-armed after the loop: a deadline rounding to just below `now` must wait a tick.
    for (const flow of rearm) this.arm(flow);
    due.sort((a, b) => a.id - b.id);
    for (const flow of due) this.end(flow, flow.timerClass === TimerClass.Closed ? 'closed' : 'idle');
  }

  end(flow: Flow, reason: EndReason): void {
    if (this.byKey.get(flow.key) === flow) this.byKey.delete(flow.key);
    if (this.lastFlow === flow) this.lastFlow = undefined;
    this.onEnd(flow, reason);
  }

  /** End of capture: every open flow ends, in id order. */
  endAll(): void {
    const open: (Flow | undefined)[] = this.open();
    for (let i = 0; i < open.length; i++) {
      const flow = open[i]!;
      // Let go of each flow as it ends: what its end made (endpoints, record) must not pile
      // up over the other 199,999 of a SYN flood.
      open[i] = undefined;
      this.end(flow, 'end_of_capture');
    }
  }

  private timeout(flow: Flow): number {
    const l = this.limits;
    return flow.timerClass === TimerClass.Open ? l.flow_idle_timeout : flow.timerClass === TimerClass.Closed ? l.flow_closed_timeout : l.udp_idle_timeout;
  }

  /** The flow a timer belongs to, if it is still that flow's live timer (not superseded, not ended). */
  private live(timer: { id: number; key: string }): Flow | undefined {
    const flow = this.byKey.get(timer.key);
    return flow && flow.id * SERIAL_BITS + flow.timerSerial === timer.id ? flow : undefined;
  }

  private arm(flow: Flow): void {
    flow.timerSerial = (flow.timerSerial + 1) % SERIAL_BITS;
    this.timers.push(flow.lastAsSeconds + this.timeout(flow), flow.id * SERIAL_BITS + flow.timerSerial, flow.key);
    // Superseded timers (a flow closed, or ended) stay in the heap until due: minutes of
    // capture time. Only the live ones are kept when they outnumber them.
    if (this.timers.size > 2 * this.byKey.size + 1024) this.timers.retain((id, key) => this.live({ id, key }) !== undefined);
  }

  /** Ends the flow nearest to its idle time-out (closed and datagram flows wait less). */
  private evictOldest(): void {
    while (this.timers.size) {
      const timer = this.timers.pop();
      const flow = this.live(timer);
      if (!flow) continue;
      if (flow.lastAsSeconds + this.timeout(flow) > timer.deadline) {
        this.arm(flow); // touched since armed: not the oldest after all
        continue;
      }
      this.end(flow, 'evicted');
      return;
    }
  }
}
