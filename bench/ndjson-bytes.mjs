// Events written as bytes against the string path (issue 18): the events of a capture are
// collected once, then each is rebuilt with makeEvent (so the writer sees an event just
// built, as in a run) and written (a) by the NdjsonWriter, bytes straight into its chunk,
// and (b) as before: eventLine's string, then encoded into a chunk. CPU time per pass,
// alternating, best of N; the outputs are compared byte for byte.
//   node bench/ndjson-bytes.mjs [capture] [passes]
import { analyze } from '../dist/pipeline/analyze.js';
import { makeEvent } from '../dist/events/event.js';
import { eventLine, NdjsonWriter } from '../dist/report/ndjson.js';

const file = process.argv[2] ?? 'bench/out/bench-100MB-seed1.pcap';
const passes = Number(process.argv[3] ?? 5);
const BASE = new Set(['type', 'frame', 'ts', 'flow', 'dir']);
const events = [];
await analyze(file, { emit: (e) => events.push(e) }, { governHeap: false });
const parts = events.map((e) => {
  const f = {};
  for (const k in e) if (!BASE.has(k)) f[k] = e[k];
  return [e.type, e.frame, e.ts, e.flow, e.dir, f];
});

function bytesPath() {
  let n = 0;
  const w = new NdjsonWriter((b) => (n += b.length));
  for (const p of parts) w.emit(makeEvent(...p));
  w.flush();
  return n;
}
function stringPath() {
  let n = 0;
  let chunk = Buffer.allocUnsafe(128 * 1024);
  let used = 0;
  for (const p of parts) {
    const line = eventLine(makeEvent(...p));
    if (used + line.length * 3 + 1 > chunk.length) {
      n += used;
      chunk = Buffer.allocUnsafe(Math.max(128 * 1024, line.length * 3 + 1));
      used = 0;
    }
    used += chunk.write(line, used, 'utf8');
    chunk[used++] = 0x0a;
  }
  return n + used;
}
function rebuildOnly() {
  let n = 0;
  for (const p of parts) n += makeEvent(...p).frame;
  return n;
}
const cpu = (fn) => {
  const t = process.cpuUsage();
  const r = fn();
  const d = process.cpuUsage(t);
  return [(d.user + d.system) / 1000, r];
};
const best = { bytes: Infinity, string: Infinity, rebuild: Infinity };
for (let i = 0; i < passes; i++) {
  const [tb, nb] = cpu(bytesPath);
  const [ts, ns] = cpu(stringPath);
  const [tr] = cpu(rebuildOnly);
  if (nb !== ns) throw new Error(`different lengths: ${nb} vs ${ns}`);
  best.bytes = Math.min(best.bytes, tb);
  best.string = Math.min(best.string, ts);
  best.rebuild = Math.min(best.rebuild, tr);
}
const per = (ms) => ((ms - best.rebuild) * 1000 / parts.length).toFixed(2);
console.log(`${parts.length} events; CPU ms, best of ${passes} (makeEvent alone ${best.rebuild.toFixed(0)} ms, subtracted per event):`);
console.log(`string path (eventLine + encode): ${best.string.toFixed(0)} ms, ${per(best.string)} us/event`);
console.log(`bytes path (NdjsonWriter):        ${best.bytes.toFixed(0)} ms, ${per(best.bytes)} us/event`);
