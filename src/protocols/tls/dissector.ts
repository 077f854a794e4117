/**
 * One TLS connection without keys: records per direction, handshake messages reassembled
 * and parsed while they are in clear (hellos, certificates, key exchange curve, alerts),
 * then what is encrypted is counted. At close a `tls.session` row like Zeek's ssl.log.
 *
 * Where encryption starts: TLS ≤ 1.2, after each side's ChangeCipherSpec (the next handshake
 * record is its encrypted Finished); TLS 1.3, right after the ServerHello: the server's
 * application_data records up to the client's first one are its encrypted flight
 * (EncryptedExtensions...Finished), and the client's first is its Finished.
 */
import { hexDigest } from './crypto/digest.js';
import type { DissectorContext, StreamDissector } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { Parsed } from '../../dissect/parse.js';
import { describeCertificate, parseCertificateList, toPem, unparsedCertificate, type CertificateInfo } from './certificate.js';
import type { AlertFields, CertificateFields, ClientHelloFields, ServerHelloFields, SessionFields } from './events.js';
import { ja3, ja3s, ja4, ja4s } from './fingerprint.js';
import { HandshakeReader } from './handshake.js';
import { parseClientHello, parseServerHello, serverKeyExchangeCurve, type ServerHello } from './hello.js';
import { alertLevelName, alertName, CONTENT, cipherName, extensionName, groupName, handshakeName, isGrease, signatureName, versionName } from './names.js';
import { hexOf, type Sslv2Hello } from './parser.js';
import { encryptedExtensionsAlpn, TlsDecryption } from './decryption.js';
import { RecordReader, type TlsRecord } from './records.js';

/**
 * TLS carried by another protocol without a record layer: QUIC's CRYPTO frames hold the
 * handshake messages themselves (RFC 9001 §4). The embedding protects what is encrypted (so
 * this dissector neither decrypts nor counts records), names the transport in JA4 ('q'),
 * and is told the facts it needs for its own keys.
 */
export interface TlsEmbedding {
  /** JA4's transport letter: 'q' for QUIC, 'd' for DTLS. */
  readonly transport: 'q' | 'd';
  /** The ClientHello's random (the key log's key). */
  clientHello(random: Uint8Array, alpn: readonly string[], serverName: string | null): void;
  /** A ServerHello (not a HelloRetryRequest): its suite and negotiated version. */
  serverHello(cipherSuite: number, version: number): void;
  /** EncryptedExtensions' ALPN, when the embedding decrypted it. */
  alpn?(protocol: string): void;
}

/** Handshake message names kept per direction for the session row. */
const MAX_LISTED_MESSAGES = 64;
/** Certificate descriptions kept across flows: the same chain recurs in every connection to a server. */
const CERT_CACHE = 256;
const certCache = new Map<string, CertificateInfo>();

/** Keyed by SHA-256 of the DER, so the cache holds no certificate bytes. */
function describeCached(der: Uint8Array): CertificateInfo {
  const key = hexDigest('sha256', der);
  const hit = certCache.get(key);
  if (hit) return hit;
  const info = describeCertificate(der);
  if (certCache.size >= CERT_CACHE) certCache.delete(certCache.keys().next().value!);
  certCache.set(key, info);
  return info;
}

class Side {
  /**
   * Made on the first record bytes: an embedding (QUIC) hands over bare handshake bytes and
   * never uses one, and each idle QUIC connection kept two (~1.6 KB, issue 18).
   */
  private recordReader: RecordReader | null = null;
  readonly hs: HandshakeReader;
  /** Records from here on are protected (no keys: counted, not parsed). */
  encrypted = false;
  changeCipherSpec = false;
  /** An encrypted handshake record (Finished) was seen. */
  finished = false;
  records = 0;
  appBytes = 0;
  appRecords = 0;
  readonly messages: string[] = [];

