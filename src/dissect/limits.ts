/**
 * Every unbounded quantity has a limit here. Hitting one trims the input and emits an
 * anomaly; it never stops the run. All are overridable with `--limit name=value`.
 */
export interface Limits {
  /** Out-of-order bytes queued per flow direction before the hole is declared a gap. */
  reassembly_per_flow: number;
  /** Out-of-order bytes queued across all flows. */
  reassembly_total: number;
  /** Concurrent flows tracked; beyond it the least recently used is closed. */
  max_flows: number;
  /** Seconds without a packet after which a flow is closed (by capture time). */
  flow_idle_timeout: number;
  /** Seconds without a packet after which a UDP or ICMP flow is closed. */
  udp_idle_timeout: number;
  /** Seconds a closed (FIN/RST) TCP flow lingers for stray packets. */
  flow_closed_timeout: number;
  /** IP datagrams being reassembled at once. */
  max_pending_fragments: number;
  /** Bytes of reassembly buffers of all IP datagrams pending at once. */
  max_fragment_bytes: number;
  /** Seconds a partial IP datagram waits for its missing fragments. */
  fragment_timeout: number;
  /** Bytes buffered for protocol detection per direction before giving up. */
  detect_buffer: number;
  /** Longest line in line-based protocols. */
  max_line: number;
  /** Header fields per HTTP message, HTTP/2 header list, or mail header. */
  max_headers: number;
  /** Bytes of one header section (HTTP/1.1 head, HTTP/2 header list, mail header). */
  max_header_bytes: number;
  /** HPACK dynamic table size a peer may ask for. */
  max_hpack_table: number;
  /** Decompressed body size. */
  max_decompressed: number;
  /** Decompressed-to-compressed ratio. */
  max_decompression_ratio: number;
  /** Body bytes kept per object for export and mail parsing. */
  max_object: number;
  /** IMAP literal size. */
  max_imap_literal: number;
  /** BitTorrent message length. */
  max_bt_message: number;
  /** Bencode nesting depth. */
  max_bencode_depth: number;
  /** DNS name length in bytes and labels. */
  max_dns_name: number;
  max_dns_labels: number;
  /** Bytes of one TLS handshake message (a Certificate message carries the whole chain). */
  max_tls_handshake: number;
  /** Bytes of one certificate in a TLS Certificate message. */
  max_tls_certificate: number;
  /** Certificates of one TLS Certificate message. */
  max_tls_chain: number;
  /** Extensions of one TLS ClientHello or ServerHello. */
  max_tls_extensions: number;
  /** DNS records listed per message (each section's records count towards it). */
  max_dns_records: number;
  /** Unanswered transactions per flow (HTTP pipelining, FTP/POP3 queue, IMAP tags, DNS ids). */
  max_pending_transactions: number;
  /** Seconds an FTP data-channel expectation waits. */
  expectation_timeout: number;
  /** Expectations pending at once. */
  max_expectations: number;
  /** Bytes of a TLS key log file (`--keylog`) read; the rest is ignored and said. */
  max_keylog_bytes: number;
  /** TLS secrets held at once (key log lines and pcapng Decryption Secrets Blocks together). */
  max_tls_secrets: number;
  /** Secrets data of one pcapng Decryption Secrets Block. */
  max_dsb_bytes: number;
  /** Unacknowledged segments kept per TCP direction for ACK RTTs (Wireshark's TCP_MAX_UNACKED_SEGMENTS). */
  max_unacked_segments: number;
  /** Bytes held out of order per QUIC stream or CRYPTO level, and how far ahead of the delivered point a frame may start. */
  max_quic_stream_buffer: number;
  /** QUIC connection IDs held for the whole run to tie a migrated path to its connection. */
  max_quic_path_cids: number;
  /** Offset (plus length) a QUIC STREAM or CRYPTO frame may reach: past it the frame is refused. */
  max_quic_stream_offset: number;
  /** QUIC streams open at once per connection (finished ones are freed). */
  max_quic_streams: number;
  /** Frames read from one QUIC packet. */
  max_quic_frames: number;
  /** QPACK dynamic table capacity an encoder may set: past it that encoder stream is no longer followed. */
  max_qpack_table: number;
  /** HTTP/3 request streams waiting at once for QPACK encoder instructions (blocked). */
  max_qpack_blocked: number;
  /** Tunnels (GRE, VXLAN, Geneve, GTP-U, IP in IP) decapsulated inside one another in one packet. */
  max_tunnel_depth: number;
  /** Frames of one flow the UI's Packets pane keeps (its graphs draw these too). */
  max_packet_rows: number;
  /** Frame bytes of one flow the Packets pane keeps with their header tree; later frames' detail is read again on demand. */
  max_packet_detail_bytes: number;
  /** Bytes of one flow's stream the live terminal UI keeps in memory for its stream pane (the newest; older bytes are dropped and said). */
  live_stream_per_flow: number;
  /** Bytes of all flows' streams the live terminal UI keeps: past it the least recently active flows lose their oldest bytes. */
  live_stream_total: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  reassembly_per_flow: 4 * 1024 * 1024,
  reassembly_total: 64 * 1024 * 1024,
  max_flows: 200_000,
  flow_idle_timeout: 300,
  udp_idle_timeout: 60,
  flow_closed_timeout: 5,
  max_pending_fragments: 8192,
  max_fragment_bytes: 16 * 1024 * 1024,
  fragment_timeout: 60,
  detect_buffer: 8192,
  max_line: 64 * 1024,
  max_headers: 256,
  max_header_bytes: 256 * 1024,
  max_hpack_table: 64 * 1024,
  max_decompressed: 64 * 1024 * 1024,
  max_decompression_ratio: 1000,
  max_object: 64 * 1024 * 1024,
  max_imap_literal: 64 * 1024 * 1024,
  max_bt_message: 1024 * 1024 + 64,
  max_bencode_depth: 64,
  max_dns_name: 255,
  max_dns_labels: 127,
  max_tls_handshake: 256 * 1024,
  max_tls_certificate: 64 * 1024,
  max_tls_chain: 32,
  max_tls_extensions: 128,
  max_dns_records: 256,
  max_pending_transactions: 1024,
  expectation_timeout: 120,
  max_expectations: 4096,
  // A CLIENT_RANDOM line is 176 bytes and a TLS 1.3 session logs 4 or 5 lines of up to 195:
  // 64 MiB holds about 300,000 lines, a year of a browser's sessions; 262,144 secrets cost
  // about 60 MB. editcap puts a whole key log in one DSB, so it gets the key log's bound.
  max_keylog_bytes: 64 * 1024 * 1024,
  max_tls_secrets: 262_144,
  max_dsb_bytes: 64 * 1024 * 1024,
  max_unacked_segments: 10_000,
  // A QUIC sender cannot run further ahead than its peer's flow control window; 4 MiB is
  // above the stream windows browsers and servers grant (ngtcp2 256 KiB, Chromium 6 MiB is
  // per connection).
  max_quic_stream_buffer: 4 * 1024 * 1024,
  // A connection enters its two handshake IDs and those NEW_CONNECTION_ID announces (ngtcp2
  // keeps 7 spare, Chromium 1 or 2): 65,536 IDs cover thousands of live connections, ~8 MB.
  max_quic_path_cids: 65_536,
  max_quic_stream_offset: 2 ** 40,
  max_quic_streams: 4096,
  max_quic_frames: 2048,
  max_qpack_table: 64 * 1024,
  max_qpack_blocked: 128,
  // Zeek's Tunnel::max_depth is 2; real networks nest a few more (GTP-U in GRE in VXLAN),
  // and each level costs only a header walk.
  max_tunnel_depth: 8,
  // Measured: 2,545 rows of tcp-analysis.pcap's first flow take 1.9 MB of heap without their
  // detail (about 750 bytes a row, Info text included), 5.7 MB with it; 100,000 rows stay
  // near 75 MB, a flow of 140 MB in full-size segments.
  max_packet_rows: 100_000,
  max_packet_detail_bytes: 16 * 1024 * 1024,
  // A live capture cannot be read twice, so the stream pane shows what was kept: 1 MiB is a
  // few hundred HTTP exchanges or a screenful of a big download's start; 64 MiB bounds a flood.
  live_stream_per_flow: 1024 * 1024,
  live_stream_total: 64 * 1024 * 1024,
});
