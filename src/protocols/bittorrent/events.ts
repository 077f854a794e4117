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
