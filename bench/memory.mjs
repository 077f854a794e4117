// Peak RSS and CPU time of `wirelens` under heap-setting variants (run on demand, never by
// `npm test`). Each variant is environment variables and node flags added after
// bin/wirelens's own; runs are alternated variant by variant (A B C A B C ...) so that load
// from other work falls on all of them alike. CPU time (user + sys, GNU time) is the number to
// compare on a shared machine; wall time is printed but inflated by contention.
//
//   node bench/memory.mjs --capture FILE[,FILE] [--command events[,flows]] [--runs 3]
//        --variant 'NAME ENV=V ... --node-flag ...' [--variant ...] [--json FILE] [--bin bin/wirelens]
//   e.g. --variant 'governor' --variant 'off WIRELENS_HEAP_BUDGET_MB=0'
import { statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { NODE_FLAGS, ROOT, timed } from './lib.mjs';

function parseArgs(argv) {
  const o = { captures: [], commands: ['events'], runs: 3, variants: [], json: null, bin: join(ROOT, 'bin', 'wirelens') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--capture') o.captures.push(...argv[++i].split(','));
    else if (a === '--command') o.commands = argv[++i].split(',');
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--variant') o.variants.push(parseVariant(argv[++i]));
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--bin') o.bin = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.captures.length === 0 || o.variants.length === 0) throw new Error('need --capture and at least one --variant');
  return o;
}

function parseVariant(spec) {
  const [name, ...rest] = spec.trim().split(/\s+/);
  const env = {};
  const flags = [];
  for (const t of rest) {
    if (t.startsWith('--')) flags.push(t);
    else {
      const eq = t.indexOf('=');
      if (eq <= 0) throw new Error(`variant ${name}: ${t} is neither ENV=V nor --flag`);
      env[t.slice(0, eq)] = t.slice(eq + 1);
    }
  }
  return { name, env, flags };
}

/** One run under GNU time, stdout to /dev/null: wall, cpu (user+sys), peak RSS (MB). */
async function measure(bin, variant, command, file) {
  const env = { ...process.env, WIRELENS_CODE_CACHE: '0', ...variant.env };
  const r = await timed('node', [...NODE_FLAGS, ...variant.flags, bin, command, file], { env });
  // Lines a preloaded module (`--import`) may write about collections, passed on.
  const notes = r.stderr.split('\n').filter((l) => l.startsWith('GC ')).join(' ');
  return { wall: r.wall, cpu: r.cpu, rssMB: r.rssMB, notes };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const span = (xs, d) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;

const o = parseArgs(process.argv.slice(2));
const rows = [];
console.log(`node ${process.version}, bin/wirelens flags: ${NODE_FLAGS.join(' ') || '(none)'}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const file of o.captures) {
  const mb = statSync(file).size / 1e6;
  for (const command of o.commands) {
    const runs = new Map(o.variants.map((v) => [v.name, []]));
    for (let r = 0; r < o.runs; r++) {
      for (const v of o.variants) {
        const m = await measure(o.bin, v, command, file);
        runs.get(v.name).push(m);
        process.stderr.write(`${command} ${mb.toFixed(0)} MB ${v.name} run ${r + 1}: cpu ${m.cpu.toFixed(2)} s, wall ${m.wall.toFixed(2)} s, peak ${m.rssMB.toFixed(0)} MB${m.notes ? ` ${m.notes}` : ''}\n`);
      }
    }
    for (const v of o.variants) {
      const ms = runs.get(v.name);
      rows.push({ file, mb, command, variant: v.name, runs: ms });
    }
  }
}
console.log(`load at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log('| capture MB | command | variant | CPU s median (range) | peak RSS MB median (range) | wall s median |');
console.log('|---:|---|---|---:|---:|---:|');
for (const r of rows) {
  const cpu = r.runs.map((m) => m.cpu);
  const rss = r.runs.map((m) => m.rssMB);
  console.log(`| ${r.mb.toFixed(0)} | ${r.command} | ${r.variant} | ${median(cpu).toFixed(2)} (${span(cpu, 2)}) | ${median(rss).toFixed(0)} (${span(rss, 0)}) | ${median(r.runs.map((m) => m.wall)).toFixed(2)} |`);
}
if (o.json) writeFileSync(o.json, JSON.stringify({ flags: NODE_FLAGS, rows }, null, 2));
