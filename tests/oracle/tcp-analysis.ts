/**
 * Per-frame TCP analysis from wirelens (through the engine's packet tap) and from tshark,
 * in one shape, for the TCP-analysis oracle.
 */
import { fieldBits, FLAG_INFO } from '../../src/analysis/tcp/flags.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { tsharkFields } from './tshark.js';

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

export async function ourTcpFrames(file: string): Promise<Map<number, FrameTcp>> {
  const out = new Map<number, FrameTcp>();
  await analyze(file, { emit: () => {} }, {
    packetTap: (p, decoded, flow, tcp) => {
      if (!tcp || !flow || decoded.kind !== 'ip' || decoded.packet.transport?.protocol !== 'tcp') return;
      const bits = fieldBits(tcp.bits);
      out.set(p.frame, {
        stream: flow.stream ?? -1,
        seq: tcp.relSeq,
        ack: tcp.relAck >= 0 ? tcp.relAck : null,
        // As sent: a frame cut by the snaplen still declares its length (tshark's tcp.len).
        len: decoded.packet.truncated && decoded.packet.declared_payload !== undefined ? decoded.packet.declared_payload - decoded.packet.transport.data_offset : decoded.packet.transport.payload.length,
        flags: FLAG_INFO.filter((f) => bits & f.bit).map((f) => f.name).sort(),
        ackRtt: tcp.ackedFrame ? Math.round(tcp.ackRtt * 1e9) : null,
      });
    },
  });
  return out;
}

export function tsharkTcpFrames(file: string): Map<number, FrameTcp> {
  const fields = ['frame.number', 'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.flags.ack', 'tcp.len', 'tcp.analysis.ack_rtt', ...FIELD_NAMES.map((n) => `tcp.analysis.${n}`)];
  // ICMP errors quote a TCP header that tshark dissects as TCP: only frames whose own transport is TCP.
  const rows = tsharkFields(file, fields, ['-Y', 'tcp && !icmp && !icmpv6']);
  const out = new Map<number, FrameTcp>();
  for (const r of rows) {
    const flags: string[] = [];
    FIELD_NAMES.forEach((n, i) => {
      if (r[7 + i]) flags.push(n);
    });
    out.set(Number(r[0]), {
      stream: Number(r[1]),
      seq: Number(r[2]),
      ack: r[4] === '1' || r[4] === 'True' ? Number(r[3]) : null,
      len: Number(r[5]),
      flags: flags.sort(),
      ackRtt: r[6] ? Math.round(Number(r[6]) * 1e9) : null,
    });
  }
  return out;
}

/** `udp.stream` per UDP frame (not ICMP-quoted headers), wirelens's and tshark's. */
export async function udpStreams(file: string): Promise<{ theirs: Map<number, number>; ours: Map<number, number> }> {
  const theirs = new Map<number, number>();
  for (const r of tsharkFields(file, ['frame.number', 'udp.stream'], ['-Y', 'udp && !icmp && !icmpv6'])) theirs.set(Number(r[0]), Number(r[1]));
  const ours = new Map<number, number>();
  if (theirs.size) {
    await analyze(file, { emit: () => {} }, {
      packetTap: (p, decoded, flow) => {
        if (flow && decoded.kind === 'ip' && decoded.packet.transport?.protocol === 'udp') ours.set(p.frame, flow.stream ?? -1);
      },
    });
  }
  return { theirs, ours };
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
