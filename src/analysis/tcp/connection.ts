/**
 * The `tcp.connection` record: one per TCP connection, when it ends. What the Kurose & Ross
 * TCP lab asks of a connection (handshake RTT, SampleRTT per segment, EstimatedRTT, DevRTT,
 * TimeoutInterval, throughput) and what Wireshark's expert info counts, per direction.
 */
import type { TcpConnectionFields } from './events.js';
import type { JsonObject, JsonValue } from '../../events/json.js';
import type { Flow } from '../../flow/flow.js';
import type { TcpAnalyzer, TcpSideAnalysis } from './analyzer.js';
import { FLAG_INFO } from './flags.js';

const r9 = (s: number): number => Math.round(s * 1e9) / 1e9;
const orNull = (v: number): number | null => (v < 0 ? null : v);

export function connectionFields(flow: Flow, a: TcpAnalyzer): TcpConnectionFields {
  const orig = a.sides[flow.clientSide];
  const resp = a.sides[1 - flow.clientSide]!;
  return {
    tcp_stream: flow.stream ?? undefined,
    orig_h: flow.client.addr,
    orig_p: flow.client.port,
    resp_h: flow.server.addr,
    resp_p: flow.server.port,
    handshake_rtt: a.firstRttNs > 0 ? r9(a.firstRttNs / 1e9) : undefined,
    window_scaling: orig.scale >= 0 && resp.scale >= 0,
    orig: side(orig),
    resp: side(resp),
  };
}

/** The first round-trip samples kept (`TcpSideAnalysis.firstSamples`), rounded to the ns. */
function samples(s: TcpSideAnalysis): JsonObject[] {
  const out: JsonObject[] = [];
  for (let i = 0; i < s.firstSampleCount; i++) {
    const x = s.sample(i);
    out.push({
      frame: x.frame,
      ack_frame: x.ack_frame,
      sample_rtt: r9(x.sample_rtt),
      estimated_rtt: r9(x.estimated_rtt),
      dev_rtt: r9(x.dev_rtt),
      timeout_interval: r9(x.timeout_interval),
    });
  }
  return out;
}

/** One direction: what this side sent, and the round trips of its segments. */
function side(s: TcpSideAnalysis): JsonObject {
  const rtt = s.rtt;
  const analysis: Record<string, number> = {};
  if (s.counts) for (const f of FLAG_INFO) {
    const n = s.flagCount(f.bit);
    if (n) analysis[f.name] = n;
  }
  const t = s.throughput;
  const series = t?.buckets ?? null;
  const out: Record<string, JsonValue> = {
    mss: s.mss < 0 ? null : s.mss,
    window_scale: s.wscaleOption < 0 ? null : s.wscaleOption,
    sack_permitted: s.sackPermitted,
    segments: s.segments,
    payload_bytes: s.payloadBytes,
    new_bytes: s.newBytes,
    max_bytes_in_flight: s.maxBytesInFlight,
    analysis,
    rtt:
      rtt === null
        ? null
        : {
            samples: rtt.samples,
            min: r9(rtt.min),
            avg: r9(rtt.sum / rtt.samples),
            max: r9(rtt.max),
            estimated_rtt: r9(rtt.estimated),
            dev_rtt: r9(rtt.dev),
            timeout_interval: r9(rtt.timeout),
          },
    rtt_samples: samples(s),
    // The series are the analyzer's own arrays, handed over: the connection has ended and its analyzer is dropped.
    throughput: series ? { interval: t!.width / 1e9, bytes: series } : null,
    // The time-sequence graph (Stevens) per bucket: lowest and highest relative sequence
    // number of the data sent (null: none sent) and how many segments were resent.
    time_sequence:
      t?.seqMin && t.seqMax && t.resent
        ? { interval: t.width / 1e9, seq_min: t.seqMin.map(orNull), seq_max: t.seqMax.map(orNull), retransmissions: t.resent }
        : null,
    // SampleRTT over time: the mean of the samples per bucket (of the ACKs' times), null where none.
    rtt_series: t?.rttSum && t.rttCount ? { interval: t.width / 1e9, mean: t.rttSum.map((v, i) => (t.rttCount![i] ? r9(v / t.rttCount![i]!) : null)), samples: t.rttCount } : null,
  };
  return out;
}
