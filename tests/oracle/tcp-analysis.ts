/**
 * Per-frame TCP analysis from wirelens (through the engine's packet tap) and from tshark,
 * in one shape, for the TCP-analysis oracle.
 */
import { fieldBits, FLAG_INFO } from '../../src/analysis/tcp/flags.js';
import type { AnalyzeOptions } from '../../src/pipeline/analyze.js';

export interface FrameTcp {
  stream: number;
  seq: number;
  ack: number | null;
  len: number;
  /** Field names (`retransmission`...), sorted. */
  flags: string[];
  /** ACK RTT in nanoseconds, rounded, or null. */
  ackRtt: number | null;
}

const FIELD_NAMES = FLAG_INFO.map((f) => f.name);

/** What one side says of a capture: TCP analysis per TCP frame, `udp.stream` per UDP frame. */
export interface OracleFrames {
  tcp: Map<number, FrameTcp>;
  udp: Map<number, number>;
}

/**
 * A packet tap that fills `into` with wirelens's view of each frame (pass it as
 * `analyze`'s `packetTap`, beside the run's other work).
 */
export function frameTap(into: OracleFrames): NonNullable<AnalyzeOptions['packetTap']> {
  return (p, decoded, flow, tcp) => {
    if (!flow || decoded.kind !== 'ip') return;
    const transport = decoded.packet.transport;
    if (transport?.protocol === 'udp') into.udp.set(p.frame, flow.stream ?? -1);
    if (!tcp || transport?.protocol !== 'tcp') return;
    const bits = fieldBits(tcp.bits);
    into.tcp.set(p.frame, {
      stream: flow.stream ?? -1,
      seq: tcp.relSeq,
      ack: tcp.relAck >= 0 ? tcp.relAck : null,
      // As sent: a frame cut by the snaplen still declares its length (tshark's tcp.len).
      len: decoded.packet.truncated && decoded.packet.declared_payload !== undefined ? decoded.packet.declared_payload - transport.data_offset : transport.payload.length,
      flags: FLAG_INFO.filter((f) => bits & f.bit).map((f) => f.name).sort(),
      ackRtt: tcp.ackedFrame ? Math.round(tcp.ackRtt * 1e9) : null,
    });
  };
}

/** The tshark fields `framesFromRows` reads, in this order. */
export const FRAME_FIELDS = ['frame.number', 'udp.stream', 'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.flags.ack', 'tcp.len', 'tcp.analysis.ack_rtt', ...FIELD_NAMES.map((n) => `tcp.analysis.${n}`)];

/** tshark's view from rows of `FRAME_FIELDS`, read with `-Y '(tcp || udp) && !icmp && !icmpv6'`. */
export function framesFromRows(rows: readonly string[][]): OracleFrames {
  const tcp = new Map<number, FrameTcp>();
  const udp = new Map<number, number>();
  for (const row of rows) {
    const frame = Number(row[0]);
    if (row[1]) udp.set(frame, Number(row[1]));
    const r = row.slice(2);
    if (!r[0]) continue;
    const flags: string[] = [];
    FIELD_NAMES.forEach((n, i) => {
      if (r[6 + i]) flags.push(n);
    });
    tcp.set(frame, {
      stream: Number(r[0]),
      seq: Number(r[1]),
      ack: r[3] === '1' || r[3] === 'True' ? Number(r[2]) : null,
      len: Number(r[4]),
      flags: flags.sort(),
      ackRtt: r[5] ? Math.round(Number(r[5]) * 1e9) : null,
    });
  }
  return { tcp, udp };
}

export interface TcpDisagreement {
  frame: number;
  what: 'flags' | 'ack_rtt' | 'stream' | 'udp_stream' | 'seq' | 'ack' | 'len' | 'missing';
  tshark: string;
  wirelens: string;
}

/** Frame-by-frame differences, at most `max`. */
export function compareTcpFrames(theirs: Map<number, FrameTcp>, ours: Map<number, FrameTcp>, max = 50): TcpDisagreement[] {
  const out: TcpDisagreement[] = [];
  for (const [frame, t] of theirs) {
    if (out.length >= max) break;
    const o = ours.get(frame);
    if (!o) {
      out.push({ frame, what: 'missing', tshark: 'tcp', wirelens: '-' });
      continue;
    }
    const add = (what: TcpDisagreement['what'], a: unknown, b: unknown): void => {
      if (a !== b) out.push({ frame, what, tshark: String(a), wirelens: String(b) });
    };
    add('flags', t.flags.join(','), o.flags.join(','));
    add('ack_rtt', t.ackRtt, o.ackRtt);
    add('stream', t.stream, o.stream);
    add('seq', t.seq, o.seq);
    if (t.ack !== null) add('ack', t.ack, o.ack);
    add('len', t.len, o.len);
  }
  return out;
}
