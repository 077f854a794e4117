/**
 * Record protection, one direction and one key at a time: each `RecordOpener` turns a
 * record's fragment, with its sequence number, into plaintext or a reason it cannot.
 * - TLS 1.3 AEAD (RFC 8446 §5.2-5.4): nonce = IV xor sequence number, the additional data
 *   is the record header, the plaintext ends with the real content type and zero padding.
 * - TLS 1.2 AEAD (RFC 5246 §6.2.3.3): GCM and CCM take a 4-byte implicit salt and an 8-byte
 *   explicit nonce from the record (RFC 5288 §3); ChaCha20-Poly1305 xors the sequence
 *   number into a 12-byte IV as TLS 1.3 does (RFC 7905 §2). The additional data is
 *   seq_num + type + version + plaintext length.
 * - CBC with HMAC (RFC 5246 §6.2.3.2): MAC-then-encrypt, or encrypt-then-MAC when the
 *   extension was negotiated (RFC 7366 §3). TLS 1.0 chains the IV from the last ciphertext
 *   block (the first IV from the key block); TLS 1.1 and later send it with each record.
 * Nothing here throws on the input: a bad tag, bad padding or impossible length is a
 * `{ ok: false, reason }`.
 */
import { createDecipheriv, type CipherCCMTypes, type CipherGCMTypes } from 'node:crypto';
import { hmac } from './hkdf.js';
import type { CipherSuiteInfo } from './suites.js';

export type DecryptResult = { ok: true; content_type: number; plaintext: Uint8Array } | { ok: false; reason: string };

export const BAD_RECORD_MAC = 'bad record MAC';

/** The largest TLSCiphertext.length (RFC 5246 §6.2.3: 2^14 + 2048; TLS 1.3 allows less). */
export const MAX_CIPHERTEXT = 16384 + 2048;

export interface RecordOpener {
  open(contentType: number, version: number, fragment: Uint8Array, seq: number): DecryptResult;
}

function fail(reason: string): DecryptResult {
  return { ok: false, reason };
}

/** The 64-bit sequence number, big-endian, into `out` at `off`. */
function putSeq(out: Uint8Array, off: number, seq: number): void {
  const hi = Math.floor(seq / 0x1_0000_0000);
  const lo = seq >>> 0;
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = lo >>> 24;
  out[off + 5] = (lo >>> 16) & 0xff;
  out[off + 6] = (lo >>> 8) & 0xff;
  out[off + 7] = lo & 0xff;
}

/** IV xor the sequence number, left-padded to the IV's length (RFC 8446 §5.3; QUIC's packet number, RFC 9001 §5.3). */
export function xorNonce(iv: Uint8Array, seq: number): Uint8Array {
  const nonce = Uint8Array.from(iv);
  const s = new Uint8Array(8);
  putSeq(s, 0, seq);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i]! ^= s[i]!;
  return nonce;
}

/** seq_num + type + version + length: the MAC header and the TLS 1.2 AEAD additional data. */
function seqHeader(seq: number, type: number, version: number, length: number): Uint8Array {
  const h = new Uint8Array(13);
  putSeq(h, 0, seq);
  h[8] = type;
  h[9] = version >>> 8;
  h[10] = version & 0xff;
  h[11] = length >>> 8;
  h[12] = length & 0xff;
  return h;
}

/** A plain Uint8Array view of a Buffer: the one type every result has. */
function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** AEAD decryption; null when the tag does not verify. QUIC's packet protection (RFC 9001 §5.3) uses it too. */
export function aeadOpen(suite: CipherSuiteInfo, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): Uint8Array | null {
  try {
    const authTagLength = suite.tag_length;
    let out: Buffer;
    if (suite.kind === 'ccm') {
      const d = createDecipheriv(suite.cipher as CipherCCMTypes, key, nonce, { authTagLength });
      d.setAuthTag(tag);
      d.setAAD(aad, { plaintextLength: ct.length });
      out = d.update(ct);
      d.final();
    } else if (suite.kind === 'chacha20-poly1305') {
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength });
      d.setAAD(aad, { plaintextLength: ct.length });
      d.setAuthTag(tag);
      out = d.update(ct);
      d.final();
    } else {
      const d = createDecipheriv(suite.cipher as CipherGCMTypes, key, nonce, { authTagLength });
      d.setAAD(aad);
      d.setAuthTag(tag);
      out = d.update(ct);
      d.final();
    }
    return asBytes(out);
  } catch {
    return null;
  }
}

export class Tls13Opener implements RecordOpener {
  constructor(
    private readonly suite: CipherSuiteInfo,
    private readonly key: Uint8Array,
    private readonly iv: Uint8Array,
  ) {}

  open(contentType: number, version: number, fragment: Uint8Array, seq: number): DecryptResult {
    const tagLen = this.suite.tag_length;
    // RFC 8446 §5.2: at most 2^14 + 256 bytes; a peer sending more is broken, not worth decrypting.
    if (fragment.length > 16384 + 256) return fail(`record of ${fragment.length} bytes exceeds 2^14+256 (record_overflow)`);
    if (fragment.length < tagLen + 1) return fail(`record of ${fragment.length} bytes is too short for the ${tagLen}-byte tag and a content type`);
    const aad = Uint8Array.of(contentType, version >>> 8, version & 0xff, fragment.length >>> 8, fragment.length & 0xff);
    const ct = fragment.subarray(0, fragment.length - tagLen);
    const p = aeadOpen(this.suite, this.key, xorNonce(this.iv, seq), aad, ct, fragment.subarray(fragment.length - tagLen));
    if (p === null) return fail(BAD_RECORD_MAC);
    let i = p.length - 1;
    while (i >= 0 && p[i] === 0) i--;
    if (i < 0) return fail('decrypted record has no content type (all zero padding)');
    return { ok: true, content_type: p[i]!, plaintext: p.subarray(0, i) };
  }
}

