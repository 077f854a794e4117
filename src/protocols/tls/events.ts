/**
 * TLS events and anomaly codes. Field names follow Zeek's ssl.log and x509.log (`version`,
 * `cipher`, `curve`, `server_name`, `resumed`, `established`, `next_protocol`,
 * `cert_chain_fps`); `tls.client_hello.server_name` and `tls.server_hello.version_code` /
 * `cipher_suite` are what ../shared/tools/fidelity.py reads (keep them).
 */
import { declareEvent } from '../../events/declared.js';

export const TLS_EVENTS = {
  client_hello: 'tls.client_hello',
  server_hello: 'tls.server_hello',
  certificate: 'tls.certificate',
  alert: 'tls.alert',
  session: 'tls.session',
} as const;

/** `tls.client_hello`, one per ClientHello (two after a HelloRetryRequest). */
export interface ClientHelloFields {
  /** Record-layer version of the record that carried it; null inside QUIC (no records). */
  record_version: string | null;
  /** legacy_version as a name and number (TLS 1.3 clients say TLSv1.2 here). */
  legacy_version: string;
  legacy_version_code: number;
  /** supported_versions, names, GREASE left out. */
  supported_versions: string[];
  server_name: string | null;
  alpn: string[];
  /** Cipher suites as numbers, in order, GREASE included as sent. */
  cipher_suites: number[];
  compression_methods: number[];
  /** Extension types in wire order. */
  extensions: number[];
  supported_groups: string[];
  ec_point_formats: number[];
  signature_algorithms: string[];
  key_share_groups: string[];
  psk_key_exchange_modes: number[];
  random: string;
  session_id: string;
  /** A session ticket (RFC 5077) is offered. */
  session_ticket: boolean;
  /** A pre_shared_key (TLS 1.3 resumption) is offered. */
  psk_offered: boolean;
  early_data: boolean;
  /** encrypted_client_hello (0xfe0d) present: the real SNI is hidden. */
  ech: boolean;
  /** An SSLv2-format ClientHello (RFC 5246 appendix E.2). */
  sslv2: boolean;
  ja3: string | null;
  ja3_string: string | null;
  ja4: string | null;
  ja4_r: string | null;
}

/** `tls.server_hello`, one per ServerHello or HelloRetryRequest. */
export interface ServerHelloFields {
  /** Negotiated version: supported_versions in TLS 1.3, else legacy_version. */
  version: string;
  version_code: number;
  legacy_version: string;
  /** IANA name and number of the chosen suite. */
  cipher: string;
  cipher_suite: number;
  compression_method: number;
  extensions: number[];
  /** ALPN protocol chosen (Zeek: next_protocol). */
  next_protocol: string | null;
  /** key_share group (TLS 1.3). */
  curve: string | null;
  random: string;
  session_id: string;
  hello_retry_request: boolean;
  /** Resumption decided by this hello: TLS 1.3 pre_shared_key, or a TLS ≤ 1.2 session id echo. */
  resumed: boolean;
  ja3s: string;
  ja3s_string: string;
  ja4s: string;
}

/** `tls.certificate`, one per certificate sent in clear (x509.log words). */
export interface CertificateFields {
  /** Position in the chain, 0 = leaf. */
  index: number;
  /** Who sent it: `server`, or `client` for client authentication. */
  sender: 'server' | 'client';
  sha256: string;
  sha1: string;
  der_length: number;
  subject: string | null;
  issuer: string | null;
  serial: string | null;
  san_dns: string[];
  san_ip: string[];
  san_email: string[];
  san_uri: string[];
  not_before: string | null;
  not_after: string | null;
  /** Not valid at the packet's capture time (after not_after). */
  expired: boolean | null;
  /** Not yet valid at capture time (before not_before). */
  not_yet_valid: boolean | null;
  key_type: string | null;
  key_bits: number | null;
  key_curve: string | null;
  signature_algorithm: string | null;
  signature_oid: string | null;
  is_ca: boolean | null;
  self_signed: boolean | null;
}

/** `tls.alert`. Encrypted alerts (after ChangeCipherSpec, or TLS 1.3) have no level or description. */
export interface AlertFields {
  level: string | null;
  level_code: number | null;
  description: string | null;
  description_code: number | null;
  encrypted: boolean;
}

/** `tls.session` at close: an ssl.log row. */
export interface SessionFields {
  version: string | null;
  version_code: number | null;
  cipher: string | null;
  cipher_suite: number | null;
  curve: string | null;
  server_name: string | null;
  next_protocol: string | null;
  resumed: boolean;
  established: boolean;
  /** Server certificate SHA-256 fingerprints, leaf first. */
  cert_chain_fps: string[];
  client_cert_chain_fps: string[];
  /** Subject and issuer of the leaf (ssl.log's subject/issuer). */
  subject: string | null;
  issuer: string | null;
  last_alert: string | null;
  ja3: string | null;
  ja3s: string | null;
  ja4: string | null;
  ja4s: string | null;
  /** Handshake messages seen in clear, per direction, in order. */
  c2s_handshake: string[];
  s2c_handshake: string[];
  c2s_records: number;
  s2c_records: number;
  /** Encrypted handshake records (TLS 1.3 after ServerHello; Finished after ChangeCipherSpec). */
  encrypted_handshake_records: number;
  /** Application-data payload bytes (record payloads, ciphertext) per direction. */
  c2s_app_bytes: number;
  s2c_app_bytes: number;
  c2s_app_records: number;
  s2c_app_records: number;
  /** Application data was decrypted (needs a key log; false without one). */
  decrypted: boolean;
  hello_retry_request: boolean;
  /** The connection ended before the handshake did. */
  incomplete: boolean;
}

