import { describe, expect, it } from 'vitest';
import { decodeBodyBase64 } from '../../src/dissect/mime.js';

/** What decodeBody did before decodeBodyBase64: drop every byte outside the alphabet, then Buffer's decoder. */
const reference = (body: Uint8Array): Uint8Array =>
  new Uint8Array(Buffer.from(Buffer.from(body).toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64'));

/** A small deterministic generator (xorshift32): the same cases every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('decodeBodyBase64', () => {
  it('decodes as Buffer does after dropping bytes outside the alphabet', () => {
    const abc = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
    const noise = Buffer.from('=\r\n \t-_.*\x00\xff\x80');
    const r = rng(18);
    for (let c = 0; c < 2000; c++) {
      const len = Math.floor(r() * 40);
      const body = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        const p = r();
        body[i] = p < 0.75 ? abc[Math.floor(r() * abc.length)]! : p < 0.9 ? noise[Math.floor(r() * noise.length)]! : Math.floor(r() * 256);
      }
      expect(decodeBodyBase64(body)).toEqual(reference(body));
    }
  });

  it('decodes a wrapped body with padding', () => {
    const data = Buffer.from('Hello, attachment! '.repeat(20));
    const wrapped = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    const out = decodeBodyBase64(Buffer.from(wrapped, 'latin1'));
    expect(out).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(out).equals(data)).toBe(true);
  });
});
