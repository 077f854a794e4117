/**
 * Tunnel headers: from an outer IP packet to what it carries. Each reader walks one header
 * and leaves the inner network layer in the cursor (`LINK_IPV4`, `LINK_IPV6`, or
 * `LINK_ETHERTYPE` for an inner Ethernet frame or EtherType), offsets relative to the
 * buffer it was given (the outer IP payload, or the UDP payload for UDP-borne tunnels).
 *
 * - IP in IP (RFC 2003), 6in4 (RFC 4213), 4in6 and 6in6 (RFC 2473): IP protocol 4 or 41.
 * - GRE (RFC 2784, 2890): flags, protocol type, then checksum, key and sequence number
 *   when flagged. Enhanced GRE of PPTP (RFC 2637, version 1): key holds payload length and
 *   call id, an acknowledgement number may follow; the payload is PPP. ERSPAN type I (no
 *   header, GRE without sequence number), II (8 bytes) and III (12 bytes, plus 8 when its O
 *   bit says a platform sub-header follows), then the mirrored Ethernet frame.
 * - VXLAN (RFC 7348, UDP 4789): 8 bytes, the I flag marks a valid VNI; Ethernet follows.
 * - Geneve (RFC 8926, UDP 6081): 8 bytes plus options, then the protocol type (0x6558 Ethernet).
 * - GTP-U (3GPP TS 29.281, UDP 2152): a G-PDU (message type 255) carries an IP packet after
 *   the 8-byte header, 4 more when E, S or PN is set, then extension headers while the
 *   next-extension type is not 0.
 *
 * Zeek names these in tunnel.log as `Tunnel::IP`, `Tunnel::GRE`, `Tunnel::VXLAN`,
 * `Tunnel::GENEVE` and `Tunnel::GTPv1`; `TunnelType` uses those names.
 */
import { LINK_BAD, LINK_ETHERTYPE, LINK_IPV4, LINK_IPV6, type LinkCursor, type LinkOutcome } from './link/cursor.js';
import { ethernet } from './link/ethernet.js';
import { pppFrame } from './link/ppp.js';

export type TunnelType = 'Tunnel::IP' | 'Tunnel::GRE' | 'Tunnel::VXLAN' | 'Tunnel::GENEVE' | 'Tunnel::GTPv1';

export const PROTO_IPIP = 4;
export const PROTO_IPV6_IN_IP = 41;
export const PROTO_GRE = 47;
export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
export const GTPU_PORT = 2152;

/** What a tunnel header said, beyond the inner layer the cursor points at. */
export interface TunnelHeader {
  type: TunnelType;
  /** The layer's name in the protocol hierarchy: `ipip`, `gre`, `erspan`, `pptp`, `vxlan`, `geneve`, `gtp`. */
  label: string;
  /** VXLAN and Geneve network identifier; the same both ways, so it is part of the flow key. */
  vni: number | undefined;
}

/** GRE flag bits: checksum, routing, key, sequence number (RFC 2784 §2, RFC 2890), acknowledgement (RFC 2637 §4.1). */
const GRE = { CSUM: 0x8000, ROUTING: 0x4000, KEY: 0x2000, SEQ: 0x1000, ACK: 0x0080 } as const;
const GRE_PPP = 0x880b;
const ERSPAN_II = 0x88be;
const ERSPAN_III = 0x22eb;

/** IP protocol 4 or 41: the inner IP header starts at once. */
export function ipInIp(protocol: number, c: LinkCursor): LinkOutcome {
  c.offset = 0;
  return protocol === PROTO_IPIP ? LINK_IPV4 : LINK_IPV6;
}

