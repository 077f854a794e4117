// The benchmark (run on demand with `npm run bench`, never by `npm test`).
//
// Builds (once, cached in bench/out/) a large capture from the real conversations in
// captures/ (see make-capture.mjs), then runs wirelens and tshark on it in one go and
// prints a table: wall seconds, CPU seconds, MB/s, packets/s, peak RSS, and the ratio of
// each wirelens row to the tshark row it is compared with. Peak RSS and times come from
// /usr/bin/time (GNU time: %e %U %S %M); output goes to /dev/null.
//
//   node bench/run.mjs [--size 500] [--seed 1] [--workers 1,N] [--flat] [--big] [--dist dist]
//                      [--skip-tshark] [--skip-tls] [--skip-quic] [--skip-short] [--json FILE]
//   --flat   also run `events` on 100 MB and 1 GB captures to show peak RSS stays flat
//   --big    with --flat, also 4 GB (needs ~4.5 GB of disk in bench/out/ and minutes)
//   --skip-short  leave out the short-capture rows (a 20 MB slice against tshark, start-up on
//            captures/demo.pcap), which issue 18 sets targets for because students' captures are small
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureCapture, OUT_DIR } from './make-capture.mjs';
import { NODE_FLAGS, ROOT, timed } from './lib.mjs';

const node = (args) => ['node', [...NODE_FLAGS, ...args]];

/**
 * The command users run: the build's `bin/wirelens` (the bundled script with V8's code cache,
 * src/cli/code-cache.ts), else, for an older build without one beside its dist, its
 * dist/cli/main.js (about 250 modules and no code cache: slower to start). Until 2026-12-08 the
 * bench always ran dist/cli/main.js, so its rows paid that start-up.
 */
function cliOf(dist) {
  const bin = join(dist, '..', 'bin', 'wirelens');
  return existsSync(bin) ? bin : join(dist, 'cli/main.js');
}

