/**
 * DNS event vocabulary. `dns.message` is one decoded message (the fidelity contract:
 * trans_id, response, qname, qtype, rcode); `dns.transaction` pairs a query with its
 * response in the words of Zeek's dns.log and is the record type of the `dns` report
 * section; `dns.zone_transfer` summarises an AXFR/IXFR instead of listing its records.
 */
export const DNS_ANOMALIES = {
  'dns.malformed': 'a DNS message or record could not be decoded; the reason says where (raw bytes are kept as hex)',
  'dns.bad_pointer': 'a name compression pointer points forward, loops, or chains deeper than the allowed depth',
  'dns.name_limit': 'a name is longer than limits.max_dns_name bytes or has more than limits.max_dns_labels labels',
  'dns.unmatched_response': 'a response arrived for which no query was seen on this flow',
  'dns.duplicate_response': 'a second response arrived for a query that was already answered',
  'dns.late_response': 'a response arrived after its query had been given up as unanswered',
  'dns.question_count': 'a unicast DNS message carries more than one question (RFC 9619: QDCOUNT is one); only the first is paired',
  'dns.tcp_length': 'a DNS-over-TCP length prefix announces a message shorter than a DNS header',
  'dns.record_limit': 'a message had more records than limits.max_dns_records, or records expanding (through name compression) to more than 16 times the message; the rest are counted in records_not_listed, not listed',
  'dns.pending_limit': 'more unanswered queries than limits.max_pending_transactions; the oldest was closed as unanswered',
  'dns.stream_gap': 'bytes of a DNS-over-TCP stream were lost; that direction is no longer framed',
} as const;

export type DnsAnomalyCode = keyof typeof DNS_ANOMALIES;

export const DNS_EVENT_TYPES = {
  message: 'dns.message',
  transaction: 'dns.transaction',
  zoneTransfer: 'dns.zone_transfer',
} as const;
