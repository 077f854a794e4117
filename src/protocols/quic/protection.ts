/**
 * QUIC packet protection (RFC 9001 §5): keys from a secret, header protection, AEAD.
 * Everything from node:crypto, through the TLS crypto helpers (HKDF-Expand-Label, the
 * suites, the AEAD opener).
 *
 * - Initial keys derive from the client's first Destination Connection ID and the
 *   version's salt (§5.2): anyone on the path can open Initial packets.
 * - Handshake and 1-RTT keys derive from the TLS 1.3 traffic secrets of the key log.
 * - key = HKDF-Expand-Label(secret, "quic key"), iv = "quic iv", hp = "quic hp"; version 2
 *   says "quicv2 key" and so on (RFC 9369 §3.3.2). A key update (§6) derives the next
 *   secret with "quic ku"; the header protection key stays.
 * - Header protection (§5.4): a 5-byte mask from a 16-byte sample of the ciphertext, by
 *   AES-ECB or by ChaCha20 with the sample as counter and nonce.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { HASH_LENGTH, hkdfExpandLabel, hkdfExtract, type HashName } from '../tls/crypto/hkdf.js';
import { aeadOpen, xorNonce } from '../tls/crypto/record.js';
import { cipherSuite, type CipherSuiteInfo } from '../tls/crypto/suites.js';
import type { VersionInfo } from './versions.js';

const EMPTY = new Uint8Array(0);
/** TLS_AES_128_GCM_SHA256 protects Initial packets in every version (RFC 9001 §5.2). */
const INITIAL_SUITE = 0x1301;
export const SAMPLE_LENGTH = 16;

export interface PacketKeys {
  readonly suite: CipherSuiteInfo;
  readonly hash: HashName;
  /** The traffic secret these keys come from (the next key phase derives from it). */
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
  readonly label: VersionInfo['label'];
}

/** The TLS 1.3 suites QUIC can use (RFC 9001 §5.3: any but TLS_AES_128_CCM_8_SHA256). */
export function quicSuite(code: number): CipherSuiteInfo | null {
  const s = cipherSuite(code);
  return s !== undefined && s.tls13 && s.tag_length === 16 ? s : null;
}

/**
 * The arrays copied into one buffer, returned as views of it. A connection holds its keys
 * until its flow ends (Initial ones through the idle time-out too), and each small array of
 * its own cost ~230 bytes of heap: four per key set, two sets per level (issue 18).
 */
function packed(parts: readonly Uint8Array[]): Uint8Array[] {
  let total = 0;
  for (const p of parts) total += p.length;
  const all = new Uint8Array(total);
  const views: Uint8Array[] = [];
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    views.push(all.subarray(at, at + p.length));
    at += p.length;
  }
  return views;
}

export function keysFromSecret(suite: CipherSuiteInfo, secret: Uint8Array, label: VersionInfo['label']): PacketKeys {
  const hash = suite.hash as HashName;
  const [s, key, iv, hp] = packed([
    secret,
    hkdfExpandLabel(hash, secret, `${label} key`, EMPTY, suite.key_length),
    hkdfExpandLabel(hash, secret, `${label} iv`, EMPTY, 12),
    hkdfExpandLabel(hash, secret, `${label} hp`, EMPTY, suite.key_length),
  ]) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  return { suite, hash, secret: s, key, iv, hp, label };
}

/** The keys of the next key phase (RFC 9001 §6.1): a new secret, key and IV; the same hp. */
export function nextKeyPhase(k: PacketKeys): PacketKeys {
  const next = hkdfExpandLabel(k.hash, k.secret, `${k.label} ku`, EMPTY, HASH_LENGTH[k.hash]);
  const [secret, key, iv] = packed([
    next,
    hkdfExpandLabel(k.hash, next, `${k.label} key`, EMPTY, k.suite.key_length),
    hkdfExpandLabel(k.hash, next, `${k.label} iv`, EMPTY, 12),
  ]) as [Uint8Array, Uint8Array, Uint8Array];
  return {
    suite: k.suite,
    hash: k.hash,
    secret,
    key,
    iv,
    // The same header protection key (and so its cached cipher, keyed by this array).
    hp: k.hp,
    label: k.label,
  };
}

