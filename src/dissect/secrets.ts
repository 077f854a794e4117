/**
 * The TLS secrets every layer shares: the key log reader (`capture/keylog.ts`, for
 * `--keylog` and for pcapng Decryption Secrets Blocks) fills a `MutableSecretStore`; the
 * TLS dissector only reads it through `SecretStore` and hands it to
 * `protocols/tls/crypto/decryptor.ts`.
 *
 * Secrets are keyed the way the NSS key log keys them: by label and the 32-byte
 * ClientHello random of the session. (TLS 1.2 session-ID keyed lines, `RSA Session-ID:`,
 * are not kept: OpenSSL, NSS, GnuTLS and BoringSSL all log CLIENT_RANDOM.)
 *
 * API (stable; other branches build on it):
 * - `SecretLabel`, `SECRET_LABELS`: the labels kept.
 * - `SecretStore`: `get(label, clientRandom)`, `size`, and optionally `hasClientRandom(clientRandom)`.
 * - `MutableSecretStore(limit?)`: `add(label, clientRandom, secret)` returns what happened
 *   (`'added'`, `'replaced'`, `'same'`, `'full'`); `dropped` counts secrets refused at
 *   the limit (`max_tls_secrets`), so the caller can say so once.
 * - `EMPTY_SECRETS`: a store with nothing in it, for runs without keys.
 */
import { DEFAULT_LIMITS } from './limits.js';

export const SECRET_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
] as const;

export type SecretLabel = (typeof SECRET_LABELS)[number];

const LABEL_SET: ReadonlySet<string> = new Set(SECRET_LABELS);
export const isSecretLabel = (s: string): s is SecretLabel => LABEL_SET.has(s);

/** Length of a ClientHello random, the key of every secret. */
export const CLIENT_RANDOM_LENGTH = 32;

export interface SecretStore {
  /** The secret logged for this label and ClientHello random, or undefined. */
  get(label: SecretLabel, clientRandom: Uint8Array): Uint8Array | undefined;
  /**
   * Whether any secret is logged for this ClientHello random (to tell "no key" from "a key
   * of the other TLS version"). Optional, so a store made elsewhere needs only `get`.
   */
  hasClientRandom?(clientRandom: Uint8Array): boolean;
  /** Secrets held. */
  readonly size: number;
}

export type AddOutcome = 'added' | 'replaced' | 'same' | 'full';

/** One character per label keeps the map keys short. */
const LABEL_CODE: ReadonlyMap<SecretLabel, string> = new Map(SECRET_LABELS.map((l, i) => [l, String.fromCharCode(0x41 + i)]));

/** Bytes as a latin1 string: a third of the memory of a Uint8Array object for 32 to 48 bytes. */
function packed(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function unpacked(s: string): Uint8Array {
  const b = Buffer.from(s, 'latin1');
  // A Buffer this small is a view into a shared pool; hand out bytes of their own.
  return new Uint8Array(b);
}

export class MutableSecretStore implements SecretStore {
  /**
   * Label code + client random (latin1) -> secret (latin1). Strings, not Uint8Arrays: at
   * the max_tls_secrets bound of 262,144 this holds about 60 MB instead of about 150.
   */
  private readonly secrets = new Map<string, string>();
  /** Client randoms (latin1) with at least one secret (secrets are never removed). */
  private readonly randoms = new Set<string>();
  /** Secrets refused because the store was full. */
  dropped = 0;

  constructor(readonly limit: number = DEFAULT_LIMITS.max_tls_secrets) {}

  get size(): number {
    return this.secrets.size;
  }

  /** A fresh copy each call: the caller may keep or change it. */
  get(label: SecretLabel, clientRandom: Uint8Array): Uint8Array | undefined {
    if (clientRandom.length !== CLIENT_RANDOM_LENGTH) return undefined;
    const s = this.secrets.get(LABEL_CODE.get(label)! + packed(clientRandom));
    return s === undefined ? undefined : unpacked(s);
  }

  hasClientRandom(clientRandom: Uint8Array): boolean {
    return clientRandom.length === CLIENT_RANDOM_LENGTH && this.randoms.has(packed(clientRandom));
  }

  /**
   * Keeps a copy of `secret`. A second secret for the same label and random replaces the
   * first, as in Wireshark: a key log that is appended to holds the newest value last.
   */
  add(label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array): AddOutcome {
    if (clientRandom.length !== CLIENT_RANDOM_LENGTH) throw new RangeError(`client random of ${clientRandom.length} bytes (32 expected)`);
    const random = packed(clientRandom);
    const key = LABEL_CODE.get(label)! + random;
    const value = packed(secret);
    const old = this.secrets.get(key);
    if (old !== undefined) {
      if (old === value) return 'same';
      this.secrets.set(key, value);
      return 'replaced';
    }
    if (this.secrets.size >= this.limit) {
      this.dropped++;
      return 'full';
    }
    this.secrets.set(key, value);
    this.randoms.add(random);
    return 'added';
  }
}

/** The store of a run without keys. */
export const EMPTY_SECRETS: SecretStore = Object.freeze({
  get: () => undefined,
  hasClientRandom: () => false,
  size: 0,
});
