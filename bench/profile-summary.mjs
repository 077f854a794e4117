// Summarises a V8 .cpuprofile: the functions with the most self time (and total time).
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = dt.reduce((a, b) => a + b, 0);
const label = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(dist|src|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
const agg = new Map();
for (const [id, t] of self) {
  const key = label(byId.get(id).callFrame);
  agg.set(key, (agg.get(key) ?? 0) + t);
}
const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(n));
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
for (const [key, t] of rows) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1e3).toFixed(0).padStart(7)} ms  ${key}`);
// Self time by file, to see which module the time goes to.
const byFile = new Map();
for (const [id, t] of self) {
  const url = byId.get(id).callFrame.url.replace(/^.*\/(dist|src|node_modules)\//, '$1/') || '(native)';
  byFile.set(url, (byFile.get(url) ?? 0) + t);
}
console.log('\nby file:');
for (const [f, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${f}`);
// Inclusive ("total") time: self time of a node and all its descendants, per function.
const parent = new Map();
for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const incl = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = label(byId.get(cur).callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + t);
  }
}
console.log('\ninclusive:');
for (const [k, t] of [...incl].filter(([k]) => !/^\(|^ |anonymous/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
