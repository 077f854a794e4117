/**
 * The numbers of lite TCP flows (`Flow.lite`: flows that so far carried only SYNs and ACKs),
 * ten doubles per flow in shared chunks of typed arrays with a free list, instead of an
 * array per flow: 80 bytes a flow where a plain array of ten doubles costs 128 (its header
 * and its backing store's), and a typed array of its own about 300. A SYN flood keeps
 * max_flows of them open. Chunks of 4,096 slots: growing never copies what is there, and
 * what is allocated stays within a chunk of the most flows open at once (bounded by
 * max_flows); a slot is reused as soon as its flow turns full or ends.
 */
export const LITE_WIDTH = 10;
const CHUNK_SHIFT = 12;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;

export class LiteSlots {
  private readonly chunks: Float64Array[] = [];
  private readonly free: number[] = [];
  private next = 0;

  /** Slots in use. */
  get used(): number {
    return this.next - this.free.length;
  }

  /** A slot with every number NaN (none yet). */
  alloc(): number {
    const slot = this.free.length ? this.free.pop()! : this.next++;
    const c = slot >> CHUNK_SHIFT;
    if (c === this.chunks.length) this.chunks.push(new Float64Array(CHUNK_SLOTS * LITE_WIDTH));
    const base = (slot & (CHUNK_SLOTS - 1)) * LITE_WIDTH;
    this.chunks[c]!.fill(NaN, base, base + LITE_WIDTH);
    return slot;
  }

  /** The slot's flow turned full or ended: the slot may be handed out again. */
  release(slot: number): void {
    this.free.push(slot);
  }

  get(slot: number, i: number): number {
    return this.chunks[slot >> CHUNK_SHIFT]![(slot & (CHUNK_SLOTS - 1)) * LITE_WIDTH + i]!;
  }

  set(slot: number, i: number, v: number): void {
    this.chunks[slot >> CHUNK_SHIFT]![(slot & (CHUNK_SLOTS - 1)) * LITE_WIDTH + i] = v;
  }
}
