/**
 * The decoder's `IpPacket`, filled in place: `IpRecord` is one reusable record (with its
 * TCP and UDP headers) that `PacketDecoder` refills for every packet, so that decoding a
 * packet makes no object and no typed-array view beyond the payloads handed on (issue 18:
 * the per-packet objects and views were about a third of the core's allocation).
 */
import { decodeTcpAt, TcpRecord } from './tcp.js';
import { decodeUdpAt, UdpRecord } from './udp.js';
import type { Encapsulation, IpPacket, TcpHeader, UdpHeader } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

export type Report = (code: CoreAnomalyCode, detail: string) => void;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

const NO_BYTES = new Uint8Array(0);

/**
 * One packet's network and transport headers. Valid until the decoder that owns it
 * decodes the next packet: the addresses are the record's own arrays, overwritten then,
 * so whatever outlives the call copies what it needs (a flow keeps its key, not these).
 */
export class IpRecord implements IpPacket {
  version: 4 | 6 = 4;
  src: Uint8Array = NO_BYTES;
  dst: Uint8Array = NO_BYTES;
  protocol = 0;
  ttl = 0;
  ip_length = 0;
  reassembled = false;
  icmp: { type: number; code: number } | undefined = undefined;
  transport: TcpHeader | UdpHeader | null = null;
  truncated = false;
  declared_payload = 0;
  encap: Encapsulation | undefined = undefined;
  carries: string | undefined = undefined;
  /** The IP payload is `bytes[payloadStart, payloadEnd)`; its view is made only when asked for. */
  private bytes: Uint8Array = NO_BYTES;
  private payloadStart = 0;
  private payloadEnd = 0;
  private payloadView: Uint8Array | null = null;
  private addr4: Uint8Array | null = null;
  private addr6: Uint8Array | null = null;
  private readonly icmpFacts = { type: 0, code: 0 };
  private tcpRecord: TcpRecord | null = null;
  private udpRecord: UdpRecord | null = null;

  get payload(): Uint8Array {
    return (this.payloadView ??= this.bytes.subarray(this.payloadStart, this.payloadEnd));
  }

  set payload(v: Uint8Array) {
    this.bytes = v;
    this.payloadStart = 0;
    this.payloadEnd = v.length;
    this.payloadView = v;
  }

  /** Copies the addresses from `buf` (4 or 16 bytes each at `srcAt` and `dstAt`) into the record's own arrays. */
  setAddresses(buf: Uint8Array, srcAt: number, dstAt: number, len: 4 | 16): void {
    let a: Uint8Array;
    if (len === 4) a = this.addr4 ??= new Uint8Array(8);
    else a = this.addr6 ??= new Uint8Array(32);
    for (let i = 0; i < len; i++) {
      a[i] = buf[srcAt + i]!;
      a[len + i] = buf[dstAt + i]!;
    }
    // Two views made once per record and address length, reused for every packet.
    if (this.src.buffer !== a.buffer || this.src.length !== len) {
      this.src = a.subarray(0, len);
      this.dst = a.subarray(len, 2 * len);
    }
  }

  /**
   * Fills the rest of the record and decodes the transport header. The payload (transport
   * header and data, as captured, padding trimmed) is `buf[start, end)`.
   * @param declaredPayload the payload length the IP header declares.
   */
  fill(version: 4 | 6, protocol: number, ttl: number, ipLength: number, buf: Uint8Array, start: number, end: number, declaredPayload: number, reassembled: boolean, report: Report): this {
    this.version = version;
    this.protocol = protocol;
    this.ttl = ttl;
    this.ip_length = ipLength;
    this.reassembled = reassembled;
    this.icmp = undefined;
    this.transport = null;
    this.truncated = end - start < declaredPayload;
    this.declared_payload = declaredPayload;
    this.encap = undefined;
    this.carries = undefined;
    this.bytes = buf;
    this.payloadStart = start;
    this.payloadEnd = end;
    this.payloadView = null;
    if (protocol === PROTO_TCP) this.transport = decodeTcpAt(buf, start, end, declaredPayload, report, (this.tcpRecord ??= new TcpRecord()));
    else if (protocol === PROTO_UDP) this.transport = decodeUdpAt(buf, start, end, declaredPayload, report, (this.udpRecord ??= new UdpRecord()));
    else if ((protocol === PROTO_ICMP && version === 4) || (protocol === PROTO_ICMPV6 && version === 6)) {
      if (end - start >= 2) {
        const f = this.icmpFacts;
        f.type = buf[start]!;
        f.code = buf[start + 1]!;
        this.icmp = f;
      }
    }
    return this;
  }
}
