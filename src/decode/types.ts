/**
 * What the decoder hands to the flow table: the network and transport headers of one
 * packet, with views into the packet's bytes (valid only while the packet is processed).
 */
import type { CoreAnomalyCode } from '../events/anomalies.js';
import type { TunnelType } from './tunnel.js';

export type { TunnelType } from './tunnel.js';

/** The tunnel a packet was carried in: the packet around it and what the tunnel header said. */
export interface Encapsulation {
  /** The enclosing packet (its own `encap` says what enclosed it). */
  outer: IpPacket;
  type: TunnelType;
  /** The tunnel's type as Zeek's tunnel log names it (`gre`, `vxlan`, `erspan`...). */
  label: string;
  /** The tunnel's layers in the protocol hierarchy: the label and what it carries before IP (`vxlan:eth`, `gre:eth`). */
  path: string;
  /** VXLAN and Geneve network identifier. */
  vni: number | undefined;
}

export interface TcpOptions {
  mss?: number;
  window_scale?: number;
  sack_permitted?: boolean;
  /** SACK blocks as [left, right) sequence numbers. */
  sack?: Array<[number, number]>;
  timestamp?: [number, number];
  /** Option kinds seen, in order (for the record). */
  kinds: number[];
}

export interface TcpHeader {
  readonly protocol: 'tcp';
  src_port: number;
  dst_port: number;
  /** Unsigned 32-bit. */
  seq: number;
  ack: number;
  /** Header length in bytes. */
  data_offset: number;
  /** The 9 flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80, NS 0x100. */
  flags: number;
  window: number;
  checksum: number;
  urgent: number;
  /** Decoded on SYN segments (where they are negotiated); null on others, whose options are only checked. */
  options: TcpOptions | null;
  payload: Uint8Array;
}

export interface UdpHeader {
  readonly protocol: 'udp';
  src_port: number;
  dst_port: number;
  length: number;
  checksum: number;
  payload: Uint8Array;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

export interface IpPacket {
  version: 4 | 6;
  /** 4 or 16 bytes. */
  src: Uint8Array;
  dst: Uint8Array;
  /** Transport protocol number after any IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...). */
  protocol: number;
  ttl: number;
  /** Bytes of the IP datagram including its header (after fragment reassembly). */
  ip_length: number;
  /** True when this packet is a datagram reassembled from fragments. */
  reassembled: boolean;
  /** ICMP type/code, for the Community ID of ICMP flows. */
  icmp?: { type: number; code: number };
  /** The decoded transport header, or null when not TCP/UDP or not decodable. */
  transport: TcpHeader | UdpHeader | null;
  /** The IP payload (transport header and data). */
  payload: Uint8Array;
  /**
   * True when the capture holds fewer bytes than the IP header declares (snaplen cut):
   * `payload` is what was captured, `ip_length` what was sent. No anomaly is raised for it.
   */
  truncated?: boolean;
  /** Bytes of IP payload the header declares (transport header and data), captured or not. */
  declared_payload?: number;
  /** Set when this packet was decapsulated from a tunnel. */
  encap?: Encapsulation;
  /**
   * Set on a tunnel's packet whose payload is not IP (ARP in VXLAN, a PPTP control frame):
   * the layers it holds, for the protocol hierarchy (`vxlan:eth:arp`). The packet counts on
   * its own flow as the tunnel.
   */
  carries?: string;
}

/** An anomaly found while decoding; the decoder's caller stamps frame, time and flow. */
export interface DecodeProblem {
  code: CoreAnomalyCode;
  detail: string;
}

/**
 * Result of decoding one frame (a `PacketDecoder`'s results, their packets and headers are
 * reused: valid until its next `decode`; the payloads are views of the frame's bytes):
 * - `ip`: an IP packet (possibly reassembled from fragments);
 * - `held`: a fragment was stored, waiting for the rest;
 * - `other`: a frame with no IP in it (ARP, STP, LLC...), with a short label such as `arp`;
 * - `bad`: nothing usable, see problems.
 */
export type DecodeResult =
  | { kind: 'ip'; packet: IpPacket }
  | { kind: 'held' }
  | { kind: 'other'; label: string }
  | { kind: 'bad' };
