// Builds the large benchmark capture from the real recorded conversations in captures/.
//
// Every capture in captures/ is a "template" (one recorded scenario: an HTTP page load,
// an FTP session with its data connections, a DNS exchange...). The output replays many
// instances of every template, each with its own addresses, interleaved in time, until the
// file reaches the wanted size:
// - addresses: every original address of an instance is mapped to a fresh one whose
//   decimal octets have the same number of digits, so text that names it in payloads
//   (FTP PORT/PASV "127,0,0,1,...", Host headers, SMTP greetings) is rewritten in place
//   without changing lengths or sequence numbers, and FTP data channels still match;
//   IPv6 addresses are rewritten in headers only (see README);
// - loopback captures carry 64 KiB TCP segments: they are re-segmented into 1448-byte
//   payloads with consecutive sequence numbers, so frames are at most 1514 bytes, as on
//   Ethernet; SLL2 frames become Ethernet frames;
// - instances start a few milliseconds apart (seeded jitter), so thousands of flows overlap.
// The result is a nanosecond pcap in bench/out/, cached by size and seed.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(ROOT, 'bench', 'out');
const MSS = 1448;

/** Deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Packets of a classic pcap file: { ns (bigint), link, data }. */
function readPcap(path) {
  const buf = readFileSync(path);
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const nsec = magic === 0xa1b23c4d;
  if (magic !== 0xa1b2c3d4 && !nsec) return [];
  const link = buf.readUInt32LE(20);
  const out = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const sec = buf.readUInt32LE(off);
    const frac = buf.readUInt32LE(off + 4);
    const caplen = buf.readUInt32LE(off + 8);
    const origlen = buf.readUInt32LE(off + 12);
    if (off + 16 + caplen > buf.length || caplen !== origlen) break;
    out.push({ ns: BigInt(sec) * 1_000_000_000n + BigInt(nsec ? frac : frac * 1000), link, data: buf.subarray(off + 16, off + 16 + caplen) });
    off += 16 + caplen;
  }
  return out;
}

/** The frame as Ethernet (SLL2 header replaced), or null for other link types. */
function asEthernet(link, data) {
  if (link === 1) return Buffer.from(data);
  if (link === 276 && data.length >= 20) {
    const eth = Buffer.alloc(14 + data.length - 20);
    eth.writeUInt16BE(data.readUInt16BE(0), 12);
    data.copy(eth, 14, 20);
    return eth;
  }
  return null;
}

const addrKey = (b) => b.join('.');

/**
 * One template packet, possibly split in MSS pieces: Ethernet frames plus where the
 * addresses sit (header offsets, and payload text offsets with the octet form used).
 */
function templatePackets(frame) {
  const type = frame.readUInt16BE(12);
  let l3 = 14;
  if (type === 0x8100) return [frame];
  const v4 = type === 0x0800;
  const v6 = type === 0x86dd;
  if (!v4 && !v6) return [frame];
  const ihl = v4 ? (frame[l3] & 0x0f) * 4 : 40;
  const proto = v4 ? frame[l3 + 9] : frame[l3 + 6];
  const ipLen = v4 ? frame.readUInt16BE(l3 + 2) : 40 + frame.readUInt16BE(l3 + 4);
  const fragmented = v4 && (frame.readUInt16BE(l3 + 6) & 0x3fff) !== 0;
  if (proto !== 6 || fragmented) return [frame];
  const l4 = l3 + ihl;
  const thl = (frame[l4 + 12] >> 4) * 4;
  const payloadAt = l4 + thl;
  const payloadLen = l3 + ipLen - payloadAt;
  if (payloadLen <= MSS) return [frame];
  const seq = frame.readUInt32BE(l4 + 4);
  const flags = frame[l4 + 13];
  const pieces = [];
  for (let done = 0; done < payloadLen; done += MSS) {
    const n = Math.min(MSS, payloadLen - done);
    const last = done + n === payloadLen;
    const piece = Buffer.alloc(payloadAt + n);
    frame.copy(piece, 0, 0, payloadAt);
    frame.copy(piece, payloadAt, payloadAt + done, payloadAt + done + n);
    if (v4) piece.writeUInt16BE(ihl + thl + n, l3 + 2);
    else piece.writeUInt16BE(thl + n, l3 + 4);
    piece.writeUInt32BE((seq + done) >>> 0, l4 + 4);
    // FIN and PSH belong to the last piece only.
    piece[l4 + 13] = last ? flags : flags & ~0x09;
    pieces.push(piece);
  }
  return pieces;
}

