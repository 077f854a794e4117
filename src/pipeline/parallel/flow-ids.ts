/**
 * A worker names each flow by the frame that created it; the main thread, which sees
 * every worker's creations, hands out the ids one thread would have (1, 2, 3... in order
 * of creation). This is where a worker turns its names into those ids, in every field
 * that holds a flow id.
 */
import type { WireEvent } from '../../events/event.js';

export class FlowIdMap {
  /** Creation frames and their ids, both increasing (appended in creation order). */
  private frames: number[] = [];
  private ids: number[] = [];
  private streams: number[] = [];

  add(frames: readonly number[], ids: ArrayLike<number>, streams: ArrayLike<number>): void {
    for (let i = 0; i < frames.length; i++) {
      this.frames.push(frames[i]!);
      this.ids.push(ids[i]!);
      this.streams.push(streams[i]!);
    }
  }

  id(frame: number): number {
    return this.ids[this.index(frame)]!;
  }

  /** The `tcp.stream` or `udp.stream` number of the flow created at `frame`. */
  stream(frame: number): number {
    return this.streams[this.index(frame)]!;
  }

  private index(frame: number): number {
    const f = this.frames;
    let lo = 0;
    let hi = f.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = f[mid]!;
      if (v === frame) return mid;
      if (v < frame) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`flow created at frame ${frame} has no id`);
  }

  /** Whether an event names flows other than its own (fields `rename` rewrites besides `flow`). */
  static namesOtherFlows(e: WireEvent): boolean {
    return e.data_flow !== undefined || e.fuid !== undefined || e.fuids !== undefined || e.tcp_stream !== undefined || e.udp_stream !== undefined || e.path_flow !== undefined || e.paths !== undefined;
  }

  /**
   * Rewrites the flow ids of an event in place: `flow` on every event, FTP's `data_flow`
   * and `fuid` (the data connection), SMTP's `fuids` ("FLOW:MESSAGE:PART"), QUIC's
   * `path_flow` and each of `paths[].flow` (a migrated connection's paths).
   */
  rename(e: WireEvent): void {
    const m = e as unknown as Record<string, unknown>;
    if (typeof m.flow === 'number') m.flow = this.id(m.flow);
    if (typeof m.data_flow === 'number') m.data_flow = this.id(m.data_flow);
    // A share numbers streams by the creating frame too.
    if (typeof m.tcp_stream === 'number') m.tcp_stream = this.stream(m.tcp_stream);
    if (typeof m.udp_stream === 'number') m.udp_stream = this.stream(m.udp_stream);
    if (typeof m.fuid === 'number') m.fuid = this.id(m.fuid);
    if (typeof m.path_flow === 'number') m.path_flow = this.id(m.path_flow);
    if (Array.isArray(m.paths)) {
      for (const p of m.paths as unknown[]) {
        const path = p as Record<string, unknown>;
        if (typeof path.flow === 'number') path.flow = this.id(path.flow);
      }
    }
    if (Array.isArray(m.fuids)) {
      m.fuids = m.fuids.map((u: unknown) => {
        const s = String(u);
        const colon = s.indexOf(':');
        return colon > 0 ? `${this.id(Number(s.slice(0, colon)))}${s.slice(colon)}` : s;
      });
    }
  }
}
