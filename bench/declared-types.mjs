// Per event type, the cost of an event of a type declared in issue 18's sixth round (the
// `declare` branch), each way it can leave a run with no filter:
// - `before`: the way an undeclared type went: makeEvent from a fields object holding the keys
//   the emitter's literal or spread gave (the defined ones here), then the NDJSON writer's
//   object path (eventLine, encode);
// - `after`: the declared type's `write` from the event's parts into the output chunk.
// Usage: node bench/declared-types.mjs CAPTURE [ROUNDS] [DIST_DIR]   (µs per event, medians of alternated rounds)
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, rounds = '7', dist = 'dist'] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { analyze } = await load('pipeline/analyze.js');
const { declaredEvent } = await load('events/declared.js');
const { makeEvent } = await load('events/event.js');
const { NdjsonWriter } = await load('report/ndjson.js');
const { LineOut } = await load('events/line-out.js');

const TYPES = new Set(['http2.frame', 'http2.headers', 'bittorrent.message', 'bittorrent.handshake', 'bittorrent.connection', 'bittorrent.encrypted', 'bittorrent.keep_alive',
  'tls.client_hello', 'tls.server_hello', 'tls.certificate', 'tls.alert', 'tls.session', 'credentials', 'http3.frame', 'http3.headers', 'http3.stream', 'socks.request']);
const byType = new Map();
await analyze(file, {
  emit(e) {
    const d = declaredEvent(e.type);
    if (d === undefined || !TYPES.has(e.type) || 'tls' in e) return;
    const all = {};
    const present = {};
    for (const k of d.keys) {
      all[k] = e[k];
      if (e[k] !== undefined) present[k] = e[k];
    }
    if (!byType.has(e.type)) byType.set(e.type, []);
    byType.get(e.type).push([d, e.frame, e.ts, e.flow, e.dir, all, present]);
  },
}, { governHeap: false });

let sink = 0;
const discard = (b) => (sink += b.length);
const before = (parts) => () => {
  const w = new NdjsonWriter(discard, () => true);
  for (const [d, frame, ts, flow, dir, , present] of parts) w.emit(makeEvent(d.type, frame, ts, flow, dir, { ...present }));
  w.flush();
};
const after = (parts) => () => {
  const out = new LineOut(discard);
  for (const [d, frame, ts, flow, dir, all] of parts) d.write(out, frame, ts, flow, dir, all);
  out.flush();
};
const time = (fn, n) => {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / n;
};
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const result = {};
for (const [type, parts] of byType) {
  // Small types are repeated to at least 20,000 events per round, for a stable clock.
  const reps = Math.max(1, Math.ceil(20000 / parts.length));
  const many = Array.from({ length: reps }, () => parts).flat();
  const b = before(many);
  const a = after(many);
  b();
  a();
  const bs = [];
  const as = [];
  for (let i = 0; i < Number(rounds); i++) {
    bs.push(time(b, many.length));
    as.push(time(a, many.length));
  }
  result[type] = { events: parts.length, before_us: med(bs).toFixed(2), after_us: med(as).toFixed(2) };
}
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
