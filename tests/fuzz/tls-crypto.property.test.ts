/**
 * Property tests (fast-check, fixed seed) for TLS key logs and record decryption:
 * - random bytes and near-valid key log text never make the parser throw, and what it
 *   counts adds up;
 * - any sequence of decryptor calls with random facts, secrets and fragments (absurd
 *   lengths included) never throws and returns a well-formed result;
 * - changing any one byte of a real protected record (RFC 8448 for TLS 1.3, a node:tls
 *   session for TLS 1.2 GCM and CBC in both MAC orders) is always detected.
 */
import fc from 'fast-check';
import { constants } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeyLog } from '../../src/capture/keylog.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { MutableSecretStore, SECRET_LABELS } from '../../src/dissect/secrets.js';
import { TlsDecryptor, type Direction } from '../../src/protocols/tls/crypto/decryptor.js';
import { supportedSuites } from '../../src/protocols/tls/crypto/suites.js';
import { helloFacts, splitRecords, type Rec } from '../tls-crypto/drive.js';
import { hex, RFC8448_1RTT as V } from '../tls-crypto/fixtures/rfc8448.js';
import { recordSession } from '../tls-crypto/loopback.js';

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);
const opts = (numRuns = RUNS) => ({ seed: SEED, numRuns });

const hexOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
const LABELS = [...SECRET_LABELS, 'RSA', 'PMS_CLIENT_RANDOM', 'EARLY_EXPORTER_SECRET', 'BOGUS', '#', ''];

/** Lines that are valid, or nearly: the parser's every branch gets exercised. */
const keyLogLine = fc.oneof(
  fc.tuple(fc.constantFrom(...LABELS), hexOf(32), fc.constantFrom(16, 32, 47, 48, 64).chain(hexOf)).map(([l, r, s]) => `${l} ${r} ${s}`),
  fc.tuple(fc.constantFrom(...LABELS), fc.string({ maxLength: 70 }), fc.string({ maxLength: 100 })).map(([l, r, s]) => `${l} ${r} ${s}`),
  fc.string({ maxLength: 200 }),
);

describe('key log parser', () => {
  it('never throws on random bytes; counts add up; the store stays within its limit', () => {
    const limits = { ...DEFAULT_LIMITS, max_tls_secrets: 5, max_keylog_bytes: 2000 };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
        const r = parseKeyLog(b, { limits });
        expect(r.store.size).toBeLessThanOrEqual(5);
        expect(r.bad_lines.length).toBeLessThanOrEqual(r.bad_line_count);
        expect(r.secrets + r.refused + r.bad_line_count).toBeLessThanOrEqual(r.lines);
      }),
      opts(),
    );
  });

  it('never throws on near-valid lines with CRLF; every valid line is read as a secret', () => {
    fc.assert(
      fc.property(fc.array(keyLogLine, { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const r = parseKeyLog(lines.join(eol));
        const ignored = Object.values(r.ignored).reduce((a, b) => a + b, 0);
        // Each line read is a secret, refused, bad, ignored, blank or a comment: never two of them.
        expect(r.secrets + r.refused + r.bad_line_count + ignored).toBeLessThanOrEqual(r.lines);
        const valid = lines.filter((l) => {
          const m = /^([A-Z_0-9]+) [0-9a-f]{64} ([0-9a-f]+)$/.exec(l);
          if (!m || !SECRET_LABELS.includes(m[1] as never)) return false;
          return m[1] === 'CLIENT_RANDOM' ? m[2]!.length === 96 : m[2]!.length === 64 || m[2]!.length === 96;
        });
        expect(r.secrets).toBeGreaterThanOrEqual(valid.length);
        expect(r.store.size).toBeLessThanOrEqual(r.secrets);
      }),
      opts(),
    );
  });
});

const DIRS: Direction[] = ['c2s', 's2c'];
const SUITES = supportedSuites().map((s) => s.code);

const op = fc.oneof(
  fc.record({ kind: fc.constant('start' as const), dir: fc.constantFrom(...DIRS) }),
  fc.record({ kind: fc.constant('app' as const), dir: fc.constantFrom(...DIRS) }),
  fc.record({ kind: fc.constant('update' as const), dir: fc.constantFrom(...DIRS) }),
  fc.record({
    kind: fc.constant('decrypt' as const),
    dir: fc.constantFrom(...DIRS),
    type: fc.constantFrom(20, 21, 22, 23, 24, 0, 255),
    version: fc.constantFrom(0x0303, 0x0301, 0x0000, 0xffff),
    fragment: fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0, 15, 16, 17, 18432, 18433, 70000).map((n) => new Uint8Array(n))),
  }),
);

