// Bytes allocated by the functions of some source folders during `events` with no filter, from
// V8's sampling heap profiler with the objects that the collector already freed included (what
// `--heap-prof` leaves out): each sample stands for about INTERVAL bytes allocated there.
// Usage: node bench/alloc-profile.mjs CAPTURE DIST_DIR [FOLDER...]   (MB allocated per folder, and in all)
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, dist = 'dist', ...folders] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { analyze } = await load('pipeline/analyze.js');
const { NdjsonWriter } = await load('report/ndjson.js');

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
let sink = 0;
const w = new NdjsonWriter((b) => (sink += b.length));
await analyze(file, w, { governHeap: false });
w.flush();
const { profile } = await session.post('HeapProfiler.stopSampling');
const byFolder = Object.fromEntries(folders.map((f) => [f, 0]));
const byFunction = new Map();
let total = 0;
const walk = (node) => {
  const size = node.selfSize;
  total += size;
  const url = node.callFrame.url;
  for (const f of folders) {
    if (url.includes(f)) {
      byFolder[f] += size;
      const key = `${f} ${node.callFrame.functionName || '(anonymous)'}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + size);
    }
  }
  for (const c of node.children) walk(c);
};
walk(profile.head);
const mb = (n) => (n / 1e6).toFixed(1);
const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${mb(v)} ${k}`);
process.stdout.write(JSON.stringify({ dist, output_bytes: sink, total_mb: mb(total), folders: Object.fromEntries(Object.entries(byFolder).map(([k, v]) => [k, mb(v)])), top }, null, 1) + '\n');
