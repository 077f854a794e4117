/**
 * QUIC events and anomaly codes. Field names follow Zeek's quic.log where it has a word
 * (`version`, `client_initial_dcid`, `server_scid`, `server_name`, `client_protocol`,
 * `history`); the TLS handshake inside comes out as the same `tls.client_hello`,
 * `tls.server_hello`, `tls.certificate` and `tls.session` events as over TCP.
 *
 * - `quic.packet`: one per QUIC packet (several per datagram when coalesced).
 * - `quic.frame`: frames a user looks for (CONNECTION_CLOSE, RESET_STREAM, STOP_SENDING,
 *   NEW_CONNECTION_ID, RETIRE_CONNECTION_ID, NEW_TOKEN, HANDSHAKE_DONE, PATH_CHALLENGE,
 *   PATH_RESPONSE, DATAGRAM); the others are listed in their packet's `frames`.
 * - `quic.connection`: one per connection at its end, quic.log's row plus counts.
 */
import { declareEvent } from '../../events/declared.js';

export const QUIC_EVENTS = {
  packet: 'quic.packet',
  frame: 'quic.frame',
  connection: 'quic.connection',
} as const;

export type QuicPacketType = 'initial' | '0rtt' | 'handshake' | 'retry' | '1rtt' | 'version_negotiation';

/** `quic.packet`. */
export interface QuicPacketFields {
  packet_type: QuicPacketType;
  /** Version name ("1", "quicv2", "draft-29"...); null for a short header. */
  version: string | null;
  version_code: number | null;
  dcid: string;
  /** Long headers only. */
  scid: string | null;
  /** Bytes of the packet on the wire. */
  length: number;
  /** Packet number once header protection is removed; null when it could not be. */
  packet_number: number | null;
  /** Short header key phase bit (after header protection removal). */
  key_phase: number | null;
  /** The payload was decrypted (Initial keys, or keys from the key log). */
  decrypted: boolean;
  /** Frame types in order (PADDING runs as one). */
  frames: string[];
  /** Position of the packet in its UDP datagram (0: first; coalesced packets follow). */
  coalesced_index: number;
  /** Initial: the token's length; Retry: the token's length. */
  token_length: number | null;
  /** Version Negotiation: the versions the server lists. */
  supported_versions: string[] | null;
  /**
   * Only on a packet that came on another flow than the connection's first (a path it
   * migrated to, RFC 9000 §9): that flow's id. The event's `flow` is the connection's.
   */
  path_flow?: number;
}

/** `quic.frame`. */
export interface QuicFrameFields {
  frame_type: string;
  packet_type: QuicPacketType;
  packet_number: number | null;
  stream_id?: number;
  error_code?: number;
  /** Transport error name, or the HTTP/3 error name for an application close in h3. */
  error_name?: string;
  /** CONNECTION_CLOSE: the frame type that caused it (transport close only). */
  caused_by_frame?: number | null;
  reason?: string;
  application?: boolean;
  final_size?: number;
  sequence?: number;
  retire_prior_to?: number;
  connection_id?: string;
  length?: number;
  data?: string;
}

/** A flow (new address or port) a connection moved to, found by its connection ID. */
export interface QuicPathFacts {
  /** The flow's id: its packets are counted there, and read as this connection's. */
  flow: number;
  /** The first packet on it. */
  first_frame: number;
  /** The client's and server's address and port on this path. */
  client_h: string;
  client_p: number;
  server_h: string;
  server_p: number;
}

export interface QuicCloseFacts {
  sender: 'client' | 'server';
  application: boolean;
  error_code: number;
  error_name: string;
  reason: string;
  frame: number;
}

