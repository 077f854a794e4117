#!/usr/bin/env node
/**
 * What `--workers` costs beyond the dissection itself (README, Performance: "--workers: what
 * 2 cores predict for 8-16"). Usage: node bench/split-overhead.mjs CAPTURE [workers=2]
 * - read: CPU of reading every packet (readCapture), and of reading plus `shardOf` (what
 *   each self-reading worker spends on the packets of the other shares);
 * - main: for `events` (NDJSON) and `flows` (objects), the main thread's CPU time (Linux
 *   /proc/self/task) and busy wall time (event loop utilisation, which a loaded machine
 *   inflates) during a split run with each reader: the serial part of the run; and how
 *   long each self-reading worker waited for flow ids (the id round trip's cost).
 * - balance: the largest share's bytes over the mean share's, for 2 to 16 workers, with
 *   one bucket per worker (hash mod N; the main-thread reader's split, not bucket-plan.ts's).
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
  const stats = { stalledMs: [] };
  const opts = mode === 'ndjson' ? { limits: DEFAULT_LIMITS, workers: n, mode, stats } : { limits: DEFAULT_LIMITS, workers: n, mode, tcpAnalysis: false, types: ['flow.end'], stats };
  await analyzeSplit(file, opts, { bytes: (b) => writeSync(out, b), event: () => {} });
  const elu = performance.eventLoopUtilization(elu0);
  return { reader, mode, wall_ms: Math.round(performance.now() - t0), main_active_ms: Math.round(elu.active), main_cpu_ms: mainThreadMs() - main0, process_cpu_ms: Math.round(cpuMs(cpu0)), stalled_for_ids_ms: stats.stalledMs.length ? stats.stalledMs : undefined };
}

/** How even the shares are: the largest share's bytes over the mean share's (what the slowest worker carries). */
async function balance() {
  const counts = [2, 4, 8, 16].map((k) => ({ k, bytes: new Array(k).fill(0) }));
  await readCapture(file, {
    packet: (p) => {
      for (const c of counts) c.bytes[shardOf(p.link_type, p.data, c.k)] += p.data.length;
    },
    problem: () => {},
  });
  for (const c of counts) {
    const sum = c.bytes.reduce((a, b) => a + b, 0);
    console.log(JSON.stringify({ workers: c.k, largest_share_over_mean: Math.round((Math.max(...c.bytes) / (sum / c.k)) * 1000) / 1000 }));
  }
}

await balance();
for (const withShard of [false, true, false, true]) {
  const r = await readCost(withShard);
  console.log(JSON.stringify({ read: withShard ? 'read+shardOf' : 'read', cpu_ms: Math.round(r.ms), packets: r.packets, share0: r.mine || undefined }));
}
const readers = (process.env.READERS ?? 'workers,main,workers,main').split(',');
for (const mode of ['ndjson', 'objects']) for (const reader of readers) console.log(JSON.stringify(await mainBusy(reader, mode)));
