import type { WireEvent } from '../events/event.js';
import type { JsonValue } from '../events/json.js';
import { Timestamp } from '../events/time.js';

/**
 * What the report's per-protocol views read of the first flows (`MAX_SUMMARY_FLOWS` of
 * them, up to 100,000), held in columns until the views run at the end: numbers in one
 * typed array, the strings (shared per address by the caller) in one plain array. 80 bytes
 * a flow where an object per flow with its two Timestamps took about 200: a SYN flood fills
 * the 100,000 early and keeps them while its 200,000 open flows are in memory too.
 * `all()` gives the same objects the views always read.
 */
export class SummaryFlows {
  /** Per flow: flow id (NaN: null), ts seconds and nanoseconds, start's, resp_p (NaN: absent). */
  private nums = new Float64Array(0);
  /** Per flow: proto, service, orig_h, resp_h. */
  private readonly strs: (JsonValue | undefined)[] = [];
  /** Flows whose fields are not of the usual types, kept whole by their place. */
  private readonly odd = new Map<number, WireEvent>();
  private n = 0;

  /** `cap`: how many flows will be kept at most (the typed array never grows past them). */
  constructor(private readonly cap = Infinity) {}

  get length(): number {
    return this.n;
  }

  /** Keeps the fields the views read of a `flow.end` event (`shared` gives one string per address). */
  add(e: WireEvent, shared: (v: JsonValue | undefined) => JsonValue | undefined): void {
    const i = this.n++;
    const { flow, ts, start, resp_p } = e;
    if (!(ts instanceof Timestamp) || !(start instanceof Timestamp) || !(flow === null || typeof flow === 'number') || !(resp_p === undefined || typeof resp_p === 'number')) {
      this.odd.set(i, summaryFlow(e, shared));
      this.strs.push(undefined, undefined, undefined, undefined);
      return;
    }
    if ((i + 1) * NUMS > this.nums.length) {
      const grown = new Float64Array(Math.min(Math.max(1024 * NUMS, this.nums.length * 2), Math.max(this.cap, i + 1) * NUMS));
      grown.set(this.nums);
      this.nums = grown;
    }
    const o = i * NUMS;
    const nums = this.nums;
    nums[o] = flow === null ? NaN : flow;
    nums[o + 1] = ts.sec;
    nums[o + 2] = ts.ns;
    nums[o + 3] = start.sec;
    nums[o + 4] = start.ns;
    nums[o + 5] = resp_p === undefined ? NaN : resp_p;
    this.strs.push(e.proto, e.service, shared(e.orig_h), shared(e.resp_h));
  }

  /** The kept flows as the views read them, in the order they came. */
  all(): WireEvent[] {
    const out: WireEvent[] = [];
    const nums = this.nums;
    const strs = this.strs;
    for (let i = 0; i < this.n; i++) {
      const odd = this.odd.get(i);
      if (odd !== undefined) {
        out.push(odd);
        continue;
      }
      const o = i * NUMS;
      const s = i * 4;
      const flow = nums[o]!;
      const respP = nums[o + 5]!;
      out.push({
        type: 'flow.end',
        frame: 0,
        ts: new Timestamp(nums[o + 1]!, nums[o + 2]!),
        flow: Number.isNaN(flow) ? null : flow,
        dir: null,
        proto: strs[s],
        service: strs[s + 1],
        orig_h: strs[s + 2],
        resp_h: strs[s + 3],
        resp_p: Number.isNaN(respP) ? undefined : respP,
        start: new Timestamp(nums[o + 3]!, nums[o + 4]!),
      });
    }
    return out;
  }
}

const NUMS = 6;

/**
 * What the views read of a flow (DNS: which name a connection's server was looked up by;
 * BitTorrent: who learnt which peer): the frame, type and direction of the `flow.end`
 * event and the client port are not kept. Addresses go through `shared`, one string per
 * address: a flood's flows repeat a few servers, and 100,000 kept flows had 100,000 copies.
 */
export function summaryFlow(e: WireEvent, shared: (v: JsonValue | undefined) => JsonValue | undefined): WireEvent {
  return {
    type: e.type,
    frame: 0,
    ts: e.ts,
    flow: e.flow,
    dir: null,
    proto: e.proto,
    service: e.service,
    orig_h: shared(e.orig_h),
    resp_h: shared(e.resp_h),
    resp_p: e.resp_p,
    start: e.start,
  };
}
