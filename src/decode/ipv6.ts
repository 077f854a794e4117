/**
 * IPv6 (RFC 8200): the fixed header, then a bounded walk over extension headers:
 * hop-by-hop (0), routing (43), destination options (60), fragment (44), AH (51, RFC 4302);
 * mobility (135, RFC 6275) and ESP end the walk as the upper layer; no next header (59)
 * ends the packet. Fragments go to the reassembler; the walk continues in the reassembled
 * datagram (destination options may follow the fragment header).
 */
import type { FragmentReassembler } from './fragments.js';
import { IpRecord, type Report } from './ip-packet.js';
import type { IpPacket } from './types.js';

/** Next-header values (IANA protocol numbers) this walk knows. */
const EXT = { hopByHop: 0, routing: 43, fragment: 44, ah: 51, noNextHeader: 59, destOptions: 60 } as const;
/** More extension headers than this is an attack, not a packet. */
const MAX_EXTENSION_HEADERS = 24;

/** A packet, `null` for a fragment being held, `undefined` for nothing usable. */
export type Ipv6Outcome = IpPacket | null | undefined;

/** @param into the record to fill (a decoder's, reused per packet); a new one when not given. */
export function decodeIpv6(data: Uint8Array, off: number, dataEnd: number, fragments: FragmentReassembler, report: Report, into: IpRecord = new IpRecord()): Ipv6Outcome {
  const avail = dataEnd - off;
  const version = avail > 0 ? data[off]! >> 4 : 6;
  if (version !== 6) {
    report('ip.bad_version', `IP version ${version} where IPv6 was announced`);
    return undefined;
  }
  if (avail < 40) {
    report('ip.truncated', `IPv6 header needs 40 bytes, ${avail} captured`);
    return undefined;
  }
  let payloadLength = (data[off + 4]! << 8) | data[off + 5]!;
  let next = data[off + 6]!;
  if (payloadLength === 0 && next === EXT.hopByHop) payloadLength = avail - 40; // jumbogram (RFC 2675)
  const declaredEnd = off + 40 + payloadLength;
  const end = Math.min(declaredEnd, dataEnd); // trims Ethernet padding
  const ttl = data[off + 7]!;

  let buf = data;
  let p = off + 40;
  let bufEnd = end;
  let bufDeclaredEnd = declaredEnd;
  let reassembled = false;
  let ipLength = 40 + payloadLength;
  for (let count = 0; ; count++) {
    if (count > MAX_EXTENSION_HEADERS) {
      report('ip.bad_extension_header', `more than ${MAX_EXTENSION_HEADERS} extension headers`);
      return undefined;
    }
    if (next === EXT.hopByHop || next === EXT.routing || next === EXT.destOptions || next === EXT.ah) {
      if (next === EXT.hopByHop && (p !== off + 40 || reassembled)) {
        report('ip.bad_extension_header', 'hop-by-hop options header not directly after the IPv6 header');
      }
      if (bufDeclaredEnd - p < 2) {
        report('ip.bad_extension_header', `extension header ${next} does not fit in the payload`);
        return undefined;
      }
      if (bufEnd - p < 2) {
        report('ip.truncated', `extension header ${next} cut short by the capture`);
        return undefined;
      }
      const len = next === EXT.ah ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
      if (p + len > bufDeclaredEnd) {
        report('ip.bad_extension_header', `extension header ${next} of ${len} bytes runs past the payload`);
        return undefined;
      }
      if (p + len > bufEnd) {
        report('ip.truncated', `extension header ${next} of ${len} bytes cut short by the capture`);
        return undefined;
      }
      next = buf[p]!;
      p += len;
      continue;
    }
    if (next === EXT.fragment) {
      if (reassembled) {
        report('ip.bad_extension_header', 'a fragment header inside a reassembled datagram');
        return undefined;
      }
      if (bufDeclaredEnd - p < 8) {
        report('ip.bad_extension_header', 'fragment header does not fit in the payload');
        return undefined;
      }
      if (bufEnd - p < 8) {
        report('ip.truncated', 'fragment header cut short by the capture');
        return undefined;
      }
      const fragNext = buf[p]!;
      const word = (buf[p + 2]! << 8) | buf[p + 3]!;
      const fragOffset = word & 0xfff8;
      const more = (word & 1) !== 0;
      if (fragOffset === 0 && !more) {
        // Atomic fragment (RFC 6946): not part of any reassembly.
        next = fragNext;
        p += 8;
        continue;
      }
      const id = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>> 0;
      const unfragmentable = p - off; // IPv6 header + headers before the fragment header
      const done = fragments.add(
        // Fragments are rare: the addresses as views here (the reassembler keys by them and keeps none).
        { version: 6, id, src: data.subarray(off + 8, off + 24), dst: data.subarray(off + 24, off + 40), protocol: fragNext, offset: fragOffset, more, headerLength: unfragmentable, ttl },
        buf.subarray(p + 8, bufEnd),
        fragments.now(),
      );
      if (done === null) return null;
      buf = done.data;
      p = 0;
      bufEnd = done.data.length;
      bufDeclaredEnd = bufEnd;
      next = done.protocol;
      reassembled = true;
      ipLength = done.headerLength + done.data.length;
      continue;
    }
    break;
  }
  into.setAddresses(data, off + 8, off + 24, 16);
  if (next === EXT.noNextHeader) return into.fill(6, next, ttl, ipLength, buf, p, p, 0, reassembled, report);
  return into.fill(6, next, ttl, ipLength, buf, p, bufEnd, bufDeclaredEnd - p, reassembled, report);
}
