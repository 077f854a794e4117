// Crafted hostile captures for the bench (issue 19), written to bench/out/hostile/ on demand
// and never committed: floods that cost tools per-item work (SYNs, HTTP/2 streams, IP
// fragments, CONTINUATION frames, tiny out-of-order segments), inputs that grow memory (an
// SMTP DATA that never ends, a pcapng of interface blocks, DNS answers multiplied by name
// compression) and one long stream for `follow`.
//
//   node bench/hostile-captures.mjs [NAME...] [--scale F]
//
// Every capture is built from hand-written frames (Ethernet, IPv4, TCP/UDP), deterministic,
// with capture times one microsecond apart. --scale multiplies the item counts (1 = the
// sizes of issue 19; tests use the same builders at a small scale through this module).
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HOSTILE_DIR = join(ROOT, 'bench', 'out', 'hostile');

/** A pcap writer with a 4 MB buffer; frames get consecutive microsecond timestamps. */
class PcapWriter {
  constructor(path) {
    this.tmp = `${path}.part`;
    this.path = path;
    this.fd = openSync(this.tmp, 'w');
    this.buf = Buffer.allocUnsafe(4 << 20);
    this.used = 0;
    this.us = 0;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(1, 20);
    this.raw(h);
  }
  raw(b) {
    if (this.used + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) writeSync(this.fd, b);
    else {
      b.copy(this.buf, this.used);
      this.used += b.length;
    }
  }
  frame(f) {
    const h = Buffer.allocUnsafe(16);
    const t = 1_700_000_000 * 1e6 + this.us++;
    h.writeUInt32LE(Math.floor(t / 1e6), 0);
    h.writeUInt32LE(t % 1e6, 4);
    h.writeUInt32LE(f.length, 8);
    h.writeUInt32LE(f.length, 12);
    this.raw(h);
    this.raw(f);
  }
  flush() {
    writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
}

const ETH = Buffer.from([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00]);

function checksum(b, start, end, init = 0) {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) s += b[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An IPv4 header + payload in an Ethernet frame. */
export function ipv4Frame({ src, dst, proto, payload, id = 0, fragOffset = 0, more = false, totalOverride }) {
  const f = Buffer.alloc(14 + 20 + payload.length);
  ETH.copy(f, 0);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(totalOverride ?? 20 + payload.length, ip + 2);
  f.writeUInt16BE(id & 0xffff, ip + 4);
  f.writeUInt16BE((more ? 0x2000 : 0) | (fragOffset >> 3), ip + 6);
  f[ip + 8] = 64;
  f[ip + 9] = proto;
  f.writeUInt32BE(src >>> 0, ip + 12);
  f.writeUInt32BE(dst >>> 0, ip + 16);
  f.writeUInt16BE(checksum(f, ip, ip + 20), ip + 10);
  payload.copy(f, ip + 20);
  return f;
}

export function tcpFrame({ src, dst, sport, dport, seq, ack = 0, flags, payload = Buffer.alloc(0) }) {
  const t = Buffer.alloc(20 + payload.length);
  t.writeUInt16BE(sport, 0);
  t.writeUInt16BE(dport, 2);
  t.writeUInt32BE(seq >>> 0, 4);
  t.writeUInt32BE(ack >>> 0, 8);
  t[12] = 0x50;
  t[13] = flags;
  t.writeUInt16BE(65535, 14);
  payload.copy(t, 20);
  return ipv4Frame({ src, dst, proto: 6, payload: t });
}

export function udpFrame({ src, dst, sport, dport, payload }) {
  const u = Buffer.alloc(8 + payload.length);
  u.writeUInt16BE(sport, 0);
  u.writeUInt16BE(dport, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  payload.copy(u, 8);
  return ipv4Frame({ src, dst, proto: 17, payload: u });
}

const C = 0x0a000001; // 10.0.0.1
const S = 0x0a000002; // 10.0.0.2
const SYN = 0x02, ACK = 0x10, PSH = 0x18, SYNACK = 0x12;

/** A client-server TCP connection: handshake, then `send(dir, bytes)` in order. */
function connection(w, { client = C, server = S, sport = 40000, dport }) {
  let cseq = 1000, sseq = 5000;
  w.frame(tcpFrame({ src: client, dst: server, sport, dport, seq: cseq - 1, flags: SYN }));
  w.frame(tcpFrame({ src: server, dst: client, sport: dport, dport: sport, seq: sseq - 1, ack: cseq, flags: SYNACK }));
  w.frame(tcpFrame({ src: client, dst: server, sport, dport, seq: cseq, ack: sseq, flags: ACK }));
  return {
    send(dir, bytes) {
      for (let off = 0; off < bytes.length; off += 1448) {
        const payload = bytes.subarray(off, Math.min(bytes.length, off + 1448));
        if (dir === 'c2s') {
          w.frame(tcpFrame({ src: client, dst: server, sport, dport, seq: cseq, ack: sseq, flags: PSH, payload }));
          cseq += payload.length;
        } else {
          w.frame(tcpFrame({ src: server, dst: client, sport: dport, dport: sport, seq: sseq, ack: cseq, flags: PSH, payload }));
          sseq += payload.length;
        }
      }
    },
  };
}

function h2frame(type, flags, stream, payload) {
  const f = Buffer.alloc(9 + payload.length);
  f.writeUIntBE(payload.length, 0, 3);
  f[3] = type;
  f[4] = flags;
  f.writeUInt32BE(stream, 5);
  payload.copy(f, 9);
  return f;
}
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
// :method GET, :scheme http, :path /, :authority (indexed name 1) "a"
const REQUEST_BLOCK = Buffer.from([0x82, 0x86, 0x84, 0x41, 0x01, 0x61]);

/** Sends a large byte sequence built piecewise, without holding it whole. */
function sendPieces(conn, dir, pieces) {
  let batch = [];
  let n = 0;
  for (const p of pieces) {
    batch.push(p);
    n += p.length;
    if (n >= 1448 * 64) {
      conn.send(dir, Buffer.concat(batch));
      batch = [];
      n = 0;
    }
  }
  if (n) conn.send(dir, Buffer.concat(batch));
}

export const BUILDERS = {
  /** 1M SYNs from distinct client ports and addresses to port 80 (70 MB). */
  'syn-flood': (w, scale) => {
    const n = Math.round(1_000_000 * scale);
    for (let i = 0; i < n; i++) {
      w.frame(tcpFrame({ src: 0x0b000000 + (i >>> 14), dst: S, sport: 1024 + (i & 0x3fff), dport: 80, seq: i * 7919, flags: SYN }));
    }
  },
  /** One HTTP/2 connection opening 300,000 streams (4.5 MB). */
  'h2-streams': (w, scale) => {
    const n = Math.round(300_000 * scale);
    const c = connection(w, { dport: 80 });
    c.send('c2s', Buffer.concat([PREFACE, h2frame(4, 0, 0, Buffer.alloc(0))]));
    c.send('s2c', h2frame(4, 0, 0, Buffer.alloc(0)));
    function* frames() {
      for (let i = 0; i < n; i++) yield h2frame(1, 0x05, 2 * i + 1, REQUEST_BLOCK);
    }
    sendPieces(c, 'c2s', frames());
  },
  /** One HTTP/1.1 connection carrying 400,000 pipelined requests, none answered (29 MB). */
  'http-pipelined': (w, scale) => {
    const n = Math.round(400_000 * scale);
    const c = connection(w, { dport: 80 });
    function* requests() {
      for (let i = 0; i < n; i++) yield Buffer.from(`GET /item/${i} HTTP/1.1\r\nHost: example.test\r\nUser-Agent: flood\r\n\r\n`);
    }
    sendPieces(c, 'c2s', requests());
  },
  /** One HEADERS frame followed by 1M empty-ish CONTINUATION frames (10 MB). */
  'continuation-flood': (w, scale) => {
    const n = Math.round(1_000_000 * scale);
    const c = connection(w, { dport: 80 });
    c.send('c2s', Buffer.concat([PREFACE, h2frame(4, 0, 0, Buffer.alloc(0)), h2frame(1, 0x00, 1, REQUEST_BLOCK.subarray(0, 3)) /* no END_HEADERS: CONTINUATION follows */]));
    function* frames() {
      for (let i = 0; i < n; i++) yield h2frame(9, 0, 1, Buffer.from([0x84]));
    }
    sendPieces(c, 'c2s', frames());
  },
  /** First fragments (offset 0, more to come, 8 bytes) of 1M datagrams that never complete (62 MB). */
  'frag-flood': (w, scale) => {
    const n = Math.round(1_000_000 * scale);
    const payload = Buffer.alloc(8, 0x41);
    for (let i = 0; i < n; i++) {
      w.frame(ipv4Frame({ src: 0x0b000000 + (i >>> 16), dst: S, proto: 17, id: i & 0xffff, more: true, payload }));
    }
  },
  /** One flow whose 200,000 one-byte segments arrive in reverse order behind a hole. */
  'ooo-segments': (w, scale) => {
    const n = Math.round(200_000 * scale);
    const c = connection(w, { dport: 8080 });
    void c;
    for (let i = n; i >= 1; i--) {
      w.frame(tcpFrame({ src: C, dst: S, sport: 40000, dport: 8080, seq: 1000 + i, ack: 5000, flags: PSH, payload: Buffer.from([0x61 + (i % 26)]) }));
    }
    w.frame(tcpFrame({ src: C, dst: S, sport: 40000, dport: 8080, seq: 1000, ack: 5000, flags: PSH, payload: Buffer.from('x') }));
  },
  /** One 20 MB text stream, for `follow` (flow 1). */
  'follow-20mb': (w, scale) => {
    const total = Math.round(20 * 1024 * 1024 * scale);
    const c = connection(w, { dport: 9000 });
    const line = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\r\n');
    function* lines() {
      for (let sent = 0; sent < total; sent += line.length) yield line;
    }
    sendPieces(c, 'c2s', lines());
  },
  /** An SMTP DATA that never ends: 600 MB of body. */
  'smtp-endless-data': (w, scale) => {
    const total = Math.round(600 * 1024 * 1024 * scale);
    const c = connection(w, { dport: 25 });
    c.send('s2c', Buffer.from('220 mx ESMTP ready\r\n'));
    c.send('c2s', Buffer.from('EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'));
    c.send('s2c', Buffer.from('250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n'));
    const line = Buffer.from(`${'x'.repeat(76)}\r\n`);
    function* body() {
      yield Buffer.from('Subject: endless\r\n\r\n');
      for (let sent = 0; sent < total; sent += line.length) yield line;
    }
    sendPieces(c, 'c2s', body());
  },
  /** 20,000 DNS responses of 4,000 answers each pointing at a 250-byte name (333 MB at scale 1). */
  'dns-answers': (w, scale) => {
    const n = Math.round(5_000 * scale);
    const labels = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(58)];
    const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
    const answers = Buffer.concat(Array.from({ length: 4000 }, () => rr));
    for (let i = 0; i < n; i++) {
      const header = Buffer.from([i >> 8, i & 0xff, 0x81, 0x80, 0, 1, 4000 >> 8, 4000 & 0xff, 0, 0, 0, 0]);
      const msg = Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1]), answers]);
      w.frame(udpFrame({ src: S, dst: C, sport: 53, dport: 30000 + (i % 20000), payload: msg }));
    }
  },
};