/** `quic.connection`: Zeek's quic.log row and what a Wireshark user counts. */
export interface QuicConnectionFields {
  version: string | null;
  version_code: number | null;
  client_initial_dcid: string | null;
  client_scid: string | null;
  server_scid: string | null;
  server_name: string | null;
  /** First ALPN the client offered (quic.log). */
  client_protocol: string | null;
  /** ALPN the server chose (EncryptedExtensions: needs the key log). */
  server_protocol: string | null;
  /** quic.log's history: I initial, H handshake, Z 0-RTT, R retry, C close, S hello, U unknown version; client upper case. */
  history: string;
  retry: boolean;
  version_negotiation: boolean;
  /** Versions a Version Negotiation packet offered. */
  offered_versions: string[];
  c2s_packets: number;
  s2c_packets: number;
  c2s_long_packets: number;
  s2c_long_packets: number;
  c2s_short_packets: number;
  s2c_short_packets: number;
  c2s_bytes: number;
  s2c_bytes: number;
  c2s_datagrams: number;
  s2c_datagrams: number;
  /** Captured datagrams that were a segmentation offload batch of several, split at the repeated connection ID. */
  gso_datagrams: number;
  /** Packets whose payload was decrypted / could not be. */
  decrypted_packets: number;
  undecrypted_packets: number;
  /** Key phase changes seen per direction (1-RTT key updates). */
  c2s_key_updates: number;
  s2c_key_updates: number;
  /** Connection IDs each side used as destination, hex, in order of first use. */
  c2s_dcids: string[];
  s2c_dcids: string[];
  streams: number;
  stream_bytes: number;
  handshake_done: boolean;
  close: QuicCloseFacts | null;
  /** Decrypted with keys from the key log or a secrets block. */
  decrypted: boolean;
  established: boolean;
  /**
   * Only when the connection migrated: the other flows it used (RFC 9000 §9), in order. The
   * connection has one record, as in Zeek's quic.log, in its first flow.
   */
  paths?: QuicPathFacts[];
}

export const QUIC_ANOMALIES = {
  'quic.bad_packet': 'a QUIC packet header does not parse (truncated, connection ID too long, length past the datagram); the rest of the datagram is skipped',
  'quic.bad_frame': 'a decrypted payload holds a frame that does not parse or is not allowed at its encryption level; the rest of the packet is skipped',
  'quic.decrypt_failed': 'a packet the keys should open did not authenticate (wrong or missing secret, damaged packet); it is counted, not read',
  'quic.no_key': 'keys were given (--keylog, secrets blocks) but not the secrets of this connection; Handshake and 1-RTT packets are counted, not read',
  'quic.frame_limit': 'a packet with more than max_quic_frames frames; the rest are not read',
  'quic.stream_limit': 'more than max_quic_streams streams in one connection; data of new streams is counted, not reassembled',
  'quic.stream_offset': 'STREAM or CRYPTO data past max_quic_stream_offset, past the stream\'s final size, or further ahead of the delivered point than max_quic_stream_buffer; it is dropped',
  'quic.reassembly_limit': 'more than max_quic_stream_buffer bytes waited behind a hole in one stream; the hole is given up as a gap',
  'quic.gap': 'STREAM or CRYPTO bytes never seen (lost before the capture, or never decrypted); the stream goes on after the hole',
  'quic.bad_retry': 'a Retry packet whose integrity tag does not verify against the client\'s original Destination Connection ID (RFC 9001 §5.8): forged or damaged; the client drops it, so the Initial keys stay',
  'quic.path_limit': 'the run holds max_quic_path_cids connection IDs already (the table that ties a migrated path to its connection): a new ID is not entered, and a path that uses it is a flow of its own, counted, not decrypted',
  'quic.protocol_violation': 'a packet breaks a rule of RFC 9000 that does not stop parsing (reserved bits set, a frame at the wrong level, a server Initial with a token)',
} as const;

declare module '../../events/event-map.js' {
  interface EventMap {
    'quic.packet': QuicPacketFields;
    'quic.frame': QuicFrameFields;
    'quic.connection': QuicConnectionFields;
  }
  interface AnomalyCatalogue {
    quic: typeof QUIC_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
export const QUIC_PACKET = declareEvent('quic.packet', [
  'packet_type', 'version', 'version_code', 'dcid', 'scid', 'length', 'packet_number', 'key_phase',
  'decrypted', 'frames', 'coalesced_index', 'token_length', 'supported_versions', 'path_flow',
]);
