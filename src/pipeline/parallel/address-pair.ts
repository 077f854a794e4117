/**
 * Which worker a packet goes to: a hash of its IP address pair that is the same in both
 * directions. The pair, not the 5-tuple, because everything that links flows stays within
 * one pair: IP fragments (only the first carries ports), FTP control and data
 * connections, a DNS query retried over TCP, ICMP about a flow. Zeek's BPF load balancing
 * (`PacketFilter::sampling_filter`) splits by the sum of the two addresses too. The cost:
 * a capture of one address pair gets no speed-up. Packets without an IP pair
 * (ARP, damaged headers, unknown link types) all go to worker 0.
 */
import { LINK_IPV4, LINK_IPV6, LINKTYPE_ETHERNET, LinkCursor, walkLink } from '../../decode/index.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../../decode/link/ethertype.js';

const cursor = new LinkCursor(() => {});

export function shardOf(linkType: number, data: Uint8Array, workers: number): number {
  return bucketOf(linkType, data, workers);
}

/**
 * The bucket of a packet among `buckets` (the hash of its address pair, modulo): what
 * `shardOf` is with one bucket per worker; bucket-plan.ts hands several to each worker.
 */
export function bucketOf(linkType: number, data: Uint8Array, buckets: number): number {
  if (buckets <= 1) return 0;
  const outcome = walkLink(linkType, data, cursor);
  const at = cursor.offset;
  let h: number;
  if (outcome === LINK_IPV4 && at + 20 <= data.length) {
    h = mix(word(data, at + 12)) + mix(word(data, at + 16));
  } else if (outcome === LINK_IPV6 && at + 40 <= data.length) {
    h = mix(address6(data, at + 8)) + mix(address6(data, at + 24));
  } else {
    return 0;
  }
  return (mix(h >>> 0) >>> 0) % buckets;
}

/**
 * `bucketOf` of the frame `bytes[offset, offset + caplen)` (a RawPacket's own fields): an
 * Ethernet frame of IPv4 or IPv6, nearly every frame, is hashed in place, as the decoder
 * decodes it (Decoder.decodeFrame), with no view made; other frames take the link walk on a
 * view. Every worker reads every packet, so this runs for all of them, twice (bucket-plan.ts).
 */
export function bucketOfFrame(linkType: number, bytes: Uint8Array, offset: number, caplen: number, buckets: number): number {
  if (buckets <= 1) return 0;
  if (linkType === LINKTYPE_ETHERNET && caplen >= 14) {
    const type = (bytes[offset + 12]! << 8) | bytes[offset + 13]!;
    const at = offset + 14;
    const end = offset + caplen;
    // The same hash of the same addresses as `bucketOf`'s walk (ethernet, then the EtherType).
    if (type === ETHERTYPE_IPV4) return at + 20 <= end ? (mix((mix(word(bytes, at + 12)) + mix(word(bytes, at + 16))) >>> 0) >>> 0) % buckets : 0;
    if (type === ETHERTYPE_IPV6) return at + 40 <= end ? (mix((mix(address6(bytes, at + 8)) + mix(address6(bytes, at + 24))) >>> 0) >>> 0) % buckets : 0;
  }
  return bucketOf(linkType, offset === 0 && caplen === bytes.length ? bytes : bytes.subarray(offset, offset + caplen), buckets);
}

const word = (d: Uint8Array, i: number): number => ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;

function address6(d: Uint8Array, i: number): number {
  return (mix(word(d, i)) ^ mix(word(d, i + 4) + 1) ^ mix(word(d, i + 8) + 2) ^ mix(word(d, i + 12) + 3)) >>> 0;
}

/** A 32-bit integer finaliser (murmur3's fmix32): nearby addresses land far apart. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
