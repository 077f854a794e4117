// QUIC and HTTP/3 speed (run on demand, never by `npm test`): the project's real ngtcp2
// captures through the whole pipeline. Each is repeated COPIES times in one pcap (copy k
// moves the client to another UDP port and later in time, so it is a connection of its
// own; the key log's secrets serve every copy), analysed ROUNDS times in this process after
// one warm-up; the best round is printed as MB/s of capture bytes and of HTTP/3 response
// bodies. With the key log every packet is opened (Initial, Handshake, 1-RTT, key
// updates), STREAM data reassembled, QPACK decoded; without it only Initial packets are.
//
//   npm run build && node bench/quic.mjs [--copies 100] [--rounds 3] [--dist dist] [--json FILE]
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const ROUNDS = Number(opt('--rounds', 3));
const COPIES = Number(opt('--copies', 100));
const DIST = resolve(ROOT, opt('--dist', 'dist'));
const JSON_OUT = opt('--json', null);

const { analyzeFile } = await import(pathToFileURL(join(DIST, 'pipeline/analyze.js')).href);

const CASES = [
  { name: 'quic-h3-requests.pcap', keys: 'quic-h3-requests.keys' },
  { name: 'quic-retry-keyupdate.pcap', keys: 'quic-retry-keyupdate.keys' },
  { name: 'quic-h3-requests.pcap', keys: null },
];

/**
 * A classic pcap (Ethernet, IPv4, UDP) repeated `copies` times: in copy k the endpoint that
 * is not `serverPort` gets port + k, and every timestamp moves by 10 s per copy.
 */
function repeated(pcap, copies, serverPort) {
  const head = pcap.subarray(0, 24);
  const out = [head];
  for (let k = 0; k < copies; k++) {
    for (let at = 24; at + 16 <= pcap.length; ) {
      const incl = pcap.readUInt32LE(at + 8);
      const rec = Buffer.from(pcap.subarray(at, at + 16 + incl));
      rec.writeUInt32LE(rec.readUInt32LE(0) + 10 * k, 0);
      const udp = 16 + 14 + (rec[16 + 14] & 0x0f) * 4;
      for (const off of [udp, udp + 2]) {
        const port = rec.readUInt16BE(off);
        if (port !== serverPort) rec.writeUInt16BE((port + k) & 0xffff, off);
      }
      out.push(rec);
      at += 16 + incl;
    }
  }
  return Buffer.concat(out);
}

const TMP = mkdtempSync(join(tmpdir(), 'wirelens-quic-bench-'));
const rows = [];
for (const c of CASES) {
  const path = join(TMP, `${COPIES}x-${c.name}`);
  const serverPort = c.name.includes('retry') ? 4434 : 4433;
  writeFileSync(path, repeated(readFileSync(join(ROOT, 'captures', c.name)), COPIES, serverPort));
  const bytes = statSync(path).size;
  const keylog = c.keys ? readFileSync(join(ROOT, 'captures', c.keys)) : undefined;
  let body = 0;
  let packets = 0;
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    const { events } = await analyzeFile(path, { keylog });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (round === 0) {
      body = events.filter((e) => e.type === 'http.transaction').reduce((n, e) => n + Number(e.response_body_len ?? 0), 0);
      packets = events.filter((e) => e.type === 'quic.packet').length;
      continue; // warm-up
    }
    best = Math.min(best, s);
  }
  rows.push({ capture: c.name, keys: c.keys !== null, bytes, packets, body_bytes: body, seconds: best, mb_s: bytes / 1e6 / best, body_mb_s: body / 1e6 / best });
}

rmSync(TMP, { recursive: true, force: true });
console.log(`${COPIES} copies of each capture, best of ${ROUNDS} rounds:\n`);
console.log('| capture | key log | QUIC packets | capture MB/s | HTTP/3 body MB/s |\n|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.capture} | ${r.keys ? 'yes' : 'no'} | ${r.packets} | ${r.mb_s.toFixed(1)} | ${r.keys ? r.body_mb_s.toFixed(1) : '-'} |`);
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2));
