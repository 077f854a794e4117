/** UDP header (RFC 768). The length field is checked against the datagram the IP layer carries. */
import type { UdpHeader } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

type Report = (code: CoreAnomalyCode, detail: string) => void;

/**
 * @param data the IP payload as captured.
 * @param declared the payload length the IP header declares (>= data.length when the capture cut it).
 */
export function decodeUdp(data: Uint8Array, declared: number, report: Report): UdpHeader | null {
  if (data.length < 8) {
    report('udp.truncated', `UDP header needs 8 bytes, ${data.length} captured`);
    return null;
  }
  const length = (data[4]! << 8) | data[5]!;
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
  return {
    protocol: 'udp',
    src_port: (data[0]! << 8) | data[1]!,
    dst_port: (data[2]! << 8) | data[3]!,
    length,
    checksum: (data[6]! << 8) | data[7]!,
    payload: data.subarray(8, Math.min(end, data.length)),
  };
}
