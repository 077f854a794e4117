// How a dissector hands an event of a declared type (src/events/declared.ts) to the byte writer
// and to the object builder, three ways, on the values a real capture gives (issue 18, item 3):
//   literal     a fresh fields object literal per event (what dissectors do), then `write`;
//   scratch     one reusable record per declaration (one hidden class, made once), every field
//               reset to undefined, then filled, then `write`; `scratch_noreset` skips the reset;
//   positional  a writer compiled to take the field values as arguments: no fields object at all.
// `literal_escaped` keeps each literal reachable for a moment, so escape analysis cannot drop it
// (in a dissector the literal passes through ctx.emit and the session, and is allocated).
// `build_*`: the object path (`build`, for TUI, report, check, filters) from a literal or a scratch.
// Usage: node bench/emit-paths.mjs CAPTURE [TYPE=quic.packet] [ROUNDS=9] [DIST_DIR=dist]
// Prints µs per event (median of ROUNDS, variants alternating in each round) and min/max.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, type = 'quic.packet', rounds = '9', dist = 'dist'] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { analyze } = await load('pipeline/analyze.js');
const { declaredEvent } = await load('events/declared.js');
const { LineOut, bytesOf } = await load('events/line-out.js');
const { jsonString } = await load('events/json.js');

const rows = [];
await analyze(file, {
  emit(e) {
    if (e.type !== type || 'tls' in e) return;
    rows.push([e.frame, e.ts, e.flow, e.dir, declaredEvent(type).keys.map((k) => e[k])]);
  },
}, { governHeap: false });
const d = declaredEvent(type);
if (d === undefined || rows.length === 0) throw new Error(`no declared ${type} events in ${file}`);
const keys = d.keys;
const q = (k) => JSON.stringify(k);

// literal: compiled, so it is one literal site with every key, as a dissector's literal is.
const literal = new Function('v', `return {${keys.map((k, i) => `${q(k)}: v[${i}]`).join(', ')}};`);
// scratch: a constructor that sets every key, a reset, a fill.
const Scratch = new Function(`return function Scratch() { ${keys.map((k) => `this[${q(k)}] = undefined;`).join(' ')} };`)();
const scratch = new Scratch();
const reset = new Function('s', keys.map((k) => `s[${q(k)}] = undefined;`).join(' '));
const fill = new Function('s', 'v', keys.map((k, i) => `s[${q(k)}] = v[${i}];`).join(' '));
// positional: declared.ts's compileWrite with the values as arguments instead of `f[key]`.
const consts = [`{"type":${jsonString(type)},"frame":`, ',"ts":', ',"flow":null', ',"flow":', ',"dir":null', ',"dir":"c2s"', ',"dir":"s2c"', ',"dir":', ...keys.map((k) => ',' + jsonString(k) + ':')].map(bytesOf);
const names = ['HEAD', 'TS', 'FLOW_NULL', 'FLOW', 'DIR_NULL', 'DIR_C2S', 'DIR_S2C', 'DIR', ...keys.map((_, i) => `K${i}`)];
const args = keys.map((_, i) => `a${i}`);
let body = `return function write(o, frame, ts, flow, dir, ${args.join(', ')}) {
  o.begin(HEAD); o.num(frame); o.raw(TS); o.ts(ts);
  if (flow === null) o.raw(FLOW_NULL); else { o.raw(FLOW); o.num(flow); }
  if (dir === null) o.raw(DIR_NULL); else if (dir === 'c2s') o.raw(DIR_C2S); else if (dir === 's2c') o.raw(DIR_S2C); else { o.raw(DIR); o.str(dir); }
`;
keys.forEach((_, i) => (body += `  if (a${i} !== undefined) { o.raw(K${i}); o.value(a${i}); }\n`));
body += '  o.end();\n};';
const positional = new Function(...names, body)(...consts);
const callPositional = new Function('w', 'o', 'r', 'v', `w(o, r[0], r[1], r[2], r[3], ${keys.map((_, i) => `v[${i}]`).join(', ')});`);

let sink = 0;
let kept = null;
const discard = (b) => (sink += b.length);
const reps = Math.max(1, Math.round(200_000 / rows.length));
const writing = (one) => () => {
  const out = new LineOut(discard);
  for (let n = 0; n < reps; n++) for (const r of rows) one(out, r);
  out.flush();
};
const building = (one) => () => {
  for (let n = 0; n < reps; n++) for (const r of rows) sink += one(r).frame;
};
const variants = {
  literal: writing((out, r) => d.write(out, r[0], r[1], r[2], r[3], literal(r[4]))),
  literal_escaped: writing((out, r) => {
    const f = literal(r[4]);
    kept = f;
    d.write(out, r[0], r[1], r[2], r[3], f);
  }),
  scratch: writing((out, r) => {
    reset(scratch);
    fill(scratch, r[4]);
    d.write(out, r[0], r[1], r[2], r[3], scratch);
  }),
  scratch_noreset: writing((out, r) => {
    fill(scratch, r[4]);
    d.write(out, r[0], r[1], r[2], r[3], scratch);
  }),
  positional: writing((out, r) => callPositional(positional, out, r, r[4])),
  build_literal: building((r) => d.build(r[0], r[1], r[2], r[3], literal(r[4]))),
  build_scratch: building((r) => {
    reset(scratch);
    fill(scratch, r[4]);
    return d.build(r[0], r[1], r[2], r[3], scratch);
  }),
};
const time = (fn) => {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / (rows.length * reps);
};
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const k in variants) variants[k]();
for (let i = 0; i < Number(rounds); i++) for (const k in variants) res[k].push(time(variants[k]));
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const r3 = (x) => +x.toFixed(3);
process.stdout.write(JSON.stringify({
  type, events: rows.length, reps,
  us: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, r3(med(v))])),
  range: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, [r3(Math.min(...v)), r3(Math.max(...v))]])),
  kept: kept !== null,
}) + '\n');