  constructor(
    private readonly dissector: TlsDissector,
    readonly dir: Direction,
    private readonly ctx: DissectorContext,
  ) {
    this.hs = new HandshakeReader(
      {
        message: (type, body) => dissector.handshake(this, type, body),
        tooLong: (type, length) =>
          ctx.anomaly('tls.handshake_limit', dir, `${handshakeName(type)} of ${length} bytes over max_tls_handshake (${ctx.limits.max_tls_handshake})`),
      },
      ctx.limits.max_tls_handshake,
    );
  }

  get reader(): RecordReader {
    if (this.recordReader !== null) return this.recordReader;
    const { dissector, dir, ctx } = this;
    return (this.recordReader = new RecordReader(
      {
        record: (r) => dissector.record(this, r),
        sslv2Hello: (h) => dissector.sslv2Hello(this, h),
        garbage: (detail) => ctx.anomaly('tls.bad_record', dir, `${detail}; ${dir} is not parsed further`),
        overflow: (length) => ctx.anomaly('tls.record_overflow', dir, `record of ${length} bytes (TLS allows ${(1 << 14) + 2048})`),
        resynced: (skipped) => ctx.anomaly('tls.gap', dir, `framing resynchronised after skipping ${skipped} bytes`),
      },
      () => ctx.frame,
      dir === 'c2s',
    ));
  }
}

export class TlsDissector implements StreamDissector {
  private readonly sides: Record<Direction, Side>;
  /** What the session row needs of the hellos: flat facts, not the parsed messages (flows wait long). */
  private sni: string | null = null;
  private clientSessionId = '';
  /** What decryption needs of the ClientHello (flat, like the rest): its random, and whether it offered encrypt_then_mac. */
  private clientRandom: string | null = null;
  private clientEtm = false;
  private clientJa3: string | null = null;
  private clientJa4: string | null = null;
  private sslv2 = false;
  private cipherSuite: number | null = null;
  private alpn: string | null = null;
  private serverJa3s: string | null = null;
  private serverJa4s: string | null = null;
  private version: number | null = null;
  private tls13 = false;
  private hrr = false;
  private resumed = false;
  private curve: string | null = null;
  private readonly chain: string[] = [];
  private readonly clientChain: string[] = [];
  private leaf: CertificateInfo | null = null;
  private lastAlert: string | null = null;
  private encryptedHandshake = 0;
  private clientFinished13 = false;
  private serverFlight13 = false;
  private established = false;
  /** Certificates exported so far; made by the first export (most runs export nothing, and every TLS or QUIC flow held an empty Set, issue 18). */
  private exported: Set<string> | null = null;
  private closed = false;
  /** Version field of the record being handled: a hello reports the record that completed it. */
  private recordVersion = 0;
  /** Keys for this session (`--keylog`): protected records are opened, application data goes to an inner stream. */
  private decryption: TlsDecryption | null = null;

  constructor(
    private readonly ctx: DissectorContext,
    private readonly embedding: TlsEmbedding | null = null,
  ) {
    this.sides = { c2s: new Side(this, 'c2s', ctx), s2c: new Side(this, 's2c', ctx) };
    if (embedding === null) ctx.setService('tls');
  }

  /**
   * Handshake bytes with no record layer around them (an embedding's CRYPTO stream of one
   * encryption level, in order): they are parsed as if they came in handshake records.
   */
  handshakeBytes(dir: Direction, bytes: Uint8Array): void {
    this.sides[dir].hs.push(bytes);
  }

  /** The embedding lost bytes of `dir`'s handshake stream: a partial message is dropped. */
  handshakeGap(dir: Direction): void {
    this.sides[dir].hs.reset();
  }

  /** The embedding saw the handshake complete (QUIC: HANDSHAKE_DONE or 1-RTT both ways). */
  handshakeDone(): void {
    this.established = true;
    this.sides.c2s.finished = true;
    this.sides.s2c.finished = true;
  }

  /** The ALPN protocol chosen (ServerHello in TLS ≤ 1.2, EncryptedExtensions in 1.3), once known. */
  get negotiatedAlpn(): string | null {
    return this.alpn ?? this.decryption?.alpn ?? null;
  }

