/** HKDF and the TLS PRFs: published vectors, node's own HKDF as an oracle, and their bounds. */
import fc from 'fast-check';
import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExpandLabel, hkdfExtract, hkdfLabel, nextTrafficSecret } from '../../src/protocols/tls/crypto/hkdf.js';
import { keyBlock, masterSecret, pHash, prf10, prf12 } from '../../src/protocols/tls/crypto/prf.js';

const hx = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const h = (u: Uint8Array): string => Buffer.from(u).toString('hex');

describe('HKDF (RFC 5869)', () => {
  it('test case 1 (SHA-256)', () => {
    const prk = hkdfExtract('sha256', hx('000102030405060708090a0b0c'), new Uint8Array(22).fill(0x0b));
    expect(h(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    expect(h(hkdfExpand('sha256', prk, hx('f0f1f2f3f4f5f6f7f8f9'), 42))).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('test case 3 (SHA-256, no salt, no info)', () => {
    const prk = hkdfExtract('sha256', new Uint8Array(0), new Uint8Array(22).fill(0x0b));
    expect(h(prk)).toBe('19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04');
    expect(h(hkdfExpand('sha256', prk, new Uint8Array(0), 42))).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });

  it('Extract then Expand equals node:crypto hkdfSync for any input (SHA-256, SHA-384)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sha256' as const, 'sha384' as const),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.integer({ min: 1, max: 300 }),
        (hash, ikm, salt, info, len) => {
          const ours = hkdfExpand(hash, hkdfExtract(hash, salt, ikm), info, len);
          expect(h(ours)).toBe(Buffer.from(hkdfSync(hash, ikm, salt, info, len)).toString('hex'));
        },
      ),
      { seed: 8448, numRuns: 200 },
    );
  });

  it('refuses lengths HKDF cannot give, and labels TLS cannot carry', () => {
    expect(() => hkdfExpand('sha256', new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
    expect(() => hkdfLabel('x'.repeat(250), new Uint8Array(0), 16)).toThrow(RangeError);
  });

  it('QUIC v1 initial secrets (RFC 9001 §A.1) with the same Expand-Label', () => {
    // Labels "client in", "quic key", "quic iv", "quic hp" under the "tls13 " prefix.
    const initial = hkdfExtract('sha256', hx('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'), hx('8394c8f03e515708'));
    const client = hkdfExpandLabel('sha256', initial, 'client in', new Uint8Array(0), 32);
    expect(h(client)).toBe('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    expect(h(hkdfExpandLabel('sha256', client, 'quic key', new Uint8Array(0), 16))).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(h(hkdfExpandLabel('sha256', client, 'quic iv', new Uint8Array(0), 12))).toBe('fa044b2f42a3fd3b46fb255c');
    expect(h(hkdfExpandLabel('sha256', client, 'quic hp', new Uint8Array(0), 16))).toBe('9f50449e04a0e810283a1e9933adedd2');
  });

  it('the next traffic secret is HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)', () => {
    const s = new Uint8Array(48).fill(7);
    expect(h(nextTrafficSecret('sha384', s))).toBe(h(hkdfExpand('sha384', s, hkdfLabel('traffic upd', new Uint8Array(0), 48), 48)));
    expect(nextTrafficSecret('sha384', s)).toHaveLength(48);
  });
});

describe('TLS PRF', () => {
  it('TLS 1.2 P_SHA256 test vector', () => {
    const out = prf12('sha256', hx('9bbe436ba940f017b17652849a71db35'), 'test label', hx('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(h(out)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('TLS 1.0 splits the secret in halves that share the middle byte when odd', () => {
    // With a secret of one byte both halves are that byte: PRF = P_MD5(s) xor P_SHA1(s).
    const labelSeed = Uint8Array.of(0x6c, 1); // "l" + seed
    const md5 = pHash('md5', Uint8Array.of(0x42), labelSeed, 20);
    const sha = pHash('sha1', Uint8Array.of(0x42), labelSeed, 20);
    expect(h(prf10(Uint8Array.of(0x42), 'l', Uint8Array.of(1), 20))).toBe(h(md5.map((x, i) => x ^ sha[i]!)));
    const a = prf10(hx('0102030405'), 'l', Uint8Array.of(1), 20);
    const b = prf10(hx('0102ff0405'), 'l', Uint8Array.of(1), 20);
    expect(h(a)).not.toBe(h(b)); // the middle byte is in both halves
  });

  it('key block and master secret take the randoms in their orders', () => {
    const cr = new Uint8Array(32).fill(1);
    const sr = new Uint8Array(32).fill(2);
    const ms = new Uint8Array(48).fill(3);
    const seedSrCr = new Uint8Array(64);
    seedSrCr.set(sr, 0);
    seedSrCr.set(cr, 32);
    expect(h(keyBlock(0x0303, 'sha384', ms, cr, sr, 72))).toBe(h(prf12('sha384', ms, 'key expansion', seedSrCr, 72)));
    const seedCrSr = new Uint8Array(64);
    seedCrSr.set(cr, 0);
    seedCrSr.set(sr, 32);
    expect(h(masterSecret(0x0303, 'sha256', ms, cr, sr))).toBe(h(prf12('sha256', ms, 'master secret', seedCrSr, 48)));
    expect(h(masterSecret(0x0301, 'sha256', ms, cr, sr, Uint8Array.of(9)))).toBe(h(prf10(ms, 'extended master secret', Uint8Array.of(9), 48)));
  });
});
