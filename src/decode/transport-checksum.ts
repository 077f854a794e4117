/**
 * TCP and UDP checksums over the pseudo-header (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1),
 * verified only with `--check-checksums`. The IPv6 pseudo-header takes the final
 * destination; a routing header would change it, so such packets may be reported wrongly
 * (rare; Wireshark does the same unless it follows the routing header).
 */
import type { CoreAnomalyCode } from '../events/anomalies.js';
import type { IpPacket } from './types.js';

export function verifyTransportChecksum(p: IpPacket, report: (code: CoreAnomalyCode, detail: string) => void): void {
  const t = p.transport!;
  const seg = p.payload;
  // UDP over IPv4 may leave the checksum out (0).
  if (t.protocol === 'udp' && t.checksum === 0 && p.version === 4) return;
  let sum = 0;
  const add = (b: Uint8Array): void => {
    for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  };
  add(p.src);
  add(p.dst);
  const proto = t.protocol === 'tcp' ? 6 : 17;
  const len = t.protocol === 'udp' ? Math.min(t.length >= 8 ? t.length : seg.length, seg.length) : seg.length;
  sum += proto + (len & 0xffff) + Math.floor(len / 65536);
  let i = 0;
  for (; i + 1 < len; i += 2) sum += (seg[i]! << 8) | seg[i + 1]!;
  if (i < len) sum += seg[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  if (sum === 0xffff) return;
  const stored = t.checksum;
  report(`${t.protocol}.bad_checksum`, `${t.protocol.toUpperCase()} checksum 0x${stored.toString(16).padStart(4, '0')} does not verify`);
}