  data(dir: Direction, bytes: Uint8Array): void {
    this.sides[dir].reader.push(bytes);
    if (this.ctx.summaryOnly) this.stopWhenSummarised();
  }

  /**
   * Without keys, once both sides are protected nothing the summary reads can change: the
   * hellos are behind, and a later alert is encrypted (it names no description). A
   * summary-only run writes the summary now and stops reading records.
   */
  private stopWhenSummarised(): void {
    if (this.embedding !== null || this.decryption !== null || !this.sides.c2s.encrypted || !this.sides.s2c.encrypted) return;
    this.summary();
    this.ctx.stop?.();
  }

  gap(dir: Direction, length: number): void {
    const side = this.sides[dir];
    if (side.reader.isStopped) return;
    this.ctx.anomaly('tls.gap', dir, `${length} bytes not captured`);
    side.reader.gap();
    side.hs.reset();
    this.decryption?.gap(dir, length);
  }

  end(dir: Direction, how: 'fin' | 'rst'): void {
    this.decryption?.end(dir, how);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // The inner protocol's unfinished work first, then this session's row.
    this.decryption?.close();
    const { c2s, s2c } = this.sides;
    const fields: SessionFields = {
      version: this.version !== null ? versionName(this.version) : null,
      version_code: this.version,
      cipher: this.cipherSuite !== null ? cipherName(this.cipherSuite) : null,
      cipher_suite: this.cipherSuite,
      curve: this.curve,
      server_name: this.sni,
      next_protocol: this.alpn ?? this.decryption?.alpn ?? null,
      resumed: this.resumed,
      established: this.established,
      cert_chain_fps: this.chain,
      client_cert_chain_fps: this.clientChain,
      subject: this.leaf?.subject ?? null,
      issuer: this.leaf?.issuer ?? null,
      last_alert: this.lastAlert,
      ja3: this.clientJa3,
      ja3s: this.serverJa3s,
      ja4: this.clientJa4,
      ja4s: this.serverJa4s,
      c2s_handshake: c2s.messages,
      s2c_handshake: s2c.messages,
      c2s_records: c2s.records,
      s2c_records: s2c.records,
      encrypted_handshake_records: this.encryptedHandshake,
      c2s_app_bytes: c2s.appBytes,
      s2c_app_bytes: s2c.appBytes,
      c2s_app_records: c2s.appRecords,
      s2c_app_records: s2c.appRecords,
      decrypted: (this.decryption?.decrypted ?? 0) > 0,
      hello_retry_request: this.hrr,
      incomplete: !this.established,
    };
    this.ctx.emit('tls.session', null, fields);
    // An embedding writes the flow's summary itself.
    if (this.embedding === null) this.summary();
  }

  private summary(): void {
    const parts = [this.version !== null ? versionName(this.version) : this.sslv2 ? 'SSLv2-hello' : 'TLS'];
    if (this.sni) parts.push(this.sni);
    const alpn = this.alpn ?? this.decryption?.alpn;
    if (alpn) parts.push(alpn);
    if (this.resumed) parts.push('resumed');
    if (this.lastAlert) parts.push(`alert ${this.lastAlert}`);
    this.ctx.setSummary(parts.join(' '));
  }

  /** One record as sent. With keys, a protection layer would hand over the inner record here. */
  record(side: Side, r: TlsRecord): void {
    side.records++;
    this.recordVersion = r.version;
    // With keys, the record's inner content goes on from here (application data to the inner
    // stream); what follows counts the record as it was sent, keys or not. A decrypted alert
    // was reported with its description.
    const opened = this.decryption?.open(side.dir, r) ?? null;
    if (opened?.content_type === CONTENT.alert && r.content_type === CONTENT.alert) return;
    switch (r.content_type) {
      case CONTENT.change_cipher_spec:
        this.changeCipherSpec(side);
        return;
      case CONTENT.alert:
        this.alert(side, r);
        return;
      case CONTENT.handshake:
        if (side.encrypted) this.encryptedHandshakeRecord(side);
        else side.hs.push(r.fragment);
        return;
      case CONTENT.application_data:
        this.applicationData(side, r);
        return;
      default:
        // Heartbeat (RFC 6520): counted as a record, nothing else.
        return;
    }
  }

