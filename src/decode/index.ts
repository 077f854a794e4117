/**
 * `PacketDecoder`: link layer -> IP (fragments reassembled) -> TCP/UDP/ICMP headers.
 * It never throws on packet bytes: what is wrong becomes a `DecodeProblem`, and the result
 * says how far decoding got. Results hold views into the packet's bytes.
 */
import type { Limits } from '../dissect/limits.js';
import type { Timestamp } from '../events/time.js';
import { FragmentReassembler } from './fragments.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { LINK_BAD, LINK_ETHERTYPE, LINK_IPV4, LINK_IPV6, LinkCursor, type LinkOutcome } from './link/cursor.js';
import { GENEVE_PORT, geneve, gre, GTPU_PORT, gtpU, ipInIp, PROTO_GRE, PROTO_IPIP, PROTO_IPV6_IN_IP, VXLAN_PORT, vxlan, type TunnelHeader } from './tunnel.js';
import { avs, ieee80211, ppi, prism, radiotap } from './link/wlan-radio.js';
export { LINK_IPV4, LINK_IPV6, LinkCursor } from './link/cursor.js';
import { ethernet } from './link/ethernet.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, resolveEtherType } from './link/ethertype.js';
import { loop, nullLoopback } from './link/loopback.js';
import { linkTypeName } from './link/names.js';
import { nflog } from './link/nflog.js';
import { pppFrame } from './link/ppp.js';
import { sll, sll2 } from './link/sll.js';
import type { DecodeProblem, DecodeResult, Encapsulation, IpPacket } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';
import { verifyTransportChecksum } from './transport-checksum.js';
import { IpRecord } from './ip-packet.js';

