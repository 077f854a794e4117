/**
 * The cipher suites the decryptor supports, with what record protection needs of each:
 * the node:crypto cipher, key and IV lengths, MAC, and PRF hash (TLS 1.2) or HKDF hash
 * (TLS 1.3). Key exchange and authentication do not matter to a decryptor given the master
 * or traffic secrets, so ECDHE, DHE, RSA and PSK suites of one cipher are alike here.
 *
 * Not supported, and named as such by `suiteSupport`: RC4 and NULL ciphers (insecure, and
 * not worth the code), Camellia, ARIA, SEED, GOST, SM4, export suites, SSL 3.0.
 */
import type { PrfHash } from './prf.js';

export type RecordCipherKind = 'gcm' | 'ccm' | 'chacha20-poly1305' | 'cbc';
export type MacHash = 'sha1' | 'sha256' | 'sha384';

export interface CipherSuiteInfo {
  code: number;
  /** The IANA name. */
  name: string;
  /** A TLS 1.3 suite (valid only with version 0x0304, and the only kind valid there). */
  tls13: boolean;
  kind: RecordCipherKind;
  /** The node:crypto cipher name. */
  cipher: string;
  key_length: number;
  /**
   * TLS 1.3: the per-record nonce base (12). TLS 1.2 AEAD: the implicit nonce part from the
   * key block (GCM and CCM 4, ChaCha20-Poly1305 12). CBC: the block size (an IV from the key
   * block is used by TLS 1.0 only).
   */
  fixed_iv_length: number;
  /** AEAD: bytes of explicit nonce at the head of a TLS 1.2 record (GCM and CCM 8). */
  explicit_nonce_length: number;
  /** AEAD tag length (16; 8 for the CCM_8 suites); 0 for CBC. */
  tag_length: number;
  /** CBC: the HMAC hash; null for AEAD. */
  mac: MacHash | null;
  mac_length: number;
  /** CBC block size. */
  block_size: number;
  /** TLS 1.2 PRF hash, or the TLS 1.3 HKDF hash. */
  hash: PrfHash;
  /** The lowest protocol version the suite is defined for (0x0301 for the SHA-1 CBC suites). */
  min_version: number;
}

const SUITES = new Map<number, CipherSuiteInfo>();

function add(s: CipherSuiteInfo): void {
  SUITES.set(s.code, Object.freeze(s));
}

function tls13(code: number, name: string, kind: 'gcm' | 'ccm' | 'chacha20-poly1305', cipher: string, key: number, hash: PrfHash, tag = 16): void {
  add({ code, name, tls13: true, kind, cipher, key_length: key, fixed_iv_length: 12, explicit_nonce_length: 0, tag_length: tag, mac: null, mac_length: 0, block_size: 0, hash, min_version: 0x0304 });
}

function aead12(code: number, name: string, kind: 'gcm' | 'ccm' | 'chacha20-poly1305', key: number, hash: PrfHash, tag = 16): void {
  const cipher = kind === 'chacha20-poly1305' ? kind : `aes-${key * 8}-${kind}`;
  const chacha = kind === 'chacha20-poly1305';
  add({ code, name, tls13: false, kind, cipher, key_length: key, fixed_iv_length: chacha ? 12 : 4, explicit_nonce_length: chacha ? 0 : 8, tag_length: tag, mac: null, mac_length: 0, block_size: 0, hash, min_version: 0x0303 });
}

const MAC_LENGTH: Record<MacHash, number> = { sha1: 20, sha256: 32, sha384: 48 };

function cbc(code: number, name: string, cipher: string, key: number, block: number, mac: MacHash): void {
  add({
    code,
    name,
    tls13: false,
    kind: 'cbc',
    cipher,
    key_length: key,
    fixed_iv_length: block,
    explicit_nonce_length: 0,
    tag_length: 0,
    mac,
    mac_length: MAC_LENGTH[mac],
    block_size: block,
    hash: mac === 'sha384' ? 'sha384' : 'sha256',
    min_version: mac === 'sha1' ? 0x0301 : 0x0303,
  });
}