  private changeCipherSpec(side: Side): void {
    side.changeCipherSpec = true;
    // TLS 1.3 sends ChangeCipherSpec only for middlebox compatibility (RFC 8446 appendix D.4),
    // also around a HelloRetryRequest, before the second ClientHello and the real ServerHello.
    if (this.tls13 || this.hrr) return;
    this.decryption?.changeCipherSpec(side.dir);
    side.encrypted = true;
    side.hs.reset();
    // Abbreviated handshake (RFC 5246 §7.3): the server changes ciphers first.
    if (side.dir === 's2c' && !this.sides.c2s.changeCipherSpec && this.cipherSuite !== null) this.resumed = true;
  }

  private encryptedHandshakeRecord(side: Side): void {
    this.encryptedHandshake++;
    side.finished = true;
    if (this.sides.c2s.finished && this.sides.s2c.finished) this.established = true;
  }

  private applicationData(side: Side, r: TlsRecord): void {
    if (this.tls13 && !this.clientFinished13) {
      if (side.dir === 's2c') {
        this.serverFlight13 = true;
        this.encryptedHandshake++;
        return;
      }
      this.clientFinished13 = true;
      this.encryptedHandshake++;
      this.established = this.serverFlight13;
      return;
    }
    side.appBytes += r.fragment.length;
    side.appRecords++;
  }

  private alert(side: Side, r: TlsRecord): void {
    const encrypted = side.encrypted || r.fragment.length !== 2;
    if (!side.encrypted && r.fragment.length !== 2) {
      this.ctx.anomaly('tls.bad_alert', side.dir, `alert record of ${r.fragment.length} bytes in clear`);
    }
    const fields: AlertFields = encrypted
      ? { level: null, level_code: null, description: null, description_code: null, encrypted: true }
      : {
          level: alertLevelName(r.fragment[0]!),
          level_code: r.fragment[0]!,
          description: alertName(r.fragment[1]!),
          description_code: r.fragment[1]!,
          encrypted: false,
        };
    if (fields.description) this.lastAlert = fields.description;
    this.ctx.emit('tls.alert', side.dir, fields);
  }

  /** A whole handshake message in clear. */
  handshake(side: Side, type: number, body: Uint8Array): void {
    if (side.messages.length < MAX_LISTED_MESSAGES) side.messages.push(handshakeName(type));
    switch (type) {
      case 1:
      case 2: {
        // A ClientHello comes only from the client, a ServerHello only from the server.
        const client = type === 1;
        if (side.dir !== (client ? 'c2s' : 's2c')) {
          this.ctx.anomaly('tls.unexpected_message', side.dir, client ? 'ClientHello sent by the server' : 'ServerHello sent by the client');
          return;
        }
        if (client) this.clientHello(body);
        else this.serverHello(body);
        return;
      }
      case 11:
        this.certificates(side, body);
        return;
      case 8:
        // Only an embedding hands over decrypted handshake messages this way (TLS's own
        // decryption reads EncryptedExtensions itself).
        if (this.embedding !== null && side.dir === 's2c') {
          this.alpn ??= encryptedExtensionsAlpn(body);
          if (this.alpn !== null) this.embedding.alpn?.(this.alpn);
        }
        return;
      case 12:
        if (this.cipherSuite !== null && cipherName(this.cipherSuite).includes('ECDHE')) {
          const g = serverKeyExchangeCurve(body);
          if (g !== null) this.curve = groupName(g);
        }
        return;
    }
  }

