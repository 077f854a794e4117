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
export { LINK_IPV4, LINK_IPV6, LinkCursor } from './link/cursor.js';
import { ethernet } from './link/ethernet.js';
import { resolveEtherType } from './link/ethertype.js';
import { loop, nullLoopback } from './link/loopback.js';
import { linkTypeName } from './link/names.js';
import { nflog } from './link/nflog.js';
import { pppFrame } from './link/ppp.js';
import { sll, sll2 } from './link/sll.js';
import type { DecodeProblem, DecodeResult, IpPacket } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';
import { verifyTransportChecksum } from './transport-checksum.js';

export { formatAddress } from './address.js';
export { linkTypeName } from './link/names.js';
export type { DecodeProblem, DecodeResult, IpPacket, TcpHeader, TcpOptions, UdpHeader } from './types.js';
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
   * @param checkChecksums verify IPv4 header, TCP and UDP checksums (`--check-checksums`).
   * Off by default, as in Wireshark.
   */
  constructor(
    limits: Readonly<Limits>,
    onProblem: (p: DecodeProblem) => void,
    private readonly checkChecksums = false,
  ) {
    this.report = (code, detail) => onProblem({ code, detail });
    this.fragments = new FragmentReassembler(limits, this.report);
    this.cursor = new LinkCursor(this.report);
  }

  /** Datagrams waiting for fragments (for statistics and tests). */
  get pendingFragments(): number {
    return this.fragments.size;
  }

  /** `frame` only orders fragment time-outs (see `expire`). */
  decode(linkType: number, data: Uint8Array, ts: Timestamp, frame = 0): DecodeResult {
    this.fragments.frame = frame;
    const c = this.cursor;
    const outcome = walkLink(linkType, data, c);
    if (outcome === null) return this.unknownLinkType(linkType);
    let packet: IpPacket | null | undefined;
    if (outcome === LINK_IPV4) packet = decodeIpv4(data, c.offset, ts, this.fragments, this.report, this.checkChecksums);
    else if (outcome === LINK_IPV6) packet = decodeIpv6(data, c.offset, ts, this.fragments, this.report);
    else if (outcome === LINK_BAD) return BAD;
    else return this.other(c.label);
    if (packet === undefined) return BAD;
    if (packet === null) return HELD;
    if (this.checkChecksums && packet.transport && !packet.truncated) verifyTransportChecksum(packet, this.report);
    return { kind: 'ip', packet };
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
      this.report('capture.unknown_link_type', `link type ${linkType}${name ? ` (${name})` : ''} is not decoded; its packets are counted only`);
    }
    return BAD;
  }
}

/**
 * Walks the link headers of a packet to its network layer, leaving the details in `c`.
 * Returns null for a link type that is not decoded.
 */
export function walkLink(linkType: number, data: Uint8Array, c: LinkCursor): LinkOutcome | null {
  let outcome: LinkOutcome;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      outcome = ethernet(data, 0, c);
      break;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
      outcome = c.byVersionNibble(data, 0, 'raw IP');
      break;
    case LINKTYPE_IPV4:
      c.offset = 0;
      outcome = LINK_IPV4;
      break;
    case LINKTYPE_IPV6:
      c.offset = 0;
      outcome = LINK_IPV6;
      break;
    case LINKTYPE_LINUX_SLL:
      outcome = sll(data, c);
      break;
    case LINKTYPE_LINUX_SLL2:
      outcome = sll2(data, c);
      break;
    case LINKTYPE_NULL:
      outcome = nullLoopback(data, c);
      break;
    case LINKTYPE_LOOP:
      outcome = loop(data, c);
      break;
    case LINKTYPE_NFLOG:
      outcome = nflog(data, c);
      break;
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      outcome = pppFrame(data, 0, c);
      break;
    default:
      return null;
  }
  return outcome === LINK_ETHERTYPE ? resolveEtherType(data, c) : outcome;
}
