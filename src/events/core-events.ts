/** Field order of the engine's own events (events/declared.ts); their shapes are in event-map.ts. */
import { declareEvent } from './declared.js';

/** As `Flow.record` writes them: identity, tunnels, stream numbers, then Zeek's conn.log counters. */
export const FLOW_END = declareEvent('flow.end', [
  'proto',
  'service',
  'orig_h',
  'orig_p',
  'resp_h',
  'resp_p',
  'community_id',
  'tunnel',
  'tcp_stream',
  'udp_stream',
  'start',
  'duration',
  'first_frame',
  'last_frame',
  'orig_pkts',
  'orig_bytes',
  'orig_ip_bytes',
  'orig_frame_bytes',
  'resp_pkts',
  'resp_bytes',
  'resp_ip_bytes',
  'resp_frame_bytes',
  'conn_state',
  'history',
  'missed_bytes',
  'tcp_rtt',
  'flipped',
  'summary',
  'end_reason',
]);

/**
 * `credentials`, from every protocol that carries them: one order that keeps each emitter's
 * own (FTP, SMTP, IMAP, POP3, SOCKS: protocol, user, secret, mechanism, success; HTTP Basic:
 * ..., mechanism, header; HTTP Digest: ..., secret, secret_kind, mechanism, header, user_kind,
 * realm, uri, algorithm, qop). `success` and `header` never meet in one event.
 */
export const CREDENTIALS = declareEvent('credentials', [
  'protocol',
  'user',
  'secret',
  'secret_kind',
  'mechanism',
  'success',
  'header',
  'user_kind',
  'realm',
  'uri',
  'algorithm',
  'qop',
]);