  private extensionAnomalies(dir: Direction, what: string, trimmed: boolean, malformed: readonly number[]): void {
    if (trimmed) this.ctx.anomaly('tls.extension_limit', dir, `${what} has more than max_tls_extensions (${this.ctx.limits.max_tls_extensions}) extensions; the rest were not read`);
    for (const t of malformed) this.ctx.anomaly('tls.bad_extension', dir, `${what} ${extensionName(t)} (${t}) does not parse`);
  }

  /** A parsed hello, or null after `tls.bad_handshake` when it does not parse (a handshake message is whole here). */
  private parsedHello<T>(p: Parsed<T>, dir: Direction, what: string): T | null {
    if (p.kind === 'done') return p.value;
    this.ctx.anomaly('tls.bad_handshake', dir, p.kind === 'error' ? p.reason : `${what} incomplete`);
    return null;
  }

  private clientHello(body: Uint8Array): void {
    const h = this.parsedHello(parseClientHello(body, this.ctx.limits.max_tls_extensions), 'c2s', 'ClientHello');
    if (!h) return;
    this.sni = h.server_name;
    this.clientSessionId = h.session_id;
    this.clientRandom = h.random;
    this.clientEtm = h.extensions.includes(22);
    this.extensionAnomalies('c2s', 'ClientHello', h.extensions_trimmed, h.malformed);
    // Fingerprints and the hello's record are read by events only.
    if (this.ctx.summaryOnly) {
      this.embedding?.clientHello(Buffer.from(h.random, 'hex'), h.alpn, h.server_name);
      return;
    }
    const j3 = ja3(h);
    const j4 = ja4(h, this.embedding?.transport ?? 't');
    this.embedding?.clientHello(Buffer.from(h.random, 'hex'), h.alpn, h.server_name);
    this.clientJa3 = j3.hash;
    this.clientJa4 = j4.ja4;
    const names = (list: readonly number[], name: (n: number) => string) => list.filter((v) => !isGrease(v)).map(name);
    const fields: ClientHelloFields = {
      // QUIC carries the hello in CRYPTO frames: no record, no record version.
      record_version: this.embedding === null ? versionName(this.recordVersion) : null,
      legacy_version: versionName(h.legacy_version),
      legacy_version_code: h.legacy_version,
      supported_versions: names(h.supported_versions, versionName),
      server_name: h.server_name,
      alpn: [...h.alpn],
      cipher_suites: [...h.cipher_suites],
      compression_methods: [...h.compression_methods],
      extensions: [...h.extensions],
      supported_groups: names(h.supported_groups, groupName),
      ec_point_formats: [...h.ec_point_formats],
      signature_algorithms: names(h.signature_algorithms, signatureName),
      key_share_groups: names(h.key_share_groups, groupName),
      psk_key_exchange_modes: [...h.psk_key_exchange_modes],
      random: h.random,
      session_id: h.session_id,
      session_ticket: h.session_ticket,
      psk_offered: h.psk_offered,
      early_data: h.early_data,
      ech: h.ech,
      sslv2: false,
      ja3: j3.hash,
      ja3_string: j3.string,
      ja4: j4.ja4,
      ja4_r: j4.raw,
    };
    this.ctx.emit('tls.client_hello', 'c2s', fields);
  }


  sslv2Hello(side: Side, h: Sslv2Hello): void {
    side.records++;
    if (side.messages.length < MAX_LISTED_MESSAGES) side.messages.push('sslv2_client_hello');
    this.sslv2 = true;
    // TLS suites in an SSLv2 hello are the 3-byte specs 0x00XXYY.
    const suites = h.cipher_specs.filter((s) => s >> 16 === 0).map((s) => s & 0xffff);
    const fields: ClientHelloFields = {
      record_version: 'SSLv2',
      legacy_version: versionName(h.version),
      legacy_version_code: h.version,
      supported_versions: [],
      server_name: null,
      alpn: [],
      cipher_suites: suites,
      compression_methods: [0],
      extensions: [],
      supported_groups: [],
      ec_point_formats: [],
      signature_algorithms: [],
      key_share_groups: [],
      psk_key_exchange_modes: [],
      // RFC 5246 E.2: the challenge, right-aligned in 32 bytes, is the client random.
      random: hexOf(h.challenge).padStart(64, '0'),
      session_id: hexOf(h.session_id),
      session_ticket: false,
      psk_offered: false,
      early_data: false,
      ech: false,
      sslv2: true,
      // JA3 and JA4 are defined over the TLS ClientHello structure only.
      ja3: null,
      ja3_string: null,
      ja4: null,
      ja4_r: null,
    };
    this.ctx.emit('tls.client_hello', 'c2s', fields);
  }

