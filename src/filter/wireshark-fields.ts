/**
 * Wireshark's display-filter fields, with Wireshark's meaning (the names a lab or a CI rule
 * uses; see the README's "Filters" section for the list).
 *
 * Packet fields (`frame.*`, `eth.*`, `vlan.id`, `ip.*`, `ipv6.*`, `tcp.*`, `udp.*`, `icmp.*`)
 * are the facts of one packet: `ip.src` is that packet's source. An event subject without
 * its packet (an event emitted after its frame, such as a transaction, or the UI, which
 * keeps no packets) answers the ones that are the same for every packet of its flow and
 * direction from the flow: `ip.addr`, the ports, the stream, and `ip.src`/`ip.dst` of an
 * event with a direction (a request's source is the client).
 *
 * Message fields (`http.request.method`, `dns.qry.name`...) are read from the message
 * events (`http.request`, `dns.message`...) that Wireshark's field sits in: never from
 * transactions or sessions, so a count is a count of messages.
 */
import { FLAG_INFO } from '../analysis/tcp/flags.js';
import type { WireEvent } from '../events/event.js';
import type { JsonValue } from '../events/json.js';
import type { PacketFacts, TcpFacts } from './packet-facts.js';
import type { FilterSubject } from './subject.js';
import { pathScalars, pushScalars, type Scalar } from './values.js';

export type Read = (s: FilterSubject) => Scalar[];

export interface FieldDef {
  readonly name: string;
  /** Answered only with the packet's facts: `events --filter` then runs on one thread, with the packet tap. */
  readonly packet: boolean;
  readonly read: Read;
}

type One = Scalar | readonly Scalar[] | null | undefined;
const list = (v: One): Scalar[] => (v === null || v === undefined ? [] : Array.isArray(v) ? [...(v as Scalar[])] : [v as Scalar]);

const defs: FieldDef[] = [];

/** A packet field; `fallback` answers from the flow when the packet is not at hand. */
function packet(name: string, get: (p: PacketFacts) => One, fallback?: (s: FilterSubject) => One): void {
  defs.push({ name, packet: true, read: (s) => (s.packet ? list(get(s.packet)) : fallback ? list(fallback(s)) : []) });
}

function tcp(name: string, get: (t: TcpFacts) => One, fallback?: (s: FilterSubject) => One): void {
  packet(name, (p) => (p.tcp ? get(p.tcp) : null), fallback);
}

/** A message field: read from events of `types` only. */
function message(name: string, types: readonly string[], get: (e: WireEvent) => One | JsonValue): void {
  const wanted = new Set(types);
  defs.push({
    name,
    packet: false,
    read: (s) => {
      const out: Scalar[] = [];
      for (const e of s.events) if (wanted.has(e.type)) pushScalars(get(e) as JsonValue, out);
      return out;
    },
  });
}

// ---- flow fallbacks --------------------------------------------------------------------

const isV4 = (a: string) => !a.includes(':');
const flowIs = (s: FilterSubject, proto: string) => s.flow?.proto === proto;
const srcOf = (s: FilterSubject): string | null => (!s.flow || !s.dir ? null : s.dir === 'c2s' ? s.flow.orig_h : s.flow.resp_h);
const dstOf = (s: FilterSubject): string | null => (!s.flow || !s.dir ? null : s.dir === 'c2s' ? s.flow.resp_h : s.flow.orig_h);
const srcPort = (s: FilterSubject): number | null => (!s.flow || !s.dir ? null : s.dir === 'c2s' ? s.flow.orig_p : s.flow.resp_p);
const dstPort = (s: FilterSubject): number | null => (!s.flow || !s.dir ? null : s.dir === 'c2s' ? s.flow.resp_p : s.flow.orig_p);
const addrs = (s: FilterSubject, v4: boolean): string[] => (s.flow ? [s.flow.orig_h, s.flow.resp_h].filter((a) => isV4(a) === v4) : []);
const family = (a: string | null, v4: boolean) => (a !== null && isV4(a) === v4 ? a : null);

// ---- frame, link -----------------------------------------------------------------------

