/**
 * `TlsDecryptor`: the record decryption of one TLS session, given what the handshake said
 * (`HandshakeFacts`) and the logged secrets (`SecretStore`). The TLS dissector drives it:
 *
 * ```ts
 * const d = TlsDecryptor.create(facts, secrets);       // after the ServerHello
 * if ('error' in d) note(d.error);                     // "no key for this session", "cipher suite 0x0005 (...) not supported"
 * d.startEncryption('c2s');                            // TLS <= 1.2: the client sent ChangeCipherSpec
 * const r = d.decrypt('c2s', type, version, fragment); // each record, in order per direction
 * if (r.ok) handle(r.content_type, r.plaintext); else anomaly('tls.decrypt_failed', r.reason);
 * d.toApplication('s2c');                              // TLS 1.3: the server's Finished was seen
 * d.keyUpdate('c2s');                                  // TLS 1.3: the client sent KeyUpdate
 * ```
 *
 * TLS <= 1.2: keys come from the CLIENT_RANDOM master secret through the key block
 * (RFC 5246 §6.3); a direction is encrypted once its peer sent ChangeCipherSpec. Before
 * that `decrypt` hands the fragment back as it is.
 *
 * TLS 1.3: both directions use the handshake traffic secrets from `create()` on, and each
 * switches to application traffic secret 0 when the dissector calls `toApplication` after
 * that side's Finished. Records whose outer type is not application_data (23) are not
 * protected (the middlebox-compatibility ChangeCipherSpec, an alert sent before the peer
 * could read keys): `decrypt` hands them back and counts no sequence number. Recovery
 * without the dissector's help, so a lost message or a partial key log costs little:
 * - in the handshake epoch, a record the handshake key cannot open is tried with the
 *   application key (the key log had no handshake secrets, or the Finished was missed), and,
 *   client to server, with the early traffic key (0-RTT data the server accepted: feed
 *   such records after `create()`);
 * - in the application epoch, a record the current key cannot open is tried with the next
 *   one (a KeyUpdate that was missed).
 * The switch happens only when the tag verifies, so it is never a guess.
 *
 * Not here, for the dissector: TLS compression (decrypt only sessions whose
 * compression_method is null), SSL 2 and 3, and records it never saw (after a TCP gap the
 * sequence numbers are lost, so a direction's decryption ends there).
 *
 * A record that fails still counts its sequence number (one damaged record does not lose
 * the rest), except a failure in the TLS 1.3 handshake epoch before any record of it
 * opened: that may be rejected 0-RTT data, which the server never counted.
 */
import type { SecretLabel, SecretStore } from '../../../dissect/secrets.js';
import { HASH_LENGTH, nextTrafficSecret, trafficKeys } from './hkdf.js';
import { keyBlock } from './prf.js';
import { CbcOpener, Tls12AeadOpener, Tls13Opener, type DecryptResult, type RecordOpener } from './record.js';
import { suiteFor, versionName, type CipherSuiteInfo } from './suites.js';

export type { DecryptResult } from './record.js';
export { BAD_RECORD_MAC } from './record.js';

export type Direction = 'c2s' | 's2c';

export interface HandshakeFacts {
  /** Negotiated: 0x0303 or 0x0304 (from supported_versions), or 0x0301/0x0302. */
  version: number;
  cipher_suite: number;
  client_random: Uint8Array;
  server_random: Uint8Array;
  /** The encrypt_then_mac extension (RFC 7366) was in both hellos; matters to CBC suites only. */
  encrypt_then_mac: boolean;
  /**
   * TLS <= 1.2 resumption: the client random of the full handshake whose session this one
   * resumes (the dissector matches them by session ID or ticket). A resumed session keeps
   * its master secret, so when the key log has no line for this client random, the line of
   * that one is used (as Wireshark does from its session cache).
   */
  resumed_from?: Uint8Array;
}

const APPLICATION_DATA = 23;

export const NO_KEY = 'no key for this session';

interface Session {
  startEncryption(dir: Direction): void;
  toApplication(dir: Direction): void;
  keyUpdate(dir: Direction): void;
  isEncrypting(dir: Direction): boolean;
  decrypt(dir: Direction, contentType: number, version: number, fragment: Uint8Array): DecryptResult;
}

export class TlsDecryptor {
  private constructor(
    /** The suite in use. */
    readonly suite: CipherSuiteInfo,
    /** The negotiated version. */
    readonly version: number,
    /** Secrets the key log lacked for this session (TLS 1.3: a direction or epoch cannot be read). */
    readonly missing: readonly SecretLabel[],
    private readonly session: Session,
  ) {}