  private serverHello(body: Uint8Array): void {
    const h = this.parsedHello(parseServerHello(body, this.ctx.limits.max_tls_extensions), 's2c', 'ServerHello');
    if (!h) return;
    this.extensionAnomalies('s2c', h.hello_retry_request ? 'HelloRetryRequest' : 'ServerHello', h.extensions_trimmed, h.malformed);
    const version = h.selected_version ?? h.legacy_version;
    // Fingerprints are read by events only.
    const j3 = this.ctx.summaryOnly ? null : ja3s(h);
    const j4 = this.ctx.summaryOnly ? null : ja4s(h, this.embedding?.transport ?? 't');
    let resumed = false;
    if (h.hello_retry_request) {
      this.hrr = true;
    } else {
      this.cipherSuite = h.cipher_suite;
      this.alpn = h.alpn;
      this.version = version;
      this.serverJa3s = j3?.hash ?? null;
      this.serverJa4s = j4;
      if (version === 0x0304) {
        resumed = h.psk_selected;
        if (h.key_share_group !== null) this.curve = groupName(h.key_share_group);
      } else {
        const offered = this.clientSessionId;
        resumed = offered !== '' && offered === h.session_id;
      }
      this.resumed ||= resumed;
    }
    if (j3 !== null && j4 !== null) {
      const fields: ServerHelloFields = {
        version: versionName(version),
        version_code: version,
        legacy_version: versionName(h.legacy_version),
        cipher: cipherName(h.cipher_suite),
        cipher_suite: h.cipher_suite,
        compression_method: h.compression_method,
        extensions: [...h.extensions],
        next_protocol: h.alpn,
        curve: h.key_share_group !== null ? groupName(h.key_share_group) : null,
        random: h.random,
        session_id: h.session_id,
        hello_retry_request: h.hello_retry_request,
        resumed,
        ja3s: j3.hash,
        ja3s_string: j3.string,
        ja4s: j4,
      };
      this.ctx.emit('tls.server_hello', 's2c', fields);
    }
    if (version === 0x0304 && !h.hello_retry_request) {
      // Everything after the ServerHello is protected in both directions.
      this.tls13 = true;
      this.sides.s2c.encrypted = true;
      this.sides.c2s.encrypted = true;
    }
    if (this.embedding !== null) {
      if (!h.hello_retry_request) this.embedding.serverHello(h.cipher_suite, version);
      return;
    }
    if (!h.hello_retry_request && this.clientRandom !== null && this.ctx.secrets) this.startDecryption(h, version, this.clientRandom);
    this.summary();
  }

  private startDecryption(h: ServerHello, version: number, clientRandom: string): void {
    const facts = {
      version,
      cipher_suite: h.cipher_suite,
      client_random: Buffer.from(clientRandom, 'hex'),
      server_random: Buffer.from(h.random, 'hex'),
      // encrypt_then_mac (RFC 7366) applies when both hellos carry it.
      encrypt_then_mac: this.clientEtm && h.extensions.includes(22),
    };
    this.decryption = TlsDecryption.start(this.ctx, facts, h.alpn, {
      message: (dir, type, body) => this.handshake(this.sides[dir], type, body),
      alert: (dir, plaintext) => this.decryptedAlert(this.sides[dir], plaintext),
    });
  }

