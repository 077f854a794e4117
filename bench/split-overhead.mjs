#!/usr/bin/env node
/**
 * What `--workers` costs beyond the dissection itself (README, Performance: "--workers: what
 * 2 cores predict for 8-16"). Usage: node bench/split-overhead.mjs CAPTURE [workers=2]
 * - read: CPU of reading every packet (readCapture), and of reading plus `shardOf` (what
 *   each self-reading worker spends on the packets of the other shares);
 * - main: for `events` (NDJSON) and `flows` (objects), the main thread's CPU time (Linux
 *   /proc/self/task) and busy wall time (event loop utilisation, which a loaded machine
 *   inflates) during a split run with each reader: the serial part of the run.
 * Needs `npm run build`. CPU figures are process.cpuUsage (user + sys) of this process.
 */
import { openSync, readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readCapture } from '../dist/capture/index.js';
import { shardOf } from '../dist/pipeline/parallel/address-pair.js';
import { analyzeSplit } from '../dist/pipeline/parallel/split.js';
import { DEFAULT_LIMITS } from '../dist/dissect/limits.js';

const file = process.argv[2];
const n = Number(process.argv[3] ?? 2);
if (!file) throw new Error('usage: split-overhead.mjs CAPTURE [workers]');

/** CPU ms of this process's main thread alone (utime + stime of its task; 10 ms ticks). */
const mainThreadMs = () => {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

const cpuMs = (from) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

async function readCost(withShard) {
  const from = process.cpuUsage();
  let packets = 0;
  let mine = 0;
  await readCapture(file, {
    packet: (p) => {
      packets++;
      if (withShard && shardOf(p.link_type, p.data, n) === 0) mine++;
    },
    problem: () => {},
  });
  return { ms: cpuMs(from), packets, mine };
}

async function mainBusy(reader, mode) {
  process.env.WIRELENS_SPLIT_READER = reader;
  const out = openSync('/dev/null', 'w');
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadMs();
  const opts = mode === 'ndjson' ? { limits: DEFAULT_LIMITS, workers: n, mode } : { limits: DEFAULT_LIMITS, workers: n, mode, tcpAnalysis: false, types: ['flow.end'] };
  await analyzeSplit(file, opts, { bytes: (b) => writeSync(out, b), event: () => {} });
  const elu = performance.eventLoopUtilization(elu0);
  return { reader, mode, wall_ms: Math.round(performance.now() - t0), main_active_ms: Math.round(elu.active), main_cpu_ms: mainThreadMs() - main0, process_cpu_ms: Math.round(cpuMs(cpu0)) };
}

for (const withShard of [false, true, false, true]) {
  const r = await readCost(withShard);
  console.log(JSON.stringify({ read: withShard ? 'read+shardOf' : 'read', cpu_ms: Math.round(r.ms), packets: r.packets, share0: r.mine || undefined }));
}
for (const mode of ['ndjson', 'objects']) for (const reader of ['workers', 'main', 'workers', 'main']) console.log(JSON.stringify(await mainBusy(reader, mode)));
