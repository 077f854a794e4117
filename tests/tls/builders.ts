/**
 * Hand-made TLS bytes for the tests: records, handshake messages, hellos, certificates.
 * Two throwaway certificates made once with openssl (a P-256 CA, self-signed, and an RSA-2048
 * leaf it signed) are embedded as DER.
 */
export const CA_DER = Buffer.from('MIIBuzCCAWGgAwIBAgIUb4iB7vN6OnXYmq0LslpOCCyfggswCgYIKoZIzj0EAwIwMzEWMBQGA1UECgwNV2lyZWxlbnMgVGVzdDEZMBcGA1UEAwwQV2lyZWxlbnMgVGVzdCBDQTAeFw0yNjEyMDcwNDIxMTVaFw0zNjEyMDQwNDIxMTVaMDMxFjAUBgNVBAoMDVdpcmVsZW5zIFRlc3QxGTAXBgNVBAMMEFdpcmVsZW5zIFRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARw7+JVpJGGdNnR7gYIUCKM4ZaFitAuz3hKAfO4uhyq0CWe4/vGlSYT9oXd19RYLQPgyBu5qY/vooAMLMudQwlTo1MwUTAdBgNVHQ4EFgQULiMwLqzCcex9VCx1biNVwRD0SrowHwYDVR0jBBgwFoAULiMwLqzCcex9VCx1biNVwRD0SrowDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA0+iQ+4A5wJBzDA3MGSKrX1nAW2T5nEP5hzZvvsITSNkCIFltQ5uAm+ku6MufPnvKZXAlglYKWYi6AzhX2iqwcnoK', 'base64');
export const LEAF_DER = Buffer.from('MIICqzCCAlGgAwIBAgIUbEaXo3Le6rYGMbWfjPwPJamAtcMwCgYIKoZIzj0EAwIwMzEWMBQGA1UECgwNV2lyZWxlbnMgVGVzdDEZMBcGA1UEAwwQV2lyZWxlbnMgVGVzdCBDQTAeFw0yNjEyMDcwNDIxMTdaFw0yNzEyMDcwNDIxMTdaMDAxFjAUBgNVBAoMDVdpcmVsZW5zIFRlc3QxFjAUBgNVBAMMDXRlc3Qud2lyZWxlbnMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQC+Q7ZrwrH8B1297gq7jGVN0c7hrVXXSRxU54EHYF9qD8Vb8E9m6kMvLAfoXov8nn1sSNjLpNeRQuwZ7whsfEkMjDlmYn7iop+lC/vLloPXbDU/yPCBopTBuwpU77OYEH8DCFC3zeH6n80L2cLTcFZcQ3cu9IWhjrfcG1vaTa52HvhjpwLezXOAK3N0fr/XRy9eJC7IFdkzlMs+RUFrLsVp/jpZjOZ8CtuJGPz1q1pV3wUfNJdEWA7GAzZyvbfi3O6PYJNGbwsrHqlzaAJlKBrJZViXFwCmlACHhAKdN5pcz/uAEktifuvNLJy/k+Ow9FmDufy/yoEZJKRZBrwZoxypAgMBAAGjezB5MCwGA1UdEQQlMCOCDXRlc3Qud2lyZWxlbnOCDGFsdC53aXJlbGVuc4cEfwAAATAJBgNVHRMEAjAAMB0GA1UdDgQWBBTFl4OFwYQHCMR0LMAi21IfTjrd9jAfBgNVHSMEGDAWgBQuIzAurMJx7H1ULHVuI1XBEPRKujAKBggqhkjOPQQDAgNIADBFAiBFNtoW7ubyA+pdrWVgVS89G6UNpXvZwYxkMgeMk+0lnwIhANpiqCd4dusG7ao6bWtGo4fFxHYUkWOZg9XhN+uWrAdR', 'base64');
/** CA: notBefore 2026-12-07T04:21:15Z, notAfter 2036-12-04T04:21:15Z. Leaf: 2026-12-07T04:21:17Z to 2027-12-07T04:21:17Z. */
export const CA_SHA256 = '43310ed8b6a98c8571962cec877d3ebd6b78827d30714e491eff54771b4ae010';
export const LEAF_SHA256 = 'b85cd86ab1273c3c781fdf73a52f8f13422f3520f97a1cdd5a839488c6829b50';
export const LEAF_SERIAL = '6C4697A372DEEAB60631B59F8CFC0F25A980B5C3';

