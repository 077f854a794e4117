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
  /** The secret logged for this label and ClientHello random, or undefined. Do not modify it. */
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

function keyOf(label: SecretLabel, clientRandom: Uint8Array): string {
  return label + ' ' + Buffer.from(clientRandom.buffer, clientRandom.byteOffset, clientRandom.byteLength).toString('hex');
}

function randomKey(clientRandom: Uint8Array): string {
  return Buffer.from(clientRandom.buffer, clientRandom.byteOffset, clientRandom.byteLength).toString('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class MutableSecretStore implements SecretStore {
  private readonly secrets = new Map<string, Uint8Array>();
  /** Client randoms with at least one secret (secrets are never removed). */
  private readonly randoms = new Set<string>();
  /** Secrets refused because the store was full. */
  dropped = 0;

  constructor(readonly limit: number = DEFAULT_LIMITS.max_tls_secrets) {}

  get size(): number {
    return this.secrets.size;
  }

  get(label: SecretLabel, clientRandom: Uint8Array): Uint8Array | undefined {
    if (clientRandom.length !== CLIENT_RANDOM_LENGTH) return undefined;
    return this.secrets.get(keyOf(label, clientRandom));
  }

  hasClientRandom(clientRandom: Uint8Array): boolean {
    return clientRandom.length === CLIENT_RANDOM_LENGTH && this.randoms.has(randomKey(clientRandom));
  }

  /**
   * Keeps a copy of `secret` (the caller's bytes may be a view into a large buffer). A second
   * secret for the same label and random replaces the first, as in Wireshark: a key log that
   * is appended to holds the newest value last.
   */
  add(label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array): AddOutcome {
    if (clientRandom.length !== CLIENT_RANDOM_LENGTH) throw new RangeError(`client random of ${clientRandom.length} bytes (32 expected)`);
    const key = keyOf(label, clientRandom);
    const old = this.secrets.get(key);
    if (old !== undefined) {
      if (sameBytes(old, secret)) return 'same';
      this.secrets.set(key, Uint8Array.from(secret));
      return 'replaced';
    }
    if (this.secrets.size >= this.limit) {
      this.dropped++;
      return 'full';
    }
    this.secrets.set(key, Uint8Array.from(secret));
    this.randoms.add(randomKey(clientRandom));
    return 'added';
  }
}

/** The store of a run without keys. */
export const EMPTY_SECRETS: SecretStore = Object.freeze({
  get: () => undefined,
  hasClientRandom: () => false,
  size: 0,
});
