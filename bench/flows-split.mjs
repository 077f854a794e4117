#!/usr/bin/env node
/**
 * Where `wirelens flows` spends its CPU (issue 18): the analysis `flows` runs (a summary-only
 * work plan, no TCP sequence analysis, `flow.end` built), split into what each layer adds.
 * Usage: node bench/flows-split.mjs CAPTURE [--rounds N] [--each] [--only V,V] [--dist DIR]
 *
 * Variants (each the analysis alone, no output; CPU = user + sys of the process, which
 * includes V8's compiler and GC threads):
 * - `core`: no protocol (read, decode, flow table, reassembly);
 * - `detect`: every protocol detected, none dissected (`flows --quick`);
 * - `flows`: what `flows` runs;
 * - with `--each`, `flows -P`: `flows` without protocol P (neither detected nor dissected,
 *   so its flows stay undecided: an estimate of what P costs, not an exact share).
 * Each is measured **cold** (a fresh process per run, as the command line runs: interpreter
 * and JIT warm-up included) and **warm** (the third run in one process: the steady state).
 * The difference is what warm-up costs; a variant's cold minus warm is mostly compiling and
 * running code before it is optimised. Rounds alternate the variants; medians are printed.
 * Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const only = flag('--only');
const each = args.includes('--each');
if (each) args.splice(args.indexOf('--each'), 1);
const rounds = Number(flag('--rounds') ?? 3);
const dist = resolve(flag('--dist') ?? 'dist');
const child = flag('--child');
const file = args[0];
if (!file) throw new Error('usage: flows-split.mjs CAPTURE [--rounds N] [--each] [--dist DIR]');

/** One variant's analysis options. */
async function optionsOf(variant) {
  const { PROTOCOLS } = await import(pathToFileURL(resolve(dist, 'protocols/index.js')).href);
  const flows = { tcpAnalysis: false, wanted: { types: ['flow.end'], filter: false }, governHeap: false };
  if (variant === 'core') return { ...flows, protocols: [] };
  if (variant === 'detect') return { ...flows, dissect: false };
  if (variant === 'flows') return flows;
  const without = variant.slice('flows -'.length);
  return { ...flows, protocols: PROTOCOLS.filter((p) => p.name !== without) };
}

/** In a child: runs the variant `runs` times, prints the CPU seconds of each run. */
async function runChild(variant, runs) {
  const { analyze } = await import(pathToFileURL(resolve(dist, 'pipeline/analyze.js')).href);
  const opts = await optionsOf(variant);
  const cpu = [];
  for (let r = 0; r < runs; r++) {
    const from = process.cpuUsage();
    let flows = 0;
    await analyze(file, { emit: (e) => void (e.type === 'flow.end' && flows++) }, opts);
    const u = process.cpuUsage(from);
    cpu.push((u.user + u.system) / 1e6);
  }
  process.stdout.write(JSON.stringify(cpu) + '\n');
}

if (child !== undefined) {
  const [variant, runs] = child.split('|');
  await runChild(variant, Number(runs));
} else {
  const { PROTOCOLS } = await import(pathToFileURL(resolve(dist, 'protocols/index.js')).href);
  const variants = only ? only.split(',') : ['core', 'detect', 'flows', ...(each ? PROTOCOLS.map((p) => `flows -${p.name}`) : [])];
  const self = fileURLToPath(import.meta.url);
  const measure = (variant, runs) =>
    JSON.parse(execFileSync(process.execPath, ['--max-semi-space-size=8', self, file, '--dist', dist, '--child', `${variant}|${runs}`], { encoding: 'utf8' }));
  const cold = new Map(variants.map((v) => [v, []]));
  const warm = new Map(variants.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) cold.get(v).push(measure(v, 1)[0]);
    for (const v of variants) warm.get(v).push(measure(v, 3)[2]);
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const f = (x) => x.toFixed(2);
  const out = { file, rounds, variants: {} };
  for (const v of variants) out.variants[v] = { cold_s: +f(median(cold.get(v))), warm_s: +f(median(warm.get(v))), cold_runs: cold.get(v).map(f).join(' '), warm_runs: warm.get(v).map(f).join(' ') };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}
