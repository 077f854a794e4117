/**
 * Every frame of a capture, in order, as the engine's packet tap sees it, with the message
 * events the engine emitted for it (a message event carries the frame that completes the
 * message, and the engine emits it before the tap sees that frame). `packets` prints these;
 * `packets --filter` and the conformance table against `tshark -Y` evaluate filters on them.
 */
import type { RawPacket } from '../capture/types.js';
import type { TcpPacketAnalysis } from '../analysis/tcp/analyzer.js';
import type { DecodeResult } from '../decode/types.js';
import type { WireEvent } from '../events/event.js';
import { frameSubject, packetFacts, type FilterSubject } from '../filter/index.js';
import type { Flow } from '../flow/flow.js';
import { analyze, type AnalyzeOptions } from '../pipeline/analyze.js';
import { messageInfo } from './info.js';

/** Protocols that carry others: a message decrypted from them names the frame's protocol. */
const isCarrier = (protocol: string): boolean => protocol === 'QUIC' || protocol.startsWith('TLS');

/** One frame as the packet tap sees it, with what the engine emitted for it. */
export interface FrameView {
  p: RawPacket;
  decoded: DecodeResult;
  flow: Flow | null;
  tcp: TcpPacketAnalysis | null;
  /** Seconds of the capture's first frame. */
  t0: number;
  /** Nanoseconds since the capture's first frame, exact (bins of an I/O graph are cut on these). */
  sinceNs: number;
  /** The application message this frame completes, as the Info column names it. */
  app: { protocol: string; info: string } | null;
  /**
   * The frame as a filter subject (built on demand: packet facts with the frame's bytes for
   * `frame contains`, the frame's events, its flow). Call it only inside `onFrame`: the
   * bytes are views the reader reuses.
   */
  subject(): FilterSubject;
}

/**
 * Every frame, in order, with the events stamped with it (the engine emits a frame's events
 * before the tap sees the frame). Nothing is kept across frames.
 */
export async function eachFrame(file: string, opts: AnalyzeOptions, onFrame: (f: FrameView) => void): Promise<void> {
  let events: WireEvent[] = [];
  let currentFrame = 1;
  let t0: number | null = null;
  let first: { sec: number; ns: number } | null = null;
  const sink = {
    emit(e: WireEvent): void {
      if (e.frame === currentFrame) events.push(e);
    },
  };
  await analyze(file, sink, {
    ...opts,
    packetTap: (p, decoded, flow, tcp) => {
      const start = (t0 ??= p.sec + p.ns / 1e9);
      const f0 = (first ??= { sec: p.sec, ns: p.ns });
      const mine = events;
      events = [];
      currentFrame = p.frame + 1;
      let app: FrameView['app'] = null;
      const messages = mine.map(messageInfo);
      // A QUIC packet's CRYPTO frames hold the TLS hellos: tshark names the packet, not them.
      const inQuic = messages.some((m) => m?.protocol === 'QUIC');
      for (const m of messages) {
        if (inQuic && m?.protocol.startsWith('TLS')) continue;
        // Several messages in one frame (pipelining, coalesced QUIC packets, a TLS record and
        // the message decrypted from it): Wireshark joins them with commas, and names the
        // highest protocol (HTTP/3 over QUIC, HTTP over TLS).
        if (m) app = app ? { protocol: isCarrier(app.protocol) ? m.protocol : app.protocol, info: `${app.info} , ${m.info}` } : m;
      }
      onFrame({
        p,
        decoded,
        flow,
        tcp,
        t0: start,
        sinceNs: (p.sec - f0.sec) * 1e9 + (p.ns - f0.ns),
        app,
        subject: () => frameSubject(packetFacts(p, decoded, flow, tcp, start, true), mine, flow ? flow.identity() : null),
      });
    },
  });
}
