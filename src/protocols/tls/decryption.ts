/**
 * The keys side of one TLS connection: between the record reader and the dissector, it
 * turns protected records into their inner content (with `TlsDecryptor`, from the run's
 * secrets) and hands decrypted application data to an inner stream (`ctx.openInner`), where
 * the protocol ALPN names, or detection, dissects it as if it were a connection of its own.
 *
 * Handshake messages that were encrypted (TLS 1.3: EncryptedExtensions, Certificate,
 * Finished; KeyUpdate later; TLS 1.2: Finished) are parsed here for what moves the keys
 * (Finished: application traffic secrets; KeyUpdate: the next secret) and handed back to
 * the dissector (certificates). A record that fails to decrypt is reported once per
 * direction (`tls.decrypt_failed`) and that direction is not decrypted further: the inner
 * stream is told what was lost as a gap, and the outer dissector goes on counting.
 */
import type { DissectorContext, StreamDissector } from '../../dissect/contract.js';
import { decodeText } from '../../dissect/text.js';
import type { Direction } from '../../events/event.js';
import { TlsDecryptor, type HandshakeFacts } from './crypto/decryptor.js';
import { HandshakeReader } from './handshake.js';
import { CONTENT, handshakeName } from './names.js';
import type { TlsRecord } from './records.js';

/** ALPN protocol IDs (RFC 7301 registry) to the registry names of our dissectors. */
const ALPN_PROTOCOLS: Readonly<Record<string, string>> = { h2: 'http2', 'http/1.1': 'http', 'http/1.0': 'http' };

/** What the decrypted handshake hands back to the dissector. */
export interface DecryptedHandshake {
  /** A whole handshake message that was protected on the wire. */
  message(dir: Direction, type: number, body: Uint8Array): void;
  /** A decrypted alert record's plaintext. */
  alert(dir: Direction, plaintext: Uint8Array): void;
}

/** Decrypted content: what the outer dissector still has to count, or null. */
export type Opened = { content_type: number; plaintext: Uint8Array } | null;

export class TlsDecryption {
  private inner: StreamDissector | null = null;
  /** A direction stops at its first failure or gap: its sequence numbers are lost. */
  private readonly stopped: Record<Direction, boolean> = { c2s: false, s2c: false };
  private readonly hs: Record<Direction, HandshakeReader>;
  /** Records decrypted, both directions. */
  decrypted = 0;

  private constructor(
    private readonly ctx: DissectorContext,
    private readonly decryptor: TlsDecryptor,
    /** The ALPN protocol chosen: the ServerHello's (TLS ≤ 1.2), or EncryptedExtensions' (TLS 1.3, once decrypted). */
    public alpn: string | null,
    private readonly back: DecryptedHandshake,
  ) {
    const reader = (dir: Direction) =>
      new HandshakeReader(
        {
          message: (type, body) => this.handshake(dir, type, body),
          tooLong: (type, length) => ctx.anomaly('tls.handshake_limit', dir, `decrypted ${handshakeName(type)} of ${length} bytes over max_tls_handshake (${ctx.limits.max_tls_handshake})`),
        },
        ctx.limits.max_tls_handshake,
      );
    this.hs = { c2s: reader('c2s'), s2c: reader('s2c') };
  }

  /**
   * After the ServerHello: a decryption when the run has secrets for this session; else
   * null, and when the run has secrets at all, why not (`tls.no_key`): a key log that does
   * not cover a session is worth saying, a run without keys is not.
   */
  static start(ctx: DissectorContext, facts: HandshakeFacts, alpn: string | null, back: DecryptedHandshake): TlsDecryption | null {
    const secrets = ctx.secrets;
    if (!secrets || secrets.size === 0) return null;
    const d = TlsDecryptor.create(facts, secrets);
    if ('error' in d) {
      ctx.anomaly('tls.no_key', null, `not decrypted: ${d.error}; application data is counted`);
      return null;
    }
    if (d.missing.length) ctx.anomaly('tls.no_key', null, `the key log lacks ${d.missing.join(', ')} for this session; what they protect is not decrypted`);
    return new TlsDecryption(ctx, d, alpn, back);
  }

