/**
 * SVCB and HTTPS records (RFC 9460): priority, target name and SvcParams. dns-packet has
 * no codec for them, and the corpus has a malformed ALPN list, so every length is checked.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import { hex, latin1 } from '../../dissect/text.js';
import { parseName, type NameLimits } from './names.js';
import { ipv4Text, ipv6Text } from '../../dissect/addresses.js';

const KEYS: Record<number, string> = {
  0: 'mandatory', 1: 'alpn', 2: 'no-default-alpn', 3: 'port', 4: 'ipv4hint', 5: 'ech', 6: 'ipv6hint', 7: 'dohpath', 8: 'ohttp',
};
const keyName = (k: number): string => KEYS[k] ?? `key${k}`;
const u16 = (msg: Uint8Array, o: number): number => (msg[o]! << 8) | msg[o + 1]!;

export function decodeSvcb(msg: Uint8Array, start: number, end: number, limits: NameLimits): { data: JsonObject; text: string } | string {
  if (end - start < 3) return 'too short';
  const priority = u16(msg, start);
  const target = parseName(msg, start + 2, limits, end);
  if (target.name === null || target.end < 0) return target.problem?.reason ?? 'bad target name';
  const params: Record<string, JsonValue> = {};
  const texts: string[] = [];
  let off = target.end;
  while (off < end) {
    if (off + 4 > end) return `SvcParam header cut short at offset ${off}`;
    const key = u16(msg, off);
    const len = u16(msg, off + 2);
    const v = off + 4;
    if (v + len > end) return `SvcParam ${keyName(key)} length ${len} runs past RDATA`;
    const value = param(msg, key, v, v + len);
    if (typeof value === 'object' && value !== null && 'error' in value) return `SvcParam ${keyName(key)}: ${String(value.error)}`;
    const name = keyName(key);
    params[name] = value;
    texts.push(len === 0 ? name : `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`);
    off = v + len;
  }
  return { data: { priority, target: target.name, params }, text: [String(priority), target.name, ...texts].join(' ') };
}

function param(msg: Uint8Array, key: number, start: number, end: number): JsonValue {
  const len = end - start;
  switch (key) {
    case 0: {
      if (len % 2) return { error: 'odd length' };
      const keys: string[] = [];
      for (let o = start; o < end; o += 2) keys.push(keyName(u16(msg, o)));
      return keys;
    }
    case 1: {
      const ids: string[] = [];
      for (let o = start; o < end; ) {
        const l = msg[o]!;
        if (l === 0 || o + 1 + l > end) return { error: `ALPN id length ${l} does not fit` };
        ids.push(latin1(msg, o + 1, o + 1 + l));
        o += 1 + l;
      }
      return ids;
    }
    case 2:
      return len === 0 ? true : { error: 'no-default-alpn must be empty' };
    case 3:
      return len === 2 ? u16(msg, start) : { error: `port length ${len}` };
    case 4: {
      if (len === 0 || len % 4) return { error: `ipv4hint length ${len}` };
      const out: string[] = [];
      for (let o = start; o < end; o += 4) out.push(ipv4Text(msg, o));
      return out;
    }
    case 6: {
      if (len === 0 || len % 16) return { error: `ipv6hint length ${len}` };
      const out: string[] = [];
      for (let o = start; o < end; o += 16) out.push(ipv6Text(msg, o));
      return out;
    }
    case 5:
      // A view, not a copy: the ECH config is the longest value of an HTTPS record.
      return Buffer.from(msg.buffer, msg.byteOffset + start, len).toString('base64');
    case 7:
      return latin1(msg, start, end);
  }
  return hex(msg.subarray(start, end));
}
