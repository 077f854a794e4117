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
  /** DNS records listed per message (each section's records count towards it). */
  max_dns_records: number;
  /** Unanswered transactions per flow (HTTP pipelining, FTP/POP3 queue, IMAP tags, DNS ids). */
  max_pending_transactions: number;
  /** Seconds an FTP data-channel expectation waits. */
  expectation_timeout: number;
  /** Expectations pending at once. */
  max_expectations: number;
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
  max_dns_records: 256,
  max_pending_transactions: 1024,
  expectation_timeout: 120,
  max_expectations: 4096,
});
