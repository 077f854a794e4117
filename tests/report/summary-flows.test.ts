/** The report's flows for per-protocol views, kept in columns, read back as the objects the views always read. */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { Timestamp } from '../../src/events/time.js';
import { SummaryFlows, summaryFlow } from '../../src/report/summary-flows.js';

const same = <T>(v: T): T => v;

function flowEnd(i: number, over: Partial<WireEvent> = {}): WireEvent {
  return {
    type: 'flow.end',
    frame: 100 + i,
    ts: new Timestamp(1_700_000_000 + i, 999_999_999 - i),
    flow: i + 1,
    dir: null,
    proto: i % 2 ? 'udp' : 'tcp',
    service: i % 3 ? 'dns' : undefined,
    orig_h: `10.0.0.${i % 250}`,
    orig_p: 40000 + i,
    resp_h: '2001:db8::1',
    resp_p: 53,
    start: new Timestamp(1_700_000_000, i),
    ...over,
  };
}

describe('SummaryFlows', () => {
  it('gives back what summaryFlow keeps, in order, across growth', () => {
    const kept = new SummaryFlows();
    const events = Array.from({ length: 3000 }, (_, i) => flowEnd(i));
    for (const e of events) kept.add(e, same);
    expect(kept.length).toBe(3000);
    expect(kept.all()).toEqual(events.map((e) => summaryFlow(e, same)));
  });

  it('keeps a flow of unusual field types whole (null flow, no port, a non-Timestamp start)', () => {
    const kept = new SummaryFlows();
    const odd = [flowEnd(0, { flow: null, resp_p: undefined }), flowEnd(1, { start: 'later' }), flowEnd(2, { resp_p: '53' })];
    for (const e of odd) kept.add(e, same);
    expect(kept.all()).toEqual(odd.map((e) => summaryFlow(e, same)));
  });

  it('addresses go through the caller’s sharing', () => {
    const kept = new SummaryFlows();
    kept.add(flowEnd(0), (v) => (typeof v === 'string' ? v.toUpperCase() : v));
    expect(kept.all()[0]).toMatchObject({ orig_h: '10.0.0.0', resp_h: '2001:DB8::1' });
  });
});