packet('frame', () => true, (s) => (s.frame > 0 ? true : null));
packet('frame.number', (p) => p.frame, (s) => (s.frame > 0 ? s.frame : null));
packet('frame.time_epoch', (p) => p.epoch, (s) => (s.ts ? s.ts.sec + s.ts.ns / 1e9 : null));
packet('frame.time_relative', (p) => p.relative);
packet('frame.len', (p) => p.len);
packet('frame.cap_len', (p) => p.cap_len);
packet('eth', (p) => (p.eth ? true : null));
packet('eth.src', (p) => p.eth?.src);
packet('eth.dst', (p) => p.eth?.dst);
packet('eth.addr', (p) => (p.eth ? [p.eth.src, p.eth.dst] : null));
packet('eth.type', (p) => p.eth?.type);
packet('vlan', (p) => (p.vlan.length ? true : null));
packet('vlan.id', (p) => p.vlan);

// ---- IP ----------------------------------------------------------------------------------

for (const [proto, v4] of [['ip', true], ['ipv6', false]] as const) {
  const own = (p: PacketFacts) => (p.ip && (p.ip.version === 4) === v4 ? p.ip : null);
  packet(proto, (p) => (own(p) ? true : null), (s) => (addrs(s, v4).length ? true : null));
  packet(`${proto}.src`, (p) => own(p)?.src, (s) => family(srcOf(s), v4));
  packet(`${proto}.dst`, (p) => own(p)?.dst, (s) => family(dstOf(s), v4));
  packet(`${proto}.addr`, (p) => (own(p) ? [own(p)!.src, own(p)!.dst] : null), (s) => addrs(s, v4));
  packet(`${proto}.src_host`, (p) => own(p)?.src, (s) => family(srcOf(s), v4));
  packet(`${proto}.dst_host`, (p) => own(p)?.dst, (s) => family(dstOf(s), v4));
  packet(`${proto}.host`, (p) => (own(p) ? [own(p)!.src, own(p)!.dst] : null), (s) => addrs(s, v4));
}
packet('ip.version', (p) => (p.ip?.version === 4 ? 4 : null));
packet('ip.proto', (p) => (p.ip?.version === 4 ? p.ip.proto : null));
packet('ip.ttl', (p) => (p.ip?.version === 4 ? p.ip.ttl : null));
packet('ip.len', (p) => (p.ip?.version === 4 ? p.ip.len : null));
packet('ipv6.version', (p) => (p.ip?.version === 6 ? 6 : null));
packet('ipv6.nxt', (p) => (p.ip?.version === 6 ? p.ip.proto : null));
packet('ipv6.hlim', (p) => (p.ip?.version === 6 ? p.ip.ttl : null));

// ---- TCP, UDP, ICMP ----------------------------------------------------------------------

/**
 * What TCP and UDP share: the protocol, its ports and its stream number, from the packet, or
 * from an event's flow (the ports seen from the event's direction).
 */
function transportFields(proto: 'tcp' | 'udp', field: (name: string, get: (t: { srcport: number; dstport: number; stream: number | null }) => One, fallback: (s: FilterSubject) => One) => void, stream: (s: FilterSubject) => One): void {
  field(proto, () => true, (s) => (flowIs(s, proto) ? true : null));
  field(`${proto}.srcport`, (t) => t.srcport, (s) => (flowIs(s, proto) ? srcPort(s) : null));
  field(`${proto}.dstport`, (t) => t.dstport, (s) => (flowIs(s, proto) ? dstPort(s) : null));
  field(`${proto}.port`, (t) => [t.srcport, t.dstport], (s) => (flowIs(s, proto) && s.flow ? [s.flow.orig_p, s.flow.resp_p] : null));
  field(`${proto}.stream`, (t) => t.stream, (s) => (flowIs(s, proto) ? stream(s) : null));
}