export type TlsEventFields = ClientHelloFields | ServerHelloFields | CertificateFields | AlertFields | SessionFields;

export const TLS_ANOMALIES = {
  'tls.bad_record': 'bytes that are not a TLS record header (unknown content type or version) where one was due; that direction is no longer parsed',
  'tls.record_overflow': 'a record longer than 2^14 + 2048 bytes, more than any TLS version allows (RFC 8446 §5.2, RFC 5246 §6.2.3)',
  'tls.bad_handshake': 'a handshake message (ClientHello, ServerHello, Certificate...) whose fields do not fit its length; it is not reported',
  'tls.bad_extension': 'a hello extension whose body does not parse; its type is listed, its value is not',
  'tls.bad_alert': 'an unencrypted alert record that is not 2 bytes long',
  'tls.bad_certificate': 'a certificate that X509Certificate cannot parse; its hashes are reported, its fields are not',
  'tls.handshake_limit': 'a handshake message longer than max_tls_handshake; it is skipped by its length',
  'tls.certificate_limit': 'a certificate longer than max_tls_certificate; its hashes are reported, its fields are not parsed',
  'tls.chain_limit': 'a Certificate message with more than max_tls_chain certificates; the rest are counted, not parsed',
  'tls.extension_limit': 'a hello with more than max_tls_extensions extensions; the rest are not read',
  'tls.unexpected_message': 'a handshake message or record in a place the protocol does not allow (a ClientHello from the server, data before the hello)',
  'tls.decrypt_failed': 'a record the session keys could not open (wrong key, damaged record, or record sequence lost to a gap); that direction is not decrypted further, and the inner stream is told what was lost',
  'tls.no_key': 'keys were given (--keylog, secrets blocks) but not for this session, or not all its secrets; it is counted, not decrypted',
  'tls.gap': 'bytes of this direction were not captured; a partial record was dropped and framing resynchronised on the next plausible record header',
} as const;

declare module '../../events/event-map.js' {
  interface EventMap {
    'tls.client_hello': ClientHelloFields;
    'tls.server_hello': ServerHelloFields;
    'tls.certificate': CertificateFields;
    'tls.alert': AlertFields;
    'tls.session': SessionFields;
  }
  interface AnomalyCatalogue {
    tls: typeof TLS_ANOMALIES;
  }
}

/** Field order of the output (events/declared.ts): the order of each interface above, which is the order the dissector writes. */
export const TLS_CLIENT_HELLO = declareEvent('tls.client_hello', [
  'record_version', 'legacy_version', 'legacy_version_code', 'supported_versions', 'server_name', 'alpn', 'cipher_suites', 'compression_methods', 'extensions', 'supported_groups', 'ec_point_formats', 'signature_algorithms', 'key_share_groups', 'psk_key_exchange_modes', 'random', 'session_id', 'session_ticket', 'psk_offered', 'early_data', 'ech', 'sslv2', 'ja3', 'ja3_string', 'ja4', 'ja4_r',
]);
export const TLS_SERVER_HELLO = declareEvent('tls.server_hello', [
  'version', 'version_code', 'legacy_version', 'cipher', 'cipher_suite', 'compression_method', 'extensions', 'next_protocol', 'curve', 'random', 'session_id', 'hello_retry_request', 'resumed', 'ja3s', 'ja3s_string', 'ja4s',
]);
export const TLS_CERTIFICATE = declareEvent('tls.certificate', [
  'index', 'sender', 'sha256', 'sha1', 'der_length', 'subject', 'issuer', 'serial', 'san_dns', 'san_ip', 'san_email', 'san_uri', 'not_before', 'not_after', 'expired', 'not_yet_valid', 'key_type', 'key_bits', 'key_curve', 'signature_algorithm', 'signature_oid', 'is_ca', 'self_signed',
]);
export const TLS_ALERT = declareEvent('tls.alert', [
  'level', 'level_code', 'description', 'description_code', 'encrypted',
]);
export const TLS_SESSION = declareEvent('tls.session', [
  'version', 'version_code', 'cipher', 'cipher_suite', 'curve', 'server_name', 'next_protocol', 'resumed', 'established', 'cert_chain_fps', 'client_cert_chain_fps', 'subject', 'issuer', 'last_alert', 'ja3', 'ja3s', 'ja4', 'ja4s', 'c2s_handshake', 's2c_handshake', 'c2s_records', 's2c_records', 'encrypted_handshake_records', 'c2s_app_bytes', 's2c_app_bytes', 'c2s_app_records', 's2c_app_records', 'decrypted', 'hello_retry_request', 'incomplete',
]);
