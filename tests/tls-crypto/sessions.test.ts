/**
 * Real sessions (node:tls, i.e. OpenSSL, on loopback, recorded by a proxy) decrypted with
 * the key log the client wrote: the plaintext must be exactly what the peers exchanged.
 * One session per suite, TLS 1.0 to 1.3, AEAD and CBC, encrypt-then-MAC on and off.
 */
import { constants, createCipheriv, createHmac } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { MutableSecretStore } from '../../src/dissect/secrets.js';
import { TlsDecryptor } from '../../src/protocols/tls/crypto/decryptor.js';
import { keyBlock } from '../../src/protocols/tls/crypto/prf.js';
import { decryptSession, splitRecords } from './drive.js';
import { recordSession } from './loopback.js';

// Messages that span several records (16 KiB each at most) and one that is tiny.
const C2S = [Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), Buffer.alloc(40_000, 0x61), Buffer.from('z')];
const S2C = [Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff)), Buffer.from('end')];

interface Case {
  name: string;
  ciphers: string;
  suite: number;
  version: SecureVersion;
  min?: SecureVersion;
  ec?: boolean;
  etm?: boolean;
  secureOptions?: number;
}

const NO_ETM = constants.SSL_OP_NO_ENCRYPT_THEN_MAC;

const CASES: Case[] = [
  { name: 'TLS 1.2 ECDHE-RSA AES-128-GCM', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', suite: 0xc02f, version: 'TLSv1.2' },
  { name: 'TLS 1.2 ECDHE-RSA AES-256-GCM (SHA-384 PRF)', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384', suite: 0xc030, version: 'TLSv1.2' },
  { name: 'TLS 1.2 RSA AES-128-GCM', ciphers: 'AES128-GCM-SHA256', suite: 0x009c, version: 'TLSv1.2' },
  { name: 'TLS 1.2 ECDHE-RSA ChaCha20-Poly1305', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305', suite: 0xcca8, version: 'TLSv1.2' },
  { name: 'TLS 1.2 ECDHE-ECDSA ChaCha20-Poly1305', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305', suite: 0xcca9, version: 'TLSv1.2', ec: true },
  { name: 'TLS 1.2 ECDHE-ECDSA AES-128-CCM', ciphers: 'ECDHE-ECDSA-AES128-CCM', suite: 0xc0ac, version: 'TLSv1.2', ec: true },
  { name: 'TLS 1.2 ECDHE-ECDSA AES-256-CCM-8', ciphers: 'ECDHE-ECDSA-AES256-CCM8', suite: 0xc0af, version: 'TLSv1.2', ec: true },
  { name: 'TLS 1.2 ECDHE-RSA AES-128-CBC-SHA, encrypt-then-MAC', ciphers: 'ECDHE-RSA-AES128-SHA', suite: 0xc013, version: 'TLSv1.2', etm: true },
  { name: 'TLS 1.2 ECDHE-RSA AES-128-CBC-SHA, MAC-then-encrypt', ciphers: 'ECDHE-RSA-AES128-SHA', suite: 0xc013, version: 'TLSv1.2', etm: false, secureOptions: NO_ETM },
  { name: 'TLS 1.2 ECDHE-RSA AES-256-CBC-SHA384, encrypt-then-MAC', ciphers: 'ECDHE-RSA-AES256-SHA384', suite: 0xc028, version: 'TLSv1.2', etm: true },
  { name: 'TLS 1.2 ECDHE-RSA AES-256-CBC-SHA384, MAC-then-encrypt', ciphers: 'ECDHE-RSA-AES256-SHA384', suite: 0xc028, version: 'TLSv1.2', etm: false, secureOptions: NO_ETM },
  { name: 'TLS 1.2 RSA AES-128-CBC-SHA256, MAC-then-encrypt', ciphers: 'AES128-SHA256', suite: 0x003c, version: 'TLSv1.2', etm: false, secureOptions: NO_ETM },
  { name: 'TLS 1.1 ECDHE-RSA AES-256-CBC-SHA (explicit IV, MD5+SHA1 PRF)', ciphers: 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0', suite: 0xc014, version: 'TLSv1.1', min: 'TLSv1', etm: false, secureOptions: NO_ETM },
  { name: 'TLS 1.0 ECDHE-RSA AES-128-CBC-SHA (chained IV)', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0', suite: 0xc013, version: 'TLSv1', min: 'TLSv1', etm: false, secureOptions: NO_ETM },
  { name: 'TLS 1.0 ECDHE-RSA AES-128-CBC-SHA, encrypt-then-MAC', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0', suite: 0xc013, version: 'TLSv1', min: 'TLSv1', etm: true },
  { name: 'TLS 1.2 DHE-RSA AES-256-GCM', ciphers: 'DHE-RSA-AES256-GCM-SHA384', suite: 0x009f, version: 'TLSv1.2' },
  { name: 'TLS 1.3 AES-128-GCM', ciphers: 'TLS_AES_128_GCM_SHA256', suite: 0x1301, version: 'TLSv1.3' },
  { name: 'TLS 1.3 AES-256-GCM', ciphers: 'TLS_AES_256_GCM_SHA384', suite: 0x1302, version: 'TLSv1.3' },
  { name: 'TLS 1.3 ChaCha20-Poly1305', ciphers: 'TLS_CHACHA20_POLY1305_SHA256', suite: 0x1303, version: 'TLSv1.3' },
  { name: 'TLS 1.3 AES-128-CCM', ciphers: 'TLS_AES_128_CCM_SHA256', suite: 0x1304, version: 'TLSv1.3' },
  { name: 'TLS 1.3 AES-128-CCM-8', ciphers: 'TLS_AES_128_CCM_8_SHA256', suite: 0x1305, version: 'TLSv1.3' },
];

const VERSION: Record<string, number> = { TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

describe('real sessions decrypt to exactly what was sent', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const rec = await recordSession({
        ciphers: c.ciphers,
        minVersion: c.min ?? c.version,
        maxVersion: c.version,
        secureOptions: c.secureOptions,
        ec: c.ec,
        c2s: C2S,
        s2c: S2C,
      });
      // The peers themselves got everything: the session is complete.
      expect(rec.serverGot.equals(Buffer.concat(C2S))).toBe(true);
      expect(rec.clientGot.equals(Buffer.concat(S2C))).toBe(true);

      const out = decryptSession(rec.c2s, rec.s2c, rec.keylog);
      expect(out.facts.version).toBe(VERSION[c.version]);
      expect(out.facts.cipher_suite).toBe(c.suite);
      if (c.etm !== undefined) expect(out.facts.encrypt_then_mac).toBe(c.etm);
      expect(out.failures).toEqual([]);
      expect(out.app.c2s.equals(Buffer.concat(C2S))).toBe(true);
      expect(out.app.s2c.equals(Buffer.concat(S2C))).toBe(true);
      // Both Finished messages were decrypted, and the close_notify alerts.
      expect(out.handshake.c2s).toContain(20);
      expect(out.handshake.s2c).toContain(20);
      expect(out.alerts.c2s).toContain(0);
      if (c.version === 'TLSv1.3') {
        expect(out.handshake.s2c.slice(0, 4)).toEqual([8, 11, 15, 20]); // EncryptedExtensions, Certificate, CertificateVerify, Finished
        expect(out.handshake.s2c).toContain(4); // NewSessionTicket, under the application key
      }
    });
  }

  for (const [version, ciphers] of [
    ['TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256'],
    ['TLSv1.3', 'TLS_AES_256_GCM_SHA384'],
  ] as const) {
    it(`a resumed ${version} session (ticket) decrypts with its own key log lines`, async () => {
      const first = await recordSession({ ciphers, minVersion: version, maxVersion: version, c2s: C2S, s2c: S2C });
      expect(first.session).not.toBeNull();
      const again = await recordSession({ ciphers, minVersion: version, maxVersion: version, c2s: C2S, s2c: S2C, session: first.session });
      expect(again.reused).toBe(true);
      const out = decryptSession(again.c2s, again.s2c, again.keylog);
      expect(out.failures).toEqual([]);
      // TLS 1.2 abbreviated handshake: no Certificate; the server's Finished comes first.
      if (version === 'TLSv1.2') expect(out.handshake.s2c).toEqual([20]);
      else expect(out.handshake.s2c.slice(0, 2)).toEqual([8, 20]); // EncryptedExtensions, Finished: no Certificate
      expect(out.app.c2s.equals(Buffer.concat(C2S))).toBe(true);
      expect(out.app.s2c.equals(Buffer.concat(S2C))).toBe(true);
      if (version === 'TLSv1.2') {
        // A key log with only the full handshake's line: the dissector names the session
        // resumed, and its master secret serves.
        const firstRandom = splitRecords(first.c2s)[0]!.fragment.slice(6, 38);
        expect(() => decryptSession(again.c2s, again.s2c, first.keylog)).toThrow('no key for this session');
        const viaFirst = decryptSession(again.c2s, again.s2c, first.keylog, { resumedFrom: firstRandom });
        expect(viaFirst.failures).toEqual([]);
        expect(viaFirst.app.s2c.equals(Buffer.concat(S2C))).toBe(true);
      }
    });
  }

  it('the same records with another session\'s key fail as "bad record MAC"', async () => {
    const a = await recordSession({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2', c2s: C2S, s2c: S2C });
    const b = await recordSession({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2', c2s: C2S, s2c: S2C });
    // b's master secret under a's client random.
    const cr = /CLIENT_RANDOM (\S+)/.exec(a.keylog)![1]!;
    const wrong = b.keylog.replace(/CLIENT_RANDOM \S+/, `CLIENT_RANDOM ${cr}`);
    const out = decryptSession(a.c2s, a.s2c, wrong);
    expect(out.failures.length).toBeGreaterThan(4);
    expect(out.failures.every((f) => f.endsWith('bad record MAC'))).toBe(true);
    expect(out.app.c2s.length + out.app.s2c.length).toBe(0);
  });
});

describe('3DES-EDE-CBC (node:tls no longer offers it): a record sealed here by RFC 5246 §6.2.3.2', () => {
  it('opens with 8-byte blocks, TLS 1.0 chained IV and TLS 1.2 explicit IV', () => {
    const cr = new Uint8Array(32).fill(1);
    const sr = new Uint8Array(32).fill(2);
    const master = new Uint8Array(48).fill(3);
    const store = new MutableSecretStore();
    store.add('CLIENT_RANDOM', cr, master);
    for (const version of [0x0301, 0x0303]) {
      // client MAC key (20), server MAC key, client key (24), server key, client IV (8), server IV.
      const kb = keyBlock(version, 'sha256', master, cr, sr, 2 * (20 + 24 + 8));
      const [macKey, key, iv] = [kb.subarray(0, 20), kb.subarray(40, 64), kb.subarray(88, 96)];
      const d = TlsDecryptor.create({ version, cipher_suite: 0x000a, client_random: cr, server_random: sr, encrypt_then_mac: false }, store) as TlsDecryptor;
      d.startEncryption('c2s');
      let chain = Buffer.from(iv);
      for (const [seq, text] of ['first record', 'the second, longer record'].entries()) {
        const content = Buffer.from(text);
        const header = Buffer.alloc(13);
        header.writeUInt32BE(seq, 4);
        header[8] = 23;
        header.writeUInt16BE(version, 9);
        header.writeUInt16BE(content.length, 11);
        const mac = createHmac('sha1', macKey).update(header).update(content).digest();
        const padLen = 8 - ((content.length + mac.length + 1) % 8);
        const plain = Buffer.concat([content, mac, Buffer.alloc(padLen + 1, padLen)]);
        const recordIv = version === 0x0301 ? chain : Buffer.alloc(8, seq + 9);
        const c = createCipheriv('des-ede3-cbc', key, recordIv).setAutoPadding(false);
        const ct = Buffer.concat([c.update(plain), c.final()]);
        chain = ct.subarray(ct.length - 8);
        const fragment = version === 0x0301 ? ct : Buffer.concat([recordIv, ct]);
        const r = d.decrypt('c2s', 23, version, fragment);
        expect(r.ok && Buffer.from(r.plaintext).toString()).toBe(text);
      }
    }
  });
});