transportFields('tcp', tcp, (s) => s.flow?.tcp_stream);
tcp('tcp.seq', (t) => t.seq);
tcp('tcp.ack', (t) => t.ack);
tcp('tcp.seq_raw', (t) => t.seq_raw);
tcp('tcp.ack_raw', (t) => t.ack_raw);
tcp('tcp.nxtseq', (t) => (t.len || t.flags & 0x03 ? t.seq + t.len + (t.flags & 0x03 ? 1 : 0) : null));
tcp('tcp.len', (t) => t.len);
tcp('tcp.hdr_len', (t) => t.hdr_len);
tcp('tcp.window_size', (t) => t.window_size);
tcp('tcp.window_size_value', (t) => t.window_size_value);
tcp('tcp.flags', (t) => t.flags);
const TCP_FLAGS: ReadonlyArray<[string, number]> = [['fin', 0x01], ['syn', 0x02], ['reset', 0x04], ['push', 0x08], ['ack', 0x10], ['urg', 0x20], ['ece', 0x40], ['cwr', 0x80], ['ae', 0x100]];
// Present on every TCP packet, true or false, as in Wireshark (so `tcp.flags.syn` alone is every TCP packet).
for (const [flag, bit] of TCP_FLAGS) tcp(`tcp.flags.${flag}`, (t) => (t.flags & bit) !== 0);
// Present when the segment carries data that was captured (a byte search reads the bytes, see frame-bytes.ts).
packet('tcp.payload', (p) => ((p.bytes ? p.bytes.tcp_payload !== null : (p.tcp?.len ?? 0) > 0) ? true : null));
tcp('tcp.analysis.flags', (t) => (t.analysis ? true : null));
for (const f of FLAG_INFO) tcp(`tcp.analysis.${f.name}`, (t) => (t.analysis & f.bit ? true : null));
tcp('tcp.analysis.ack_rtt', (t) => t.ack_rtt);
tcp('tcp.analysis.acks_frame', (t) => t.acks_frame);
tcp('tcp.analysis.bytes_in_flight', (t) => t.bytes_in_flight);
tcp('tcp.analysis.duplicate_ack_num', (t) => t.duplicate_ack_num);
tcp('tcp.analysis.duplicate_ack_frame', (t) => t.duplicate_ack_frame);

const udp = (name: string, get: (u: NonNullable<PacketFacts['udp']>) => One, fallback?: (s: FilterSubject) => One) =>
  packet(name, (p) => (p.udp ? get(p.udp) : null), fallback);
transportFields('udp', udp, (s) => s.flow?.udp_stream);
udp('udp.length', (u) => u.length);
packet('udp.payload', (p) => ((p.bytes ? p.bytes.udp_payload !== null : (p.udp?.length ?? 0) > 8) ? true : null));

packet('icmp', (p) => (p.icmp && !p.icmp.v6 ? true : null), (s) => (flowIs(s, 'icmp') && isV4(s.flow!.orig_h) ? true : null));
packet('icmp.type', (p) => (p.icmp && !p.icmp.v6 ? p.icmp.type : null));
packet('icmp.code', (p) => (p.icmp && !p.icmp.v6 ? p.icmp.code : null));
packet('icmpv6', (p) => (p.icmp?.v6 ? true : null), (s) => (flowIs(s, 'icmp') && !isV4(s.flow!.orig_h) ? true : null));
packet('icmpv6.type', (p) => (p.icmp?.v6 ? p.icmp.type : null));
packet('icmpv6.code', (p) => (p.icmp?.v6 ? p.icmp.code : null));

// ---- HTTP ----------------------------------------------------------------------------------

