#!/usr/bin/env node
/**
 * The CPU of `events` (bytes written by the declared writers, as the command line writes them,
 * output discarded but hashed) or `flows` (the analysis `flows` runs) on one capture, run
 * several times in one process: the first run is cold (interpreter, JIT warm-up), the later
 * ones the steady state. Used to compare two builds' dissector CPU with less noise than
 * whole-process timings on a shared machine (issue 18, seventh round: text).
 * Usage: node --max-semi-space-size=8 bench/text-warm.mjs CAPTURE [RUNS] [DIST_DIR] [events|flows]
 * Prints one JSON line: the dist, CPU seconds of each run, and the md5 of the last run's output.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, runs = '4', dist = 'dist', mode = 'events'] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { analyze } = await load('pipeline/analyze.js');
const { NdjsonWriter } = await load('report/ndjson.js');
const cpu = [];
let md5 = '';
for (let r = 0; r < Number(runs); r++) {
  const h = createHash('md5');
  const from = process.cpuUsage();
  if (mode === 'flows') {
    let n = 0;
    await analyze(file, { emit: (e) => void (e.type === 'flow.end' && n++) }, { tcpAnalysis: false, wanted: { types: ['flow.end'], filter: false } });
    h.update(String(n));
  } else {
    const w = new NdjsonWriter((b) => h.update(b), undefined, { declaredBytes: true });
    await analyze(file, w, {});
    w.flush();
  }
  const u = process.cpuUsage(from);
  cpu.push(+((u.user + u.system) / 1e6).toFixed(3));
  md5 = h.digest('hex');
}
process.stdout.write(JSON.stringify({ dist, cpu, md5 }) + '\n');