/** A pcapng file of one section with 1M interface blocks and a few packets (24 MB). */
export function writeManyInterfaces(path, scale) {
  const n = Math.round(1_000_000 * scale);
  const fd = openSync(`${path}.part`, 'w');
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeBigInt64LE(-1n, 16);
  shb.writeUInt32LE(28, 24);
  writeSync(fd, shb);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(262144, 12);
  idb.writeUInt32LE(20, 16);
  const batch = Buffer.concat(Array.from({ length: 4096 }, () => idb));
  for (let i = 0; i < n; i += 4096) writeSync(fd, batch, 0, Math.min(4096, n - i) * 20);
  closeSync(fd);
  renameSync(`${path}.part`, path);
}

/** The capture's path, built on first use; `dir` is bench/out/hostile/ unless a test names its own. */
export function hostileCapture(name, scale = 1, dir = HOSTILE_DIR) {
  mkdirSync(dir, { recursive: true });
  const ext = name === 'pcapng-interfaces' ? 'pcapng' : 'pcap';
  const path = join(dir, `${name}${scale === 1 ? '' : `-x${scale}`}.${ext}`);
  if (existsSync(path)) return path;
  if (name === 'pcapng-interfaces') {
    writeManyInterfaces(path, scale);
    return path;
  }
  const build = BUILDERS[name];
  if (!build) throw new Error(`unknown hostile capture ${name}; one of ${[...Object.keys(BUILDERS), 'pcapng-interfaces'].join(', ')}`);
  const w = new PcapWriter(path);
  build(w, scale);
  w.close();
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let scale = 1;
  const names = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--scale') scale = Number(args[++i]);
    else names.push(args[i]);
  }
  for (const name of names.length ? names : [...Object.keys(BUILDERS), 'pcapng-interfaces']) {
    const t = performance.now();
    const p = hostileCapture(name, scale);
    console.log(`${p} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
}
