/**
 * Offset-addressed reassembly for QUIC's CRYPTO and STREAM data (RFC 9000 §2.2, §19.6):
 * frames may repeat, overlap and arrive in any order; bytes leave in order, once.
 *
 * Bounded: bytes held ahead of the delivered point are at most `maxHeld`; a frame that
 * starts further ahead than that is refused (no honest sender is that far beyond what was
 * delivered, flow control forbids it), and when the held bytes would pass the bound the
 * hole before them is declared a gap and delivery goes on. Offsets are numbers: exact to
 * 2^53, and `maxOffset` (far below) refuses what is larger.
 */

export interface ReassemblyOut {
  data(bytes: Uint8Array): void;
  /** `length` bytes at the delivered point will never come. */
  gap(length: number): void;
}

export type PushOutcome = 'ok' | 'duplicate' | 'too_far' | 'offset_limit' | 'held_limit' | 'after_fin';

/** Out-of-order pieces held per stream: beyond it the first hole is given up (keeps insertion cheap). */
export const MAX_HELD_PIECES = 1024;

interface Held {
  offset: number;
  data: Uint8Array;
}

export class OffsetReassembler {
  /** Bytes delivered (or passed over as gaps): the next offset expected. */
  delivered = 0;
  /** Bytes given as gaps. */
  missed = 0;
  /** Bytes received more than once. */
  duplicate = 0;
  /** The final size once a FIN (or RESET_STREAM) said it. */
  finalSize: number | null = null;
  private held: Held[] = [];
  private heldBytes = 0;

  constructor(
    private readonly out: ReassemblyOut,
    private readonly maxHeld: number,
    private readonly maxOffset: number,
  ) {}

  get finished(): boolean {
    return this.finalSize !== null && this.delivered >= this.finalSize;
  }

  /** Bytes waiting for an earlier hole to fill. */
  get pending(): number {
    return this.heldBytes;
  }

  push(offset: number, data: Uint8Array, fin = false): PushOutcome {
    const end = offset + data.length;
    if (end > this.maxOffset || !Number.isSafeInteger(end)) return 'offset_limit';
    if (fin && this.finalSize === null) this.finalSize = end;
    if (this.finalSize !== null && end > this.finalSize) return 'after_fin';
    if (end <= this.delivered) {
      if (data.length > 0) this.duplicate += data.length;
      return data.length > 0 ? 'duplicate' : 'ok';
    }
    if (offset <= this.delivered) {
      const skip = this.delivered - offset;
      this.duplicate += skip;
      this.delivered = end;
      this.out.data(data.subarray(skip));
      this.drain();
      return 'ok';
    }
    if (offset - this.delivered > this.maxHeld) return 'too_far';
    let outcome: PushOutcome = 'ok';
    this.insert(offset, data.slice());
    while ((this.heldBytes > this.maxHeld || this.held.length > MAX_HELD_PIECES) && this.held.length > 0) {
      // Give up on the hole before the first held bytes: they are delivered after a gap.
      const first = this.held[0]!;
      this.missed += first.offset - this.delivered;
      this.out.gap(first.offset - this.delivered);
      this.delivered = first.offset;
      this.drain();
      outcome = 'held_limit';
    }
    return outcome;
  }

  /** End of the stream as captured: a hole before held bytes becomes a gap, then they are delivered. */
  flush(): void {
    while (this.held.length > 0) {
      const first = this.held[0]!;
      if (first.offset > this.delivered) {
        this.missed += first.offset - this.delivered;
        this.out.gap(first.offset - this.delivered);
        this.delivered = first.offset;
      }
      this.drain();
    }
  }

  private insert(offset: number, data: Uint8Array): void {
    let i = this.held.length;
    while (i > 0 && this.held[i - 1]!.offset > offset) i--;
    this.held.splice(i, 0, { offset, data });
    this.heldBytes += data.length;
  }

  private drain(): void {
    while (this.held.length > 0 && this.held[0]!.offset <= this.delivered) {
      const h = this.held.shift()!;
      this.heldBytes -= h.data.length;
      const end = h.offset + h.data.length;
      if (end <= this.delivered) {
        this.duplicate += h.data.length;
        continue;
      }
      const skip = this.delivered - h.offset;
      this.duplicate += skip;
      this.delivered = end;
      this.out.data(h.data.subarray(skip));
    }
  }
}
