/**
 * The packets of one flow, for the UI's Packets pane and graphs: the capture is read again
 * (as the stream pane does) and only that flow's frames are kept, each as a compact row of
 * what the pane and the graphs show (the same summary and analysis `wirelens packets`
 * prints). Memory is bounded twice: at most `max_packet_rows` rows, and the header tree and
 * bytes of a frame are kept only while the flow's kept frame bytes stay under
 * `max_packet_detail_bytes`; a later frame's detail is read again when it is asked for
 * (`loadFrameDetail`). Reading stops once the flow's record goes by.
 */
import type { Direction } from '../events/event.js';
import type { JsonObject } from '../events/json.js';
import { DEFAULT_LIMITS } from '../dissect/limits.js';
import { formatAddress } from '../decode/address.js';
import type { CompiledFilter } from '../filter/index.js';
import type { AnalyzeOptions } from '../pipeline/analyze.js';
import { eachFrame, type FrameView } from './each-frame.js';
import { detailTree, summarize } from './line.js';

export interface PacketDetail {
  /** The header tree `packets --detail` prints. */
  tree: JsonObject;
  /** The frame as captured (a copy). */
  bytes: Uint8Array;
}

/** One frame of the flow: its summary line and TCP analysis, as numbers. */
export interface PacketRow {
  frame: number;
  /** Seconds since the capture's first frame (Wireshark's default Time column). */
  time: number;
  dir: Direction | null;
  protocol: string;
  /** Frame length on the wire. */
  length: number;
  /** The Info column, analysis labels in front (`[TCP Retransmission] ...`). */
  info: string;
  /** TCP flags, or -1 for a frame that is not TCP. */
  tcpFlags: number;
  /** Relative sequence and ACK numbers (ACK -1 without the ACK flag). */
  seq: number;
  ack: number;
  /** Payload length (TCP or UDP). */
  len: number;
  /** Window after scaling, as `tcp.window_size`. */
  window: number;
  /** The analysis bits (src/analysis/tcp/flags.ts), 0 when none. */
  bits: number;
  dupAckNum: number;
  dupAckFrame: number;
  /** Frame this ACK acknowledges (0: none), its `ack_rtt` and Karn's SampleRTT, seconds (-1: none). */
  ackedFrame: number;
  ackRtt: number;
  sampleRtt: number;
  bytesInFlight: number;
  /** Kept while under `max_packet_detail_bytes`; null: `loadFrameDetail` reads it again. */
  detail: PacketDetail | null;
}

export interface FlowPackets {
  rows: PacketRow[];
  /** Frames of the flow that passed the filter but were not kept (past `max_packet_rows`). */
  notKept: number;
  /** Frames of the flow seen (before the filter). */
  seen: number;
  /** Bytes of the frames kept with their detail. */
  detailBytes: number;
}

export interface FlowPacketsOptions {
  limits?: AnalyzeOptions['limits'];
  keylog?: AnalyzeOptions['keylog'];
  protocols?: AnalyzeOptions['protocols'];
  onProgress?: AnalyzeOptions['onProgress'];
  /** Keep only frames that pass (the filter language of `packets --filter`). */
  filter?: CompiledFilter | null;
}

/** Thrown from a callback to stop reading once what was wanted has gone by. */
class Done extends Error {}

/** The direction of the frame within its flow (the client is the flow's client). */
function directionOf(f: FrameView): Direction | null {
  const d = f.decoded;
  if (!f.flow || d.kind !== 'ip') return null;
  const t = d.packet.transport;
  const c = f.flow.client;
  if (formatAddress(d.packet.src) !== c.addr) return 's2c';
  if (t && (t.protocol === 'tcp' || t.protocol === 'udp') && t.src_port !== c.port) return 's2c';
  return 'c2s';
}

/** The frame's tree and a copy of its bytes (valid after the call). */
export function frameDetail(f: FrameView): PacketDetail {
  return { tree: detailTree(f.p, f.decoded, f.flow, f.tcp, f.app), bytes: f.p.data.slice() };
}

/** A row from a frame the tap is showing; `detail` is attached by the caller. */
export function packetRow(f: FrameView): PacketRow {
  const s = summarize(f.p, f.decoded, f.flow, f.tcp, f.t0, f.app);
  const a = f.tcp;
  const d = f.decoded;
  const t = d.kind === 'ip' ? d.packet.transport : undefined;
  const isTcp = t?.protocol === 'tcp';
  return {
    frame: s.frame,
    time: s.time,
    dir: directionOf(f),
    protocol: s.protocol,
    length: s.length,
    info: s.info,
    tcpFlags: isTcp ? t.flags : -1,
    seq: isTcp ? (a ? a.relSeq : t.seq) : 0,
    ack: isTcp ? (a ? a.relAck : t.flags & 0x10 ? t.ack : -1) : -1,
    len: t ? t.payload.length : 0,
    window: isTcp ? (a ? a.windowSize : t.window) : 0,
    bits: a ? a.bits : 0,
    dupAckNum: a ? a.dupAckNum : 0,
    dupAckFrame: a ? a.dupAckFrame : 0,
    ackedFrame: a ? a.ackedFrame : 0,
    ackRtt: a && a.ackedFrame ? a.ackRtt : -1,
    sampleRtt: a ? a.sampleRtt : -1,
    bytesInFlight: a ? a.bytesInFlight : -1,
    detail: null,
  };
}

/** A filter is user input: one that fails on odd data counts as no match. */
function passes(filter: CompiledFilter | null | undefined, f: FrameView): boolean {
  if (!filter) return true;
  try {
    return filter.matches(f.subject());
  } catch {
    return false;
  }
}

/** Reads the capture and keeps the frames of flow `flowId` (that pass the filter), bounded. */
export async function loadFlowPackets(file: string, flowId: number, opts: FlowPacketsOptions = {}): Promise<FlowPackets> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const out: FlowPackets = { rows: [], notKept: 0, seen: 0, detailBytes: 0 };
  try {
    await eachFrame(
      file,
      {
        limits: opts.limits,
        keylog: opts.keylog,
        protocols: opts.protocols,
        onProgress: opts.onProgress,
        observe: (e) => {
          if (e.type === 'flow.end' && e.flow === flowId) throw new Done();
        },
      },
      (f) => {
        if (f.flow?.id !== flowId) return;
        out.seen++;
        if (!passes(opts.filter, f)) return;
        if (out.rows.length >= limits.max_packet_rows) {
          out.notKept++;
          return;
        }
        const row = packetRow(f);
        if (out.detailBytes + f.p.data.length <= limits.max_packet_detail_bytes) {
          row.detail = frameDetail(f);
          out.detailBytes += f.p.data.length;
        }
        out.rows.push(row);
      },
    );
  } catch (err) {
    if (!(err instanceof Done)) throw err;
  }
  return out;
}

/** The tree and bytes of one frame, reading the capture up to it; null when there is no such frame. */
export async function loadFrameDetail(file: string, frame: number, opts: Omit<FlowPacketsOptions, 'filter'> = {}): Promise<PacketDetail | null> {
  let found: PacketDetail | null = null;
  try {
    await eachFrame(file, { limits: opts.limits, keylog: opts.keylog, protocols: opts.protocols, onProgress: opts.onProgress }, (f) => {
      if (f.p.frame !== frame) return;
      found = frameDetail(f);
      throw new Done();
    });
  } catch (err) {
    if (!(err instanceof Done)) throw err;
  }
  return found;
}
