/**
 * Type-specific record data. Names inside RDATA go through our own `parseName` (bounded,
 * consistently escaped); the binary-heavy types are decoded with dns-packet's per-record
 * codecs, called on a buffer that ends where the record ends so an overrun throws instead
 * of reading the next record. Anything that fails keeps its raw bytes as hex.
 */
import dnsPacket from 'dns-packet';
import type { JsonObject, JsonValue } from '../../events/json.js';
import { ipv4Text, ipv6Text } from '../../dissect/addresses.js';
import { decodeText, hex } from '../../dissect/text.js';
import { typeName } from './codes.js';
import { parseName, type NameLimits } from './names.js';
import type { DnsRecord } from './parser.js';
import { decodeSvcb } from './svcb.js';

export interface DecodedRdata {
  /** Type-specific fields, or `{ hex }` when the type is not decoded. */
  readonly data: JsonObject;
  /** Zone-file style text of the data (what Zeek's `answers` column shows). */
  readonly text: string;
  /** Why decoding failed; the data then holds the raw bytes. */
  readonly problem?: string;
}

interface RecordCodec {
  decode: ((buf: Buffer, offset: number) => unknown) & { bytes: number };
}
const codecFor = (dnsPacket as unknown as { record(type: string): RecordCodec }).record;

/** Types we hand to dns-packet, by its type names. */
const PACKET_TYPES = new Set(['TXT', 'SPF', 'HINFO', 'CAA', 'DNSKEY', 'CDNSKEY', 'RRSIG', 'RP', 'NSEC', 'NSEC3', 'DS', 'CDS', 'SSHFP', 'NAPTR', 'TLSA', 'NULL']);

export function decodeRdata(msg: Uint8Array, rr: DnsRecord, limits: NameLimits): DecodedRdata {
  // No closures here: this runs for every record, and five closures per call were garbage.
  const start = rr.rdlengthOffset + 2;
  const end = start + rr.rdata.length;
  const tname = typeName(rr.type);

  // RFC 2136: UPDATE prerequisites and deletions (class ANY / NONE) carry no RDATA.
  if (rr.rdata.length === 0 && (rr.rawClass === 254 || rr.rawClass === 255)) return text({}, '');

  switch (tname) {
    case 'A': {
      if (rr.rdata.length !== 4) return failed(rr, tname, `length ${rr.rdata.length}, expected 4`);
      const a = ipv4Text(rr.rdata);
      return text({ address: a }, a);
    }
    case 'AAAA': {
      if (rr.rdata.length !== 16) return failed(rr, tname, `length ${rr.rdata.length}, expected 16`);
      const a = ipv6Text(rr.rdata);
      return text({ address: a }, a);
    }
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
    case 'MB':
    case 'MD':
    case 'MF':
    case 'MG':
    case 'MR': {
      const n = nameAt(msg, end, limits, start);
      if (typeof n === 'string') return failed(rr, tname, n);
      if (n.end !== end) return failed(rr, tname, 'name does not fill RDATA');
      return text({ target: n.name }, n.name);
    }
    case 'MX':
    case 'KX':
    case 'AFSDB':
    case 'RT': {
      if (rr.rdata.length < 3) return failed(rr, tname, 'too short');
      const n = nameAt(msg, end, limits, start + 2);
      if (typeof n === 'string') return failed(rr, tname, n);
      if (n.end !== end) return failed(rr, tname, 'name does not fill RDATA');
      return text({ preference: u16(msg, start), exchange: n.name }, `${u16(msg, start)} ${n.name}`);
    }
    case 'SOA': {
      const m = nameAt(msg, end, limits, start);
      if (typeof m === 'string') return failed(rr, tname, m);
      const r = nameAt(msg, end, limits, m.end);
      if (typeof r === 'string') return failed(rr, tname, r);
      if (r.end + 20 !== end) return failed(rr, tname, 'RDATA length does not match five counters');
      const o = r.end;
      const soa = { mname: m.name, rname: r.name, serial: u32(msg, o), refresh: u32(msg, o + 4), retry: u32(msg, o + 8), expire: u32(msg, o + 12), minimum: u32(msg, o + 16) };
      return text(soa, `${soa.mname} ${soa.rname} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`);
    }
    case 'SRV': {
      if (rr.rdata.length < 7) return failed(rr, tname, 'too short');
      const n = nameAt(msg, end, limits, start + 6);
      if (typeof n === 'string') return failed(rr, tname, n);
      if (n.end !== end) return failed(rr, tname, 'name does not fill RDATA');
      const srv = { priority: u16(msg, start), weight: u16(msg, start + 2), port: u16(msg, start + 4), target: n.name };
      return text(srv, `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`);
    }
    case 'SVCB':
    case 'HTTPS': {
      const s = decodeSvcb(msg, start, end, limits);
      return typeof s === 'string' ? failed(rr, tname, s) : text(s.data, s.text);
    }
    case 'OPT':
      // EDNS is decoded by edns.ts into the message's `edns` field.
      return text({ hex: hex(rr.rdata) }, 'OPT');
  }

  if (!PACKET_TYPES.has(tname)) return rawData(rr);
  try {
    const buf = Buffer.from(msg.buffer, msg.byteOffset, end);
    const codec = codecFor(tname === 'SPF' ? 'TXT' : tname === 'CDS' ? 'DS' : tname === 'CDNSKEY' ? 'DNSKEY' : tname);
    const value = codec.decode(buf, rr.rdlengthOffset);
    if (codec.decode.bytes !== rr.rdata.length + 2) return failed(rr, tname, 'fields do not fill RDATA exactly');
    const data = toJsonObject(value);
    return text(data, presentation(tname, data));
  } catch (e) {
    return failed(rr, tname, e instanceof Error ? e.message : String(e));
  }
}

