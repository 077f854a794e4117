/**
 * The flow table's time-outs depend on each flow alone, and flows timing out together end
 * in id order: a table holding a subset of the flows (one worker's share under
 * `--workers`) ends them at the same ticks and in the same relative order as one table
 * holding them all.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { Timestamp } from '../../src/events/time.js';
import { DeadlineHeap } from '../../src/flow/deadline-heap.js';
import { Flow } from '../../src/flow/flow.js';
import { FlowTable, type EndReason } from '../../src/flow/table.js';

const at = (s: number): Timestamp => new Timestamp(Math.floor(s), Math.round((s % 1) * 1e9));

function flow(id: number, transport: 'tcp' | 'udp', start: number): Flow {
  return new Flow(id, `k${id}`, transport, 4, '', 0, at(start), id, 'eth:ipv4');
}

type Op = { kind: 'new'; id: number; udp: boolean } | { kind: 'touch'; id: number } | { kind: 'close'; id: number } | { kind: 'tick' };

/** Plays operations at increasing times on a table that keeps only the flows `keep` accepts. */
function play(ops: readonly { op: Op; t: number }[], keep: (id: number) => boolean): { id: number; reason: EndReason; tick: number }[] {
  const limits = { ...DEFAULT_LIMITS, flow_idle_timeout: 30, flow_closed_timeout: 5, udp_idle_timeout: 10 };
  let tick = 0;
  const ended: { id: number; reason: EndReason; tick: number }[] = [];
  const table = new FlowTable(limits, (f, reason) => ended.push({ id: f.id, reason, tick }));
  const flows = new Map<number, Flow>();
  for (const { op, t } of ops) {
    const now = at(t);
    if (op.kind === 'tick') {
      tick++;
      table.expire(now);
      continue;
    }
    if (!keep(op.id)) continue;
    const f = flows.get(op.id);
    if (op.kind === 'new') {
      if (f) continue;
      const g = flow(op.id, op.udp ? 'udp' : 'tcp', t);
      flows.set(op.id, g);
      table.add(g);
    } else if (f && table.has(f)) {
      f.last = now;
      if (op.kind === 'close' && f.transport === 'tcp') table.markClosed(f);
    }
  }
  table.endAll();
  return ended;
}

describe('flow table time-outs', () => {
  it('a young flow does not hold back an older one (per-flow expiry)', () => {
    const limits = { ...DEFAULT_LIMITS, flow_idle_timeout: 30 };
    const ended: number[] = [];
    const table = new FlowTable(limits, (f) => ended.push(f.id));
    const old = flow(1, 'tcp', 0);
    const young = flow(2, 'tcp', 5);
    table.add(old);
    table.add(young);
    old.last = at(20); // touched: its timer (due at 30) is re-armed for 50 at the first check
    table.expire(at(31));
    young.last = at(34);
    table.expire(at(51)); // old: idle 31 s > 30; young: idle 17 s
    expect(ended).toEqual([1]);
  });

  it('any subset of the flows ends at the same ticks, in the same order, as all of them', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('new' as const), id: fc.integer({ min: 1, max: 12 }), udp: fc.boolean() }),
      fc.record({ kind: fc.constant('touch' as const), id: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('close' as const), id: fc.integer({ min: 1, max: 12 }) }),
      fc.constant({ kind: 'tick' as const }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.double({ min: 0, max: 8, noNaN: true })), { maxLength: 80 }), fc.integer({ min: 2, max: 4 }), (steps, n) => {
        let t = 0;
        const ops = steps.map(([o, dt]) => ({ op: o as Op, t: (t += dt) }));
        const all = play(ops, () => true);
        for (let share = 0; share < n; share++) {
          const mine = play(ops, (id) => id % n === share);
          expect(mine).toEqual(all.filter((e) => e.id % n === share));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('evicts the flow nearest its time-out when over max_flows', () => {
    const limits = { ...DEFAULT_LIMITS, max_flows: 2, flow_idle_timeout: 30, udp_idle_timeout: 10 };
    const ended: [number, EndReason][] = [];
    const table = new FlowTable(limits, (f, r) => ended.push([f.id, r]));
    table.add(flow(1, 'tcp', 0));
    table.add(flow(2, 'udp', 1));
    expect(table.add(flow(3, 'tcp', 2))).toBe(true);
    expect(ended).toEqual([[2, 'evicted']]);
  });
});

describe('DeadlineHeap', () => {
  it('pops by deadline, then id', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1000 }))), (entries) => {
        const h = new DeadlineHeap();
        entries.forEach(([d, id]) => h.push(d, id, `k${id}`));
        const out: [number, number][] = [];
        while (h.size) {
          const { id, key, deadline } = h.pop();
          expect(key).toBe(`k${id}`); // the key moves with its entry
          out.push([deadline, id]);
        }
        expect(out).toEqual([...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
      }),
    );
  });
});
