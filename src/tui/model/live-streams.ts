import type { Direction } from '../../events/event.js';
import type { LayerMark } from '../../events/event-map.js';
import type { StreamData, StreamPiece } from './stream.js';

/**
 * What a chunk costs beyond its bytes (the object, its buffer's header, the list slot): counted
 * against the bounds, so a flood of one-byte segments cannot hold millions of tiny objects.
 */
const CHUNK_OVERHEAD = 96;
/** Contiguous bytes of one direction are appended into one buffer up to this size. */
const CHUNK_CAPACITY = 64 * 1024;
const FIRST_CAPACITY = 4 * 1024;

type Chunk = { dir: Direction; offset: number; buf: Uint8Array; len: number } | { dir: Direction; offset: number; gap: number };

interface FlowBuffer {
  chunks: Chunk[];
  /** Index of the first chunk still kept (dropping from the front without shifting the list each time). */
  head: number;
  /** Bytes counted against the bounds: capacities plus overhead. */
  cost: number;
  /** Payload bytes dropped from the front, and bytes kept. */
  dropped: number;
  kept: number;
  offsets: Record<Direction, number>;
  /** Set when a decrypted inner stream (TLS with --keylog) replaced the bytes on the wire. */
  layer: LayerMark | null;
  /** Moves on every change, so a view rebuilds its rows only when the stream changed. */
  changes: number;
}

/**
 * The reassembled streams of a live capture (a pipe, or a file still being written), kept in
 * memory because a live capture cannot be read twice as `loadStream` reads a file. Bounded
 * twice: each flow keeps its newest `perFlow` bytes, and all flows together `total`, the
 * least recently active flows giving up theirs first. What is dropped is counted per flow,
 * so the stream pane can say so.
 */
export class LiveStreams {
  /** Insertion order is recency: a flow that gets bytes moves to the end. */
  private readonly flows = new Map<number, FlowBuffer>();
  /** Bytes of flows whose whole buffer was given up to the total bound. */
  private readonly evicted = new Map<number, { dropped: number; layer: LayerMark | null }>();
  private cost = 0;
  private readonly perFlow: number;
  /** Largest buffer one chunk grows to: small against the per-flow bound, so dropping the oldest chunk frees room. */
  private readonly capacity: number;

  constructor(
    perFlow: number,
    private readonly total: number,
  ) {
    // A flow may never need more than the whole: the total bound would evict the flow being fed.
    this.perFlow = Math.max(4 * CHUNK_OVERHEAD, Math.min(perFlow, total));
    this.capacity = Math.max(16, Math.min(CHUNK_CAPACITY, Math.floor(this.perFlow / 4)));
  }

  /** Bytes currently counted against the bounds (for tests and the statistics). */
  get bytesHeld(): number {
    return this.cost;
  }

  /** The engine's tap: reassembled bytes (or a gap's length) on the wire. */
  wire(flow: number, dir: Direction, data: Uint8Array | number): void {
    const f = this.flows.get(flow);
    if (f ? f.layer : this.evicted.get(flow)?.layer) return;
    this.add(flow, dir, data);
  }

  /** The inner tap: the decrypted stream, which replaces the wire bytes once it begins. */
  inner(flow: number, dir: Direction, data: Uint8Array | number, via: LayerMark): void {
    let f = this.flows.get(flow);
    if (!f || f.layer === null) {
      if (f) this.release(flow, f);
      f = this.create(flow);
      f.layer = via;
    } else if (f.layer !== via) return;
    this.add(flow, dir, data);
  }

  /** How often the flow's stream changed (0 when nothing was kept). */
  changesOf(flow: number): number {
    return this.flows.get(flow)?.changes ?? 0;
  }

  /** The kept stream of one flow, as the stream pane reads it; null when nothing was ever kept. */
  snapshot(flow: number): (StreamData & { dropped: number }) | null {
    const f = this.flows.get(flow);
    if (!f) {
      const gone = this.evicted.get(flow);
      return gone ? { pieces: [], kept: 0, leftOut: 0, layer: gone.layer, dropped: gone.dropped } : null;
    }
    const pieces: StreamPiece[] = [];
    // Contiguous chunks of one direction become one piece, so lines are not cut at chunk edges.
    let run: { dir: Direction; offset: number; parts: Uint8Array[]; length: number } | null = null;
    const endRun = (): void => {
      if (!run) return;
      const data = new Uint8Array(run.length);
      let at = 0;
      for (const p of run.parts) data.set(p, at), (at += p.length);
      pieces.push({ dir: run.dir, data, offset: run.offset });
      run = null;
    };
    for (let i = f.head; i < f.chunks.length; i++) {
      const c = f.chunks[i]!;
      if ('gap' in c) {
        endRun();
        pieces.push({ dir: c.dir, gap: c.gap, offset: c.offset });
        continue;
      }
      const r = run as { dir: Direction; offset: number; parts: Uint8Array[]; length: number } | null;
      if (!r || r.dir !== c.dir || r.offset + r.length !== c.offset) {
        endRun();
        run = { dir: c.dir, offset: c.offset, parts: [], length: 0 };
      }
      run!.parts.push(c.buf.subarray(0, c.len));
      run!.length += c.len;
    }
    endRun();
    return { pieces, kept: f.kept, leftOut: 0, layer: f.layer, dropped: f.dropped };
  }

