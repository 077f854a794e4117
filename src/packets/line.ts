/**
 * One frame as tshark's default one-line summary: No., Time, Source, Destination, Protocol,
 * Length, Info; and the same frame as a header tree (`--detail`, `--json`). Built from what
 * the engine's packet tap sees, while the packet's bytes are still valid.
 */
import type { RawPacket } from '../capture/types.js';
import { fieldBits, flagNames, infoLabels } from '../analysis/tcp/flags.js';
import type { TcpPacketAnalysis } from '../analysis/tcp/analyzer.js';
import { formatAddress } from '../decode/address.js';
import type { DecodeResult, TcpHeader } from '../decode/types.js';
import type { JsonObject, JsonValue } from '../events/json.js';
import type { Flow } from '../flow/flow.js';

export interface PacketSummary {
  frame: number;
  /** Seconds since the first frame. */
  time: number;
  source: string;
  destination: string;
  protocol: string;
  length: number;
  info: string;
}

const TCP_FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [0x01, 'FIN'],
  [0x02, 'SYN'],
  [0x04, 'RST'],
  [0x08, 'PSH'],
  [0x10, 'ACK'],
  [0x20, 'URG'],
  [0x40, 'ECE'],
  [0x80, 'CWR'],
  [0x100, 'AE'],
];

/** `[SYN, ACK]` in Wireshark's order. */
export function tcpFlagText(flags: number): string {
  const names = TCP_FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n);
  return names.length ? `[${names.join(', ')}]` : '[<None>]';
}

/** TCP's own Info text: `[TCP Retransmission] 80 → 60322 [PSH, ACK] Seq=1 Ack=97 Win=65536 Len=260`. */
export function tcpInfo(t: TcpHeader, a: TcpPacketAnalysis | null, len = t.payload.length): string {
  const labels = a ? infoLabels(a.bits, a.dupAckFrame, a.dupAckNum) : '';
  let out = `${labels}${t.src_port} → ${t.dst_port} ${tcpFlagText(t.flags)} Seq=${a ? a.relSeq : t.seq}`;
  if (t.flags & 0x10) out += ` Ack=${a && a.relAck >= 0 ? a.relAck : t.ack}`;
  out += ` Win=${a ? a.windowSize : t.window} Len=${len}`;
  const o = t.options;
  if (o && t.flags & 0x02) {
    if (o.mss !== undefined) out += ` MSS=${o.mss}`;
    if (o.sack_permitted) out += ' SACK_PERM';
    if (o.timestamp) out += ` TSval=${o.timestamp[0]} TSecr=${o.timestamp[1]}`;
    if (o.window_scale !== undefined) out += ` WS=${2 ** Math.min(o.window_scale, 14)}`;
  } else if (o?.sack?.length) {
    out += o.sack.map(([l, r]) => ` SLE=${l} SRE=${r}`).join('');
  }
  return out;
}

/** The one-line summary; `app` is the message this frame completed, if any. */
export function summarize(p: RawPacket, d: DecodeResult, flow: Flow | null, tcp: TcpPacketAnalysis | null, t0: number, app: { protocol: string; info: string } | null): PacketSummary {
  const base = { frame: p.frame, time: p.sec + p.ns / 1e9 - t0, length: p.orig_len };
  if (d.kind !== 'ip') {
    const label = d.kind === 'other' ? d.label : d.kind === 'held' ? 'fragment' : 'unknown';
    return { ...base, source: '', destination: '', protocol: label.toUpperCase(), info: d.kind === 'held' ? 'Fragmented IP protocol (reassembled in a later frame)' : '' };
  }
  const ip = d.packet;
  const source = formatAddress(ip.src);
  const destination = formatAddress(ip.dst);
  const t = ip.transport;
  if (t?.protocol === 'tcp') {
    // Len as sent: a frame cut by the snaplen still declares its length.
    const own = tcpInfo(t, tcp, ip.truncated && ip.declared_payload !== undefined ? Math.max(0, ip.declared_payload - t.data_offset) : t.payload.length);
    const labels = tcp ? infoLabels(tcp.bits, tcp.dupAckFrame, tcp.dupAckNum) : '';
    return { ...base, source, destination, protocol: app ? app.protocol : 'TCP', info: app ? `${labels}${app.info}` : own };
  }
  if (t?.protocol === 'udp') {
    return { ...base, source, destination, protocol: app ? app.protocol : 'UDP', info: app ? app.info : `${t.src_port} → ${t.dst_port} Len=${t.payload.length}` };
  }
  if (ip.icmp) {
    const v6 = ip.version === 6;
    return { ...base, source, destination, protocol: v6 ? 'ICMPv6' : 'ICMP', info: icmpInfo(ip.icmp.type, ip.icmp.code, v6) };
  }
  void flow;
  return { ...base, source, destination, protocol: v6Name(ip.protocol), info: '' };
}

