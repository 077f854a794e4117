/**
 * What the TLS dissector will do with a decryptor, in the least code: split each
 * direction's bytes into records, read the randoms, suite and extensions from the hellos,
 * and feed every record after the ServerHello to `TlsDecryptor`, switching epochs on
 * ChangeCipherSpec (TLS <= 1.2), Finished and KeyUpdate (TLS 1.3) as they appear.
 */
import { parseKeyLog } from '../../src/capture/keylog.js';
import type { SecretStore } from '../../src/dissect/secrets.js';
import { TlsDecryptor, type Direction, type HandshakeFacts } from '../../src/protocols/tls/crypto/decryptor.js';

export interface Rec {
  type: number;
  version: number;
  fragment: Uint8Array;
}

export function splitRecords(bytes: Uint8Array): Rec[] {
  const out: Rec[] = [];
  let off = 0;
  while (off + 5 <= bytes.length) {
    const len = (bytes[off + 3]! << 8) | bytes[off + 4]!;
    if (off + 5 + len > bytes.length) throw new Error(`record at ${off} cut short`);
    out.push({ type: bytes[off]!, version: (bytes[off + 1]! << 8) | bytes[off + 2]!, fragment: bytes.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  if (off !== bytes.length) throw new Error(`${bytes.length - off} bytes after the last record`);
  return out;
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** Facts from the first ClientHello and ServerHello (each the first message of its record). */
export function helloFacts(c2s: Rec[], s2c: Rec[]): HandshakeFacts & { extensions: number[] } {
  const ch = c2s.find((r) => r.type === 22)!.fragment;
  const sh = s2c.find((r) => r.type === 22)!.fragment;
  if (ch[0] !== 1 || sh[0] !== 2) throw new Error('hellos not where expected');
  let off = 4 + 2 + 32;
  const server_random = sh.slice(6, 38);
  off += 1 + sh[off]!;
  const cipher_suite = u16(sh, off);
  off += 3;
  const end = off + 2 + u16(sh, off);
  off += 2;
  let version = u16(sh, 4);
  const extensions: number[] = [];
  while (off + 4 <= end) {
    const type = u16(sh, off);
    const len = u16(sh, off + 2);
    extensions.push(type);
    if (type === 0x002b) version = u16(sh, off + 4);
    off += 4 + len;
  }
  return { version, cipher_suite, client_random: ch.slice(6, 38), server_random, encrypt_then_mac: extensions.includes(0x0016), extensions };
}

export interface Decrypted {
  facts: HandshakeFacts & { extensions: number[] };
  app: Record<Direction, Buffer>;
  /** Handshake message types seen encrypted, per direction. */
  handshake: Record<Direction, number[]>;
  alerts: Record<Direction, number[]>;
  failures: string[];
  records: Record<Direction, number>;
}

export function decryptSession(c2sBytes: Uint8Array, s2cBytes: Uint8Array, secrets: SecretStore | string, opts: { ignoreKeyUpdate?: boolean; resumedFrom?: Uint8Array } = {}): Decrypted {
  const store = typeof secrets === 'string' ? parseKeyLog(secrets).store : secrets;
  const recs = { c2s: splitRecords(c2sBytes), s2c: splitRecords(s2cBytes) };
  const facts = helloFacts(recs.c2s, recs.s2c);
  if (opts.resumedFrom) facts.resumed_from = opts.resumedFrom;
  const d = TlsDecryptor.create(facts, store);
  if ('error' in d) throw new Error(d.error);
  const out: Decrypted = {
    facts,
    app: { c2s: Buffer.alloc(0), s2c: Buffer.alloc(0) },
    handshake: { c2s: [], s2c: [] },
    alerts: { c2s: [], s2c: [] },
    failures: [],
    records: { c2s: 0, s2c: 0 },
  };
  const tls13 = facts.version === 0x0304;
  for (const dir of ['c2s', 's2c'] as const) {
    const app: Buffer[] = [];
    let hs = Buffer.alloc(0);
    let helloSeen = false;
    for (const r of recs[dir]) {
      if (!helloSeen) {
        // The first handshake record (ClientHello or ServerHello) and anything before it is plain.
        if (r.type === 22) helloSeen = true;
        continue;
      }
      if (!tls13 && !d.isEncrypting(dir)) {
        if (r.type === 20) d.startEncryption(dir);
        continue;
      }
      const res = d.decrypt(dir, r.type, r.version, r.fragment);
      if (!res.ok) {
        out.failures.push(`${dir} record ${out.records[dir]}: ${res.reason}`);
        continue;
      }
      out.records[dir]++;
      if (res.content_type === 23) app.push(Buffer.from(res.plaintext));
      else if (res.content_type === 21) out.alerts[dir].push(res.plaintext[1]!);
      else if (res.content_type === 22) {
        hs = Buffer.concat([hs, res.plaintext]);
        while (hs.length >= 4) {
          const len = (hs[1]! << 16) | (hs[2]! << 8) | hs[3]!;
          if (hs.length < 4 + len) break;
          const type = hs[0]!;
          out.handshake[dir].push(type);
          hs = hs.subarray(4 + len);
          if (tls13 && type === 20) d.toApplication(dir);
          if (tls13 && type === 24 && !opts.ignoreKeyUpdate) d.keyUpdate(dir);
        }
      }
    }
    out.app[dir] = Buffer.concat(app);
  }
  return out;
}
