/** Builds the decoder's `IpPacket` and decodes the transport header inside it. */
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import type { IpPacket } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

export type Report = (code: CoreAnomalyCode, detail: string) => void;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/**
 * @param payload transport header and data as captured (padding trimmed).
 * @param declaredPayload the payload length the IP header declares.
 */
export function buildIpPacket(
  version: 4 | 6,
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  ttl: number,
  ipLength: number,
  payload: Uint8Array,
  declaredPayload: number,
  reassembled: boolean,
  report: Report,
): IpPacket {
  const packet: IpPacket = {
    version,
    src,
    dst,
    protocol,
    ttl,
    ip_length: ipLength,
    reassembled,
    transport: null,
    payload,
    truncated: payload.length < declaredPayload,
    declared_payload: declaredPayload,
  };
  if (protocol === PROTO_TCP) packet.transport = decodeTcp(payload, declaredPayload, report);
  else if (protocol === PROTO_UDP) packet.transport = decodeUdp(payload, declaredPayload, report);
  else if ((protocol === PROTO_ICMP && version === 4) || (protocol === PROTO_ICMPV6 && version === 6)) {
    if (payload.length >= 2) packet.icmp = { type: payload[0]!, code: payload[1]! };
  }
  return packet;
}
