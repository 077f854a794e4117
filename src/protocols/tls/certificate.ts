/**
 * Certificates of the handshake: the Certificate message list (RFC 5246 §7.4.2, RFC 8446
 * §4.4.2), each certificate described with node:crypto's X509Certificate in Zeek's x509.log
 * words. X509Certificate does not give the signature algorithm, so a small bounded DER walk
 * reads it (RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 * signatureValue }).
 */
import { X509Certificate } from 'node:crypto';
import { hexDigest } from './crypto/digest.js';
import { Cursor } from './parser.js';

export interface CertificateList {
  /** Each certificate's DER, in the order sent (leaf first). */
  readonly certs: readonly Uint8Array[];
  /** Entries beyond `maxCerts`, counted and not returned. */
  readonly dropped: number;
  readonly error: string | null;
}

/**
 * The certificate_list of a Certificate message. TLS 1.3 adds a request context before it
 * and extensions after each certificate.
 */
export function parseCertificateList(body: Uint8Array, tls13: boolean, maxCerts: number): CertificateList {
  const c = new Cursor(body);
  if (tls13) c.vec(1);
  const list = new Cursor(c.vec(3));
  if (c.failed) return { certs: [], dropped: 0, error: 'Certificate message shorter than its list length' };
  const certs: Uint8Array[] = [];
  let dropped = 0;
  while (list.left > 0) {
    const der = list.vec(3);
    if (tls13) list.vec(2);
    if (list.failed) return { certs, dropped, error: 'certificate entry overruns the list' };
    if (certs.length >= maxCerts) dropped++;
    else certs.push(der);
  }
  return { certs, dropped, error: null };
}

/** One DER TLV header: tag, the content's offset and length. Null when it does not fit. */
function tlv(b: Uint8Array, at: number): { tag: number; start: number; end: number } | null {
  if (at + 2 > b.length) return null;
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // Four length bytes cover any certificate a handshake can carry (2^24).
    if (n === 0 || n > 4 || start + n > b.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  const end = start + len;
  return end > b.length ? null : { tag, start, end };
}

/** Dotted OID from its DER content; null if malformed (a 7-bit group runs off the end). */
export function oidToString(b: Uint8Array): string | null {
  if (b.length === 0 || b.length > 64) return null;
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    } else if (i === b.length - 1) return null;
  }
  const first = parts.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** The certificate's outer signatureAlgorithm OID, by walking three TLVs. */
export function signatureOid(der: Uint8Array): string | null {
  const outer = tlv(der, 0);
  if (!outer || outer.tag !== 0x30) return null;
  const tbs = tlv(der, outer.start);
  if (!tbs || tbs.tag !== 0x30) return null;
  const alg = tlv(der, tbs.end);
  if (!alg || alg.tag !== 0x30) return null;
  const oid = tlv(der, alg.start);
  if (!oid || oid.tag !== 0x06 || oid.end > alg.end) return null;
  return oidToString(der.subarray(oid.start, oid.end));
}

const SIGNATURE_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

export function signatureAlgorithmName(oid: string): string {
  return SIGNATURE_OIDS[oid] ?? oid;
}

/** What x509.log says of one certificate, plus what tshark users look for. */
export interface CertificateInfo {
  readonly sha256: string;
  readonly sha1: string;
  readonly der_length: number;
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly serial: string | null;
  readonly san_dns: readonly string[];
  readonly san_ip: readonly string[];
  readonly san_email: readonly string[];
  readonly san_uri: readonly string[];
  /** ISO 8601 UTC. */
  readonly not_before: string | null;
  readonly not_after: string | null;
  readonly key_type: string | null;
  readonly key_bits: number | null;
  readonly key_curve: string | null;
  readonly signature_algorithm: string | null;
  readonly signature_oid: string | null;
  readonly is_ca: boolean | null;
  readonly self_signed: boolean | null;
  /** Why X509Certificate refused the DER; the hashes are still given. */
  readonly error: string | null;
}

/**
 * RFC 4514 order (most specific first, comma-separated), as Zeek writes subjects; Node lists
 * RDNs from the root down, one per line.
 */