/** GRE at the start of `buf`. `h` gets the label (gre, pptp, erspan). */
export function gre(buf: Uint8Array, c: LinkCursor, h: TunnelHeader): LinkOutcome {
  if (buf.length < 4) return bad(c, `GRE header needs 4 bytes, ${buf.length} captured`);
  const flags = (buf[0]! << 8) | buf[1]!;
  const proto = (buf[2]! << 8) | buf[3]!;
  const version = flags & 0x7;
  let off = 4;
  h.type = 'Tunnel::GRE';
  h.vni = undefined;
  if (version === 1) {
    // Enhanced GRE (PPTP): key present, no checksum or routing; sequence and ack optional.
    h.label = 'pptp';
    if (proto !== GRE_PPP || !(flags & GRE.KEY) || flags & (GRE.CSUM | GRE.ROUTING)) return bad(c, `enhanced GRE with flags 0x${flags.toString(16)} and protocol 0x${proto.toString(16)}`);
    off += 4;
    if (flags & GRE.SEQ) off += 4;
    if (flags & GRE.ACK) off += 4;
    if (buf.length < off) return bad(c, `enhanced GRE header needs ${off} bytes, ${buf.length} captured`);
    // An ack-only packet carries no payload.
    if (buf.length === off) return c.other('pptp-ack');
    return pppFrame(buf, off, c);
  }
  if (version !== 0) return bad(c, `GRE version ${version}`);
  h.label = 'gre';
  if (flags & GRE.ROUTING) return c.other('gre-routing'); // RFC 1701 source routing: deprecated, not walked
  if (flags & GRE.CSUM) off += 4;
  if (flags & GRE.KEY) off += 4;
  const seq = (flags & GRE.SEQ) !== 0;
  if (seq) off += 4;
  if (buf.length < off) return bad(c, `GRE header needs ${off} bytes, ${buf.length} captured`);
  if (proto === ERSPAN_II || proto === ERSPAN_III) {
    h.label = 'erspan';
    c.shims += ':eth';
    if (proto === ERSPAN_II && !seq) return ethernet(buf, off, c); // type I: no ERSPAN header
    let elen = proto === ERSPAN_II ? 8 : 12;
    if (buf.length < off + elen) return bad(c, `ERSPAN header needs ${elen} bytes, ${buf.length - off} captured`);
    if (proto === ERSPAN_III && buf[off + 11]! & 0x01) elen += 8;
    return ethernet(buf, off + elen, c);
  }
  // The protocol type is an EtherType (PPP's 0x880b among them): the one EtherType table's.
  c.etherType = proto;
  c.offset = off;
  return LINK_ETHERTYPE;
}

/** VXLAN at the start of the UDP payload; null when the bytes are not VXLAN (the I flag is clear). */
export function vxlan(buf: Uint8Array, c: LinkCursor, h: TunnelHeader): LinkOutcome | null {
  if (buf.length < 8 || (buf[0]! & 0x08) === 0) return null;
  h.type = 'Tunnel::VXLAN';
  h.label = 'vxlan';
  h.vni = (buf[4]! << 16) | (buf[5]! << 8) | buf[6]!;
  if (buf.length < 8 + 14) return bad(c, `VXLAN packet of ${buf.length} bytes holds no Ethernet frame`);
  c.shims += ':eth';
  return ethernet(buf, 8, c);
}

/** Geneve at the start of the UDP payload; null when the version is not 0. */
export function geneve(buf: Uint8Array, c: LinkCursor, h: TunnelHeader): LinkOutcome | null {
  if (buf.length < 8 || buf[0]! >> 6 !== 0) return null;
  h.type = 'Tunnel::GENEVE';
  h.label = 'geneve';
  h.vni = (buf[4]! << 16) | (buf[5]! << 8) | buf[6]!;
  const off = 8 + (buf[0]! & 0x3f) * 4;
  if (buf.length < off) return bad(c, `Geneve header with options needs ${off} bytes, ${buf.length} captured`);
  // An inner Ethernet frame (0x6558) is the EtherType resolver's to unwrap, as for GRE/TEB.
  c.etherType = (buf[2]! << 8) | buf[3]!;
  c.offset = off;
  return LINK_ETHERTYPE;
}

const GTP_GPDU = 0xff;

/** GTP-U at the start of the UDP payload; null for GTP messages that carry no packet (echo, error indication) or for what is not GTPv1. */
export function gtpU(buf: Uint8Array, c: LinkCursor, h: TunnelHeader): LinkOutcome | null {
  if (buf.length < 8 || buf[0]! >> 5 !== 1 || (buf[0]! & 0x10) === 0 || buf[1] !== GTP_GPDU) return null;
  h.type = 'Tunnel::GTPv1';
  h.label = 'gtp';
  h.vni = undefined;
  let off = 8;
  if (buf[0]! & 0x07) {
    if (buf.length < 12) return bad(c, `GTP-U header with optional fields needs 12 bytes, ${buf.length} captured`);
    let next = buf[11]!;
    off = 12;
    // Each extension header: a length in 4-byte units (never 0), content, the next type last.
    while (next !== 0 && (buf[0]! & 0x04) !== 0) {
      if (off >= buf.length) return bad(c, 'GTP-U extension header cut short');
      const len = buf[off]! * 4;
      if (len === 0) return bad(c, 'GTP-U extension header of length 0');
      if (off + len > buf.length) return bad(c, `GTP-U extension header of ${len} bytes cut short`);
      next = buf[off + len - 1]!;
      off += len;
    }
  }
  if (off >= buf.length) return c.other('gtp-empty');
  return c.byVersionNibble(buf, off, 'GTP-U payload');
}

function bad(c: LinkCursor, detail: string): LinkOutcome {
  c.report('tunnel.bad_header', detail);
  return LINK_BAD;
}