  /** TLS ≤ 1.2: `dir` sent ChangeCipherSpec. */
  changeCipherSpec(dir: Direction): void {
    this.decryptor.startEncryption(dir);
  }

  /**
   * A record as sent: its inner content when it was protected and opened; null when it was
   * not protected (the dissector handles it as before) or could not be opened.
   */
  open(dir: Direction, r: TlsRecord): Opened {
    if (this.stopped[dir]) {
      this.lost(dir, r);
      return null;
    }
    if (!this.decryptor.isEncrypting(dir)) return null;
    const res = this.decryptor.decrypt(dir, r.content_type, r.version, r.fragment);
    if (!res.ok) {
      this.stopped[dir] = true;
      this.ctx.anomaly('tls.decrypt_failed', dir, `record of ${r.fragment.length} bytes: ${res.reason}; ${dir} is not decrypted further`);
      this.lost(dir, r);
      return null;
    }
    // TLS 1.3 hands unprotected records (compatibility ChangeCipherSpec) back as they are.
    if (res.plaintext === r.fragment && res.content_type === r.content_type && r.content_type !== CONTENT.application_data) return null;
    this.decrypted++;
    switch (res.content_type) {
      case CONTENT.handshake:
        this.hs[dir].push(res.plaintext);
        break;
      case CONTENT.application_data:
        if (res.plaintext.length) this.stream().data(dir, res.plaintext);
        break;
      case CONTENT.alert:
        this.back.alert(dir, res.plaintext);
        break;
    }
    return { content_type: res.content_type, plaintext: res.plaintext };
  }

  /** A record of `dir` that was not decrypted after a failure: the inner stream has a hole. */
  private lost(dir: Direction, r: TlsRecord): void {
    if (r.content_type === CONTENT.application_data && this.inner) this.inner.gap(dir, r.fragment.length);
  }

  /** Bytes of `dir` were not captured: its sequence numbers are lost. */
  gap(dir: Direction, length: number): void {
    if (!this.stopped[dir] && this.decryptor.isEncrypting(dir)) this.ctx.anomaly('tls.decrypt_failed', dir, `${length} bytes not captured: record sequence lost; ${dir} is not decrypted further`);
    this.stopped[dir] = true;
    this.inner?.gap(dir, length);
    this.hs[dir].reset();
  }

  end(dir: Direction, how: 'fin' | 'rst'): void {
    this.inner?.end?.(dir, how);
  }

  close(): void {
    this.inner?.close();
  }

  /** The inner stream, opened with the first application data. */
  private stream(): StreamDissector {
    const protocol = this.alpn === null ? undefined : ALPN_PROTOCOLS[this.alpn];
    return (this.inner ??= this.ctx.openInner({ via: 'tls', protocol }));
  }

  private handshake(dir: Direction, type: number, body: Uint8Array): void {
    if (type === 20) this.decryptor.toApplication(dir); // Finished
    else if (type === 24) this.decryptor.keyUpdate(dir); // KeyUpdate
    else if (type === 8 && dir === 's2c') this.alpn ??= encryptedExtensionsAlpn(body); // EncryptedExtensions
    this.back.message(dir, type, body);
  }
}

/**
 * The protocol an EncryptedExtensions message (RFC 8446 §4.3.1) selects with ALPN
 * (RFC 7301 §3.1: a list of exactly one name); null when absent or malformed.
 */
export function encryptedExtensionsAlpn(body: Uint8Array): string | null {
  if (body.length < 2) return null;
  const end = Math.min(body.length, 2 + ((body[0]! << 8) | body[1]!));
  for (let at = 2; at + 4 <= end; ) {
    const type = (body[at]! << 8) | body[at + 1]!;
    const length = (body[at + 2]! << 8) | body[at + 3]!;
    const data = body.subarray(at + 4, Math.min(end, at + 4 + length));
    at += 4 + length;
    if (type !== 16) continue;
    if (data.length < 3) return null;
    const name = data.subarray(3, 3 + data[2]!);
    return name.length === data[2]! && name.length > 0 ? decodeText(name) : null;
  }
  return null;
}
