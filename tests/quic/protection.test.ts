/**
 * QUIC packet protection against the published vectors: RFC 9001 Appendix A (v1 Initial
 * keys, the server Initial of A.3, the Retry of A.4, the ChaCha20 short header packet and
 * key update of A.5) and RFC 9369 Appendix A.1 (v2 Initial keys).
 */
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/protocols/quic/header.js';
import { parseFrames } from '../../src/protocols/quic/frames.js';
import {
  decodePacketNumber,
  headerMask,
  initialKeys,
  keysFromSecret,
  nextKeyPhase,
  openPayload,
  removeHeaderProtection,
} from '../../src/protocols/quic/protection.js';
import { cipherSuite } from '../../src/protocols/tls/crypto/suites.js';
import { retryIntegrityOk } from '../../src/protocols/quic/retry.js';
import { versionInfo } from '../../src/protocols/quic/versions.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const RFC_DCID = h('8394c8f03e515708');

describe('Initial keys (RFC 9001 A.1, RFC 9369 A.1)', () => {
  it('v1', () => {
    const k = initialKeys(versionInfo(1), RFC_DCID)!;
    expect([hx(k.c2s.key), hx(k.c2s.iv), hx(k.c2s.hp)]).toEqual(['1f369613dd76d5467730efcbe3b1a22d', 'fa044b2f42a3fd3b46fb255c', '9f50449e04a0e810283a1e9933adedd2']);
    expect([hx(k.s2c.key), hx(k.s2c.iv), hx(k.s2c.hp)]).toEqual(['cf3a5331653c364c88f0f379b6067e37', '0ac1493ca1905853b0bba03e', 'c206b8d9b9f0f37644430b490eeaa314']);
    // A.2: the header protection mask of the client's Initial.
    expect(hx(headerMask(k.c2s, h('d1b1c98dd7689fb8ec11d242b123dc9b')))).toBe('437b9aec36');
  });

  it('v2: its own salt and "quicv2" labels', () => {
    const k = initialKeys(versionInfo(0x6b3343cf), RFC_DCID)!;
    expect([hx(k.c2s.key), hx(k.c2s.iv), hx(k.c2s.hp)]).toEqual(['8b1a0bc121284290a29e0971b5cd045d', '91f73e2351d8fa91660e909f', '45b95e15235d6f45a6b19cbcb0294ba9']);
    expect([hx(k.s2c.key), hx(k.s2c.iv), hx(k.s2c.hp)]).toEqual(['82db637861d55e1d011f19ea71d5d2a7', 'dd13c276499c0249d3310652', 'edf6d05c83121201b436e16877593c3a']);
    expect(versionInfo(0x6b3343cf).types).toEqual(['retry', 'initial', '0rtt', 'handshake']);
  });

  it('versions without a published salt have no Initial keys', () => {
    expect(initialKeys(versionInfo(0xfaceb002), RFC_DCID)).toBeNull();
  });
});

describe('whole packets', () => {
  it('opens the server Initial of RFC 9001 A.3: ACK and CRYPTO (the ServerHello)', () => {
    const packet = h(`cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc42158407dd074ee`);
    const r = parseHeader(packet, 0, 0);
    expect(r.ok).toBe(true);
    if (!r.ok || r.header.kind !== 'initial') throw new Error('not an Initial');
    expect(hx(r.header.scid)).toBe('f067a5502a4262b5');
    const keys = initialKeys(versionInfo(1), RFC_DCID)!.s2c;
    const u = removeHeaderProtection(keys, packet, 0, r.header.pn_offset, r.header.end)!;
    expect(u.first).toBe(0xc1);
    const pn = decodePacketNumber(-1, u.truncated_pn, u.pn_length * 8);
    expect(pn).toBe(1);
    const payload = openPayload(keys, u, pn, packet, r.header.pn_offset + u.pn_length, r.header.end)!;
    expect(payload).not.toBeNull();
    const frames = parseFrames(payload, 100);
    expect(frames.error).toBeNull();
    expect(frames.frames.map((f) => f.type)).toEqual(['ACK', 'CRYPTO']);
    const c = frames.frames[1]!;
    if (c.type !== 'CRYPTO') throw new Error('no CRYPTO');
    expect(c.offset).toBe(0);
    expect(c.data[0]).toBe(2); // ServerHello
    expect(c.data.length).toBe(90);
  });

  it('a damaged byte fails authentication instead of giving garbage', () => {
    const packet = h(`cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc42158407dd074ee`);
    packet[100]! ^= 1;
    const r = parseHeader(packet, 0, 0);
    if (!r.ok || r.header.kind !== 'initial') throw new Error('not an Initial');
    const keys = initialKeys(versionInfo(1), RFC_DCID)!.s2c;
    const u = removeHeaderProtection(keys, packet, 0, r.header.pn_offset, r.header.end)!;
    expect(openPayload(keys, u, 1, packet, r.header.pn_offset + u.pn_length, r.header.end)).toBeNull();
  });

  it('the ChaCha20-Poly1305 short header packet and key update of RFC 9001 A.5', () => {
    const suite = cipherSuite(0x1303)!;
    const k = keysFromSecret(suite, h('9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b'), 'quic');
    expect([hx(k.key), hx(k.iv), hx(k.hp)]).toEqual([
      'c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8',
      'e0459b3474bdd0e44a41c144',
      '25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4',
    ]);
    expect(hx(nextKeyPhase(k).secret)).toBe('1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9');
    expect(nextKeyPhase(k).hp).toEqual(k.hp);
    const packet = h('4cfe4189655e5cd55c41f69080575d7999c25a5bfb');
    const r = parseHeader(packet, 0, 0);
    if (!r.ok || r.header.kind !== '1rtt') throw new Error('not a short header');
    const u = removeHeaderProtection(k, packet, 0, r.header.pn_offset, r.header.end)!;
    expect(hx(u.aad)).toBe('4200bff4');
    const pn = decodePacketNumber(654360563, u.truncated_pn, u.pn_length * 8);
    expect(pn).toBe(654360564);
    expect(Array.from(openPayload(k, u, pn, packet, r.header.pn_offset + u.pn_length, r.header.end)!)).toEqual([1]);
  });

  it('the Retry of RFC 9001 A.4: token and integrity tag', () => {
    const packet = h('ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba');
    const r = parseHeader(packet, 0, 0);
    if (!r.ok || r.header.kind !== 'retry') throw new Error('not a Retry');
    expect(Buffer.from(r.header.token).toString()).toBe('token');
    expect(hx(r.header.scid)).toBe('f067a5502a4262b5');
    expect(retryIntegrityOk(versionInfo(1), RFC_DCID, packet)).toBe(true);
    expect(retryIntegrityOk(versionInfo(1), h('0000000000000000'), packet)).toBe(false);
    packet[20]! ^= 1;
    expect(retryIntegrityOk(versionInfo(1), RFC_DCID, packet)).toBe(false);
  });
});

describe('packet numbers (RFC 9000 A.3)', () => {
  it('decodes the RFC example and wraps both ways', () => {
    expect(decodePacketNumber(0xa82f30ea, 0x9b32, 16)).toBe(0xa82f9b32);
    expect(decodePacketNumber(-1, 0, 8)).toBe(0);
    expect(decodePacketNumber(0xff, 0x01, 8)).toBe(0x101);
    expect(decodePacketNumber(0x101, 0xff, 8)).toBe(0xff);
  });
});