/** A header's values (case-insensitive name) from an event's `[name, value]` list. */
function header(e: WireEvent, name: string): string[] {
  const out: string[] = [];
  const h = e.headers;
  if (!Array.isArray(h)) return out;
  for (const pair of h) if (Array.isArray(pair) && typeof pair[0] === 'string' && pair[0].toLowerCase() === name && typeof pair[1] === 'string') out.push(pair[1]);
  return out;
}
const REQ = ['http.request'];
const RESP = ['http.response'];
const BOTH = ['http.request', 'http.response'];
message('http.request', REQ, () => true);
message('http.response', RESP, () => true);
message('http.request.method', REQ, (e) => e.method);
message('http.request.uri', REQ, (e) => e.uri);
message('http.request.version', REQ, (e) => (e.version === undefined ? null : `HTTP/${String(e.version)}`));
message('http.response.version', RESP, (e) => (e.version === undefined ? null : `HTTP/${String(e.version)}`));
message('http.host', REQ, (e) => e.host);
message('http.user_agent', REQ, (e) => e.user_agent);
message('http.response.code', RESP, (e) => e.status_code);
message('http.response.phrase', RESP, (e) => e.status_msg);
message('http.content_length', BOTH, (e) => header(e, 'content-length').map(Number).filter(Number.isFinite));
for (const [field, name, types] of [
  ['content_type', 'content-type', BOTH],
  ['last_modified', 'last-modified', RESP],
  ['if_modified_since', 'if-modified-since', REQ],
  ['authorization', 'authorization', REQ],
  ['cookie', 'cookie', REQ],
  ['set_cookie', 'set-cookie', RESP],
  ['referer', 'referer', REQ],
  ['location', 'location', RESP],
  ['server', 'server', RESP],
  ['accept', 'accept', REQ],
  ['accept_encoding', 'accept-encoding', REQ],
  ['accept_language', 'accept-language', REQ],
  ['connection', 'connection', BOTH],
  ['date', 'date', BOTH],
  ['transfer_encoding', 'transfer-encoding', BOTH],
  ['content_encoding', 'content-encoding', BOTH],
] as const) {
  message(`http.${field}`, types, (e) => header(e, name));
}

// ---- HTTP/2 --------------------------------------------------------------------------------

const H2_TYPES: Record<string, number> = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9, ALTSVC: 10, ORIGIN: 12, PRIORITY_UPDATE: 16 };
message('http2.streamid', ['http2.frame'], (e) => e.stream_id);
message('http2.type', ['http2.frame'], (e) => (typeof e.frame_type === 'string' ? (H2_TYPES[e.frame_type] ?? null) : null));
message('http2.length', ['http2.frame'], (e) => e.length);
message('http2.header.name', ['http2.headers'], (e) => (Array.isArray(e.headers) ? e.headers.map((h) => (Array.isArray(h) ? h[0] : null)) : null));
message('http2.header.value', ['http2.headers'], (e) => (Array.isArray(e.headers) ? e.headers.map((h) => (Array.isArray(h) ? h[1] : null)) : null));

// ---- DNS (also mDNS and LLMNR, which Wireshark dissects with the DNS fields) ---------------

const DNS = ['dns.message', 'mdns.message', 'llmnr.message'];
const read = (e: WireEvent, ...path: string[]): Scalar[] => {
  const out: Scalar[] = [];
  pathScalars(e, path, out);
  return out;
};
/** Resource records of every section, as Wireshark's `dns.a`, `dns.resp.ttl`... are. */
function records(e: WireEvent): Array<{ [k: string]: JsonValue | undefined }> {
  const out: Array<{ [k: string]: JsonValue | undefined }> = [];
  for (const section of [e.answers, e.authorities, e.additionals]) {
    if (!Array.isArray(section)) continue;
    for (const r of section) if (r && typeof r === 'object' && !Array.isArray(r)) out.push(r);
  }
  return out;
}
const rdata = (type: number) => (e: WireEvent) => records(e).filter((r) => r.type === type).map((r) => r.text ?? null);
/** Every question's `key`: the event lists them all only when there are several, else the one is `q<key>`. */
const question = (key: 'name' | 'type' | 'class') => (e: WireEvent): Scalar[] => (Array.isArray(e.questions) ? read(e, 'questions', key) : read(e, `q${key}`));
message('dns.qry.name', DNS, question('name'));
message('dns.qry.type', DNS, question('type'));
message('dns.qry.class', DNS, question('class'));
message('dns.id', DNS, (e) => e.trans_id);
message('dns.flags.response', DNS, (e) => e.response);
message('dns.flags.opcode', DNS, (e) => e.opcode);
message('dns.flags.rcode', DNS, (e) => e.rcode);
message('dns.flags.authoritative', DNS, (e) => e.AA);
message('dns.flags.truncated', DNS, (e) => e.TC);
message('dns.flags.recdesired', DNS, (e) => e.RD);
message('dns.flags.recavail', DNS, (e) => e.RA);
message('dns.flags.authenticated', DNS, (e) => e.AD);
message('dns.flags.checkdisable', DNS, (e) => e.CD);
message('dns.count.queries', DNS, (e) => e.qdcount);
message('dns.count.answers', DNS, (e) => e.ancount);
message('dns.count.auth_rr', DNS, (e) => e.nscount);
message('dns.count.add_rr', DNS, (e) => e.arcount);
message('dns.a', DNS, rdata(1));
message('dns.ns', DNS, rdata(2));
message('dns.cname', DNS, rdata(5));
message('dns.ptr.domain_name', DNS, rdata(12));
message('dns.mx.mail_exchange', DNS, (e) => {
  const out: Scalar[] = [];
  for (const r of records(e)) if (r.type === 15) pathScalars(r, ['data', 'exchange'], out);
  return out;
});
message('dns.aaaa', DNS, rdata(28));
message('dns.resp.name', DNS, (e) => records(e).map((r) => r.name ?? null));
message('dns.resp.type', DNS, (e) => records(e).map((r) => r.type ?? null));
message('dns.resp.ttl', DNS, (e) => records(e).map((r) => r.ttl ?? null));

