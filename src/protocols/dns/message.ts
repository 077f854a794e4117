/**
 * One parsed DNS message turned into the fields of a `dns.message` event: header flags
 * in Zeek's casing (AA, TC, RD, RA, Z, AD, CD), the first question, the three sections
 * with type-specific data and readable TTLs, and EDNS. Problems found on the way are
 * returned for the dissector to report as anomalies.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import { className, classShort, opcodeName, rcodeName, typeName, TYPE } from './codes.js';
import { decodeEdns } from './edns.js';
import type { DnsMessageFields } from './events.js';
import type { Limits } from '../../dissect/limits.js';
import type { NameLimits } from './names.js';
import { parseMessage, type DnsHeader, type DnsQuestion, type DnsRecord, type Problem } from './parser.js';
import { decodeRdata } from './rdata.js';
import { ttlText } from './ttl.js';

export interface DecodedRecord {
  readonly section: DnsRecord['section'];
  readonly name: string | null;
  readonly type: number;
  readonly cls: number;
  readonly ttl: number;
  readonly data: JsonObject;
  readonly text: string;
  readonly json: JsonObject;
}

export interface DecodedMessage {
  readonly header: DnsHeader;
  readonly question: DnsQuestion | null;
  readonly questionCount: number;
  readonly records: DecodedRecord[];
  /** 12-bit rcode when EDNS carries extended bits, else the header's 4 bits. */
  readonly rcode: number;
  readonly edns: JsonObject | null;
  readonly problems: Problem[];
  /**
   * Records not listed because the message reached `max_dns_records` or its expansion
   * budget (see MAX_DNS_EXPANSION), with the reason; null when all are listed.
   */
  readonly trimmed: { readonly records: number; readonly reason: string } | null;
  /** Fields of the `dns.message` event. */
  readonly fields: DnsMessageFields;
}

export interface DecodeOptions {
  readonly limits: NameLimits & Partial<Pick<Limits, 'max_dns_records'>>;
  /** mDNS: the top bit of an RR class is the cache-flush bit (RFC 6762 §10.2). */
  readonly mdns: boolean;
  /** Marks the event carries last: the flow's transport, and LLMNR. */
  readonly transport?: 'tcp' | 'udp';
  readonly llmnr?: boolean;
  /** Leave the record lists out of the event (zone transfers are summarised instead). */
  readonly omitRecords?: (header: DnsHeader, question: DnsQuestion | null) => boolean;
}

/**
 * Text a message's listed records may expand to, per byte of the message (plus
 * EXPANSION_SLACK): compression lets a 12-byte record name a 255-byte owner, so crafted
 * answers turned 333 MB of messages into 16 GB of events. Real messages stay far below:
 * compression saves at most a few times the message size.
 */
export const MAX_DNS_EXPANSION = 16;
const EXPANSION_SLACK = 4096;

