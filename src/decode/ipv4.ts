/**
 * IPv4 (RFC 791): header checks, checksum when asked (a bad one is reported, the packet
 * still used: senders with checksum offload write garbage there), padding trimmed to the total length,
 * fragments handed to the reassembler.
 */
import { internetChecksum } from './checksum.js';
import type { FragmentReassembler } from './fragments.js';
import { IpRecord, type Report } from './ip-packet.js';
import type { IpPacket } from './types.js';

/** Result of `decodeIpv4`: a packet, `null` for a fragment being held, `undefined` for nothing usable. */
export type Ipv4Outcome = IpPacket | null | undefined;

/**
 * @param into the record to fill (a decoder's, reused per packet); a new one when not given.
 */
export function decodeIpv4(data: Uint8Array, off: number, dataEnd: number, fragments: FragmentReassembler, report: Report, checkChecksum = true, into: IpRecord = new IpRecord()): Ipv4Outcome {
  const avail = dataEnd - off;
  const vihl = avail > 0 ? data[off]! : 0x40;
  if (vihl >> 4 !== 4) {
    report('ip.bad_version', `IP version ${vihl >> 4} where IPv4 was announced`);
    return undefined;
  }
  if (avail < 20) {
    report('ip.truncated', `IPv4 header needs 20 bytes, ${avail} captured`);
    return undefined;
  }
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < 20) {
    report('ip.bad_header_length', `IPv4 header length ${hlen} is below 20`);
    return undefined;
  }
  let total = (data[off + 2]! << 8) | data[off + 3]!;
  if (hlen > avail) {
    // Cut by the capture if the datagram is longer than its header; otherwise the header length is wrong.
    report(total >= hlen ? 'ip.truncated' : 'ip.bad_header_length', `IPv4 header length ${hlen} is beyond the ${avail} bytes captured`);
    return undefined;
  }
  if (total === 0) {
    // TCP segmentation offload leaves the length 0 on outgoing packets: use what was captured (as Zeek does).
    report('ip.bad_total_length', 'IPv4 total length 0 (segmentation offload?); using the captured length');
    total = avail;
  } else if (total < hlen) {
    report('ip.bad_total_length', `IPv4 total length ${total} is below the header length ${hlen}`);
    return undefined;
  }
  // Verified only when asked (`--check-checksums`): like Wireshark, not by default, since
  // captures taken on the sending host hold garbage there (checksum offload).
  if (checkChecksum && internetChecksum(data, off, off + hlen) !== 0) {
    const stored = (data[off + 10]! << 8) | data[off + 11]!;
    const correct = correctChecksum(data, off, hlen);
    report('ip.bad_checksum', `IPv4 header checksum 0x${hex4(stored)}, should be 0x${hex4(correct)}`);
  }
  const protocol = data[off + 9]!;
  const ttl = data[off + 8]!;
  // Ethernet pads short frames to 60 bytes: the datagram ends at the total length.
  const end = off + Math.min(total, avail);
  const flagsOffset = (data[off + 6]! << 8) | data[off + 7]!;
  const more = (flagsOffset & 0x2000) !== 0;
  const fragOffset = (flagsOffset & 0x1fff) * 8;
  if (!more && fragOffset === 0) {
    into.setAddresses(data, off + 12, off + 16, 4);
    return into.fill(4, protocol, ttl, total, data, off + hlen, end, total - hlen, false, report);
  }
  const id = (data[off + 4]! << 8) | data[off + 5]!;
  // Fragments are rare: the addresses as views here (the reassembler keys by them and keeps none).
  const done = fragments.add(
    { version: 4, id, src: data.subarray(off + 12, off + 16), dst: data.subarray(off + 16, off + 20), protocol, offset: fragOffset, more, headerLength: hlen, ttl },
    data.subarray(off + hlen, end),
    fragments.now(),
  );
  if (done === null) return null;
  const length = done.headerLength + done.data.length;
  into.setAddresses(data, off + 12, off + 16, 4);
  return into.fill(4, done.protocol, done.ttl, length, done.data, 0, done.data.length, done.data.length, true, report);
}

/** The checksum the header should carry: the sum with the checksum field taken as zero. */
function correctChecksum(data: Uint8Array, off: number, hlen: number): number {
  let sum = 0;
  for (let i = off; i < off + hlen; i += 2) {
    if (i === off + 10) continue;
    sum += (data[i]! << 8) | data[i + 1]!;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