  private decryptedAlert(side: Side, plaintext: Uint8Array): void {
    if (plaintext.length !== 2) {
      this.ctx.anomaly('tls.bad_alert', side.dir, `decrypted alert of ${plaintext.length} bytes`);
      return;
    }
    const fields: AlertFields = {
      level: alertLevelName(plaintext[0]!),
      level_code: plaintext[0]!,
      description: alertName(plaintext[1]!),
      description_code: plaintext[1]!,
      encrypted: true,
    };
    this.lastAlert = fields.description;
    this.ctx.emit('tls.alert', side.dir, fields);
  }

  private certificates(side: Side, body: Uint8Array): void {
    // Certificates are read by events and the exporter only.
    if (this.ctx.summaryOnly && !this.ctx.wants_objects) return;
    const limits = this.ctx.limits;
    const list = parseCertificateList(body, this.tls13, limits.max_tls_chain);
    if (list.error) this.ctx.anomaly('tls.bad_handshake', side.dir, list.error);
    if (list.dropped) {
      this.ctx.anomaly('tls.chain_limit', side.dir, `${list.certs.length + list.dropped} certificates, over max_tls_chain (${limits.max_tls_chain}); ${list.dropped} not parsed`);
    }
    const sender = side.dir === 's2c' ? 'server' : 'client';
    const fps = side.dir === 's2c' ? this.chain : this.clientChain;
    list.certs.forEach((der, index) => {
      let info: CertificateInfo;
      if (der.length > limits.max_tls_certificate) {
        this.ctx.anomaly('tls.certificate_limit', side.dir, `certificate ${index} of ${der.length} bytes over max_tls_certificate (${limits.max_tls_certificate})`);
        info = unparsedCertificate(der, 'over max_tls_certificate');
      } else {
        info = describeCached(der);
        if (info.error) this.ctx.anomaly('tls.bad_certificate', side.dir, `certificate ${index}: ${info.error}`);
      }
      fps.push(info.sha256);
      if (index === 0 && side.dir === 's2c') this.leaf = info;
      const now = this.ctx.ts.sec * 1000;
      const notAfter = info.not_after ? Date.parse(info.not_after) : NaN;
      const notBefore = info.not_before ? Date.parse(info.not_before) : NaN;
      const fields: CertificateFields = {
        index,
        sender,
        sha256: info.sha256,
        sha1: info.sha1,
        der_length: der.length,
        subject: info.subject,
        issuer: info.issuer,
        serial: info.serial,
        san_dns: [...info.san_dns],
        san_ip: [...info.san_ip],
        san_email: [...info.san_email],
        san_uri: [...info.san_uri],
        not_before: info.not_before,
        not_after: info.not_after,
        expired: Number.isFinite(notAfter) ? now > notAfter : null,
        not_yet_valid: Number.isFinite(notBefore) ? now < notBefore : null,
        key_type: info.key_type,
        key_bits: info.key_bits,
        key_curve: info.key_curve,
        signature_algorithm: info.signature_algorithm,
        signature_oid: info.signature_oid,
        is_ca: info.is_ca,
        self_signed: info.self_signed,
      };
      this.ctx.emit('tls.certificate', side.dir, fields);
      this.exportCertificate(der, info.sha256);
    });
  }

  private exportCertificate(der: Uint8Array, sha256: string): void {
    if (!this.ctx.wants_objects) return;
    const exported = (this.exported ??= new Set());
    if (exported.has(sha256)) return;
    exported.add(sha256);
    const name = sha256.slice(0, 16);
    this.ctx.exportObject({ protocol: 'tls', name: `${name}.der`, content_type: 'application/pkix-cert', frame: this.ctx.frame, data: der.slice() });
    this.ctx.exportObject({ protocol: 'tls', name: `${name}.pem`, content_type: 'application/x-pem-file', frame: this.ctx.frame, data: Buffer.from(toPem(der), 'latin1') });
  }
}

