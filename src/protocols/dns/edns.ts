/**
 * EDNS(0) from the OPT pseudo-record (RFC 6891): UDP payload size, extended rcode bits,
 * version, the DO bit, and options. Client subnet (RFC 7871), cookies (RFC 7873),
 * TCP keepalive (RFC 7828), padding (RFC 7830), NSID (RFC 5001) and extended errors
 * (RFC 8914) are decoded; other options keep their bytes as hex.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import { ipv4Text, ipv6Text } from '../../dissect/addresses.js';
import { decodeText, hex } from '../../dissect/text.js';
import type { DnsRecord } from './parser.js';

const OPTION_NAMES: Record<number, string> = {
  3: 'NSID', 5: 'DAU', 6: 'DHU', 7: 'N3U', 8: 'ECS', 9: 'EXPIRE', 10: 'COOKIE', 11: 'TCP_KEEPALIVE',
  12: 'PADDING', 13: 'CHAIN', 14: 'KEY_TAG', 15: 'EDE', 18: 'REPORT_CHANNEL', 19: 'ZONEVERSION',
};

export interface Edns {
  readonly fields: JsonObject;
  /** The upper 8 bits of the 12-bit rcode. */
  readonly extended_rcode: number;
  readonly problems: string[];
}

export function decodeEdns(opt: DnsRecord): Edns {
  const b = opt.rdata;
  const problems: string[] = [];
  const options: JsonValue[] = [];
  let ecs: JsonObject | undefined;
  let cookie: JsonObject | undefined;
  let keepalive: number | null | undefined;
  let padding: number | undefined;
  let off = 0;
  while (off < b.length) {
    if (off + 4 > b.length) {
      problems.push(`EDNS option header cut short at ${off}`);
      break;
    }
    const code = (b[off]! << 8) | b[off + 1]!;
    const len = (b[off + 2]! << 8) | b[off + 3]!;
    const v = off + 4;
    if (v + len > b.length) {
      problems.push(`EDNS option ${OPTION_NAMES[code] ?? code} length ${len} runs past the OPT record`);
      break;
    }
    const value = b.subarray(v, v + len);
    // `data` is in the literal (set below): added later, it would take a property array of its own.
    const entry: Record<string, JsonValue | undefined> = { code, name: OPTION_NAMES[code] ?? `OPTION${code}`, length: len, data: undefined };
    if (code === 8) {
      const r = clientSubnet(value);
      if (typeof r === 'string') problems.push(`ECS: ${r}`);
      else ecs = r;
      entry.data = typeof r === 'string' ? hex(value) : r;
    } else if (code === 10) {
      if (len !== 8 && (len < 16 || len > 40)) problems.push(`COOKIE length ${len} (client 8, server 8..32)`);
      cookie = { client: hex(value.subarray(0, Math.min(8, len))), server: len > 8 ? hex(value.subarray(8)) : null };
      entry.data = cookie;
    } else if (code === 11) {
      if (len !== 0 && len !== 2) problems.push(`TCP keepalive length ${len}`);
      // Timeout in units of 100 ms; a query carries none.
      keepalive = len === 2 ? ((value[0]! << 8) | value[1]!) / 10 : null;
      entry.data = keepalive;
    } else if (code === 12) {
      padding = len;
    } else if (code === 3) {
      entry.data = { hex: hex(value), text: decodeText(value) };
    } else if (code === 15 && len >= 2) {
      entry.data = { info_code: (value[0]! << 8) | value[1]!, extra_text: decodeText(value, 2) };
    } else {
      entry.data = hex(value);
    }
    options.push(entry);
    off = v + len;
  }
  const extended = (opt.ttl >>> 24) & 0xff;
  const fields: JsonObject = {
    udp_size: opt.rawClass,
    extended_rcode_bits: extended,
    version: (opt.ttl >>> 16) & 0xff,
    do: (opt.ttl & 0x8000) !== 0,
    ecs,
    cookie,
    tcp_keepalive: keepalive,
    padding,
    // An exact-size copy: a query's EDNS stays with its flow until the flow ends, and an
    // array grown by push keeps room for 17 elements.
    options: options.slice(),
  };
  return { fields, extended_rcode: extended, problems };
}

function clientSubnet(v: Uint8Array): JsonObject | string {
  if (v.length < 4) return `length ${v.length} below 4`;
  const family = (v[0]! << 8) | v[1]!;
  const source = v[2]!;
  const scope = v[3]!;
  const addr = v.subarray(4);
  const size = family === 1 ? 4 : family === 2 ? 16 : 0;
  if (!size) return `unknown address family ${family}`;
  if (source > size * 8 || scope > size * 8) return `prefix length beyond ${size * 8} bits`;
  if (addr.length > size) return `address of ${addr.length} bytes is too long for family ${family}`;
  if (addr.length !== Math.ceil(source / 8)) return `address of ${addr.length} bytes does not match source prefix /${source}`;
  const padded = new Uint8Array(size);
  padded.set(addr);
  return {
    family: family === 1 ? 'IPv4' : 'IPv6',
    source_prefix: source,
    scope_prefix: scope,
    address: family === 1 ? ipv4Text(padded) : ipv6Text(padded),
  };
}
