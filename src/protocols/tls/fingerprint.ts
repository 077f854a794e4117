/**
 * Client and server hello fingerprints by their published definitions, GREASE (RFC 8701)
 * left out everywhere:
 * - JA3 / JA3S (Salesforce, github.com/salesforce/ja3): decimal fields joined by `-`, groups
 *   by `,`; the fingerprint is the MD5 of that string.
 * - JA4 / JA4S (FoxIO, github.com/FoxIO-LLC/ja4 technical_details): `a_b_c` with a readable
 *   prefix and SHA-256 hashes truncated to 12 hex digits.
 */
import { hexDigest } from './crypto/digest.js';
import type { ClientHello, ServerHello } from './hello.js';
import { EXT, isGrease } from './names.js';

const md5 = (s: string): string => hexDigest('md5', s);
const sha12 = (s: string): string => hexDigest('sha256', s).slice(0, 12);
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const clean = (list: readonly number[]): number[] => list.filter((v) => !isGrease(v));

export interface Ja3 {
  readonly string: string;
  readonly hash: string;
}

export function ja3(h: ClientHello): Ja3 {
  const s = [
    h.legacy_version,
    clean(h.cipher_suites).join('-'),
    clean(h.extensions).join('-'),
    clean(h.supported_groups).join('-'),
    h.ec_point_formats.join('-'),
  ].join(',');
  return { string: s, hash: md5(s) };
}

export function ja3s(h: ServerHello): Ja3 {
  const s = [h.legacy_version, h.cipher_suite, clean(h.extensions).join('-')].join(',');
  return { string: s, hash: md5(s) };
}

/** JA4's two-character versions (the JA4 spec's table). */
const JA4_VERSIONS: Readonly<Record<number, string>> = {
  0x0304: '13',
  0x0303: '12',
  0x0302: '11',
  0x0301: '10',
  0x0300: 's3',
  0x0200: 's2',
  0x0002: 's2',
  0x0100: 's1',
  0xfeff: 'd1',
  0xfefd: 'd2',
  0xfefc: 'd3',
};

/** JA4's two-character version: highest supported_versions value, else the hello's version. */
const ja4Version = (v: number): string => JA4_VERSIONS[v] ?? '00';

const count2 = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');

const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * First and last character of the first ALPN value, `00` without one. A value whose first or
 * last byte is not alphanumeric gives the first and last hex digits of its bytes (the spec's
 * rule since v0.18 for GREASE-like or binary ALPN values).
 */
function alpnChars(value: Uint8Array | string | null | undefined): string {
  if (value === undefined || value === null || value.length === 0) return '00';
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (isAlnum(b[0]!) && isAlnum(b[b.length - 1]!)) return String.fromCharCode(b[0]!, b[b.length - 1]!);
  const hex = Buffer.from(b).toString('hex');
  return hex[0]! + hex[hex.length - 1]!;
}

export interface Ja4 {
  readonly ja4: string;
  /** The sorted raw form (`ja4_r`) the hashes are taken over, for checking by eye. */
  readonly raw: string;
}

/** `transport`: `t` for TLS over TCP, `q` for QUIC, `d` for DTLS. */
export function ja4(h: ClientHello, transport: 't' | 'q' | 'd' = 't'): Ja4 {
  const versions = clean(h.supported_versions);
  const version = versions.length ? Math.max(...versions.slice(0, 256)) : h.legacy_version;
  const ciphers = clean(h.cipher_suites);
  const exts = clean(h.extensions);
  const prefix =
    transport +
    ja4Version(version) +
    (h.extensions.includes(EXT.server_name) ? 'd' : 'i') +
    count2(ciphers.length) +
    count2(exts.length) +
    alpnChars(h.alpn_first);
  const cipherList = ciphers.map(hex4).sort().join(',');
  const extList = exts
    .filter((e) => e !== EXT.server_name && e !== EXT.alpn)
    .map(hex4)
    .sort()
    .join(',');
  const sigs = clean(h.signature_algorithms).map(hex4).join(',');
  const extPart = sigs ? `${extList}_${sigs}` : extList;
  const b = ciphers.length ? sha12(cipherList) : '000000000000';
  const c = exts.length ? sha12(extPart) : '000000000000';
  return { ja4: `${prefix}_${b}_${c}`, raw: `${prefix}_${cipherList}_${extPart}` };
}

export function ja4s(h: ServerHello, transport: 't' | 'q' | 'd' = 't'): string {
  const version = h.selected_version ?? h.legacy_version;
  const exts = clean(h.extensions);
  const prefix = transport + ja4Version(version) + count2(exts.length) + alpnChars(h.alpn ?? undefined);
  const c = exts.length ? sha12(exts.map(hex4).join(',')) : '000000000000';
  return `${prefix}_${hex4(h.cipher_suite)}_${c}`;
}
