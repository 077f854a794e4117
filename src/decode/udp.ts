/** UDP header (RFC 768). The length field is checked against the datagram the IP layer carries. */
import type { UdpHeader } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

type Report = (code: CoreAnomalyCode, detail: string) => void;

/** A UDP header filled in place (`IpRecord` owns one and refills it for every packet). */
export class UdpRecord implements UdpHeader {
  readonly protocol = 'udp' as const;
  src_port = 0;
  dst_port = 0;
  length = 0;
  checksum = 0;
  payload: Uint8Array = new Uint8Array(0);
}

/**
 * @param data the IP payload as captured.
 * @param declared the payload length the IP header declares (>= data.length when the capture cut it).
 */
export function decodeUdp(data: Uint8Array, declared: number, report: Report): UdpHeader | null {
  return decodeUdpAt(data, 0, data.length, declared, report, new UdpRecord());
}

/** `decodeUdp` of the datagram at `data[start, stop)`, filling `into`. */
export function decodeUdpAt(data: Uint8Array, start: number, stop: number, declared: number, report: Report, into: UdpRecord): UdpHeader | null {
  const captured = stop - start;
  if (captured < 8) {
    report('udp.truncated', `UDP header needs 8 bytes, ${captured} captured`);
    return null;
  }
  const s = start;
  const length = (data[s + 4]! << 8) | data[s + 5]!;
  let end = declared;
  if (length !== declared) {
    // Use the smaller sane value: a length below the header is meaningless, so the IP length wins;
    // a length beyond the IP payload cannot be right either.
    if (length < 8) {
      // Length 0 is legitimate for IPv6 jumbograms (RFC 2675) only; report anything else.
      if (!(length === 0 && declared > 65535)) report('udp.bad_length', `UDP length ${length} is below the 8-byte header; using the IP payload length ${declared}`);
    } else if (length > declared) {
      report('udp.bad_length', `UDP length ${length} exceeds the IP payload of ${declared} bytes`);
    } else {
      report('udp.bad_length', `UDP length ${length} is shorter than the IP payload of ${declared} bytes; the rest is ignored`);
      end = length;
    }
  }
  const u = into;
  u.src_port = (data[s]! << 8) | data[s + 1]!;
  u.dst_port = (data[s + 2]! << 8) | data[s + 3]!;
  u.length = length;
  u.checksum = (data[s + 6]! << 8) | data[s + 7]!;
  u.payload = data.subarray(s + 8, s + Math.max(8, Math.min(end, captured)));
  return u;
}
