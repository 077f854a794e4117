// read + decode + flows + TCP reassembly only: no dissectors, events counted not written.
// Usage: node bench/core.mjs CAPTURE [DIST_DIR]   (prints one JSON line with counts)
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, dist = 'dist'] = process.argv.slice(2);
const { analyze } = await import(pathToFileURL(resolve(dist, 'pipeline/analyze.js')).href);
let events = 0;
let packets = 0;
await analyze(file, { emit: (e) => { events++; if (e.type === 'capture.summary') packets = e.packets; } }, { protocols: [] });
process.stdout.write(JSON.stringify({ events, packets }) + '\n');