const text = (data: JsonObject, t: string): DecodedRdata => ({ data, text: t });

/** The record's bytes as hex, when its type is not decoded or its data is bad. */
function rawData(rr: DnsRecord, problem?: string): DecodedRdata {
  return {
    data: { hex: hex(rr.rdata) },
    text: `\\# ${rr.rdata.length} ${hex(rr.rdata)}`.trimEnd(),
    ...(problem ? { problem } : {}),
  };
}

const failed = (rr: DnsRecord, tname: string, why: string): DecodedRdata => rawData(rr, `${tname}: ${why}`);

/** A name inside RDATA, which may not run past its record's `end`; the problem's reason when bad. */
function nameAt(msg: Uint8Array, end: number, limits: NameLimits, off: number): { name: string; end: number } | string {
  const n = parseName(msg, off, limits, end);
  if (n.name === null || n.end < 0) return n.problem?.reason ?? 'bad name';
  return { name: n.name, end: n.end };
}

const u16 = (msg: Uint8Array, o: number): number => (msg[o]! << 8) | msg[o + 1]!;
const u32 = (msg: Uint8Array, o: number): number => ((msg[o]! << 24) >>> 0) + (msg[o + 1]! << 16) + (msg[o + 2]! << 8) + msg[o + 3]!;

/** dns-packet values (Buffers, arrays, strings) as JSON: Buffers become text when printable, else hex. */
function toJsonObject(value: unknown): JsonObject {
  if (Buffer.isBuffer(value) || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { value: toJson(value) };
  }
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value)) out[snake(k)] = toJson(v);
  return out;
}

function toJson(v: unknown): JsonValue {
  if (Buffer.isBuffer(v)) return bufferText(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return toJsonObject(v);
  // dns-packet names types it does not know UNKNOWN_n; RFC 3597 says TYPEn.
  if (typeof v === 'string') return v.replace(/^UNKNOWN_(\d+)$/, 'TYPE$1');
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

function bufferText(b: Buffer): string {
  // Indexed: `for...of` over a Buffer made an iterator result per byte until optimised.
  for (let i = 0; i < b.length; i++) if (b[i]! < 0x20 || b[i] === 0x7f) return hex(b);
  return decodeText(b);
}

const snake = (k: string): string => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Zone-file-like text for the dns-packet types. */
function presentation(type: string, d: JsonObject): string {
  const s = (v: JsonValue | undefined): string => (Array.isArray(v) ? v.map((x) => s(x)).join(' ') : v === undefined || v === null ? '' : String(v));
  switch (type) {
    case 'TXT':
    case 'SPF': {
      const parts = Array.isArray(d.value) ? d.value : [d.value ?? ''];
      return parts.map((p) => JSON.stringify(String(p))).join(' ');
    }
    case 'CAA':
      return `${d.flags ?? 0} ${s(d.tag)} ${JSON.stringify(s(d.value))}`;
    case 'DS':
    case 'CDS':
      return `${s(d.key_tag)} ${s(d.algorithm)} ${s(d.digest_type)} ${s(d.digest)}`;
    case 'DNSKEY':
    case 'CDNSKEY':
      return `${s(d.flags)} 3 ${s(d.algorithm)} ${s(d.key)}`;
    case 'RRSIG':
      return `${s(d.type_covered)} ${s(d.algorithm)} ${s(d.labels)} ${s(d.original_ttl)} ${s(d.expiration)} ${s(d.inception)} ${s(d.key_tag)} ${s(d.signers_name)}`;
    case 'NSEC':
      return `${s(d.next_domain)} ${s(d.rrtypes)}`;
    case 'NSEC3':
      return `${s(d.algorithm)} ${s(d.flags)} ${s(d.iterations)} ${s(d.salt) || '-'} ${s(d.next_domain)} ${s(d.rrtypes)}`;
    case 'SSHFP':
      return `${s(d.algorithm)} ${s(d.hash)} ${s(d.fingerprint)}`;
    case 'NAPTR':
      return `${s(d.order)} ${s(d.preference)} "${s(d.flags)}" "${s(d.services)}" "${s(d.regexp)}" ${s(d.replacement)}`;
    case 'TLSA':
      return `${s(d.usage)} ${s(d.selector)} ${s(d.matching_type)} ${s(d.certificate)}`;
    case 'HINFO':
      return `"${s(d.cpu)}" "${s(d.os)}"`;
    case 'RP':
      return `${s(d.mbox)} ${s(d.txt)}`;
  }
  return Object.values(d).map((v) => s(v)).join(' ');
}
