/**
 * HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1), on node:crypto's HMAC.
 *
 * Why not `crypto.hkdfSync`: it always runs Extract before Expand, while TLS 1.3 expands
 * secrets that are already pseudorandom keys (traffic secrets from a key log), and its
 * `info` would have to be the HkdfLabel built here anyway.
 *
 * Generic over the hash and the label prefix: QUIC (RFC 9001 §5) derives `quic key`,
 * `quic iv`, `quic hp` and `quic ku` with the same "tls13 " prefix; DTLS 1.3 uses "dtls13".
 */
import { createHash, createHmac } from 'node:crypto';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTH: Readonly<Record<HashName, number>> = Object.freeze({ md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 });

export const TLS13_LABEL_PREFIX = 'tls13 ';

const EMPTY = new Uint8Array(0);

export function hmac(hash: HashName, key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const h = createHmac(hash, key);
  for (const d of data) h.update(d);
  return h.digest();
}

export function digest(hash: HashName, ...data: Uint8Array[]): Uint8Array {
  const h = createHash(hash);
  for (const d of data) h.update(d);
  return h.digest();
}

/** HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM); an empty salt means HashLen zero bytes. */
export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt.length === 0 ? new Uint8Array(HASH_LENGTH[hash]) : salt, ikm);
}

/** HKDF-Expand(PRK, info, L): T(i) = HMAC(PRK, T(i-1) | info | i), at most 255 blocks. */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLen = HASH_LENGTH[hash];
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLen) throw new RangeError(`HKDF-Expand length ${length} out of range`);
  const out = new Uint8Array(length);
  let prev: Uint8Array = EMPTY;
  for (let i = 1, off = 0; off < length; i++) {
    prev = hmac(hash, prk, prev, info, Uint8Array.of(i));
    out.set(prev.subarray(0, Math.min(hashLen, length - off)), off);
    off += hashLen;
  }
  return out;
}

/**
 * The HkdfLabel structure: uint16 length, opaque label<7..255> = prefix + label,
 * opaque context<0..255>.
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number, prefix: string = TLS13_LABEL_PREFIX): Uint8Array {
  const full = Buffer.from(prefix + label, 'latin1');
  if (full.length > 255 || context.length > 255 || length > 0xffff) throw new RangeError('HkdfLabel field too long');
  const out = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = full.length;
  out.set(full, 3);
  out[3 + full.length] = context.length;
  out.set(context, 4 + full.length);
  return out;
}

/** HKDF-Expand-Label(Secret, Label, Context, Length). */
export function hkdfExpandLabel(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
  prefix: string = TLS13_LABEL_PREFIX,
): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length, prefix), length);
}

/** Derive-Secret(Secret, Label, Messages) given Transcript-Hash(Messages). */
export function deriveSecret(hash: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, HASH_LENGTH[hash]);
}

/** The write key and IV of a TLS 1.3 traffic secret (RFC 8446 §7.3). */
export function trafficKeys(hash: HashName, secret: Uint8Array, keyLength: number, ivLength: number): { key: Uint8Array; iv: Uint8Array } {
  return { key: hkdfExpandLabel(hash, secret, 'key', EMPTY, keyLength), iv: hkdfExpandLabel(hash, secret, 'iv', EMPTY, ivLength) };
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2), what a KeyUpdate moves to. */
export function nextTrafficSecret(hash: HashName, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', EMPTY, HASH_LENGTH[hash]);
}