  private create(flow: number): FlowBuffer {
    const gone = this.evicted.get(flow);
    this.evicted.delete(flow);
    const f: FlowBuffer = { chunks: [], head: 0, cost: 0, dropped: gone?.dropped ?? 0, kept: 0, offsets: { c2s: 0, s2c: 0 }, layer: gone?.layer ?? null, changes: 0 };
    this.flows.set(flow, f);
    return f;
  }

  private add(flow: number, dir: Direction, data: Uint8Array | number): void {
    let f = this.flows.get(flow);
    if (f) {
      // Most recently active last: the total bound gives up the front of the map first.
      this.flows.delete(flow);
      this.flows.set(flow, f);
    } else f = this.create(flow);
    f.changes++;
    const offset = f.offsets[dir];
    if (typeof data === 'number') {
      f.offsets[dir] += data;
      f.chunks.push({ dir, offset, gap: data });
      this.charge(f, CHUNK_OVERHEAD);
    } else {
      f.offsets[dir] += data.length;
      // More than the flow may keep at once: only its newest part can survive.
      let bytes = data;
      if (bytes.length > this.perFlow - CHUNK_OVERHEAD) {
        const skip = bytes.length - Math.max(1, this.perFlow - CHUNK_OVERHEAD);
        f.dropped += skip;
        bytes = bytes.subarray(skip);
      }
      const at = offset + (data.length - bytes.length);
      const last = f.chunks.length > f.head ? f.chunks[f.chunks.length - 1]! : undefined;
      if (last && 'buf' in last && last.dir === dir && last.offset + last.len === at && last.len + bytes.length <= this.capacity) {
        if (last.len + bytes.length > last.buf.length) {
          const grown = new Uint8Array(Math.min(this.capacity, Math.max(last.buf.length * 2, last.len + bytes.length)));
          grown.set(last.buf.subarray(0, last.len));
          this.charge(f, grown.length - last.buf.length);
          last.buf = grown;
        }
        last.buf.set(bytes, last.len);
        last.len += bytes.length;
      } else {
        const buf = new Uint8Array(Math.max(bytes.length, Math.min(FIRST_CAPACITY, this.capacity)));
        buf.set(bytes);
        f.chunks.push({ dir, offset: at, buf, len: bytes.length });
        this.charge(f, buf.length + CHUNK_OVERHEAD);
      }
      f.kept += bytes.length;
    }
    while (f.cost > this.perFlow && this.dropFront(f));
    while (this.cost > this.total) {
      const [oldest, g] = this.flows.entries().next().value as [number, FlowBuffer];
      if (g === f) {
        while (this.cost > this.total && this.dropFront(f));
        break;
      }
      this.release(oldest, g);
      this.evicted.set(oldest, { dropped: g.dropped + g.kept, layer: g.layer });
    }
  }

  private charge(f: FlowBuffer, n: number): void {
    f.cost += n;
    this.cost += n;
  }

  /** Drops the flow's oldest chunk; false when only the newest is left. */
  private dropFront(f: FlowBuffer): boolean {
    if (f.chunks.length - f.head <= 1) return false;
    const c = f.chunks[f.head]!;
    f.chunks[f.head++] = undefined as unknown as Chunk;
    if ('buf' in c) {
      f.dropped += c.len;
      f.kept -= c.len;
      this.charge(f, -(c.buf.length + CHUNK_OVERHEAD));
    } else this.charge(f, -CHUNK_OVERHEAD);
    // Compact now and then, so the list does not keep a long run of empty slots.
    if (f.head > 64 && f.head * 2 > f.chunks.length) {
      f.chunks = f.chunks.slice(f.head);
      f.head = 0;
    }
    return true;
  }

  private release(flow: number, f: FlowBuffer): void {
    this.cost -= f.cost;
    this.flows.delete(flow);
  }
}
