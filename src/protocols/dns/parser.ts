/**
 * The structure of one DNS message (RFC 1035 §4.1): header, questions and the three
 * resource-record sections, with every name validated by `parseName`. Record data is
 * not interpreted here (see rdata.ts); it is located and bounds-checked, so one bad
 * record never loses the records before it. Pure; never throws.
 */
import { isKnownOpcode } from './codes.js';
import { parseName, type NameLimits, type NameProblemCode } from './names.js';

export const HEADER_LENGTH = 12;

export interface DnsHeader {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly z: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

export interface DnsQuestion {
  readonly name: string | null;
  readonly type: number;
  /** Class without the mDNS unicast-response bit. */
  readonly cls: number;
  /** mDNS QU bit (RFC 6762 §5.4), the top bit of the class. */
  readonly unicast_response: boolean;
}

export type Section = 'answers' | 'authorities' | 'additionals';

export interface DnsRecord {
  readonly section: Section;
  readonly name: string | null;
  readonly type: number;
  /** Raw class field; for OPT it is the UDP payload size. */
  readonly rawClass: number;
  readonly ttl: number;
  /** Offset of the RDLENGTH field in the message (dns-packet's decoders start there). */
  readonly rdlengthOffset: number;
  readonly rdata: Uint8Array;
}

export interface Problem {
  readonly code: NameProblemCode;
  readonly reason: string;
}

export interface ParsedMessage {
  readonly header: DnsHeader;
  readonly questions: DnsQuestion[];
  readonly records: DnsRecord[];
  /** Things that went wrong, in order. When `stopped` is set, later sections are missing. */
  readonly problems: Problem[];
  readonly stopped: boolean;
  /** Bytes after the last section (not an error for DNS, but worth noting). */
  readonly trailing: number;
}

export function parseHeader(msg: Uint8Array): DnsHeader | null {
  if (msg.length < HEADER_LENGTH) return null;
  const flags = u16(msg, 2);
  return {
    id: u16(msg, 0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    qdcount: u16(msg, 4),
    ancount: u16(msg, 6),
    nscount: u16(msg, 8),
    arcount: u16(msg, 10),
  };
}

const SECTIONS: readonly Section[] = ['answers', 'authorities', 'additionals'];

const u16 = (msg: Uint8Array, o: number): number => (msg[o]! << 8) | msg[o + 1]!;

function stopped(header: DnsHeader, questions: DnsQuestion[], records: DnsRecord[], problems: Problem[], reason: string): ParsedMessage {
  problems.push({ code: 'dns.malformed', reason });
  return { header, questions, records, problems, stopped: true, trailing: 0 };
}

export function parseMessage(msg: Uint8Array, limits: NameLimits): ParsedMessage | null {
  const header = parseHeader(msg);
  if (!header) return null;
  const questions: DnsQuestion[] = [];
  const records: DnsRecord[] = [];
  const problems: Problem[] = [];
  let off = HEADER_LENGTH;
  // No closures or section table per message: this runs for every DNS message.

  for (let i = 0; i < header.qdcount; i++) {
    const n = parseName(msg, off, limits);
    if (n.problem) problems.push({ code: n.problem.code, reason: `question ${i + 1}: ${n.problem.reason}` });
    if (n.end < 0) return { header, questions, records, problems, stopped: true, trailing: 0 };
    if (n.end + 4 > msg.length) return stopped(header, questions, records, problems, `question ${i + 1} of ${header.qdcount} cut short`);
    const rawClass = u16(msg, n.end + 2);
    questions.push({ name: n.name, type: u16(msg, n.end), cls: rawClass & 0x7fff, unicast_response: (rawClass & 0x8000) !== 0 });
    off = n.end + 4;
  }

  for (let k = 0; k < SECTIONS.length; k++) {
    const section = SECTIONS[k]!;
    const count = k === 0 ? header.ancount : k === 1 ? header.nscount : header.arcount;
    for (let i = 0; i < count; i++) {
      const n = parseName(msg, off, limits);
      if (n.problem) problems.push({ code: n.problem.code, reason: `${section} record ${i + 1} of ${count}: ${n.problem.reason}` });
      if (n.end < 0) return { header, questions, records, problems, stopped: true, trailing: 0 };
      if (n.end + 10 > msg.length) return stopped(header, questions, records, problems, `${section} record ${i + 1} of ${count} cut short`);
      const rdlength = u16(msg, n.end + 8);
      const rdStart = n.end + 10;
      if (rdStart + rdlength > msg.length) return stopped(header, questions, records, problems, `${section} record ${i + 1} of ${count}: RDLENGTH ${rdlength} runs past the end of the message`);
      records.push({
        section,
        name: n.name,
        type: u16(msg, n.end),
        rawClass: u16(msg, n.end + 2),
        ttl: ((msg[n.end + 4]! << 24) >>> 0) + (msg[n.end + 5]! << 16) + (msg[n.end + 6]! << 8) + msg[n.end + 7]!,
        rdlengthOffset: n.end + 8,
        rdata: msg.subarray(rdStart, rdStart + rdlength),
      });
      off = rdStart + rdlength;
    }
  }
  return { header, questions, records, problems, stopped: false, trailing: msg.length - off };
}

/**
 * Does this look like a DNS message? Lenient on the DNS ports (the header must be
 * readable, any opcode); strict elsewhere, so random UDP is not claimed:
 * one question that parses, a known class, and section counts the length can hold.
 */
export function looksLikeDns(msg: Uint8Array, strict: boolean, limits: NameLimits): boolean {
  const h = parseHeader(msg);
  if (!h) return false;
  // On a DNS port every opcode is a message (IQUERY, STATUS, NOTIFY, UPDATE, DSO and the
  // unassigned ones alike, as tshark shows them); elsewhere an unknown opcode is a sign of noise.
  if (!strict) return h.qdcount <= 64;
  if (!isKnownOpcode(h.opcode)) return false;
  if (h.qdcount !== 1 || h.z) return false;
  if (!h.qr && (h.ancount > 0 || h.nscount > 0 || h.rcode !== 0 || h.aa || h.ra)) return false;
  if (h.arcount > 16 || h.ancount > 512 || h.nscount > 64) return false;
  const minimum = HEADER_LENGTH + 5 + 11 * (h.ancount + h.nscount + h.arcount);
  if (msg.length < minimum) return false;
  const n = parseName(msg, HEADER_LENGTH, limits);
  if (n.problem || n.end < 0 || n.end + 4 > msg.length) return false;
  const cls = ((msg[n.end + 2]! << 8) | msg[n.end + 3]!) & 0x7fff;
  const type = (msg[n.end]! << 8) | msg[n.end + 1]!;
  if (type === 0 || ![1, 3, 4, 254, 255].includes(cls)) return false;
  // Labels of real names are text; random bytes rarely are.
  return !/\\\d{3}/.test(n.name ?? '');
}
