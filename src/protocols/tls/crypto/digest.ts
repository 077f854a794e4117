/**
 * A hash of a string or bytes as hex, in one call. node:crypto's one-shot `hash()` (Node
 * 20.12 and later) skips the Hash object and its stream plumbing: measured 6 against 27 µs
 * per MD5 of a JA3 string on this project's shared machine, and a TLS hello takes three or
 * four of them (JA3/JA3S, JA4's two SHA-256s). Older Node 20 releases use `createHash`.
 */
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string | Uint8Array, outputEncoding: 'hex') => string;

const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** `createHash(algorithm).update(data).digest('hex')` (a string is hashed as UTF-8, as there). */
export const hexDigest: (algorithm: string, data: string | Uint8Array) => string =
  typeof oneShot === 'function'
    ? (algorithm, data) => oneShot(algorithm, data, 'hex')
    : (algorithm, data) => crypto.createHash(algorithm).update(data).digest('hex');
