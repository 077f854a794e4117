/** Events of the TCP analysis: one per flagged packet, one per connection at its end. */
import { declareEvent } from '../../events/declared.js';
import type { JsonObject } from '../../events/json.js';

/**
 * `tcp.analysis`: a packet Wireshark's expert analysis flags (retransmission, duplicate ACK,
 * zero window...); ordinary packets make none. Numbers are relative to the ISN.
 */
export interface TcpAnalysisFields {
  tcp_stream: number | null;
  /** Wireshark's `tcp.analysis.*` names of the flags set. */
  flags: readonly string[];
  seq: number;
  ack: number | undefined;
  len: number;
  window_size: number;
  dup_ack_num: number | undefined;
  /** The frame a duplicate ACK repeats. */
  dup_ack_frame: number | undefined;
  ack_rtt: number | undefined;
  bytes_in_flight: number | undefined;
}

/**
 * `tcp.connection`: one per TCP connection at its end: the handshake RTT and, per side, MSS,
 * window scale, SACK, segments and bytes, flag counts, the Kurose & Ross RTT estimator and
 * throughput (see `connection.ts`).
 */
export interface TcpConnectionFields {
  tcp_stream: number | undefined;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  handshake_rtt: number | undefined;
  window_scaling: boolean;
  orig: JsonObject;
  resp: JsonObject;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'tcp.analysis': TcpAnalysisFields;
    'tcp.connection': TcpConnectionFields;
  }
}

/** Field order of the two events' output (events/declared.ts). */
export const TCP_ANALYSIS = declareEvent('tcp.analysis', [
  'tcp_stream', 'flags', 'seq', 'ack', 'len', 'window_size', 'dup_ack_num', 'dup_ack_frame', 'ack_rtt',
  'bytes_in_flight',
]);
export const TCP_CONNECTION = declareEvent('tcp.connection', [
  'tcp_stream', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'handshake_rtt', 'window_scaling', 'orig', 'resp',
]);