/** Where each template address appears in a frame: header fields and payload text. */
function locateAddresses(frame, addrs) {
  const spots = [];
  const type = frame.readUInt16BE(12);
  if (type === 0x0800) {
    for (const at of [26, 30]) spots.push({ at, addr: addrs.index(frame.subarray(at, at + 4)), form: 'bin' });
    const ihl = (frame[14] & 0x0f) * 4;
    const proto = frame[23];
    const l4 = 14 + ihl;
    let payloadAt = -1;
    if (proto === 6 && frame.length >= l4 + 20) payloadAt = l4 + (frame[l4 + 12] >> 4) * 4;
    else if (proto === 17) payloadAt = l4 + 8;
    if (payloadAt > 0 && payloadAt < frame.length) {
      const text = frame.toString('latin1', payloadAt);
      for (const [i, a] of addrs.v4.entries()) {
        for (const [form, sep] of [['dot', '.'], ['comma', ',']]) {
          const needle = a.join(sep);
          for (let p = text.indexOf(needle); p >= 0; p = text.indexOf(needle, p + 1)) {
            const before = p > 0 ? text[p - 1] : '';
            const after = text[p + needle.length] ?? '';
            if (/[0-9]/.test(before) || /[0-9]/.test(after) || (sep === '.' && (before === '.' || (after === '.' && /[0-9]/.test(text[p + needle.length + 1] ?? ''))))) continue;
            spots.push({ at: payloadAt + p, addr: i, form });
          }
        }
      }
    }
  } else if (type === 0x86dd) {
    for (const at of [22, 38]) spots.push({ at, addr: addrs.index(frame.subarray(at, at + 16)), form: 'bin' });
  }
  return spots.filter((s) => s.addr >= 0);
}

class AddressBook {
  v4 = [];
  v6 = [];
  all = [];
  add(bytes) {
    const k = addrKey(bytes);
    if (!this.all.some((a) => a.key === k)) {
      this.all.push({ key: k, bytes: [...bytes] });
      (bytes.length === 4 ? this.v4 : this.v6).push([...bytes]);
    }
  }
  index(bytes) {
    const k = addrKey(bytes);
    const list = bytes.length === 4 ? this.v4 : this.v6;
    const i = list.findIndex((a) => addrKey(a) === k);
    return i < 0 ? -1 : bytes.length === 4 ? i : 1000 + i;
  }
}

/** All templates: the recorded captures as Ethernet frames with their address spots. */
export function loadTemplates(dir = join(ROOT, 'captures')) {
  const templates = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.pcap')).sort()) {
    const packets = readPcap(join(dir, name));
    if (!packets.length) continue;
    const t0 = packets[0].ns;
    const book = new AddressBook();
    const frames = [];
    for (const p of packets) {
      const eth = asEthernet(p.link, p.data);
      if (!eth) continue;
      const type = eth.readUInt16BE(12);
      if (type === 0x0800) {
        book.add(eth.subarray(26, 30));
        book.add(eth.subarray(30, 34));
      } else if (type === 0x86dd) {
        book.add(eth.subarray(22, 38));
        book.add(eth.subarray(38, 54));
      }
      for (const piece of templatePackets(eth)) frames.push({ rel: Number(p.ns - t0), frame: piece });
    }
    for (const f of frames) f.spots = locateAddresses(f.frame, book);
    templates.push({ name, frames, book, bytes: frames.reduce((s, f) => s + f.frame.length + 16, 0) });
  }
  return templates;
}

/** A fresh IPv4 address with the same digit count per octet as `orig`, unique for k < ~80k. */
function mappedV4(orig, k) {
  const out = [];
  let x = k;
  for (let i = 3; i >= 0; i--) {
    const digits = String(orig[i]).length;
    const [lo, span] = i === 0 ? (digits === 3 ? [128, 96] : digits === 2 ? [11, 89] : [1, 9]) : digits === 3 ? [100, 156] : digits === 2 ? [10, 90] : i === 3 ? [1, 9] : [0, 10];
    out[i] = lo + (x % span);
    x = Math.floor(x / span);
  }
  return out;
}

function mappedV6(k) {
  const b = Buffer.alloc(16);
  b[0] = 0xfd;
  b[1] = 0x77;
  b.writeUInt32BE(k >>> 0, 12);
  return [...b];
}

