import { declareEvent } from '../../events/declared.js';
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
 * What an extension message (BEP 10) adds to `bittorrent.message`: the extended handshake's
 * dictionary (`m`, `v`, `p`, `metadata_size`, `reqq`, `yourip`, `upload_only`), ut_metadata's
 * (BEP 9), ut_pex's, or the payload of another extension (`payload`, or `payload_length`
 * when it is empty or not bencoded).
 */
export interface BittorrentExtensionFields {
  m?: { readonly [name: string]: number };
  v?: string | null;
  p?: number | null;
  metadata_size?: number | null;
  reqq?: number | null;
  yourip?: string | null;
  upload_only?: number | null;
  metadata_msg_type?: string | number | null;
  piece?: number | null;
  total_size?: number | null;
  data_length?: number;
  added?: string[];
  dropped?: string[];
  added_count?: number;
  dropped_count?: number;
  payload_length?: number;
  payload?: JsonValue;
}

/**
 * `bittorrent.message`: one peer-wire message. `msg_type` is tshark's lower-case name (or the
 * number of an unknown type); the other fields depend on it. Extension messages (BEP 10)
 * add what their dictionary holds (BittorrentExtensionFields).
 */
export interface BittorrentMessageFields extends BittorrentExtensionFields {
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

/*
 * Field order of the output (events/declared.ts). `bittorrent.message`'s is one order that
 * keeps every message kind's own (block: piece_index, begin, length; unknown type: unknown,
 * length), then the extension's fields, whose groups never meet in one message.
 */
export const BT_MESSAGE = declareEvent('bittorrent.message', [
  'msg_type', 'piece_index', 'begin', 'unknown', 'length', 'bitfield_length', 'pieces_set', 'port', 'ext_id', 'ext_name',
  'm', 'v', 'p', 'metadata_size', 'reqq', 'yourip', 'upload_only',
  'metadata_msg_type', 'piece', 'total_size', 'data_length',
  'added', 'dropped', 'added_count', 'dropped_count',
  'payload_length', 'payload',
]);
export const BT_KEEP_ALIVE = declareEvent('bittorrent.keep_alive', ['msg_type']);
export const BT_HANDSHAKE = declareEvent('bittorrent.handshake', ['info_hash', 'peer_id', 'client', 'client_version', 'reserved', 'extensions']);
export const BT_ENCRYPTED = declareEvent('bittorrent.encrypted', ['method']);
export const BT_CONNECTION = declareEvent('bittorrent.connection', ['info_hash', 'encrypted', 'mse_plaintext', 'piece_length', 'start', 'duration', 'c2s', 's2c']);
