/**
 * SHA-1 (FIPS 180-4) of a message of at most 55 bytes, one block: what a Community ID hashes
 * (40 bytes for IPv6, 16 for IPv4). One call into the native hash per flow cost 7 µs, most
 * of it crossing into C++ and back; this is a fraction of that. Checked against
 * `crypto.hash` in tests/flow/sha1.test.ts.
 */
/** The initial hash value (FIPS 180-4 §5.3.1), added back into the result. */
const H: readonly [number, number, number, number, number] = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];
const w = new Int32Array(80);
const block = new Uint8Array(64);
const digest = Buffer.alloc(20);

/** Base64 of the SHA-1 of the first `n` bytes of `message` (at most 55). */
export function sha1Base64(message: Uint8Array, n = message.length): string {
  if (n > 55 || n > message.length) throw new RangeError('sha1Base64 takes one block: at most 55 bytes');
  block.fill(0);
  for (let i = 0; i < n; i++) block[i] = message[i]!;
  block[n] = 0x80;
  // Message length in bits, big-endian, in the last 8 bytes (n < 56, so it fits in 16 bits).
  block[62] = (n * 8) >>> 8;
  block[63] = (n * 8) & 0xff;
  for (let i = 0; i < 16; i++) w[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!;
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
    w[i] = (x << 1) | (x >>> 31);
  }
  let [a, b, c, d, e] = H;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  digest.writeInt32BE((a + H[0]) | 0, 0);
  digest.writeInt32BE((b + H[1]) | 0, 4);
  digest.writeInt32BE((c + H[2]) | 0, 8);
  digest.writeInt32BE((d + H[3]) | 0, 12);
  digest.writeInt32BE((e + H[4]) | 0, 16);
  return digest.toString('base64');
}
