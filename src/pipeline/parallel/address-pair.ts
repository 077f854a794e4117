/**
 * Which worker a packet goes to: a hash of its IP address pair that is the same in both
 * directions. The pair, not the 5-tuple, because everything that links flows stays within
 * one pair: IP fragments (only the first carries ports), FTP control and data
 * connections, a DNS query retried over TCP, ICMP about a flow. Zeek's BPF load balancing
 * (`PacketFilter::sampling_filter`) splits by the sum of the two addresses too. The cost:
 * a capture of one address pair gets no speed-up. Packets without an IP pair
 * (ARP, damaged headers, unknown link types) all go to worker 0.
 */
import { LINK_IPV4, LINK_IPV6, LinkCursor, walkLink } from '../../decode/index.js';

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