export class Tls12AeadOpener implements RecordOpener {
  constructor(
    private readonly suite: CipherSuiteInfo,
    private readonly key: Uint8Array,
    /** GCM/CCM: the 4-byte salt; ChaCha20-Poly1305: the 12-byte IV. */
    private readonly iv: Uint8Array,
  ) {}

  open(contentType: number, version: number, fragment: Uint8Array, seq: number): DecryptResult {
    const { tag_length: tagLen, explicit_nonce_length: explicit } = this.suite;
    if (fragment.length > MAX_CIPHERTEXT) return fail(`record of ${fragment.length} bytes exceeds 2^14+2048 (record_overflow)`);
    if (fragment.length < explicit + tagLen) return fail(`record of ${fragment.length} bytes is too short for the ${explicit}-byte nonce and ${tagLen}-byte tag`);
    let nonce: Uint8Array;
    if (explicit > 0) {
      nonce = new Uint8Array(this.iv.length + explicit);
      nonce.set(this.iv, 0);
      nonce.set(fragment.subarray(0, explicit), this.iv.length);
    } else {
      nonce = xorNonce(this.iv, seq);
    }
    const ct = fragment.subarray(explicit, fragment.length - tagLen);
    const p = aeadOpen(this.suite, this.key, nonce, seqHeader(seq, contentType, version, ct.length), ct, fragment.subarray(fragment.length - tagLen));
    if (p === null) return fail(BAD_RECORD_MAC);
    return { ok: true, content_type: contentType, plaintext: p };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export class CbcOpener implements RecordOpener {
  private readonly explicitIv: boolean;

  constructor(
    private readonly suite: CipherSuiteInfo,
    private readonly key: Uint8Array,
    private readonly macKey: Uint8Array,
    version: number,
    private readonly encryptThenMac: boolean,
    /** TLS 1.0: the IV from the key block, then the last ciphertext block of each record. */
    private iv: Uint8Array,
  ) {
    this.explicitIv = version >= 0x0302;
  }

  private decryptBlocks(iv: Uint8Array, ct: Uint8Array): Uint8Array | null {
    try {
      const d = createDecipheriv(this.suite.cipher, this.key, iv).setAutoPadding(false);
      const head = d.update(ct);
      const tail = d.final();
      return asBytes(tail.length === 0 ? head : Buffer.concat([head, tail]));
    } catch {
      return null;
    }
  }

  /** Checks TLS padding (padding_length + 1 bytes, each equal to padding_length); the padding length or -1. */
  private static padding(p: Uint8Array, reserved: number): number {
    const pad = p[p.length - 1]!;
    if (pad + 1 + reserved > p.length) return -1;
    for (let i = p.length - 1 - pad; i < p.length - 1; i++) if (p[i] !== pad) return -1;
    return pad;
  }

  open(contentType: number, version: number, fragment: Uint8Array, seq: number): DecryptResult {
    const bs = this.suite.block_size;
    const ml = this.suite.mac_length;
    const ivLen = this.explicitIv ? bs : 0;
    const len = fragment.length;
    if (len > MAX_CIPHERTEXT) return fail(`record of ${len} bytes exceeds 2^14+2048 (record_overflow)`);
    const macHash = this.suite.mac!;

    if (this.encryptThenMac) {
      const encLen = len - ml;
      if (encLen < ivLen + bs || (encLen - ivLen) % bs !== 0) return fail(`record of ${len} bytes is not IV + whole ${bs}-byte blocks + ${ml}-byte MAC`);
      const macd = fragment.subarray(0, encLen);
      const iv = this.explicitIv ? macd.subarray(0, bs) : this.iv;
      const ct = macd.subarray(ivLen);
      if (!this.explicitIv) this.iv = Uint8Array.from(ct.subarray(ct.length - bs));
      const expected = hmac(macHash, this.macKey, seqHeader(seq, contentType, version, encLen), macd);
      if (!equalBytes(expected, fragment.subarray(encLen))) return fail(BAD_RECORD_MAC);
      const p = this.decryptBlocks(iv, ct);
      if (p === null) return fail('block decryption failed');
      const pad = CbcOpener.padding(p, 0);
      if (pad < 0) return fail('bad padding');
      return { ok: true, content_type: contentType, plaintext: p.subarray(0, p.length - pad - 1) };
    }

    const minCt = Math.ceil((ml + 1) / bs) * bs;
    if (len < ivLen + minCt || (len - ivLen) % bs !== 0) return fail(`record of ${len} bytes is not IV + whole ${bs}-byte blocks holding a ${ml}-byte MAC`);
    const iv = this.explicitIv ? fragment.subarray(0, bs) : this.iv;
    const ct = fragment.subarray(ivLen);
    if (!this.explicitIv) this.iv = Uint8Array.from(ct.subarray(ct.length - bs));
    const p = this.decryptBlocks(iv, ct);
    if (p === null) return fail('block decryption failed');
    // Bad padding and a bad MAC are one error (RFC 5246 §6.2.3.2): with a wrong key both happen.
    const pad = CbcOpener.padding(p, ml);
    if (pad < 0) return fail(BAD_RECORD_MAC);
    const contentLen = p.length - pad - 1 - ml;
    const content = p.subarray(0, contentLen);
    const expected = hmac(macHash, this.macKey, seqHeader(seq, contentType, version, contentLen), content);
    if (!equalBytes(expected, p.subarray(contentLen, contentLen + ml))) return fail(BAD_RECORD_MAC);
    return { ok: true, content_type: contentType, plaintext: content };
  }
}
