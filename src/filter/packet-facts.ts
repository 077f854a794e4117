/**
 * What a filter knows of one frame: Wireshark's frame, eth, vlan, ip/ipv6, tcp/udp and icmp
 * fields, taken from the engine's packet tap while the packet's bytes are still valid, as a
 * small object of numbers and strings; nothing of the packet's buffer is kept, except (asked
 * for, for a byte search) views that are valid only while the tap runs.
 */
import type { RawPacket } from '../capture/types.js';
import { fieldBits } from '../analysis/tcp/flags.js';
import type { TcpPacketAnalysis } from '../analysis/tcp/analyzer.js';
import { formatAddress } from '../decode/address.js';
import type { DecodeResult } from '../decode/types.js';
import type { Flow } from '../flow/flow.js';
import { frameBytes, type FrameBytes } from './frame-bytes.js';

export interface TcpFacts {
  srcport: number;
  dstport: number;
  stream: number | null;
  /** The 9 flag bits (`tcp.flags`). */
  flags: number;
  /** Relative sequence and acknowledgement numbers, as Wireshark shows them by default; ack is null without the ACK flag. */
  seq: number;
  ack: number | null;
  seq_raw: number;
  ack_raw: number | null;
  len: number;
  hdr_len: number;
  /** The window after scaling (`tcp.window_size`) and the header's field (`tcp.window_size_value`). */
  window_size: number;
  window_size_value: number;
  /** `tcp.analysis.*` flags as Wireshark sets them (a fast retransmission is a retransmission too). */
  analysis: number;
  ack_rtt: number | null;
  acks_frame: number | null;
  bytes_in_flight: number | null;
  duplicate_ack_num: number | null;
  duplicate_ack_frame: number | null;
}

export interface PacketFacts {
  frame: number;
  /** Capture time, seconds since the epoch. */
  epoch: number;
  /** Seconds since the capture's first frame. */
  relative: number;
  /** Bytes on the wire and bytes captured. */
  len: number;
  cap_len: number;
  eth: { src: string; dst: string; type: number } | null;
  /** VLAN ids of the frame's 802.1Q/802.1ad tags, outermost first. */
  vlan: number[];
  ip: { version: 4 | 6; src: string; dst: string; proto: number; ttl: number; len: number } | null;
  tcp: TcpFacts | null;
  udp: { srcport: number; dstport: number; stream: number | null; length: number } | null;
  icmp: { v6: boolean; type: number; code: number } | null;
  /** The flow the packet belongs to, or null. */
  flow: number | null;
  /**
   * The bytes `frame contains` and friends search: views into the packet, valid only while
   * the packet tap runs, and only when asked for (see frame-bytes.ts).
   */
  bytes: FrameBytes | null;
}

const VLAN_TYPES = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
/** Tags read at most: a frame of nothing but tags is not worth a loop. */
const MAX_VLAN_TAGS = 8;

const mac = (d: Uint8Array, o: number): string => Array.from(d.subarray(o, o + 6), (b) => b.toString(16).padStart(2, '0')).join(':');

function ethernet(p: RawPacket): { eth: PacketFacts['eth']; vlan: number[] } {
  const d = p.data;
  if (p.link_type !== 1 || d.length < 14) return { eth: null, vlan: [] };
  const vlan: number[] = [];
  let type = (d[12]! << 8) | d[13]!;
  let o = 14;
  while (VLAN_TYPES.has(type) && d.length >= o + 4 && vlan.length < MAX_VLAN_TAGS) {
    vlan.push(((d[o]! << 8) | d[o + 1]!) & 0x0fff);
    type = (d[o + 2]! << 8) | d[o + 3]!;
    o += 4;
  }
  return { eth: { dst: mac(d, 0), src: mac(d, 6), type }, vlan };
}

/**
 * The facts of the frame the tap sees; `t0` is the capture's first frame time in seconds.
 * `withBytes`: also the views a byte search reads (only for a caller that evaluates the
 * filter before the tap returns).
 */
export function packetFacts(p: RawPacket, d: DecodeResult, flow: Flow | null, a: TcpPacketAnalysis | null, t0: number, withBytes = false): PacketFacts {
  const epoch = p.sec + p.ns / 1e9;
  const facts: PacketFacts = {
    frame: p.frame,
    epoch,
    relative: epoch - t0,
    len: p.orig_len,
    cap_len: p.data.length,
    ...ethernet(p),
    ip: null,
    tcp: null,
    udp: null,
    icmp: null,
    flow: flow?.id ?? null,
    bytes: withBytes ? frameBytes(p, d) : null,
  };
  if (d.kind !== 'ip') return facts;
  const ip = d.packet;
  facts.ip = { version: ip.version, src: formatAddress(ip.src), dst: formatAddress(ip.dst), proto: ip.protocol, ttl: ip.ttl, len: ip.ip_length };
  const t = ip.transport;
  if (t?.protocol === 'tcp') {
    const hasAck = (t.flags & 0x10) !== 0;
    // Len as sent: a frame cut by the snaplen still declares its length (as tshark's tcp.len).
    const len = ip.truncated && ip.declared_payload !== undefined ? Math.max(0, ip.declared_payload - t.data_offset) : t.payload.length;
    facts.tcp = {
      srcport: t.src_port,
      dstport: t.dst_port,
      stream: flow?.stream ?? null,
      flags: t.flags,
      seq: a ? a.relSeq : t.seq,
      ack: hasAck ? (a && a.relAck >= 0 ? a.relAck : t.ack) : null,
      seq_raw: t.seq,
      ack_raw: hasAck ? t.ack : null,
      len,
      hdr_len: t.data_offset,
      window_size: a ? a.windowSize : t.window,
      window_size_value: t.window,
      analysis: a ? fieldBits(a.bits) : 0,
      ack_rtt: a && a.ackedFrame ? a.ackRtt : null,
      acks_frame: a && a.ackedFrame ? a.ackedFrame : null,
      bytes_in_flight: a && a.bytesInFlight >= 0 ? a.bytesInFlight : null,
      duplicate_ack_num: a && a.dupAckNum ? a.dupAckNum : null,
      duplicate_ack_frame: a && a.dupAckFrame ? a.dupAckFrame : null,
    };
  } else if (t?.protocol === 'udp') {
    facts.udp = { srcport: t.src_port, dstport: t.dst_port, stream: flow?.stream ?? null, length: t.length };
  } else if (ip.icmp) {
    facts.icmp = { v6: ip.version === 6, type: ip.icmp.type, code: ip.icmp.code };
  }
  return facts;
}
