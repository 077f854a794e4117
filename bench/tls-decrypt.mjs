// TLS record decryption speed, per cipher suite (run on demand, never by `npm test`).
//
// For each suite, a real session (node:tls on 127.0.0.1, recorded by a byte-copying proxy,
// the key log from node's 'keylog' event) carries SIZE MiB from server to client; the
// server's records are then decrypted with the build's TlsDecryptor, three times, and the
// best run is printed as MB/s of plaintext (1 MB = 10^6 bytes). node:tls coalesces small
// writes into full 16 KiB records, so the last row seals 1 KiB TLS 1.3 records itself
// (AES-128-GCM, keys from a random traffic secret): that shows the per-record cost.
//
//   npm run build && node bench/tls-decrypt.mjs [--size 32] [--dist dist] [--json FILE]
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { constants, createCipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const SIZE = Number(opt('--size', 32)) * 1024 * 1024;
const DIST = resolve(ROOT, opt('--dist', 'dist'));
const JSON_OUT = opt('--json', null);

const { TlsDecryptor } = await import(pathToFileURL(join(DIST, 'protocols/tls/crypto/decryptor.js')).href);
const { parseKeyLog } = await import(pathToFileURL(join(DIST, 'capture/keylog.js')).href);

const FIX = join(ROOT, 'tests/tls-crypto/fixtures');
const CREDS = { key: readFileSync(join(FIX, 'rsa.key')), cert: readFileSync(join(FIX, 'rsa.crt')) };

/** One session: the client sends a byte, the server answers with `total` bytes in `chunk`-sized writes. */
async function record(ciphers, version, secureOptions, total, chunk) {
  const server = tls.createServer({ ...CREDS, ciphers, minVersion: version, maxVersion: version, secureOptions }, (s) => {
    s.once('data', () => {
      const block = Buffer.alloc(chunk, 0x5a);
      for (let sent = 0; sent < total; sent += chunk) s.write(sent + chunk <= total ? block : block.subarray(0, total - sent));
      s.end();
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const c2s = [];
  const s2c = [];
  let bothClosed;
  const closed = new Promise((r) => (bothClosed = r));
  const proxy = net.createServer((inbound) => {
    const out = net.connect(server.address().port, '127.0.0.1');
    let open = 2;
    const done = () => --open === 0 && bothClosed();
    // A side may close while the other still sends: record everything, forward what can be.
    inbound.on('data', (d) => (c2s.push(d), out.writable && out.write(d)));
    out.on('data', (d) => (s2c.push(d), inbound.writable && inbound.write(d)));
    inbound.on('error', () => {});
    out.on('error', () => {});
    inbound.on('end', () => out.end());
    out.on('end', () => inbound.end());
    inbound.on('close', done);
    out.on('close', done);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  let keylog = '';
  const client = tls.connect({ host: '127.0.0.1', port: proxy.address().port, rejectUnauthorized: false, ciphers, minVersion: version, maxVersion: version, secureOptions });
  client.on('keylog', (l) => (keylog += l.toString('latin1')));
  await once(client, 'secureConnect');
  client.write('x');
  client.on('data', () => {});
  await once(client, 'end');
  client.end();
  await closed;
  proxy.close();
  server.close();
  return { c2s: Buffer.concat(c2s), s2c: Buffer.concat(s2c), keylog };
}

function records(b) {
  const out = [];
  for (let off = 0; off + 5 <= b.length; ) {
    const len = b.readUInt16BE(off + 3);
    out.push({ type: b[off], version: b.readUInt16BE(off + 1), fragment: b.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  return out;
}

function facts(c2s, s2c) {
  const ch = c2s.find((r) => r.type === 22).fragment;
  const sh = s2c.find((r) => r.type === 22).fragment;
  let off = 38;
  off += 1 + sh[off];
  const cipher_suite = sh.readUInt16BE(off);
  off += 3;
  const end = off + 2 + sh.readUInt16BE(off);
  off += 2;
  let version = sh.readUInt16BE(4);
  let etm = false;
  for (; off + 4 <= end; off += 4 + sh.readUInt16BE(off + 2)) {
    const t = sh.readUInt16BE(off);
    if (t === 0x2b) version = sh.readUInt16BE(off + 4);
    if (t === 0x16) etm = true;
  }
  return { version, cipher_suite, client_random: ch.subarray(6, 38), server_random: sh.subarray(6, 38), encrypt_then_mac: etm };
}

function hasFinished(p) {
  for (let off = 0; off + 4 <= p.length; off += 4 + ((p[off + 1] << 16) | (p[off + 2] << 8) | p[off + 3])) if (p[off] === 20) return true;
  return false;
}

/** Decrypts the server's records once; returns [plaintext application bytes, seconds]. */
function decryptOnce(f, store, s2c) {
  const t0 = process.hrtime.bigint();
  const d = TlsDecryptor.create(f, store);
  if (d.error) throw new Error(d.error);
  let bytes = 0;
  let hello = false;
  const tls13 = f.version === 0x0304;
  for (const r of s2c) {
    if (!hello) {
      hello = r.type === 22;
      continue;
    }
    if (!tls13 && !d.isEncrypting('s2c')) {
      if (r.type === 20) d.startEncryption('s2c');
      continue;
    }
    const res = d.decrypt('s2c', r.type, r.version, r.fragment);
    if (!res.ok) throw new Error(res.reason);
    if (res.content_type === 23) bytes += res.plaintext.length;
    // TLS 1.3: the server's Finished ends its handshake epoch (messages are whole in
    // their records in these sessions).
    else if (tls13 && res.content_type === 22 && hasFinished(res.plaintext)) d.toApplication('s2c');
  }
  return [bytes, Number(process.hrtime.bigint() - t0) / 1e9];
}

const NO_ETM = constants.SSL_OP_NO_ENCRYPT_THEN_MAC;
const CASES = [
  ['TLS 1.3 AES-128-GCM', 'TLS_AES_128_GCM_SHA256', 'TLSv1.3', 0],
  ['TLS 1.3 AES-256-GCM', 'TLS_AES_256_GCM_SHA384', 'TLSv1.3', 0],
  ['TLS 1.3 CHACHA20-POLY1305', 'TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 0],
  ['TLS 1.2 AES-128-GCM', 'ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 0],
  ['TLS 1.2 AES-256-GCM', 'ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 0],
  ['TLS 1.2 CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 0],
  ['TLS 1.2 AES-128-CBC-SHA (EtM)', 'ECDHE-RSA-AES128-SHA', 'TLSv1.2', 0],
  ['TLS 1.2 AES-256-CBC-SHA384 (MtE)', 'ECDHE-RSA-AES256-SHA384', 'TLSv1.2', NO_ETM],
];

const rows = [];
for (const [name, ciphers, version, so] of CASES) {
  {
    const chunk = 16384;
    const total = SIZE;
    const rec = await record(ciphers, version, so, total, chunk);
    const c2s = records(rec.c2s);
    const s2c = records(rec.s2c);
    const f = facts(c2s, s2c);
    const store = parseKeyLog(rec.keylog).store;
    let best = Infinity;
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const [b, s] = decryptOnce(f, store, s2c);
      bytes = b;
      best = Math.min(best, s);
    }
    if (bytes !== total) throw new Error(`${name}: ${bytes} bytes decrypted, ${total} sent`);
    const row = { suite: name, write_bytes: chunk, records: s2c.length, mb: +(bytes / 1e6).toFixed(1), seconds: +best.toFixed(3), mb_per_s: +(bytes / 1e6 / best).toFixed(0) };
    rows.push(row);
    console.log(
      `${name.padEnd(34)} ${String(chunk).padStart(5)} B writes  ${String(s2c.length).padStart(6)} records  ${String(row.mb).padStart(6)} MB  ${row.seconds.toFixed(3)} s  ${String(row.mb_per_s).padStart(5)} MB/s`,
    );
  }
}
// 1 KiB records, sealed here: TLS 1.3 AES-128-GCM application data records.
{
  const { trafficKeys } = await import(pathToFileURL(join(DIST, 'protocols/tls/crypto/hkdf.js')).href);
  const { MutableSecretStore } = await import(pathToFileURL(join(DIST, 'dissect/secrets.js')).href);
  const cr = randomBytes(32);
  const secret = randomBytes(32);
  const store = new MutableSecretStore();
  store.add('SERVER_TRAFFIC_SECRET_0', cr, secret);
  const { key, iv } = trafficKeys('sha256', secret, 16, 12);
  const n = Math.max(1, Math.floor(Math.min(SIZE, 8 * 1024 * 1024) / 1024));
  const body = Buffer.alloc(1025, 0x5a);
  body[1024] = 23; // the inner content type
  const recs = [];
  for (let seq = 0; seq < n; seq++) {
    const nonce = Buffer.from(iv);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const header = Buffer.from([23, 3, 3, (1025 + 16) >> 8, (1025 + 16) & 0xff]);
    const c = createCipheriv('aes-128-gcm', key, nonce);
    c.setAAD(header);
    const fragment = Buffer.concat([c.update(body), c.final(), c.getAuthTag()]);
    recs.push({ type: 23, version: 0x0303, fragment });
  }
  const f = { version: 0x0304, cipher_suite: 0x1301, client_random: cr, server_random: randomBytes(32), encrypt_then_mac: false };
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const d = TlsDecryptor.create(f, store);
    d.toApplication('s2c');
    for (const r of recs) {
      const res = d.decrypt('s2c', r.type, r.version, r.fragment);
      if (!res.ok || res.plaintext.length !== 1024) throw new Error('sealed record did not open');
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const mb = (n * 1024) / 1e6;
  const row = { suite: 'TLS 1.3 AES-128-GCM (sealed here)', write_bytes: 1024, records: n, mb: +mb.toFixed(1), seconds: +best.toFixed(3), mb_per_s: +(mb / best).toFixed(0) };
  rows.push(row);
  console.log(
    `${row.suite.padEnd(34)}  1024 B records ${String(n).padStart(6)} records  ${String(row.mb).padStart(6)} MB  ${row.seconds.toFixed(3)} s  ${String(row.mb_per_s).padStart(5)} MB/s  (${((best / n) * 1e6).toFixed(1)} us/record)`,
  );
}

if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2) + '\n');
