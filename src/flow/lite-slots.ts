/**
 * The numbers of lite TCP flows (`Flow.lite`: flows that so far carried only SYNs and ACKs),
 * in shared chunks of typed arrays with a free list instead of an array per flow. Each of
 * a slot's ten numbers is a 32-bit unsigned integer (sequence and acknowledgement numbers,
 * the first segment's packed header and options) or none (NaN to the caller: a bit of the
 * slot's eleventh word): 44 bytes a flow, where a plain array of ten doubles cost 128 (its
 * header and its backing store's) and a typed array of its own about 300. A SYN flood keeps
 * max_flows of them open. Chunks of 4,096 slots: growing never copies what is there, and
 * what is allocated stays within a chunk of the most flows open at once (bounded by
 * max_flows); a slot is reused as soon as its flow turns full or ends.
 */
/**
 * What a slot's numbers are (`Flow.lite`: its slot here, where an analyzer of its own costs
 * some 900 bytes, and reassembly and a session some 1,100): per side (add the side, 0 or 1)
 * the last SYN's sequence number, the highest ACK and the first SYN's sequence number (the
 * flow's `isn` once full); then its first analysed segment, kept for the engine's
 * `replayFirstSegment` (NaN header: none kept, or replayed already). `firstHeader` packs the
 * side (bit 0), the flags (9 bits) and the window (16 bits); `firstOptions` the SYN's options:
 * MSS + 1 (17 bits; 0 absent), window scale + 1 (9 bits; 0 absent), then SACK permitted as
 * 2, not as 1, no options to give as 0.
 */
export const LITE = { syn: 0, ack: 2, isn: 4, firstSeq: 6, firstAck: 7, firstHeader: 8, firstOptions: 9 } as const;
export const LITE_WIDTH = LITE.firstOptions + 1;
/** Words per slot: the numbers, then the bit set of those present. */
const STRIDE = LITE_WIDTH + 1;
const CHUNK_SHIFT = 12;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const MASK = CHUNK_SLOTS - 1;

export class LiteSlots {
  private readonly chunks: Uint32Array[] = [];
  private readonly free: number[] = [];
  private next = 0;

  /** Slots in use. */
  get used(): number {
    return this.next - this.free.length;
  }

  /** A slot with no number set (each reads NaN). */
  alloc(): number {
    const slot = this.free.length ? this.free.pop()! : this.next++;
    const c = slot >> CHUNK_SHIFT;
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(CHUNK_SLOTS * STRIDE));
    this.chunks[c]![(slot & MASK) * STRIDE + LITE_WIDTH] = 0;
    return slot;
  }

  /** The slot's flow turned full or ended: the slot may be handed out again. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /** Number `i` of the slot, or NaN when none was set. */
  get(slot: number, i: number): number {
    const chunk = this.chunks[slot >> CHUNK_SHIFT]!;
    const base = (slot & MASK) * STRIDE;
    return (chunk[base + LITE_WIDTH]! >> i) & 1 ? chunk[base + i]! : NaN;
  }

  /** Sets number `i` (a whole number from 0 to 2^32 - 1), or clears it with NaN. */
  set(slot: number, i: number, v: number): void {
    const chunk = this.chunks[slot >> CHUNK_SHIFT]!;
    const base = (slot & MASK) * STRIDE;
    if (Number.isNaN(v)) chunk[base + LITE_WIDTH] = chunk[base + LITE_WIDTH]! & ~(1 << i);
    else {
      chunk[base + i] = v;
      chunk[base + LITE_WIDTH] = chunk[base + LITE_WIDTH]! | (1 << i);
    }
  }
}