export function decodeMessage(msg: Uint8Array, opts: DecodeOptions): DecodedMessage | null {
  const parsed = parseMessage(msg, opts.limits);
  if (!parsed) return null;
  const { header } = parsed;
  // parseMessage made this array for this message alone: later problems join it.
  const problems: Problem[] = parsed.problems;
  const records: DecodedRecord[] = [];
  let edns: JsonObject | null = null;
  let extended = 0;
  const question = parsed.questions[0] ?? null;
  // Zone transfers are counted, not listed, so every record may be decoded for the count.
  const omit = opts.omitRecords?.(header, question) ?? false;
  const maxRecords = omit ? Infinity : (opts.limits.max_dns_records ?? Infinity);
  const budget = omit ? Infinity : EXPANSION_SLACK + MAX_DNS_EXPANSION * msg.length;
  let expanded = 0;
  let trimmed: DecodedMessage['trimmed'] = null;
  for (let i = 0; i < parsed.records.length; i++) {
    const rr = parsed.records[i]!;
    if (records.length >= maxRecords || expanded > budget) {
      const left = parsed.records.length - i;
      trimmed = {
        records: left,
        reason:
          records.length >= maxRecords
            ? `more than max_dns_records (${maxRecords}) records; ${left} not listed`
            : `records expand to more than ${MAX_DNS_EXPANSION} times the ${msg.length}-byte message; ${left} not listed`,
      };
      break;
    }
    if (rr.type === TYPE.OPT) {
      if (edns) {
        problems.push({ code: 'dns.malformed', reason: 'more than one OPT record' });
        continue;
      }
      const e = decodeEdns(rr);
      edns = e.fields;
      extended = e.extended_rcode;
      for (const p of e.problems) problems.push({ code: 'dns.malformed', reason: p });
      continue;
    }
    const cls = opts.mdns ? rr.rawClass & 0x7fff : rr.rawClass;
    const decoded = decodeRdata(msg, rr, opts.limits);
    if (decoded.problem) problems.push({ code: 'dns.malformed', reason: `${rr.section}: ${decoded.problem}` });
    const json: Record<string, JsonValue | undefined> = {
      name: rr.name,
      type: rr.type,
      type_name: typeName(rr.type),
      class: cls,
      class_name: classShort(cls),
      ttl: rr.ttl,
      ttl_text: ttlText(rr.ttl),
      data: decoded.data,
      text: decoded.text,
      cache_flush: opts.mdns ? (rr.rawClass & 0x8000) !== 0 : undefined,
      malformed: decoded.problem,
    };
    records.push({ section: rr.section, name: rr.name, type: rr.type, cls, ttl: rr.ttl, data: decoded.data, text: decoded.text, json });
    expanded += (rr.name?.length ?? 0) + decoded.text.length;
  }

  const rcode = edns ? (extended << 4) | header.rcode : header.rcode;
  // The three lists in one pass over the records (a filter and a map per section before).
  let answers: JsonValue[] | undefined;
  let authorities: JsonValue[] | undefined;
  let additionals: JsonValue[] | undefined;
  let answerCount = 0;
  if (omit) {
    for (let i = 0; i < records.length; i++) if (records[i]!.section === 'answers') answerCount++;
  } else {
    answers = [];
    authorities = [];
    additionals = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.section === 'answers') answers.push(r.json);
      else if (r.section === 'authorities') authorities.push(r.json);
      else additionals.push(r.json);
    }
  }
  const fields: DnsMessageFields = {
    trans_id: header.id,
    response: header.qr,
    opcode: header.opcode,
    opcode_name: opcodeName(header.opcode),
    // The header's 4 bits, as tshark's dns.flags.rcode; the full EDNS value is rcode_ext.
    rcode: header.rcode,
    rcode_ext: edns ? rcode : undefined,
    rcode_name: rcodeName(rcode),
    qname: question?.name ?? null,
    qtype: question?.type ?? null,
    qtype_name: question ? typeName(question.type) : null,
    qclass: question?.cls ?? null,
    qclass_name: question ? className(question.cls) : null,
    unicast_response: opts.mdns && question ? question.unicast_response : undefined,
    AA: header.aa,
    TC: header.tc,
    RD: header.rd,
    RA: header.ra,
    Z: header.z,
    AD: header.ad,
    CD: header.cd,
    qdcount: header.qdcount,
    ancount: header.ancount,
    nscount: header.nscount,
    arcount: header.arcount,
    questions:
      parsed.questions.length > 1
        ? parsed.questions.map((q) => ({ name: q.name, type: q.type, type_name: typeName(q.type), class: q.cls }))
        : undefined,
    answers,
    answer_count: omit ? answerCount : undefined,
    authorities,
    additionals,
    edns,
    length: msg.length,
    trailing_bytes: parsed.trailing > 0 ? parsed.trailing : undefined,
    records_not_listed: trimmed?.records,
    malformed: problems.length ? problems.map((p) => p.reason).join('; ') : undefined,
    transport: opts.transport,
    mdns: opts.mdns || undefined,
    llmnr: opts.llmnr || undefined,
  };
  return { header, question, questionCount: parsed.questions.length, records, rcode, edns, problems, trimmed, fields };
}
