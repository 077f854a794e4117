// The hostile row of the bench (issue 19): crafted floods, wirelens against tshark on the
// same file, wall time and peak RSS from GNU time. Captures come from hostile-captures.mjs
// (built on first use into bench/out/hostile/, never committed).
//
//   node bench/hostile.mjs [--scale F] [--only a,b] [--skip-tshark] [--report] [--stdin] [--bin PATH]
//
// --report runs `wirelens report` instead of `events` (the streamed report: issue 19's
// 1M SYNs, 300,000 HTTP/2 streams, 400,000 pipelined requests (http-pipelined) and 333 MB
// of DNS answers); --stdin pipes the capture into `wirelens ... -` (a pipe, read as a
// stream: what an endless capture on stdin costs per packet read so far); --bin measures another build (for example a copy of the one before a change).
// Default: the SYN flood (1M SYNs) and the HTTP/2 stream flood (300,000 streams) at the
// sizes of issue 19; --only adds others (frag-flood, continuation-flood, ooo-segments,
// dns-answers, smtp-endless-data, pcapng-interfaces, follow-20mb). Targets: time within 5x
// of tshark's, peak RSS under 250 MB.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hostileCapture } from './hostile-captures.mjs';
import { NODE_FLAGS, ROOT } from './lib.mjs';

function parseArgs(argv) {
  const o = { scale: 1, only: ['syn-flood', 'h2-streams'], skipTshark: false, report: false, bin: join(ROOT, 'bin', 'wirelens') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scale') o.scale = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--skip-tshark') o.skipTshark = true;
    else if (a === '--report') o.report = true;
    else if (a === '--stdin') o.stdin = true;
    else if (a === '--bin') o.bin = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/**
 * Wall seconds, CPU seconds (user + sys: what a shared machine's load does not inflate) and
 * peak RSS (MB) under GNU time, stdout discarded, whatever the exit status.
 */
function run(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const m = /TIME (\S+) (\d+) (\S+) (\S+)/.exec(r.stderr.toString());
  return m ? { wall: Number(m[1]), rssMb: Number(m[2]) / 1024, cpu: Number(m[3]) + Number(m[4]), status: r.status } : { wall: NaN, rssMb: NaN, cpu: NaN, status: r.status };
}

const o = parseArgs(process.argv.slice(2));
const rows = [];
for (const name of o.only) {
  const file = hostileCapture(name, o.scale);
  const command = name === 'follow-20mb' ? ['follow', file, '--flow', '1'] : [o.report ? 'report' : 'events', file];
  // Through a pipe, GNU time gives the largest RSS among the shell's children: wirelens's.
  const w = o.stdin && name !== 'follow-20mb'
    ? run('bash', ['-c', `cat "$0" | node ${NODE_FLAGS.join(' ')} "$1" ${command[0]} -`, file, o.bin])
    : run('node', [...NODE_FLAGS, o.bin, ...command]);
  const tsharkArgs = name === 'follow-20mb' ? ['-n', '-q', '-r', file, '-z', 'follow,tcp,ascii,0'] : ['-n', '-r', file];
  const t = o.skipTshark ? null : run('tshark', tsharkArgs);
  rows.push({ name, wall: w.wall, cpu: w.cpu, rss: w.rssMb, status: w.status, tshark: t?.wall ?? null, tsharkCpu: t?.cpu ?? null, tsharkRss: t?.rssMb ?? null });
}
const pad = (s, n) => String(s).padStart(n);
console.log(`hostile captures (scale ${o.scale}): wirelens ${o.report ? 'report' : 'events'}${o.stdin ? ' - (stdin)' : ''} (follow for follow-20mb) vs tshark -n -r, wall and CPU (user + sys) seconds, peak RSS MB (MiB)`);
console.log(`${'capture'.padEnd(20)}${pad('wirelens s', 12)}${pad('CPU s', 8)}${pad('RSS MB', 9)}${pad('tshark s', 10)}${pad('CPU s', 8)}${pad('RSS MB', 9)}${pad('ratio', 8)}${pad('CPU ratio', 11)}`);
for (const r of rows) {
  const ratio = r.tshark ? (r.wall / r.tshark).toFixed(1) + 'x' : '-';
  const cpuRatio = r.tsharkCpu ? (r.cpu / r.tsharkCpu).toFixed(1) + 'x' : '-';
  console.log(`${r.name.padEnd(20)}${pad(r.wall.toFixed(2), 12)}${pad(r.cpu.toFixed(1), 8)}${pad(r.rss.toFixed(0), 9)}${pad(r.tshark?.toFixed(2) ?? '-', 10)}${pad(r.tsharkCpu?.toFixed(1) ?? '-', 8)}${pad(r.tsharkRss?.toFixed(0) ?? '-', 9)}${pad(ratio, 8)}${pad(cpuRatio, 11)}${r.status ? `  (exit ${r.status})` : ''}`);
}
