/**
 * The TLS 1.0-1.2 pseudorandom functions and what is derived with them.
 * - TLS 1.2 (RFC 5246 §5): PRF = P_<hash>(secret, label + seed), the hash of the cipher
 *   suite (SHA-256 unless the suite names SHA-384).
 * - TLS 1.0/1.1 (RFC 2246 §5, RFC 4346 §5): P_MD5 over the first half of the secret XOR
 *   P_SHA1 over the second half (the halves share the middle byte when the length is odd).
 * SSL 3.0 has its own construction and is not supported.
 */
import { hmac, type HashName } from './hkdf.js';
import { joinChunks } from '../../../dissect/bytes.js';

export type PrfHash = 'sha256' | 'sha384';

const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** P_hash(secret, seed) cut to `length` bytes. */
export function pHash(hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 1 << 16) throw new RangeError(`PRF length ${length} out of range`);
  const out = new Uint8Array(length);
  let a = seed;
  for (let off = 0; off < length; ) {
    a = hmac(hash, secret, a);
    const block = hmac(hash, secret, a, seed);
    const n = Math.min(block.length, length - off);
    out.set(block.subarray(0, n), off);
    off += n;
  }
  return out;
}

/** The TLS 1.2 PRF. */
export function prf12(hash: PrfHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(hash, secret, joinChunks([latin1(label), seed]), length);
}

/** The TLS 1.0 and 1.1 PRF. */
export function prf10(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  const labelSeed = joinChunks([latin1(label), seed]);
  const out = pHash('md5', s1, labelSeed, length);
  const sha = pHash('sha1', s2, labelSeed, length);
  for (let i = 0; i < length; i++) out[i]! ^= sha[i]!;
  return out;
}

/** The PRF of a protocol version (0x0301, 0x0302: MD5+SHA1; 0x0303: the suite's hash). */
export function tlsPrf(version: number, hash: PrfHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return version >= 0x0303 ? prf12(hash, secret, label, seed, length) : prf10(secret, label, seed, length);
}

/** key_block = PRF(master_secret, "key expansion", server_random + client_random) (RFC 5246 §6.3). */
export function keyBlock(
  version: number,
  hash: PrfHash,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  length: number,
): Uint8Array {
  return tlsPrf(version, hash, masterSecret, 'key expansion', joinChunks([serverRandom, clientRandom]), length);
}

/**
 * master_secret from a pre-master secret (RFC 5246 §8.1), or with the extended master
 * secret extension (RFC 7627 §4) from the session hash. Not needed with CLIENT_RANDOM key
 * logs (they carry the master secret); here for pre-master keyed sources.
 */
export function masterSecret(
  version: number,
  hash: PrfHash,
  preMaster: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  sessionHash?: Uint8Array,
): Uint8Array {
  return sessionHash !== undefined
    ? tlsPrf(version, hash, preMaster, 'extended master secret', sessionHash, 48)
    : tlsPrf(version, hash, preMaster, 'master secret', joinChunks([clientRandom, serverRandom]), 48);
}