  /** A decryptor, or why there is none: "no key for this session", "cipher suite 0x... not supported". */
  static create(facts: HandshakeFacts, secrets: SecretStore): TlsDecryptor | { error: string } {
    const { version, client_random: cr } = facts;
    if (cr.length !== 32) return { error: `client random of ${cr.length} bytes (32 expected)` };
    if (version < 0x0301 || version > 0x0304) return { error: `${versionName(version)} is not supported` };
    const suite = suiteFor(facts.cipher_suite, version);
    if ('error' in suite) return suite;

    if (version === 0x0304) {
      const labels: SecretLabel[] = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0'];
      const found = new Map<SecretLabel, Uint8Array>();
      const want = HASH_LENGTH[suite.hash];
      for (const label of [...labels, 'CLIENT_EARLY_TRAFFIC_SECRET' as const]) {
        const s = secrets.get(label, cr);
        if (s === undefined) continue;
        if (s.length !== want) return { error: `${label} of ${s.length} bytes does not fit ${suite.name} (${want} expected)` };
        found.set(label, s);
      }
      const missing = labels.filter((l) => !found.has(l));
      if (missing.length === labels.length) {
        return { error: NO_KEY + (secrets.get('CLIENT_RANDOM', cr) !== undefined ? ' (the key log has a TLS 1.2 CLIENT_RANDOM line for it)' : '') };
      }
      return new TlsDecryptor(suite, version, missing, new Tls13Session(suite, found));
    }

    let master = secrets.get('CLIENT_RANDOM', cr);
    if (master === undefined && facts.resumed_from !== undefined) master = secrets.get('CLIENT_RANDOM', facts.resumed_from);
    if (master === undefined) {
      return { error: NO_KEY + (secrets.hasClientRandom?.(cr) ? ' (the key log has only TLS 1.3 secrets for it)' : '') };
    }
    if (master.length !== 48) return { error: `CLIENT_RANDOM master secret of ${master.length} bytes (48 expected)` };
    if (facts.server_random.length !== 32) return { error: `server random of ${facts.server_random.length} bytes (32 expected)` };
    return new TlsDecryptor(suite, version, [], new Tls12Session(suite, facts, master));
  }

  /** TLS <= 1.2: the peer in `dir` sent ChangeCipherSpec: its next records are encrypted. TLS 1.3: nothing (create() started both). */
  startEncryption(dir: Direction): void {
    this.session.startEncryption(dir);
  }

  /** TLS 1.3: `dir` sent Finished: switch that direction to application traffic secret 0. Idempotent. */
  toApplication(dir: Direction): void {
    this.session.toApplication(dir);
  }

  /** TLS 1.3: `dir` sent KeyUpdate: its next records use the next traffic secret (RFC 8446 §7.2). */
  keyUpdate(dir: Direction): void {
    this.session.keyUpdate(dir);
  }

  /** Whether records from `dir` are encrypted now. */
  isEncrypting(dir: Direction): boolean {
    return this.session.isEncrypting(dir);
  }

  /**
   * One record (its header's type and version, and its fragment), in order per direction;
   * the sequence number is counted inside. TLS 1.3 returns the inner content type, without
   * the zero padding. The plaintext is the caller's to keep.
   */
  decrypt(dir: Direction, content_type: number, version: number, fragment: Uint8Array): DecryptResult {
    return this.session.decrypt(dir, content_type, version, fragment);
  }
}

class Tls12Session implements Session {
  private readonly openers: Record<Direction, RecordOpener | null> = { c2s: null, s2c: null };
  private readonly seq: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private readonly material: Record<Direction, { key: Uint8Array; macKey: Uint8Array; iv: Uint8Array }>;

  constructor(
    private readonly suite: CipherSuiteInfo,
    private readonly facts: HandshakeFacts,
    master: Uint8Array,
  ) {
    const ml = suite.mac_length;
    const kl = suite.key_length;
    const il = suite.fixed_iv_length;
    // client MAC, server MAC, client key, server key, client IV, server IV (RFC 5246 §6.3).
    const kb = keyBlock(facts.version, suite.hash, master, facts.client_random, facts.server_random, 2 * (ml + kl + il));
    let off = 0;
    const take = (n: number): Uint8Array => kb.subarray(off, (off += n));
    const cMac = take(ml);
    const sMac = take(ml);
    const cKey = take(kl);
    const sKey = take(kl);
    const cIv = take(il);
    const sIv = take(il);
    this.material = { c2s: { key: cKey, macKey: cMac, iv: cIv }, s2c: { key: sKey, macKey: sMac, iv: sIv } };
  }

  startEncryption(dir: Direction): void {
    const m = this.material[dir];
    this.openers[dir] =
      this.suite.kind === 'cbc'
        ? new CbcOpener(this.suite, m.key, m.macKey, this.facts.version, this.facts.encrypt_then_mac, m.iv)
        : new Tls12AeadOpener(this.suite, m.key, m.iv);
    this.seq[dir] = 0;
  }

  toApplication(): void {}

  keyUpdate(): void {}

  isEncrypting(dir: Direction): boolean {
    return this.openers[dir] !== null;
  }

  decrypt(dir: Direction, contentType: number, version: number, fragment: Uint8Array): DecryptResult {
    const opener = this.openers[dir];
    if (opener === null) return { ok: true, content_type: contentType, plaintext: fragment };
    return opener.open(contentType, version, fragment, this.seq[dir]++);
  }
}