describe('TlsDecryptor', () => {
  it('never throws for any facts, secrets and calls; results are well formed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c, 0xfefd),
        fc.oneof(fc.constantFrom(...SUITES), fc.integer({ min: 0, max: 0xffff })),
        fc.uint8Array({ minLength: 0, maxLength: 33 }),
        fc.array(fc.tuple(fc.constantFrom(...SECRET_LABELS), fc.constantFrom(16, 32, 48, 64)), { maxLength: 7 }),
        fc.boolean(),
        fc.array(op, { maxLength: 25 }),
        (version, suite, cr, secrets, etm, ops) => {
          const store = new MutableSecretStore();
          const random = cr.length === 32 ? cr : new Uint8Array(32).fill(cr.length);
          for (const [label, n] of secrets) store.add(label, random, new Uint8Array(n).fill(n));
          const d = TlsDecryptor.create({ version, cipher_suite: suite, client_random: cr, server_random: new Uint8Array(32), encrypt_then_mac: etm }, store);
          if ('error' in d) {
            expect(d.error.length).toBeGreaterThan(0);
            return;
          }
          for (const o of ops) {
            if (o.kind === 'start') d.startEncryption(o.dir);
            else if (o.kind === 'app') d.toApplication(o.dir);
            else if (o.kind === 'update') d.keyUpdate(o.dir);
            else {
              const r = d.decrypt(o.dir, o.type, o.version, o.fragment);
              if (r.ok) {
                expect(r.plaintext.length).toBeLessThanOrEqual(o.fragment.length);
                expect(r.content_type).toBeGreaterThanOrEqual(0);
              } else expect(r.reason.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      opts(),
    );
  });
});

interface Sample {
  name: string;
  create: () => TlsDecryptor;
  /** Records to replay before the one tampered with (their sequence numbers). */
  before: Rec[];
  target: Rec;
  tls12: boolean;
}

const samples: Sample[] = [];

describe('tampering with a real record is always detected', () => {
  beforeAll(async () => {
    const cr = hex(V.client_random);
    const store = new MutableSecretStore();
    store.add('CLIENT_TRAFFIC_SECRET_0', cr, hex(V.client_application_traffic_secret));
    const [t, v, f] = [0x17, 0x0303, hex(V.client_application_record).subarray(5)];
    samples.push({
      name: 'TLS 1.3 AES-128-GCM (RFC 8448)',
      create: () => {
        const d = TlsDecryptor.create({ version: 0x0304, cipher_suite: 0x1301, client_random: cr, server_random: hex(V.server_random), encrypt_then_mac: false }, store) as TlsDecryptor;
        d.toApplication('c2s');
        return d;
      },
      before: [],
      target: { type: t, version: v, fragment: f },
      tls12: false,
    });
    for (const [name, ciphers, secureOptions] of [
      ['TLS 1.2 AES-128-GCM', 'ECDHE-RSA-AES128-GCM-SHA256', 0],
      ['TLS 1.2 ChaCha20-Poly1305', 'ECDHE-RSA-CHACHA20-POLY1305', 0],
      ['TLS 1.2 AES-128-CBC-SHA encrypt-then-MAC', 'ECDHE-RSA-AES128-SHA', 0],
      ['TLS 1.2 AES-256-CBC-SHA384 MAC-then-encrypt', 'ECDHE-RSA-AES256-SHA384', constants.SSL_OP_NO_ENCRYPT_THEN_MAC],
    ] as const) {
      const rec = await recordSession({ ciphers, maxVersion: 'TLSv1.2', secureOptions, c2s: [Buffer.from('tamper me, please')], s2c: [Buffer.from('ok')] });
      const c2s = splitRecords(rec.c2s);
      const facts = helloFacts(c2s, splitRecords(rec.s2c));
      const keys = parseKeyLog(rec.keylog).store;
      const ccs = c2s.findIndex((r) => r.type === 20);
      const app = c2s.findIndex((r, i) => i > ccs && r.type === 23);
      samples.push({
        name,
        create: () => {
          const d = TlsDecryptor.create(facts, keys) as TlsDecryptor;
          d.startEncryption('c2s');
          return d;
        },
        before: c2s.slice(ccs + 1, app),
        target: c2s[app]!,
        tls12: true,
      });
    }
  });

  it('each sample opens untouched', () => {
    expect(samples).toHaveLength(5);
    for (const s of samples) {
      const d = s.create();
      for (const r of s.before) expect(d.decrypt('c2s', r.type, r.version, r.fragment).ok).toBe(true);
      const r = d.decrypt('c2s', s.target.type, s.target.version, s.target.fragment);
      expect(r.ok && Buffer.from(r.plaintext).toString(), s.name).toBe(s.name.startsWith('TLS 1.3') ? Buffer.from(Uint8Array.from({ length: 50 }, (_, i) => i)).toString() : 'tamper me, please');
    }
  });

  it('one changed byte of the fragment, or of the header the MAC covers, fails', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(3), fc.nat(), (which, xor, where, at) => {
        const s = samples[which % samples.length]!;
        const d = s.create();
        for (const r of s.before) d.decrypt('c2s', r.type, r.version, r.fragment);
        let { type, version } = s.target;
        const fragment = Uint8Array.from(s.target.fragment);
        if (where === 0) type ^= xor;
        else if (where === 1) version ^= xor << 8;
        else fragment[at % fragment.length]! ^= xor;
        // TLS 1.3 does not protect records of other outer types: they pass through as they are.
        if (!s.tls12 && type !== 23) return;
        const r = d.decrypt('c2s', type, version, fragment);
        expect(r.ok, `${s.name}: type ${type} version ${version.toString(16)}`).toBe(false);
      }),
      opts(),
    );
  });
});