// TLS 1.3 (RFC 8446 §B.4).
tls13(0x1301, 'TLS_AES_128_GCM_SHA256', 'gcm', 'aes-128-gcm', 16, 'sha256');
tls13(0x1302, 'TLS_AES_256_GCM_SHA384', 'gcm', 'aes-256-gcm', 32, 'sha384');
tls13(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', 'chacha20-poly1305', 32, 'sha256');
tls13(0x1304, 'TLS_AES_128_CCM_SHA256', 'ccm', 'aes-128-ccm', 16, 'sha256');
tls13(0x1305, 'TLS_AES_128_CCM_8_SHA256', 'ccm', 'aes-128-ccm', 16, 'sha256', 8);

// TLS 1.2 AES-GCM (RFC 5288, RFC 5289, RFC 5487).
for (const [code, name, key, hash] of [
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0x00a2, 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0x00a3, 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0x00ab, 'TLS_DHE_PSK_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0x00ac, 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0x00ad, 'TLS_RSA_PSK_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0xc02d, 'TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0xc02e, 'TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0xc031, 'TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0xc032, 'TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
  [0xd001, 'TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256', 16, 'sha256'],
  [0xd002, 'TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384', 32, 'sha384'],
] as const) {
  aead12(code, name, 'gcm', key, hash);
}

// TLS 1.2 ChaCha20-Poly1305 (RFC 7905): the whole 12-byte nonce comes from the key block.
for (const [code, name] of [
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccad, 'TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccae, 'TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256'],
] as const) {
  aead12(code, name, 'chacha20-poly1305', 32, 'sha256');
}

// TLS 1.2 AES-CCM (RFC 6655, RFC 7251).
for (const [code, name, key, tag] of [
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM', 16, 16],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM', 32, 16],
  [0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM', 16, 16],
  [0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM', 32, 16],
  [0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8', 16, 8],
  [0xc0a1, 'TLS_RSA_WITH_AES_256_CCM_8', 32, 8],
  [0xc0a2, 'TLS_DHE_RSA_WITH_AES_128_CCM_8', 16, 8],
  [0xc0a3, 'TLS_DHE_RSA_WITH_AES_256_CCM_8', 32, 8],
  [0xc0a4, 'TLS_PSK_WITH_AES_128_CCM', 16, 16],
  [0xc0a5, 'TLS_PSK_WITH_AES_256_CCM', 32, 16],
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 16, 16],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 32, 16],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 16, 8],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8', 32, 8],
] as const) {
  aead12(code, name, 'ccm', key, 'sha256', tag);
}

// CBC with HMAC (RFC 5246 §A.5, RFC 4492, RFC 5289, RFC 4279, RFC 5487).
for (const [code, name, key, mac] of [
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 32, 'sha256'],
  [0x0040, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0x006a, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256', 32, 'sha256'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 32, 'sha256'],
  [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0x008d, 'TLS_PSK_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0x00ae, 'TLS_PSK_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0x00af, 'TLS_PSK_WITH_AES_256_CBC_SHA384', 32, 'sha384'],
  [0xc004, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0xc005, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0xc00f, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 32, 'sha384'],
  [0xc025, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0xc026, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384', 32, 'sha384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 32, 'sha384'],
  [0xc029, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0xc02a, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384', 32, 'sha384'],
  [0xc035, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA', 16, 'sha1'],
  [0xc036, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA', 32, 'sha1'],
  [0xc037, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', 16, 'sha256'],
  [0xc038, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384', 32, 'sha384'],
] as const) {
  cbc(code, name, `aes-${key * 8}-cbc`, key, 16, mac);
}
// 3DES: still met on old servers; OpenSSL 3's default provider keeps it.
for (const [code, name] of [
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
] as const) {
  cbc(code, name, 'des-ede3-cbc', 24, 8, 'sha1');
}

/** Well-known suites that are not supported, to name them in the reason. */
const UNSUPPORTED_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
  [0x0001, 'TLS_RSA_WITH_NULL_MD5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA'],
  [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc076, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc05c, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc060, 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0x00c6, 'TLS_SM4_GCM_SM3'],
  [0x00c7, 'TLS_SM4_CCM_SM3'],
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  [0x5600, 'TLS_FALLBACK_SCSV'],
]);

/** The supported suite with this code, or undefined. */
export function cipherSuite(code: number): CipherSuiteInfo | undefined {
  return SUITES.get(code);
}

/** Every supported suite, by code. */
export function supportedSuites(): CipherSuiteInfo[] {
  return [...SUITES.values()].sort((a, b) => a.code - b.code);
}

const hex4 = (n: number): string => '0x' + n.toString(16).padStart(4, '0');

/**
 * The suite to decrypt `version` with, or why not: "cipher suite 0x0005
 * (TLS_RSA_WITH_RC4_128_SHA) not supported", "... is not valid in TLS 1.1".
 */
export function suiteFor(code: number, version: number): CipherSuiteInfo | { error: string } {
  const s = SUITES.get(code);
  if (s === undefined) {
    const name = UNSUPPORTED_NAMES.get(code);
    return { error: `cipher suite ${hex4(code)}${name ? ` (${name})` : ''} not supported` };
  }
  if (s.tls13 !== (version === 0x0304) || version < s.min_version) {
    return { error: `cipher suite ${hex4(code)} (${s.name}) is not valid in ${versionName(version)}` };
  }
  return s;
}

/** The versions a key log can decrypt, as its error messages name them. */
const VERSION_WORDS: Readonly<Record<number, string>> = { 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };

export function versionName(version: number): string {
  return VERSION_WORDS[version] ?? `version ${hex4(version)}`;
}
