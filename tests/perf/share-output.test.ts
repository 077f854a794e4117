/**
 * A `--workers` share writes each event as NDJSON bytes at once, with its flow names (the
 * creating frame) in place, and swaps those names for the merged ids when they come
 * (src/pipeline/parallel/share-output.ts). This checks the swap against the plain path:
 * rename the event's flow fields, then `compactJson` — for every field that holds a flow
 * (flow, tcp_stream, udp_stream, data_flow, fuid, path_flow), for names inside strings and
 * nested objects that look like those keys, and for the events kept whole (fuids, paths).
 * tests/cli/workers.test.ts compares whole runs of 1, 2 and 3 workers.
 */
import { describe, expect, it } from 'vitest';
import { makeEvent, typedEvent, type WireEvent } from '../../src/events/event.js';
import { Timestamp } from '../../src/events/time.js';
import { compactJson } from '../../src/report/ndjson.js';
import { FlowIdMap } from '../../src/pipeline/parallel/flow-ids.js';
import { ShareOutput } from '../../src/pipeline/parallel/share-output.js';

const ts = new Timestamp(1_700_000_000, 5);
/** Flow names (creating frames) and the ids and stream numbers the main thread gives them. */
const names = [7, 12, 100, 4096, 123456];
const ids = Uint32Array.from([1, 2, 30, 4, 99999]);
const streams = Uint32Array.from([0, 0, 1, 2, 3]);

/** Fresh events each time: rendering renames kept-whole events in place. */
function events(): WireEvent[] {
  return [
    typedEvent('tcp.analysis', 10, ts, 100, 's2c', { tcp_stream: 100, flags: ['window_full'], seq: 1, ack: 2, len: 3, window_size: 4, bytes_in_flight: 5 } as never),
    makeEvent('test.nested', 11, ts, 7, 'c2s', { note: ',"tcp_stream":5 and "flow":3', inner: { a: 1, tcp_stream: 100, flow: 7 }, tcp_stream: 4096 }),
    makeEvent('ftp.transfer', 12, ts, 12, null, { data_flow: 123456, fuid: 123456, udp_stream: 12 }),
    makeEvent('quic.connection', 13, ts, 4096, null, { path_flow: 7, paths: [{ flow: 12 }, { flow: 4096 }] }),
    makeEvent('smtp.message', 14, ts, 12, 'c2s', { fuids: ['12:1:0', '100:2:1'] }),
    makeEvent('anomaly', 15, ts, null, null, { code: 'x', detail: 'no flow' }),
    makeEvent('dns.message', 16, ts, 100, 'c2s', { query: '"flow":12,', udp_stream: 100 }),
  ];
}

function expected(): string {
  const map = new FlowIdMap();
  map.add(names, ids, streams);
  return events()
    .map((e) => {
      map.rename(e);
      return compactJson(e) + '\n';
    })
    .join('');
}

describe('ShareOutput', () => {
  it('swaps flow names for ids in the written bytes as renaming the events would', () => {
    const out = new ShareOutput({ ndjson: true, predicate: null, shownIdentity: false, pack: true });
    // Two events per group, one group with none (not sent).
    const evs = events();
    evs.forEach((e, i) => {
      if (i % 2 === 0) out.mark(e.frame, 4, 0, 0);
      if (i === 4) out.mark(e.frame, 4, 1, 0);
      out.add(e);
    });
    out.mark(99, 4, 0, 0);
    out.ids.add(names, ids, streams);
    const r = out.render(out.take());
    expect(Buffer.from(r.bytes!).toString('utf8')).toBe(expected());
    expect(Array.from(r.keys)).toEqual([10, 4, 0, 0, 12, 4, 0, 0, 14, 4, 1, 0, 16, 4, 0, 0]);
    const text = Buffer.from(r.bytes!).toString('utf8');
    const lineEnds = [...text.matchAll(/\n/g)].map((m) => Buffer.byteLength(text.slice(0, m.index! + 1)));
    expect(Array.from(r.ends)).toEqual([lineEnds[1], lineEnds[3], lineEnds[5], lineEnds[6]]);
  });

  it('keeps the epochs apart', () => {
    const out = new ShareOutput({ ndjson: true, predicate: null, shownIdentity: false, pack: true });
    const first = events();
    out.mark(1, 4, 0, 0);
    out.add(first[0]!);
    const a = out.take();
    out.mark(2, 4, 0, 0);
    out.add(events()[2]!);
    const b = out.take();
    out.ids.add(names, ids, streams);
    const map = new FlowIdMap();
    map.add(names, ids, streams);
    const want = (e: WireEvent): string => (map.rename(e), compactJson(e) + '\n');
    expect(Buffer.from(out.render(a).bytes!).toString('utf8')).toBe(want(events()[0]!));
    expect(Buffer.from(out.render(b).bytes!).toString('utf8')).toBe(want(events()[2]!));
  });
});
