import type { JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';

/**
 * BitTorrent event vocabulary: `bittorrent.handshake` and `bittorrent.message` on the peer
 * wire (fidelity contract: info_hash in hex, msg_type as a lower-case name), per-connection
 * `bittorrent.connection` summaries, `bittorrent.tracker` (HTTP and UDP trackers),
 * `bittorrent.dht` (KRPC), and `bittorrent.encrypted` for MSE/PE connections.
 */
export const BITTORRENT_ANOMALIES = {
  'bittorrent.bad_handshake': 'a peer-wire direction did not start with a valid handshake; that direction is not parsed',
  'bittorrent.message_too_long': 'a message length prefix is beyond limits.max_bt_message; that direction is no longer parsed',
  'bittorrent.bad_message': 'a message has a length that does not fit its type, or an index out of range',
  'bittorrent.bencode_depth': 'bencoded data nests deeper than limits.max_bencode_depth',
  'bittorrent.bad_bencode': 'bencoded data is malformed (bad length, bad integer, unterminated)',
  'bittorrent.unmatched_response': 'a DHT or UDP-tracker response whose transaction id matches no query',
  'bittorrent.pending_limit': 'more unanswered DHT or UDP-tracker queries than max_pending_transactions; the oldest was forgotten',
  'bittorrent.bad_tracker_packet': 'a UDP tracker datagram is too short for its action',
  'bittorrent.stream_gap': 'bytes of a peer-wire stream were lost; that direction is no longer framed',
} as const;

export type BittorrentAnomalyCode = keyof typeof BITTORRENT_ANOMALIES;

export const BT_EVENTS = {
  handshake: 'bittorrent.handshake',
  message: 'bittorrent.message',
  keepAlive: 'bittorrent.keep_alive',
  connection: 'bittorrent.connection',
  tracker: 'bittorrent.tracker',
  dht: 'bittorrent.dht',
  encrypted: 'bittorrent.encrypted',
} as const;

/**
 * `bittorrent.message`: one peer-wire message. `msg_type` is tshark's lower-case name (or the
 * number of an unknown type); the other fields depend on it. Extension messages (BEP 10)
 * add what their dictionary holds (handshake `m`, `v`, `p`, `metadata_size`; ut_pex
 * `added`/`dropped`; ut_metadata `metadata_msg_type`, `piece`, `total_size`).
 */
export interface BittorrentMessageFields {
  msg_type: string;
  piece_index?: number;
  begin?: number;
  length?: number;
  bitfield_length?: number;
  pieces_set?: number;
  port?: number;
  unknown?: true;
  ext_id?: number;
  ext_name?: string;
  readonly [extension: string]: JsonValue | undefined;
}

/** `bittorrent.keep_alive`: a zero-length message (tshark gives it no type). */
export interface BittorrentKeepAliveFields {
  msg_type: 'keep_alive';
}

/** `bittorrent.handshake`: the peer-wire handshake of one side. */
export interface BittorrentHandshakeFields {
  info_hash: string;
  peer_id: string;
  client: string | null;
  client_version: string | null;
  reserved: string;
  extensions: { extension_protocol: boolean; dht: boolean; fast: boolean };
}

/** One side of a peer-wire connection, as `bittorrent.connection` lists it. */
export interface BittorrentPeerSide {
  addr: string;
  port: number;
  peer_id: string | null;
  client: string | null;
  bytes: number;
  /** Message counts, pieces, choking and the rest (see `connection.ts`). */
  readonly [statistic: string]: JsonValue | undefined;
}

/** `bittorrent.connection`: one per peer-wire connection, at its end. */
export interface BittorrentConnectionFields {
  info_hash: string | null;
  encrypted: boolean;
  mse_plaintext: true | undefined;
  piece_length: number | null;
  start: Timestamp | null;
  duration: number;
  c2s: BittorrentPeerSide;
  s2c: BittorrentPeerSide;
}

/** `bittorrent.encrypted`: the connection uses MSE/PE and is not parsed further. */
export interface BittorrentEncryptedFields {
  method: 'MSE/PE';
}

/**
 * `bittorrent.dht`: one KRPC message (BEP 5). Queries carry their arguments, responses and
 * errors the query they answer (`method`, `query_frame`, `rtt`).
 */
export interface BittorrentDhtFields {
  y: string;
  method: string | null;
  transaction_id: string;
  query_frame?: number | null;
  rtt?: number | null;
  info_hash?: JsonValue;
  /** The message's own arguments or values (`node_id`, `target`, `nodes`, `values`, `token`...). */
  readonly [argument: string]: JsonValue | undefined;
}

/**
 * `bittorrent.tracker`: an HTTP tracker transaction (BEP 3, 23) or a UDP tracker
 * request or response (BEP 15). The fields of the request and response follow.
 */
export interface BittorrentTrackerFields {
  transport: 'http' | 'udp';
  message: 'transaction' | 'request' | 'response';
  action: string;
  readonly [field: string]: JsonValue | undefined;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'bittorrent.handshake': BittorrentHandshakeFields;
    'bittorrent.message': BittorrentMessageFields;
    'bittorrent.keep_alive': BittorrentKeepAliveFields;
    'bittorrent.connection': BittorrentConnectionFields;
    'bittorrent.encrypted': BittorrentEncryptedFields;
    'bittorrent.dht': BittorrentDhtFields;
    'bittorrent.tracker': BittorrentTrackerFields;
  }
  interface AnomalyCatalogue {
    bittorrent: typeof BITTORRENT_ANOMALIES;
  }
}