// ---- mail, FTP, BitTorrent -------------------------------------------------------------------

message('ftp.request', ['ftp.command'], () => true);
message('ftp.response', ['ftp.reply'], () => true);
message('ftp.request.command', ['ftp.command'], (e) => e.command);
message('ftp.request.arg', ['ftp.command'], (e) => (e.arg ? e.arg : null));
message('ftp.response.code', ['ftp.reply'], (e) => e.code);
message('ftp.response.arg', ['ftp.reply'], (e) => e.msg);
message('smtp.req', ['smtp.command'], () => true);
message('smtp.response', ['smtp.reply'], () => true);
message('smtp.req.command', ['smtp.command'], (e) => e.command);
message('smtp.req.parameter', ['smtp.command'], (e) => (e.arg ? e.arg : null));
message('smtp.response.code', ['smtp.reply'], (e) => e.code);
message('pop', ['pop3.command', 'pop3.reply', 'pop3.message'], () => true);
message('pop.request', ['pop3.command'], () => true);
message('pop.response', ['pop3.reply'], () => true);
message('pop.request.command', ['pop3.command'], (e) => e.command);
message('pop.request.parameter', ['pop3.command'], (e) => (e.arg ? e.arg : null));
message('pop.response.indicator', ['pop3.reply'], (e) => e.status);
message('imap.request', ['imap.command'], () => true);
message('imap.request.command', ['imap.command'], (e) => e.command);
message('imap.request.tag', ['imap.command'], (e) => e.tag);
message('imap.response.tag', ['imap.response'], (e) => e.tag);
message('imap.response.status', ['imap.response'], (e) => e.status);

const BT_TYPES: Record<string, number> = { choke: 0, unchoke: 1, interested: 2, not_interested: 3, have: 4, bitfield: 5, request: 6, piece: 7, cancel: 8, port: 9, suggest: 13, have_all: 14, have_none: 15, reject: 16, allowed_fast: 17, extended: 20 };
message('bittorrent.msg', ['bittorrent.message', 'bittorrent.keep_alive'], () => true);
message('bittorrent.msg.type', ['bittorrent.message'], (e) => (typeof e.msg_type === 'string' ? (BT_TYPES[e.msg_type] ?? null) : null));
message('bittorrent.info_hash', ['bittorrent.handshake'], (e) => e.info_hash);
message('bittorrent.peer_id', ['bittorrent.handshake'], (e) => e.peer_id);

// ---- TLS ------------------------------------------------------------------------------------

message('tls.handshake.extensions_server_name', ['tls.client_hello'], (e) => e.server_name);
message('tls.handshake.ja3', ['tls.client_hello'], (e) => e.ja3);
message('tls.handshake.ja4', ['tls.client_hello'], (e) => e.ja4);

/** Every Wireshark field wirelens answers, by name. */
export const WIRESHARK_FIELDS: ReadonlyMap<string, FieldDef> = new Map(defs.map((d) => [d.name, d]));
