// read + decode + flows + TCP reassembly only: no dissectors, events counted not written.
// Usage: node bench/core.mjs CAPTURE [DIST_DIR]   (prints one JSON line with counts)
// `cpu_s` is the CPU time (user + sys, this process's threads) of the analysis alone, after
// node and the modules are loaded (about 0.6 s of CPU that this bench does not measure), and
// `mb_per_cpu_s` the file's megabytes (10^6) over it: the core's own speed, which a busy
// machine changes less than wall time.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { statSync } from 'node:fs';

const [file, dist = 'dist'] = process.argv.slice(2);
const { analyze } = await import(pathToFileURL(resolve(dist, 'pipeline/analyze.js')).href);
let events = 0;
let packets = 0;
const before = process.cpuUsage();
await analyze(file, { emit: (e) => { events++; if (e.type === 'capture.summary') packets = e.packets; } }, { protocols: [] });
const used = process.cpuUsage(before);
const cpu = (used.user + used.system) / 1e6;
const mb = statSync(file).size / 1e6;
process.stdout.write(JSON.stringify({ events, packets, cpu_s: +cpu.toFixed(3), mb_per_cpu_s: +(mb / cpu).toFixed(1) }) + '\n');