export { formatAddress } from './address.js';
export { linkTypeName } from './link/names.js';
export type { DecodeProblem, DecodeResult, Encapsulation, IpPacket, TcpHeader, TcpOptions, TunnelType, UdpHeader } from './types.js';
export { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from './types.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW_12 = 12;
export const LINKTYPE_RAW_14 = 14;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_PRISM = 119;
export const LINKTYPE_RADIOTAP = 127;
export const LINKTYPE_AVS = 163;
export const LINKTYPE_PPI = 192;

/** Whether `walkLink` decodes this link type (the others' frames are counted, not decoded). */
export function isDecodedLinkType(linkType: number): boolean {
  return LINK_DECODERS[linkType] !== undefined;
}

type LinkDecoder = (data: Uint8Array, c: LinkCursor) => LinkOutcome;

const rawIp: LinkDecoder = (data, c) => c.byVersionNibble(data, 0, 'raw IP');
const atStart =
  (outcome: LinkOutcome): LinkDecoder =>
  (_data, c) => {
    c.offset = 0;
    return outcome;
  };

/**
 * The one link-type table: libpcap's LINKTYPE_ number to the reader of that link header.
 * What it leaves as an EtherType goes on through the EtherType table (`resolveEtherType`).
 */
const LINK_DECODER_LIST: ReadonlyArray<[number, LinkDecoder]> = [
  [LINKTYPE_NULL, nullLoopback],
  [LINKTYPE_ETHERNET, (data, c) => ethernet(data, 0, c)],
  [LINKTYPE_PPP, (data, c) => pppFrame(data, 0, c)],
  [LINKTYPE_PPP_HDLC, (data, c) => pppFrame(data, 0, c)],
  [LINKTYPE_RAW, rawIp],
  [LINKTYPE_RAW_12, rawIp],
  [LINKTYPE_RAW_14, rawIp],
  [LINKTYPE_IEEE802_11, ieee80211],
  [LINKTYPE_LOOP, loop],
  [LINKTYPE_LINUX_SLL, sll],
  [LINKTYPE_PRISM, prism],
  [LINKTYPE_RADIOTAP, radiotap],
  [LINKTYPE_AVS, avs],
  [LINKTYPE_PPI, ppi],
  [LINKTYPE_IPV4, atStart(LINK_IPV4)],
  [LINKTYPE_IPV6, atStart(LINK_IPV6)],
  [LINKTYPE_NFLOG, nflog],
  [LINKTYPE_LINUX_SLL2, sll2],
];
/** The table as an array by link type (they are below 300): an index, not a map lookup, per frame. */
const LINK_DECODERS: ReadonlyArray<LinkDecoder | undefined> = Array.from({ length: Math.max(...LINK_DECODER_LIST.map(([t]) => t)) + 1 }, (_, t) => LINK_DECODER_LIST.find(([lt]) => lt === t)?.[1]);

/** `ipip`, `6in4`, `4in6`, `6in6`: IP in IP by outer and inner version. */
function ipInIpLabel(outer: 4 | 6, proto: number): string {
  if (outer === 4) return proto === PROTO_IPIP ? 'ipip' : '6in4';
  return proto === PROTO_IPIP ? '4in6' : '6in6';
}

/**
 * max_tunnel_depth is clamped to this: the engine names a share's flows by frame with room
 * for this many tunnels' flows per frame, and no network nests tunnels this deep.
 */
export const MAX_TUNNEL_DEPTH = 255;

const HELD: DecodeResult = Object.freeze({ kind: 'held' });
const BAD: DecodeResult = Object.freeze({ kind: 'bad' });

export class PacketDecoder {
  private readonly fragments: FragmentReassembler;
  private readonly cursor: LinkCursor;
  private readonly unknownLinkTypes = new Set<number>();
  private readonly report: (code: CoreAnomalyCode, detail: string) => void;
  /** Labels of non-IP results, one object each, reused. */
  private readonly otherResults = new Map<string, DecodeResult>();
  /**
   * The records packets are decoded into, one per tunnel depth (the outermost at 0, each
   * tunnel's packet linked from the one inside by `encap.outer`), refilled for every frame;
   * and the one result that carries them. Nothing is made per packet: what a result holds
   * is valid until the next `decode` (see `DecodeResult`).
   */
  private readonly records: IpRecord[] = [new IpRecord()];
  /** Per tunnel depth, like `records`: the tunnel header read and the `encap` linking the packet inside to it. */
  private readonly headers: TunnelHeader[] = [];
  private readonly encaps: Encapsulation[] = [];
  private readonly ipResult: { kind: 'ip'; packet: IpPacket } = { kind: 'ip', packet: this.records[0]! };

  /**
   * @param checkChecksums verify IPv4 header, TCP and UDP checksums (`--check-checksums`).
   * Off by default, as in Wireshark.
   */
  private readonly maxDepth: number;

  constructor(
    limits: Readonly<Limits>,
    onProblem: (p: DecodeProblem) => void,
    private readonly checkChecksums = false,
  ) {
    this.report = (code, detail) => onProblem({ code, detail });
    this.fragments = new FragmentReassembler(limits, this.report);
    this.cursor = new LinkCursor(this.report);
    this.maxDepth = Math.min(limits.max_tunnel_depth, MAX_TUNNEL_DEPTH);
  }

  /** The last frame's layers between its link header and its network layer (`LinkCursor.shims`). */
  linkShims = '';

  /** Datagrams waiting for fragments (for statistics and tests). */
  get pendingFragments(): number {
    return this.fragments.size;
  }

  /** `frame` only orders fragment time-outs (see `expire`). */
  decode(linkType: number, data: Uint8Array, ts: Timestamp, frame = 0): DecodeResult {
    return this.decodeFrame(linkType, data, 0, data.length, ts.sec, ts.ns, frame);
  }

  /**
   * `decode` of the frame `bytes[offset, offset + caplen)`, its time as numbers: the
   * engine's path. An Ethernet frame of IPv4 or IPv6 (nearly every frame) is decoded in
   * place, with no view and no Timestamp made; other frames get a view for the link walk.
   */
  decodeFrame(linkType: number, bytes: Uint8Array, offset: number, caplen: number, sec: number, ns: number, frame: number): DecodeResult {
    const fragments = this.fragments;
    fragments.frame = frame;
    fragments.sec = sec;
    fragments.ns = ns;
    if (linkType === LINKTYPE_ETHERNET && caplen >= 14) {
      // What `walkLink` does for such a frame (ethernet, then resolveEtherType's first test).
      const type = (bytes[offset + 12]! << 8) | bytes[offset + 13]!;
      if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) {
        this.linkShims = '';
        const end = offset + caplen;
        const record = this.records[0]!;
        const packet =
          type === ETHERTYPE_IPV4
            ? decodeIpv4(bytes, offset + 14, end, this.fragments, this.report, this.checkChecksums, record)
            : decodeIpv6(bytes, offset + 14, end, this.fragments, this.report, record);
        return this.ipDecoded(packet);
      }
    }
    const data = offset === 0 && caplen === bytes.length ? bytes : bytes.subarray(offset, offset + caplen);
    return this.decodeView(linkType, data);
  }

  private decodeView(linkType: number, data: Uint8Array): DecodeResult {
    const c = this.cursor;
    const outcome = walkLink(linkType, data, c);
    this.linkShims = c.shims;
    if (outcome === null) return this.unknownLinkType(linkType);
    // An 802.11 FCS is not part of the packet it follows.
    if (c.trim > 0) data = data.subarray(0, Math.max(c.offset, data.length - c.trim));
    let packet: IpPacket | null | undefined;
    const record = this.records[0]!;
    if (outcome === LINK_IPV4) packet = decodeIpv4(data, c.offset, data.length, this.fragments, this.report, this.checkChecksums, record);
    else if (outcome === LINK_IPV6) packet = decodeIpv6(data, c.offset, data.length, this.fragments, this.report, record);
    else if (outcome === LINK_BAD) return BAD;
    else return this.other(c.label);
    return this.ipDecoded(packet);
  }

  /** The network layer decoded: tunnels taken off, checksums checked when asked. */
  private ipDecoded(decoded: IpPacket | null | undefined): DecodeResult {
    let packet = decoded;
    if (packet === undefined) return BAD;
    if (packet === null) return HELD;
    if (packet.protocol === PROTO_IPIP || packet.protocol === PROTO_IPV6_IN_IP || packet.protocol === PROTO_GRE || packet.transport?.protocol === 'udp') {
      packet = this.decapsulate(packet);
    }
    if (this.checkChecksums && packet.transport && !packet.truncated) verifyTransportChecksum(packet, this.report);
    const r = this.ipResult;
    r.packet = packet;
    return r;
  }

  /**
   * Takes tunnels off: while the packet is a tunnel's (by IP protocol or UDP port and a
   * header that fits), the packet inside replaces it, linked to it by `encap`. A tunnel
   * whose header is bad, or whose payload is not IP, ends the walk on the tunnel's packet.
   */
  private decapsulate(outer: IpPacket): IpPacket {
    const c = this.cursor;
    let packet = outer;
    for (let depth = 0; ; depth++) {
      // The tunnel's own walk: what it carries before the network layer (`vxlan:eth`).
      c.shims = '';
      const t = packet.transport;
      const proto = packet.protocol;
      let buf: Uint8Array;
      let outcome: LinkOutcome | null = null;
      let h: TunnelHeader | null = null;
      if (proto === PROTO_IPIP || proto === PROTO_IPV6_IN_IP) {
        buf = packet.payload;
        if (buf.length === 0) return packet;
        h = this.header(depth, 'Tunnel::IP', ipInIpLabel(packet.version, proto));
        outcome = ipInIp(proto, c);
      } else if (proto === PROTO_GRE) {
        buf = packet.payload;
        h = this.header(depth, 'Tunnel::GRE', 'gre');
        outcome = gre(buf, c, h);
      } else if (t !== null && t.protocol === 'udp') {
        buf = t.payload;
        h = this.header(depth, 'Tunnel::VXLAN', '');
        if (t.dst_port === VXLAN_PORT) outcome = vxlan(buf, c, h);
        else if (t.dst_port === GENEVE_PORT) outcome = geneve(buf, c, h);
        else if (t.dst_port === GTPU_PORT || t.src_port === GTPU_PORT) outcome = gtpU(buf, c, h);
      } else return packet;
      if (outcome === null || h === null) return packet;
      if (depth >= this.maxDepth) {
        this.report('tunnel.depth_limit', `${h.label || 'tunnel'} inside ${depth} tunnels: deeper than max_tunnel_depth ${this.maxDepth}; not decapsulated`);
        return packet;
      }
      if (outcome === LINK_ETHERTYPE) outcome = resolveEtherType(buf, c);
      if (outcome === LINK_BAD) return packet;
      let inner: IpPacket | null | undefined;
      const record = (this.records[depth + 1] ??= new IpRecord());
      if (outcome === LINK_IPV4) inner = decodeIpv4(buf, c.offset, buf.length, this.fragments, this.report, this.checkChecksums, record);
      else if (outcome === LINK_IPV6) inner = decodeIpv6(buf, c.offset, buf.length, this.fragments, this.report, record);
      else {
        packet.carries = `${h.label}${c.shims}:${c.label}`;
        return packet;
      }
      if (inner === undefined || inner === null) {
        // A damaged inner packet, or a fragment held until its datagram is whole: the tunnel's packet counts.
        packet.carries = `${h.label}:${inner === null ? 'fragment' : 'bad'}`;
        return packet;
      }
      const encap = (this.encaps[depth] ??= { outer: packet, type: h.type, label: '', path: '', vni: undefined });
      encap.outer = packet;
      encap.type = h.type;
      encap.label = h.label;
      encap.path = c.shims === '' ? h.label : `${h.label}${c.shims}`;
      encap.vni = h.vni;
      inner.encap = encap;
      packet = inner;
    }
  }

  /** The tunnel header record of `depth`, reset (valid until the next `decode`, as the records are). */
  private header(depth: number, type: TunnelHeader['type'], label: string): TunnelHeader {
    const h = (this.headers[depth] ??= { type, label, vni: undefined });
    h.type = type;
    h.label = label;
    h.vni = undefined;
    return h;
  }

  /** Drop datagrams whose fragments waited longer than `fragment_timeout` (capture time). */
  expire(now: Timestamp, before?: (firstFrame: number) => void): void {
    this.fragments.expire(now, before);
  }

  private other(label: string): DecodeResult {
    let r = this.otherResults.get(label);
    if (r === undefined) {
      r = Object.freeze({ kind: 'other', label });
      if (this.otherResults.size < 1024) this.otherResults.set(label, r);
    }
    return r;
  }

  private unknownLinkType(linkType: number): DecodeResult {
    if (!this.unknownLinkTypes.has(linkType)) {
      // Once per link type: every packet of such an interface would repeat it.
      this.unknownLinkTypes.add(linkType);
      const name = linkTypeName(linkType);
      this.report('capture.unknown_link_type', `link type ${linkType}${name ? ` (${name})` : ''} is not supported: its frames are counted, not decoded`);
    }
    return BAD;
  }
}

/**
 * Walks the link headers of a packet to its network layer, leaving the details in `c`.
 * Returns null for a link type that is not decoded.
 */
export function walkLink(linkType: number, data: Uint8Array, c: LinkCursor): LinkOutcome | null {
  const decode = LINK_DECODERS[linkType];
  if (decode === undefined) return null;
  c.trim = 0;
  c.shims = '';
  const outcome = decode(data, c);
  return outcome === LINK_ETHERTYPE ? resolveEtherType(data, c) : outcome;
}
