import { compareEndpoints } from './key.js';
import { sha1Base64 } from './sha1.js';

/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): a SHA-1 over the seed,
 * the ordered endpoints, the protocol and ports, base64-encoded, prefixed with `1:`.
 * ICMP types and codes stand in for ports, with request/reply pairs mapped so both
 * directions hash alike.
 */
const ICMP4_PAIRS: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
const ICMP6_PAIRS: Record<number, number> = { 128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 144: 145, 145: 144 };

/** The reply type of an ICMP request type (and back), or undefined for one-way types. */
export const icmpCounterpart = (proto: number, type: number): number | undefined =>
  (proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS)[type];

const MESSAGE = new Uint8Array(2 + 16 + 16 + 2 + 4);

export function communityId(
  proto: number,
  src: Uint8Array,
  sport: number,
  dst: Uint8Array,
  dport: number,
  seed = 0,
): string {
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    // The "ports" are the type and the reply type, so both directions hash alike; a type
    // with no reply (one-way) keeps its code and its order.
    const reply = icmpCounterpart(proto, sport);
    if (reply === undefined) oneWay = true;
    else dport = reply;
  }
  let a = src, ap = sport, b = dst, bp = dport;
  const hasPorts = proto === 6 || proto === 17 || proto === 132 || proto === 1 || proto === 58;
  if (!oneWay && compareEndpoints(src, sport, dst, dport) > 0) [a, ap, b, bp] = [dst, dport, src, sport];
  // The hashed message in one reused buffer (at most 40 bytes, for IPv6), hashed in one block.
  const input = MESSAGE;
  let o = 0;
  input[o++] = seed >> 8;
  input[o++] = seed & 0xff;
  input.set(a, o);
  o += a.length;
  input.set(b, o);
  o += b.length;
  input[o++] = proto;
  input[o++] = 0;
  if (hasPorts) {
    input[o++] = ap >> 8;
    input[o++] = ap & 0xff;
    input[o++] = bp >> 8;
    input[o++] = bp & 0xff;
  }
  // Joined, not concatenated: one flat string instead of a two-part rope (it lives as long as its flow).
  return ['1:', sha1Base64(input, o)].join('');
}
