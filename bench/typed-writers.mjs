// Serialising the events of declared types (src/events/declared.ts) both ways, on the events a
// real capture gives: the object path (build the event, `eventLine`, encode the line into the
// chunk) against the byte path (`write` from the event's parts into the chunk).
// Usage: node bench/typed-writers.mjs CAPTURE [ROUNDS] [DIST_DIR]   (µs per event, each round alternating)
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, rounds = '7', dist = 'dist'] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { analyze } = await load('pipeline/analyze.js');
const { declaredEvent } = await load('events/declared.js');
const { typedEvent } = await load('events/event.js');
const { NdjsonWriter } = await load('report/ndjson.js');
const { LineOut } = await load('events/line-out.js');

// Each declared event's parts, its fields as a fresh object literal would hold them.
const parts = [];
await analyze(file, {
  emit(e) {
    const d = declaredEvent(e.type);
    if (d === undefined || 'tls' in e) return;
    const f = {};
    for (const k of d.keys) f[k] = e[k];
    parts.push([d, e.frame, e.ts, e.flow, e.dir, f]);
  },
}, { governHeap: false });

let sink = 0;
const discard = (b) => (sink += b.length);
function objects() {
  const w = new NdjsonWriter(discard, () => true);
  for (const [d, frame, ts, flow, dir, f] of parts) w.emit(typedEvent(d.type, frame, ts, flow, dir, f));
  w.flush();
}
function bytes() {
  const out = new LineOut(discard);
  for (const [d, frame, ts, flow, dir, f] of parts) d.write(out, frame, ts, flow, dir, f);
  out.flush();
}
const time = (fn) => {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return ((u.user + u.system) / parts.length);
};
const o = [];
const b = [];
objects();
bytes();
for (let i = 0; i < Number(rounds); i++) {
  o.push(time(objects));
  b.push(time(bytes));
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const types = {};
for (const [d] of parts) types[d.type] = (types[d.type] ?? 0) + 1;
process.stdout.write(JSON.stringify({ events: parts.length, objects_us: med(o).toFixed(2), bytes_us: med(b).toFixed(2), objects_all: o.map((x) => x.toFixed(2)), bytes_all: b.map((x) => x.toFixed(2)), types }) + '\n');
