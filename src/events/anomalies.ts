/**
 * Anomaly codes raised below the application layer. Each protocol lists its own codes in
 * its `events.ts`; `protocols/index.ts` joins them into the full catalogue.
 * A code, once published, keeps its meaning.
 */
export const CORE_ANOMALIES = {
  'capture.truncated': 'the file ends in the middle of a packet record or block',
  'capture.bad_record': 'a packet record or block has impossible lengths; reading stopped or skipped it',
  'capture.unknown_link_type': 'an interface uses a link type wirelens does not decode; its packets are counted but not decoded',
  'capture.interface_limit': 'a pcapng section described more interfaces than wirelens keeps (65536); later ones, and their packets, are counted but not decoded',
  'capture.unknown_block': 'a pcapng block of unknown type was skipped',
  'capture.snaplen_exceeded': 'a packet record is longer than the interface snaplen',
  'capture.packet_too_large': 'a packet record claims more than the 256 MB sanity limit',
  'capture.secrets_limit': 'a pcapng Decryption Secrets Block is above max_dsb_bytes, or its secrets would pass max_tls_secrets; what did not fit is not used',
  'capture.secrets_ignored': 'a pcapng Decryption Secrets Block holds secrets wirelens does not use (not TLS) or is malformed; it was skipped',
  'capture.time_backwards': 'a packet is timestamped earlier than the one before it',
  'link.truncated': 'the link-layer header is cut short',
  'ip.truncated': 'the IP header or payload is cut short by the capture',
  'ip.bad_header_length': 'the IPv4 header length is below 20 bytes or beyond the packet',
  'ip.bad_checksum': 'the IPv4 header checksum is wrong (checked only with --check-checksums; often checksum offload on the sending host)',
  'ip.bad_version': 'the IP version field is neither 4 nor 6',
  'ip.bad_total_length': 'the IP total length disagrees with the bytes captured',
  'ip.bad_extension_header': 'an IPv6 extension header is malformed',
  'ip.fragment_overlap': 'IP fragments overlap',
  'ip.fragment_timeout': 'an IP datagram was never completely reassembled',
  'ip.fragment_limit': 'the limit on pending IP fragments was reached; the oldest were dropped',
  'ip.fragment_too_large': 'reassembled fragments would exceed 65535 bytes',
  'tcp.truncated': 'the TCP header is cut short',
  'tcp.bad_checksum': 'the TCP checksum is wrong (checked only with --check-checksums; often checksum offload)',
  'udp.bad_checksum': 'the UDP checksum is wrong (checked only with --check-checksums; often checksum offload)',
  'tcp.analysis_limit': 'more segments of one direction unacknowledged than max_unacked_segments; later ones get no ACK RTT',
  'tcp.bad_data_offset': 'the TCP data offset is below 5 words or beyond the segment',
  'tcp.bad_option': 'a TCP option has an impossible length',
  'tcp.gap': 'bytes of the stream were never seen (counted in missed_bytes)',
  'tcp.retransmission_inconsistent': 'a retransmitted segment carries bytes different from the original',
  'tcp.overlap': 'a segment overlaps data already received with different bytes',
  'tcp.reassembly_limit': 'the per-flow or total reassembly buffer limit was reached; queued data was skipped as a gap',
  'tcp.syn_with_data': 'a SYN carries data (TCP Fast Open or crafted)',
  'tcp.data_after_close': 'data arrived after the side had closed',
  'udp.truncated': 'the UDP header is cut short',
  'udp.bad_length': 'the UDP length field disagrees with the datagram',
  'flow.expectation_limit': 'the limit on pending expected connections (FTP data channels) was reached; the oldest was dropped',
  'flow.limit': 'the limit on concurrent flows was reached; the least recently used flow was closed early',
  'dissect.limit': 'a dissector buffered its limit of bytes without finding a message boundary',
  'dissect.error': 'a dissector failed on this flow; the flow continues without it',
  'dissect.lenient_detection': "the protocol was recognised on its own port only by overlooking control bytes in its first lines (a greeting with junk in it)",
} as const;

export type CoreAnomalyCode = keyof typeof CORE_ANOMALIES;