interface Keyed {
  opener: RecordOpener;
  seq: number;
}

interface Tls13Direction {
  epoch: 'handshake' | 'application';
  /** The key of the epoch, or null when the key log lacks its secret. */
  current: Keyed | null;
  /** Whether a record opened with `current`. */
  opened: boolean;
  /** The application traffic secret in use, or the one to start with (N = 0). */
  appSecret: Uint8Array | undefined;
  /** Client to server: the 0-RTT key. */
  early: Keyed | null;
  /** Cached trial keys: application secret 0 (handshake epoch) or the next one (application epoch). */
  trial: { secret: Uint8Array; opener: RecordOpener } | null;
}

class Tls13Session implements Session {
  private readonly dirs: Record<Direction, Tls13Direction>;

  constructor(
    private readonly suite: CipherSuiteInfo,
    secrets: ReadonlyMap<SecretLabel, Uint8Array>,
  ) {
    const keyed = (secret: Uint8Array | undefined): Keyed | null => (secret === undefined ? null : { opener: this.opener(secret), seq: 0 });
    this.dirs = {
      c2s: {
        epoch: 'handshake',
        current: keyed(secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')),
        opened: false,
        appSecret: secrets.get('CLIENT_TRAFFIC_SECRET_0'),
        early: keyed(secrets.get('CLIENT_EARLY_TRAFFIC_SECRET')),
        trial: null,
      },
      s2c: {
        epoch: 'handshake',
        current: keyed(secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')),
        opened: false,
        appSecret: secrets.get('SERVER_TRAFFIC_SECRET_0'),
        early: null,
        trial: null,
      },
    };
  }

  private opener(secret: Uint8Array): RecordOpener {
    const { key, iv } = trafficKeys(this.suite.hash, secret, this.suite.key_length, this.suite.fixed_iv_length);
    return new Tls13Opener(this.suite, key, iv);
  }

  startEncryption(): void {}

  toApplication(dir: Direction): void {
    const d = this.dirs[dir];
    if (d.epoch === 'application') return;
    d.epoch = 'application';
    d.current = d.appSecret === undefined ? null : { opener: this.opener(d.appSecret), seq: 0 };
    d.opened = false;
    d.early = null;
    d.trial = null;
  }

  keyUpdate(dir: Direction): void {
    const d = this.dirs[dir];
    if (d.epoch !== 'application' || d.appSecret === undefined) return;
    d.appSecret = nextTrafficSecret(this.suite.hash, d.appSecret);
    d.current = { opener: this.opener(d.appSecret), seq: 0 };
    d.opened = false;
    d.trial = null;
  }

  isEncrypting(): boolean {
    return true;
  }

  /** The key to try when the current one fails: application secret 0, or the next one. */
  private trialKey(d: Tls13Direction): { secret: Uint8Array; opener: RecordOpener } | null {
    if (d.appSecret === undefined) return null;
    if (d.trial === null) {
      const secret = d.epoch === 'handshake' ? d.appSecret : nextTrafficSecret(this.suite.hash, d.appSecret);
      d.trial = { secret, opener: this.opener(secret) };
    }
    return d.trial;
  }

  decrypt(dir: Direction, contentType: number, version: number, fragment: Uint8Array): DecryptResult {
    if (contentType !== APPLICATION_DATA) return { ok: true, content_type: contentType, plaintext: fragment };
    const d = this.dirs[dir];
    let first: DecryptResult | null = null;
    if (d.current !== null) {
      const r = d.current.opener.open(contentType, version, fragment, d.current.seq);
      if (r.ok) {
        d.current.seq++;
        d.opened = true;
        return r;
      }
      first = r;
    }
    if (d.epoch === 'handshake' && d.early !== null) {
      const r = d.early.opener.open(contentType, version, fragment, d.early.seq);
      if (r.ok) {
        d.early.seq++;
        return r;
      }
    }
    const trial = this.trialKey(d);
    if (trial !== null) {
      const r = trial.opener.open(contentType, version, fragment, 0);
      if (r.ok) {
        // The tag verified under the next key: the switch the dissector did not see happened.
        d.epoch = 'application';
        d.appSecret = trial.secret;
        d.current = { opener: trial.opener, seq: 1 };
        d.opened = true;
        d.early = null;
        d.trial = null;
        return r;
      }
    }
    if (d.current === null) {
      const which = d.epoch === 'handshake' ? 'handshake' : 'application';
      const label = dir === 'c2s' ? (which === 'handshake' ? 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' : 'CLIENT_TRAFFIC_SECRET_0') : which === 'handshake' ? 'SERVER_HANDSHAKE_TRAFFIC_SECRET' : 'SERVER_TRAFFIC_SECRET_0';
      return { ok: false, reason: `no key for ${which} records (${label} not in the key log)` };
    }
    if (d.epoch === 'application' || d.opened) d.current.seq++;
    return first!;
  }
}
