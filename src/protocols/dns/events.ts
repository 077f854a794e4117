import { declareEvent } from '../../events/declared.js';
import type { JsonObject, JsonValue } from '../../events/json.js';
import type { Timestamp } from '../../events/time.js';

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

/** `dns.message` (`mdns.message`, `llmnr.message`): one decoded message. */
export interface DnsMessageFields {
  trans_id: number;
  response: boolean;
  opcode: number;
  opcode_name: string;
  /** The header's 4 bits, as tshark's dns.flags.rcode; the full EDNS value is rcode_ext. */
  rcode: number;
  rcode_ext: number | undefined;
  rcode_name: string;
  qname: string | null;
  qtype: number | null;
  qtype_name: string | null;
  qclass: number | null;
  qclass_name: string | null;
  unicast_response: boolean | undefined;
  AA: boolean;
  TC: boolean;
  RD: boolean;
  RA: boolean;
  Z: boolean;
  AD: boolean;
  CD: boolean;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  /** Every question, when there is more than one. */
  questions: Array<{ name: string | null; type: number; type_name: string; class: number }> | undefined;
  answers: JsonValue[] | undefined;
  /** The answers' count when the records are left out (zone transfers). */
  answer_count: number | undefined;
  authorities: JsonValue[] | undefined;
  additionals: JsonValue[] | undefined;
  edns: JsonObject | null;
  length: number;
  trailing_bytes: number | undefined;
  /** Records past max_dns_records (or the expansion bound) that are counted, not listed. */
  records_not_listed: number | undefined;
  malformed: string | undefined;
  transport: 'tcp' | 'udp' | undefined;
  mdns: true | undefined;
  llmnr: true | undefined;
  /** DNS over HTTPS (RFC 8484) in clear: the HTTP transaction that carried the message. */
  doh?: DohLink;
}

/** The HTTP transaction a DoH message rode in (`trans_depth` is the http.transaction's). */
export interface DohLink {
  http_version: string;
  method: string;
  trans_depth: number;
  stream_id: number | undefined;
}

/** What a transaction may add when it is not a plain query and answer. */
export interface DnsTransactionMarks {
  retransmissions?: number;
  no_response?: true;
  unsolicited?: true;
  duplicate?: true;
  first_response_frame?: number | null;
  late?: true;
}

/** `dns.transaction`: a query paired with its response, in the words of Zeek's dns.log. */
export interface DnsTransactionFields extends DnsTransactionMarks {
  proto: string;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  mdns: true | undefined;
  llmnr: true | undefined;
  trans_id: number;
  rtt: number | null;
  query: string | null;
  qclass: number | null;
  qclass_name: string | null;
  qtype: number | null;
  qtype_name: string | null;
  opcode: number;
  rcode: number | null;
  rcode_ext: number | undefined;
  rcode_name: string | null;
  AA: boolean;
  TC: boolean;
  RD: boolean;
  RA: boolean;
  Z: number;
  AD: boolean;
  CD: boolean;
  answers: string[] | null;
  TTLs: number[] | null;
  rejected: boolean;
  query_frame: number | null;
  query_ts: Timestamp | null;
  response_frame: number | null;
  answer_records: JsonObject[] | undefined;
  authorities: JsonObject[] | undefined;
  additionals: JsonObject[] | undefined;
  edns: JsonObject | undefined;
  query_edns: JsonObject | undefined;
  doh?: DohLink;
}

/** `dns.zone_transfer`: an AXFR/IXFR summarised instead of listing its records. */
export interface DnsZoneTransferFields {
  trans_id: number;
  kind: 'AXFR' | 'IXFR';
  zone: string | null;
  query_frame: number;
  first_response_frame: number | null;
  last_frame: number | null;
  duration: number | null;
  messages: number;
  bytes: number;
  records: number;
  records_by_type: Record<string, number>;
  soa_serials: number[];
  serial: number | null;
  rcode: number;
  complete: boolean;
  orig_h: string;
  resp_h: string;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'dns.message': DnsMessageFields;
    'mdns.message': DnsMessageFields;
    'llmnr.message': DnsMessageFields;
    'dns.transaction': DnsTransactionFields;
    'dns.zone_transfer': DnsZoneTransferFields;
  }
  interface AnomalyCatalogue {
    dns: typeof DNS_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
const DNS_MESSAGE_KEYS = [
  'trans_id', 'response', 'opcode', 'opcode_name', 'rcode', 'rcode_ext', 'rcode_name', 'qname', 'qtype',
  'qtype_name', 'qclass', 'qclass_name', 'unicast_response', 'AA', 'TC', 'RD', 'RA', 'Z', 'AD', 'CD',
  'qdcount', 'ancount', 'nscount', 'arcount', 'questions', 'answers', 'answer_count', 'authorities',
  'additionals', 'edns', 'length', 'trailing_bytes', 'records_not_listed', 'malformed', 'transport', 'mdns',
  'llmnr', 'doh',
] as const;
export const DNS_MESSAGE = declareEvent('dns.message', DNS_MESSAGE_KEYS);
export const DNS_TRANSACTION = declareEvent('dns.transaction', [
  'proto', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'mdns', 'llmnr', 'trans_id', 'rtt', 'query', 'qclass',
  'qclass_name', 'qtype', 'qtype_name', 'opcode', 'rcode', 'rcode_ext', 'rcode_name', 'AA', 'TC', 'RD', 'RA',
  'Z', 'AD', 'CD', 'answers', 'TTLs', 'rejected', 'query_frame', 'query_ts', 'response_frame',
  'retransmissions', 'no_response', 'unsolicited', 'duplicate', 'first_response_frame', 'late',
  'answer_records', 'authorities', 'additionals', 'edns', 'query_edns', 'doh',
]);

/*
 * Issue 18, seventh round (text): mDNS and LLMNR messages are dns.message's fields (the same
 * literal, message.ts), and a zone transfer is ZoneTransfer.fields then the two addresses.
 */
export const MDNS_MESSAGE = declareEvent('mdns.message', DNS_MESSAGE_KEYS);
export const LLMNR_MESSAGE = declareEvent('llmnr.message', DNS_MESSAGE_KEYS);
export const DNS_ZONE_TRANSFER = declareEvent('dns.zone_transfer', [
  'trans_id', 'kind', 'zone', 'query_frame', 'first_response_frame', 'last_frame', 'duration', 'messages', 'bytes',
  'records', 'records_by_type', 'soa_serials', 'serial', 'rcode', 'complete', 'orig_h', 'resp_h',
]);