function icmpInfo(type: number, code: number, v6: boolean): string {
  if (!v6) {
    if (type === 8) return 'Echo (ping) request';
    if (type === 0) return 'Echo (ping) reply';
    if (type === 3) return `Destination unreachable (code ${code})`;
    if (type === 11) return 'Time-to-live exceeded';
    return `Type ${type} code ${code}`;
  }
  if (type === 128) return 'Echo (ping) request';
  if (type === 129) return 'Echo (ping) reply';
  if (type === 135) return 'Neighbor Solicitation';
  if (type === 136) return 'Neighbor Advertisement';
  if (type === 133) return 'Router Solicitation';
  if (type === 134) return 'Router Advertisement';
  if (type === 1) return `Destination Unreachable (code ${code})`;
  return `Type ${type} code ${code}`;
}

function v6Name(proto: number): string {
  return proto === 132 ? 'SCTP' : proto === 47 ? 'GRE' : proto === 50 ? 'ESP' : proto === 2 ? 'IGMP' : `IP proto ${proto}`;
}

/** The header tree of one frame (`--detail`, `--json`): frame, link, IP, TCP/UDP with every field, TCP analysis, application message. */
export function detailTree(p: RawPacket, d: DecodeResult, flow: Flow | null, a: TcpPacketAnalysis | null, app: { protocol: string; info: string } | null): JsonObject {
  const tree: Record<string, JsonValue> = {
    frame: { number: p.frame, time_epoch: `${p.sec}.${String(p.ns).padStart(9, '0')}`, len: p.orig_len, cap_len: p.data.length, link_type: p.link_type },
  };
  if (p.link_type === 1 && p.data.length >= 14) {
    const mac = (o: number) => Array.from(p.data.subarray(o, o + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
    tree.eth = { dst: mac(0), src: mac(6), type: `0x${((p.data[12]! << 8) | p.data[13]!).toString(16).padStart(4, '0')}` };
  }
  if (d.kind === 'ip') {
    const ip = d.packet;
    tree[ip.version === 4 ? 'ip' : 'ipv6'] = { version: ip.version, src: formatAddress(ip.src), dst: formatAddress(ip.dst), proto: ip.protocol, ttl: ip.ttl, len: ip.ip_length, reassembled: ip.reassembled };
    const t = ip.transport;
    if (t?.protocol === 'tcp') {
      const o = t.options;
      tree.tcp = {
        srcport: t.src_port,
        dstport: t.dst_port,
        stream: flow?.stream ?? null,
        seq: a ? a.relSeq : t.seq,
        seq_raw: t.seq,
        ack: a && a.relAck >= 0 ? a.relAck : null,
        ack_raw: t.ack,
        hdr_len: t.data_offset,
        flags: `0x${t.flags.toString(16).padStart(3, '0')}`,
        flags_str: tcpFlagText(t.flags),
        window_size_value: t.window,
        window_size: a ? a.windowSize : t.window,
        checksum: `0x${t.checksum.toString(16).padStart(4, '0')}`,
        urgent_pointer: t.urgent,
        len: t.payload.length,
        options: o ? { mss: o.mss ?? null, window_scale: o.window_scale ?? null, sack_permitted: o.sack_permitted ?? false, sack: o.sack ?? null, timestamp: o.timestamp ?? null } : null,
        analysis: a
          ? {
              flags: flagNames(fieldBits(a.bits)),
              acks_frame: a.ackedFrame || null,
              ack_rtt: a.ackedFrame ? Math.round(a.ackRtt * 1e9) / 1e9 : null,
              bytes_in_flight: a.bytesInFlight >= 0 ? a.bytesInFlight : null,
              duplicate_ack_num: a.dupAckNum || null,
              duplicate_ack_frame: a.dupAckFrame || null,
              sample_rtt: a.sampleRtt >= 0 ? Math.round(a.sampleRtt * 1e9) / 1e9 : null,
            }
          : null,
      };
    } else if (t?.protocol === 'udp') {
      tree.udp = { srcport: t.src_port, dstport: t.dst_port, stream: flow?.stream ?? null, length: t.length, checksum: `0x${t.checksum.toString(16).padStart(4, '0')}`, payload_len: t.payload.length };
    } else if (ip.icmp) {
      tree[ip.version === 4 ? 'icmp' : 'icmpv6'] = { type: ip.icmp.type, code: ip.icmp.code };
    }
  } else if (d.kind === 'other') {
    tree.other = d.label;
  }
  if (app) tree.app = { protocol: app.protocol, summary: app.info };
  return tree;
}