/** Client and server Initial keys for a version with a known salt, from the client's first DCID. */
export function initialKeys(version: VersionInfo, dcid: Uint8Array): { c2s: PacketKeys; s2c: PacketKeys } | null {
  if (version.salt === null) return null;
  const suite = cipherSuite(INITIAL_SUITE)!;
  const initial = hkdfExtract('sha256', version.salt, dcid);
  const client = hkdfExpandLabel('sha256', initial, 'client in', EMPTY, 32);
  const server = hkdfExpandLabel('sha256', initial, 'server in', EMPTY, 32);
  return { c2s: keysFromSecret(suite, client, version.label), s2c: keysFromSecret(suite, server, version.label) };
}

/** The 5-byte header protection mask for a 16-byte sample. */
export function headerMask(k: PacketKeys, sample: Uint8Array): Uint8Array {
  if (k.suite.kind === 'chacha20-poly1305') {
    // RFC 9001 §5.4.4: counter = sample[0..4] (little-endian), nonce = sample[4..16]; node's
    // chacha20 takes exactly that as its 16-byte IV.
    const c = createCipheriv('chacha20', k.hp, sample);
    return new Uint8Array(c.update(new Uint8Array(5)));
  }
  if (sample.length === SAMPLE_LENGTH) return new Uint8Array(ecbFor(k.hp).update(sample)).subarray(0, 5);
  // Not one whole block: a cipher of its own, so that no partial block stays in the shared one.
  const c = createCipheriv(`aes-${k.hp.length * 8}-ecb`, k.hp, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(sample)).subarray(0, 5);
}

/**
 * One AES-ECB cipher per header protection key, made at its first packet: ECB encrypts each
 * whole block alone, so a cipher that has taken only whole blocks holds no state between
 * samples, and every packet of a connection (both key phases share the key) reuses it
 * instead of making a cipher per packet.
 */
const ecbCiphers = new WeakMap<Uint8Array, Cipher>();

function ecbFor(hp: Uint8Array): Cipher {
  let c = ecbCiphers.get(hp);
  if (c === undefined) {
    c = createCipheriv(`aes-${hp.length * 8}-ecb`, hp, null);
    c.setAutoPadding(false);
    ecbCiphers.set(hp, c);
  }
  return c;
}

/** RFC 9000 §A.3: the full packet number from its truncated encoding and the largest seen. */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const hwin = win / 2;
  const candidate = expected - (expected % win) + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

export interface Unmasked {
  /** The first byte with its protection removed. */
  readonly first: number;
  readonly pn_length: number;
  readonly truncated_pn: number;
  /** The header as the AEAD authenticates it (first byte and packet number in clear). */
  readonly aad: Uint8Array;
}

/** Removes header protection from the packet `b[start, end)` whose packet number starts at `pnOffset`. */
export function removeHeaderProtection(k: PacketKeys, b: Uint8Array, start: number, pnOffset: number, end: number): Unmasked | null {
  if (pnOffset + 4 + SAMPLE_LENGTH > end) return null;
  const mask = headerMask(k, b.subarray(pnOffset + 4, pnOffset + 4 + SAMPLE_LENGTH));
  const long = (b[start]! & 0x80) !== 0;
  const first = b[start]! ^ (mask[0]! & (long ? 0x0f : 0x1f));
  const pnLength = (first & 0x03) + 1;
  const aad = b.slice(start, pnOffset + pnLength);
  aad[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLength; i++) {
    const v = b[pnOffset + i]! ^ mask[1 + i]!;
    aad[pnOffset - start + i] = v;
    pn = pn * 256 + v;
  }
  return { first, pn_length: pnLength, truncated_pn: pn, aad };
}

/** Opens the payload that follows the header; null when the tag does not verify. */
export function openPayload(k: PacketKeys, u: Unmasked, pn: number, b: Uint8Array, payloadStart: number, end: number): Uint8Array | null {
  const tagLength = k.suite.tag_length;
  if (end - payloadStart < tagLength) return null;
  return aeadOpen(k.suite, k.key, xorNonce(k.iv, pn), u.aad, b.subarray(payloadStart, end - tagLength), b.subarray(end - tagLength, end));
}
