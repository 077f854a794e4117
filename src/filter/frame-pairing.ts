/**
 * Gives each event the facts of the packet of its own frame, for filters that read packet
 * fields (`ip.ttl`, `tcp.flags.syn`, `frame.len`) over events.
 *
 * The engine emits a message event while it processes the packet that completes the
 * message, stamped with that frame, and the packet tap runs right after. So events of the
 * frame in progress wait (a few per packet) until the tap brings the packet's facts; an
 * event of another frame (a transaction finished later, a flow that timed out) or of
 * another flow gets none: it is answered from its flow (see `wireshark-fields.ts`). Events
 * leave in the order they came; nothing is kept past the next packet.
 */
import type { RawPacket } from '../capture/types.js';
import type { TcpPacketAnalysis } from '../analysis/tcp/analyzer.js';
import type { DecodeResult } from '../decode/types.js';
import type { WireEvent } from '../events/event.js';
import type { Flow } from '../flow/flow.js';
import { packetFacts, type PacketFacts } from './packet-facts.js';

export class FramePairing<T = null> {
  /** Events waiting for their packet, each with what the caller took when it was emitted (its flow's facts). */
  private pending: WireEvent[] = [];
  private context: T[] = [];
  /** Frames are numbered before the engine sees them: the tap moves this to the next one. */
  private inProgress = 1;
  private t0: number | null = null;

  /**
   * `withBytes`: the facts carry views of the packet's bytes for `frame contains` (valid only
   * during `deliver`, which runs inside the tap: a caller must not keep such facts).
   */
  constructor(
    private readonly deliver: (e: WireEvent, context: T, packet: PacketFacts | null) => void,
    private readonly withBytes = false,
  ) {}

  emit(e: WireEvent, context: T): void {
    if (e.frame === this.inProgress || this.pending.length) {
      this.pending.push(e);
      this.context.push(context);
    } else this.deliver(e, context, null);
  }

  /** The engine's packet tap. */
  tap(p: RawPacket, d: DecodeResult, flow: Flow | null, tcp: TcpPacketAnalysis | null): void {
    this.t0 ??= p.sec + p.ns / 1e9;
    const { pending, context } = this;
    this.inProgress = p.frame + 1;
    if (!pending.length) return;
    this.pending = [];
    this.context = [];
    const facts = packetFacts(p, d, flow, tcp, this.t0, this.withBytes);
    pending.forEach((e, i) => this.deliver(e, context[i]!, e.frame === p.frame && e.type !== 'flow.end' && (e.flow === null || e.flow === facts.flow) ? facts : null));
  }

  /** End of capture: what still waits leaves without a packet. */
  finish(): void {
    const { pending, context } = this;
    this.pending = [];
    this.context = [];
    pending.forEach((e, i) => this.deliver(e, context[i]!, null));
  }
}