function distinguishedName(nodeForm: string): string {
  return nodeForm
    .split('\n')
    .filter((l) => l !== '')
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return eq < 0 ? rdn : rdn.slice(0, eq + 1) + rdn.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1');
    })
    .reverse()
    .join(',');
}

/** `Jan  2 03:04:05 2030 GMT` → ISO; Date.parse of a fixed text is deterministic. */
function isoDate(text: string): string | null {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : null;
}

/** Splits Node's `DNS:a, IP Address:1.2.3.4` list; values may be quoted JSON strings when they hold commas. */
function splitSan(text: string | undefined): { dns: string[]; ip: string[]; email: string[]; uri: string[] } {
  const out = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
  if (!text) return out;
  const re = /(DNS|IP Address|email|URI|[A-Za-z ]+?):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of text.matchAll(re)) {
    let v = m[2]!;
    if (v.startsWith('"')) {
      try {
        v = JSON.parse(v) as string;
      } catch {
        /* keep as written */
      }
    }
    if (m[1] === 'DNS') out.dns.push(v);
    else if (m[1] === 'IP Address') out.ip.push(v);
    else if (m[1] === 'email') out.email.push(v);
    else if (m[1] === 'URI') out.uri.push(v);
  }
  return out;
}

/** A certificate known only by its hashes (too large to parse, or refused by X509Certificate). */
export function unparsedCertificate(der: Uint8Array, error: string): CertificateInfo {
  const oid = der.length ? signatureOid(der) : null;
  return {
    sha256: hexDigest('sha256', der),
    sha1: hexDigest('sha1', der),
    der_length: der.length,
    signature_oid: oid,
    signature_algorithm: oid ? signatureAlgorithmName(oid) : null,
    subject: null,
    issuer: null,
    serial: null,
    san_dns: [],
    san_ip: [],
    san_email: [],
    san_uri: [],
    not_before: null,
    not_after: null,
    key_type: null,
    key_bits: null,
    key_curve: null,
    is_ca: null,
    self_signed: null,
    error,
  };
}

export function describeCertificate(der: Uint8Array): CertificateInfo {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    return unparsedCertificate(der, err instanceof Error ? err.message : String(err));
  }
  const oid = signatureOid(der);
  const base = {
    sha256: hexDigest('sha256', der),
    sha1: hexDigest('sha1', der),
    der_length: der.length,
    signature_oid: oid,
    signature_algorithm: oid ? signatureAlgorithmName(oid) : null,
  };
  const san = splitSan(cert.subjectAltName);
  let key_type: string | null = null;
  let key_bits: number | null = null;
  let key_curve: string | null = null;
  try {
    const key = cert.publicKey;
    key_type = key.asymmetricKeyType ?? null;
    const d = key.asymmetricKeyDetails;
    key_bits = d?.modulusLength ?? null;
    key_curve = d?.namedCurve ?? null;
    if (key_bits === null && key_curve !== null) key_bits = curveBits(key_curve);
    if (key_type === 'ed25519') key_bits = 256;
    if (key_type === 'ed448') key_bits = 456;
  } catch {
    /* a key type Node cannot load: left null */
  }
  const subject = distinguishedName(cert.subject);
  const issuer = distinguishedName(cert.issuer);
  let self_signed = false;
  if (cert.subject === cert.issuer) {
    try {
      self_signed = cert.verify(cert.publicKey);
    } catch {
      self_signed = false;
    }
  }
  return {
    ...base,
    subject,
    issuer,
    serial: cert.serialNumber.toUpperCase(),
    san_dns: san.dns,
    san_ip: san.ip,
    san_email: san.email,
    san_uri: san.uri,
    not_before: isoDate(cert.validFrom),
    not_after: isoDate(cert.validTo),
    key_type,
    key_bits,
    key_curve,
    is_ca: cert.ca,
    self_signed,
    error: null,
  };
}

function curveBits(curve: string): number | null {
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : null;
}

/** PEM armour of a DER certificate (RFC 7468 §5), lines of 64. */
export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