function parseArgs(argv) {
  const o = { size: 500, seed: 1, workers: null, flat: false, big: false, dist: 'dist', skipTshark: false, skipTls: false, skipQuic: false, skipShort: false, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size') o.size = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--workers') o.workers = argv[++i].split(',').map(Number);
    else if (a === '--flat') o.flat = true;
    else if (a === '--big') o.big = true;
    else if (a === '--dist') o.dist = argv[++i];
    else if (a === '--skip-tshark') o.skipTshark = true;
    else if (a === '--skip-tls') o.skipTls = true;
    else if (a === '--skip-quic') o.skipQuic = true;
    else if (a === '--skip-short') o.skipShort = true;
    else if (a === '--json') o.json = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** Runs a command under GNU time, stdout to /dev/null; returns wall, cpu, peak RSS (MB). */
const measure = (cmd, args, opts) => timed(cmd, args, opts);

/** One thread, then one per core (the default of `--workers`), unless `--workers` says. */
const workerCounts = (o) => o.workers ?? [...new Set([1, cpus().length])];

/** Whether the build in `dist` has `option` on `command` (older builds, compared with --dist, may not). */
function hasOption(dist, command, option) {
  try {
    return execFileSync('node', [join(dist, 'cli/main.js'), command, '--help'], { cwd: ROOT, encoding: 'utf8' }).includes(option);
  } catch {
    return false;
  }
}
const supportsWorkers = (dist) => hasOption(dist, 'events', '--workers');
const supportsQuick = (dist) => hasOption(dist, 'flows', '--quick');

function machine() {
  const c = cpus();
  const tshark = (() => {
    try {
      return execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    } catch {
      return 'not installed';
    }
  })();
  return { cpu: c[0]?.model ?? '?', cores: c.length, node: process.version, tshark, date: new Date().toISOString().slice(0, 10), load: loadavg().map((x) => x.toFixed(2)).join(' ') };
}

const TSHARK_FIELDS = [
  'frame.number', 'ip.src', 'ip.dst', 'http.request.method', 'http.host', 'http.request.uri', 'http.response.code',
  'dns.qry.name', 'dns.flags.rcode', 'ftp.request.command', 'ftp.request.arg', 'ftp.response.code',
  'smtp.req.command', 'smtp.req.parameter', 'smtp.response.code', 'pop.request.command', 'pop.response.indicator',
];

async function runSet(file, bytes, o, { withTshark, label }) {
  const cli = cliOf(o.dist);
  const core = await measure(...node(['bench/core.mjs', file, o.dist]), { stdout: join(OUT_DIR, 'core.json') });
  const { packets } = JSON.parse(readFileSync(join(OUT_DIR, 'core.json'), 'utf8'));
  const rows = [{ name: 'wirelens read+decode+reassembly (no dissectors)', vs: 'conv', ...core }];
  const workers = workerCounts(o);
  const parallel = supportsWorkers(o.dist);
  for (const w of workers) {
    const extra = parallel ? ['--workers', String(w)] : [];
    if (!parallel && w !== workers[0]) continue;
    const tag = parallel ? ` --workers ${w}` : '';
    rows.push({ name: `wirelens flows${tag}`, vs: 'conv', ...(await measure(...node([cli, 'flows', file, ...extra]))) });
    if (supportsQuick(o.dist)) rows.push({ name: `wirelens flows --quick${tag} (detection only)`, vs: 'conv', ...(await measure(...node([cli, 'flows', file, '--quick', ...extra]))) });
    rows.push({ name: `wirelens events${tag} (all dissectors, NDJSON)`, vs: 'fields', ...(await measure(...node([cli, 'events', file, ...extra]))) });
    // Only the work asked for (issue 18): the dissectors HTTP's events need, the rest detected and counted.
    if (hasOption(o.dist, 'events', '--types')) rows.push({ name: `wirelens events --types 'http.*'${tag}`, vs: 'fields', ...(await measure(...node([cli, 'events', file, ...extra, '--types', 'http.*']))) });
  }
  if (withTshark) {
    rows.push({ name: 'tshark -q -z conv,tcp', ref: 'conv', ...(await measure('tshark', ['-r', file, '-q', '-z', 'conv,tcp'])) });
    const fields = TSHARK_FIELDS.flatMap((f) => ['-e', f]);
    rows.push({ name: 'tshark -2 -T fields (HTTP, DNS, FTP, SMTP, POP3)', ref: 'fields', ...(await measure('tshark', ['-r', file, '-2', '-R', 'http || dns || ftp || smtp || pop', '-T', 'fields', ...fields])) });
  }
  const refs = Object.fromEntries(rows.filter((r) => r.ref).map((r) => [r.ref, r]));
  for (const r of rows) {
    r.mbps = bytes / 1e6 / r.wall;
    r.pps = packets / r.wall;
    const ref = r.vs && refs[r.vs];
    r.ratio = ref ? ref.wall / r.wall : null;
    r.cpuRatio = ref ? ref.cpu / r.cpu : null;
  }
  return { label, file, bytes, packets, rows };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Short captures, where start-up and JIT warm-up weigh most: `events` on a 20 MB slice against
 * tshark's field extraction, alternated over `rounds` (medians; each round's ratio is printed
 * too, since a shared machine's speed drifts between rounds), and `events` on the demo capture.
 */
async function runShort(o, { rounds = 5 }) {
  const cli = cliOf(o.dist);
  const slice = ensureCapture({ sizeMB: 20, seed: o.seed });
  const fields = TSHARK_FIELDS.flatMap((f) => ['-e', f]);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(await measure(...node([cli, 'events', slice.path, '--workers', '1'])));
    if (!o.skipTshark) theirs.push(await measure('tshark', ['-r', slice.path, '-2', '-R', 'http || dns || ftp || smtp || pop', '-T', 'fields', ...fields]));
  }
  const demo = [];
  for (let i = 0; i < rounds * 2; i++) demo.push(await measure(...node([cli, 'events', join(ROOT, 'captures', 'demo.pcap')])));
  const pick = (runs, key) => median(runs.map((r) => r[key]));
  return {
    bytes: slice.bytes,
    events: { wall: pick(ours, 'wall'), cpu: pick(ours, 'cpu'), rssMB: pick(ours, 'rssMB') },
    tshark: theirs.length ? { wall: pick(theirs, 'wall'), cpu: pick(theirs, 'cpu'), rssMB: pick(theirs, 'rssMB') } : null,
    roundRatios: theirs.map((t, i) => t.wall / ours[i].wall),
    demo: { wall: pick(demo, 'wall'), cpu: pick(demo, 'cpu'), min: Math.min(...demo.map((r) => r.wall)), max: Math.max(...demo.map((r) => r.wall)) },
  };
}

function shortTable(s) {
  const lines = [
    `Short captures: ${(s.bytes / 1e6).toFixed(0)} MB slice, median of ${s.roundRatios.length || 'several'} alternated rounds`,
    '',
    '| run | wall s | CPU s | peak RSS MB | vs tshark (wall / CPU) |',
    '|---|---:|---:|---:|---:|',
  ];
  const ratio = s.tshark ? `${(s.tshark.wall / s.events.wall).toFixed(2)}× / ${(s.tshark.cpu / s.events.cpu).toFixed(2)}×` : '';
  lines.push(`| wirelens events --workers 1 | ${s.events.wall.toFixed(2)} | ${s.events.cpu.toFixed(2)} | ${s.events.rssMB.toFixed(0)} | ${ratio} |`);
  if (s.tshark) lines.push(`| tshark -2 -T fields | ${s.tshark.wall.toFixed(2)} | ${s.tshark.cpu.toFixed(2)} | ${s.tshark.rssMB.toFixed(0)} |  |`);
  lines.push(`| wirelens events captures/demo.pcap (start-up) | ${s.demo.wall.toFixed(2)} (${s.demo.min.toFixed(2)}–${s.demo.max.toFixed(2)}) | ${s.demo.cpu.toFixed(2)} |  |  |`);
  if (s.roundRatios.length) lines.push('', `Wall ratio per round: ${s.roundRatios.map((r) => r.toFixed(2) + '×').join(', ')}`);
  return lines.join('\n');
}

function table(set) {
  const lines = [
    `Capture: ${(set.bytes / 1e6).toFixed(0)} MB, ${set.packets} packets (${set.label})`,
    '',
    '| run | wall s | CPU s | MB/s | packets/s | peak RSS MB | vs tshark (wall) | vs tshark (CPU) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of set.rows) {
    const against = r.vs === 'conv' ? 'conv' : 'fields';
    const ratio = r.ratio ? `${r.ratio.toFixed(1)}× ${against}` : '';
    const cpuRatio = r.cpuRatio ? `${r.cpuRatio.toFixed(1)}× ${against}` : '';
    lines.push(`| ${r.name} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.mbps.toFixed(0)} | ${Math.round(r.pps).toLocaleString('en-US')} | ${r.rssMB.toFixed(0)} | ${ratio} | ${cpuRatio} |`);
  }
  return lines.join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(s + '\n');
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.tshark}; load average ${m.load}`);
  const main = ensureCapture({ sizeMB: o.size, seed: o.seed, log });
  const results = { machine: m, sets: [] };
  const set = await runSet(main.path, main.bytes, o, { withTshark: !o.skipTshark, label: `seed ${o.seed}` });
  results.sets.push(set);
  console.log(table(set));
  if (!o.skipShort) {
    results.short = await runShort(o, { rounds: 5 });
    console.log('\n' + shortTable(results.short));
  }
  if (o.flat) {
    const sizes = [100, 1000, ...(o.big ? [4000] : [])];
    const flat = [];
    for (const sizeMB of sizes) {
      const c = ensureCapture({ sizeMB, seed: o.seed, log });
      for (const w of supportsWorkers(o.dist) ? workerCounts(o) : [1]) {
        const r = await measure(...node([cliOf(o.dist), 'events', c.path, ...(supportsWorkers(o.dist) ? ['--workers', String(w)] : [])]));
        flat.push({ sizeMB: c.bytes / 1e6, workers: w, ...r });
      }
    }
    results.flat = flat;
    console.log('\nMemory flatness (`wirelens events`):\n');
    console.log('| capture MB | workers | wall s | MB/s | peak RSS MB |\n|---:|---:|---:|---:|---:|');
    for (const f of flat) console.log(`| ${f.sizeMB.toFixed(0)} | ${f.workers} | ${f.wall.toFixed(2)} | ${(f.sizeMB / f.wall).toFixed(0)} | ${f.rssMB.toFixed(0)} |`);
  }
  if (!o.skipTls) {
    // TLS record decryption, MB/s of plaintext per cipher suite (bench/tls-decrypt.mjs).
    console.log('\nTLS decryption (`bench/tls-decrypt.mjs --size 8`):\n');
    console.log(execFileSync(process.execPath, [join(ROOT, 'bench', 'tls-decrypt.mjs'), '--size', '8', '--dist', o.dist], { encoding: 'utf8' }).trimEnd());
  }
  if (!o.skipQuic) {
    // QUIC + HTTP/3 through the pipeline, with and without the key log (bench/quic.mjs).
    console.log('\nQUIC and HTTP/3 (`bench/quic.mjs`):\n');
    console.log(execFileSync(process.execPath, [join(ROOT, 'bench', 'quic.mjs'), '--dist', o.dist], { encoding: 'utf8' }).trimEnd());
  }
  console.log(`\nMachine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.tshark}, ${m.date}; load average at start ${m.load}.`);
  writeFileSync(o.json ?? join(OUT_DIR, `results-${m.date}.json`), JSON.stringify(results, null, 2));
}

await main();