export const u8 = (n: number): number[] => [n & 0xff];
export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const bytes = (b: ArrayLike<number>): number[] => Array.from(b);

export function vec(prefix: 1 | 2 | 3, body: ArrayLike<number>): number[] {
  const len = prefix === 1 ? u8(body.length) : prefix === 2 ? u16(body.length) : u24(body.length);
  return [...len, ...bytes(body)];
}

export function ext(type: number, data: ArrayLike<number>): number[] {
  return [...u16(type), ...vec(2, data)];
}

export const sni = (name: string): number[] => ext(0, vec(2, [0, ...vec(2, Buffer.from(name))]));
export const alpn = (...protos: string[]): number[] => ext(16, vec(2, protos.flatMap((p) => vec(1, Buffer.from(p)))));
export const u16ListExt = (type: number, values: number[], prefix: 1 | 2 = 2): number[] => ext(type, vec(prefix, values.flatMap(u16)));
export const supportedVersions = (...v: number[]): number[] => u16ListExt(43, v, 1);
export const groups = (...g: number[]): number[] => u16ListExt(10, g);
export const sigalgs = (...s: number[]): number[] => u16ListExt(13, s);
export const pointFormats = (...f: number[]): number[] => ext(11, vec(1, f));
export const keyShare = (...g: number[]): number[] => ext(51, vec(2, g.flatMap((x) => [...u16(x), ...vec(2, new Array(32).fill(7))])));

export function handshake(type: number, body: ArrayLike<number>): number[] {
  return [type, ...u24(body.length), ...bytes(body)];
}

export function record(type: number, body: ArrayLike<number>, version = 0x0303): Uint8Array {
  return Uint8Array.from([type, ...u16(version), ...u16(body.length), ...bytes(body)]);
}

export const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

export interface HelloSpec {
  version?: number;
  random?: number[];
  sessionId?: number[];
  ciphers: number[];
  compression?: number[];
  extensions?: number[][];
}

export function clientHelloBody(h: HelloSpec): number[] {
  const exts = (h.extensions ?? []).flat();
  return [
    ...u16(h.version ?? 0x0303),
    ...(h.random ?? new Array(32).fill(0x11)),
    ...vec(1, h.sessionId ?? []),
    ...vec(2, h.ciphers.flatMap(u16)),
    ...vec(1, h.compression ?? [0]),
    ...(h.extensions ? vec(2, exts) : []),
  ];
}

export const clientHello = (h: HelloSpec): number[] => handshake(1, clientHelloBody(h));

export interface ServerHelloSpec {
  version?: number;
  random?: number[];
  sessionId?: number[];
  cipher: number;
  extensions?: number[][];
}

export const HRR_RANDOM = Array.from(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));

export function serverHelloBody(h: ServerHelloSpec): number[] {
  const exts = (h.extensions ?? []).flat();
  return [
    ...u16(h.version ?? 0x0303),
    ...(h.random ?? new Array(32).fill(0x22)),
    ...vec(1, h.sessionId ?? []),
    ...u16(h.cipher),
    0,
    ...(h.extensions ? vec(2, exts) : []),
  ];
}

export const serverHello = (h: ServerHelloSpec): number[] => handshake(2, serverHelloBody(h));

/** A TLS ≤ 1.2 Certificate message. */
export function certificateMessage(certs: Uint8Array[]): number[] {
  return handshake(11, vec(3, certs.flatMap((c) => vec(3, c))));
}

/** The ClientHello of the JA4 technical details' worked example (FoxIO JA4.md). */
export const JA4_EXAMPLE_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
export const JA4_EXAMPLE_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