/** Writes one instance's copy of a frame: addresses replaced, IPv4 header checksum redone. */
function instanceFrame(f, map) {
  const out = Buffer.from(f.frame);
  for (const s of f.spots) {
    const a = map[s.addr];
    if (s.form === 'bin') for (let i = 0; i < a.bytes.length; i++) out[s.at + i] = a.bytes[i];
    else out.write(s.form === 'dot' ? a.dot : a.comma, s.at, 'latin1');
  }
  if (out.readUInt16BE(12) === 0x0800) {
    const ihl = (out[14] & 0x0f) * 4;
    out.writeUInt16BE(0, 24);
    let sum = 0;
    for (let i = 14; i < 14 + ihl; i += 2) sum += out.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    out.writeUInt16BE(~sum & 0xffff, 24);
  }
  return out;
}

/** Min-heap of running instances by the time of their next frame. */
class Heap {
  items = [];
  push(x) {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p].next <= a[i].next) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].next < a[m].next) m = l;
        if (r < a.length && a[r].next < a[m].next) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  get size() {
    return this.items.length;
  }
}

/**
 * Writes a capture of at least `sizeMB` megabytes (1e6 bytes) to `path`.
 * Returns { path, bytes, packets, instances }.
 */
export function buildCapture(path, { sizeMB, seed = 1, gapMs = 4 } = {}) {
  const templates = loadTemplates();
  const rand = prng(seed);
  const target = sizeMB * 1e6;
  const tmp = `${path}.part`;
  const fd = openSync(tmp, 'w');
  const BUF = 4 << 20;
  let buf = Buffer.alloc(BUF);
  let used = 0;
  const flush = () => {
    writeSync(fd, buf, 0, used);
    used = 0;
  };
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b23c4d, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  header.copy(buf, 0);
  used = 24;
  let written = 24;
  let packets = 0;
  const base = 1_700_000_000n * 1_000_000_000n;
  let start = 0; // ns since base of the next instance start
  let instances = 0;
  let round = [];
  const heap = new Heap();

  const startInstance = () => {
    if (!round.length) {
      round = templates.slice();
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [round[i], round[j]] = [round[j], round[i]];
      }
    }
    const t = round.pop();
    const k = instances++;
    const map = {};
    t.book.v4.forEach((a, i) => {
      const bytes = mappedV4(a, k * 4 + i);
      map[i] = { bytes, dot: bytes.join('.'), comma: bytes.join(',') };
    });
    t.book.v6.forEach((_, i) => (map[1000 + i] = { bytes: mappedV6(k * 4 + i) }));
    heap.push({ t, map, at: start, i: 0, next: start + t.frames[0].rel });
    start += Math.round((0.5 + rand()) * gapMs * 1e6);
  };

  while (written < target || heap.size) {
    // Keep instances starting until the target size is in sight.
    while (written < target && (!heap.size || heap.items[0].next >= start)) startInstance();
    if (!heap.size) break;
    const inst = heap.pop();
    const f = inst.t.frames[inst.i];
    const frame = instanceFrame(f, inst.map);
    if (used + 16 + frame.length > BUF) flush();
    const ns = base + BigInt(inst.at + f.rel);
    buf.writeUInt32LE(Number(ns / 1_000_000_000n), used);
    buf.writeUInt32LE(Number(ns % 1_000_000_000n), used + 4);
    buf.writeUInt32LE(frame.length, used + 8);
    buf.writeUInt32LE(frame.length, used + 12);
    frame.copy(buf, used + 16);
    used += 16 + frame.length;
    written += 16 + frame.length;
    packets++;
    if (++inst.i < inst.t.frames.length) {
      inst.next = inst.at + inst.t.frames[inst.i].rel;
      heap.push(inst);
    }
  }
  flush();
  closeSync(fd);
  renameSync(tmp, path);
  return { path, bytes: written, packets, instances };
}

/** The cached capture for (size, seed), built if missing. */
export function ensureCapture({ sizeMB, seed = 1, log = () => {} }) {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `bench-${sizeMB}MB-seed${seed}.pcap`);
  if (existsSync(path)) return { path, bytes: statSync(path).size, cached: true };
  log(`building ${path} (${sizeMB} MB from captures/)...`);
  const t = performance.now();
  const r = buildCapture(path, { sizeMB, seed });
  log(`built: ${(r.bytes / 1e6).toFixed(0)} MB, ${r.packets} packets, ${r.instances} template instances, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { ...r, cached: false };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizeMB = Number(process.argv[2] ?? 500);
  const seed = Number(process.argv[3] ?? 1);
  const r = ensureCapture({ sizeMB, seed, log: (s) => process.stderr.write(s + '\n') });
  process.stdout.write(`${r.path}\n`);
}
