/**
 * Feeds chunks of a file to a record parser, carrying a partial record across chunk
 * boundaries. Records that lie wholly inside a chunk are parsed in place (no copy); only
 * the few bytes of a record cut by a chunk boundary are copied into the carry buffer, which
 * grows to the largest record seen and no further, so memory stays flat.
 */

export interface RecordParser {
  /**
   * Parse whole records from `buf[pos, end)`; return the offset of the first record not
   * parsed. Before returning it sets `wanted`: the bytes needed from that offset for the
   * next step (a record header, or the whole record).
   */
  parse(buf: Uint8Array, pos: number, end: number): number;
  /** Bytes needed from the unparsed offset before `parse` can make progress. */
  wanted: number;
  /** Set when the parser cannot continue (a fatal problem was reported). */
  stopped: boolean;
  /** End of input with `leftover` unparsed bytes (a cut record when > 0). */
  finish(leftover: number): void;
}

class CarryBuffer {
  buf = new Uint8Array(0);
  length = 0;

  append(src: Uint8Array): void {
    const need = this.length + src.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 4096));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(src, this.length);
    this.length = need;
  }

  /** Drop the first `n` bytes. */
  consume(n: number): void {
    if (n === 0) return;
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
  }
}

/** Drives `parser` over `chunks`; chunks may be reused by the source after each step. */
export async function feedRecords(
  chunks: AsyncIterable<Uint8Array>,
  parser: RecordParser,
  /** Told of each chunk before it is parsed; a promise returned makes reading wait for it. */
  onChunk?: (chunkBytes: number) => void | Promise<void>,
): Promise<void> {
  const carry = new CarryBuffer();
  for await (const chunk of chunks) {
    const wait = onChunk?.(chunk.length);
    if (wait) await wait;
    if (parser.stopped) break;
    let pos = 0;
    // First complete the record left over from the previous chunk, copying only its bytes.
    while (carry.length > 0 && pos < chunk.length && !parser.stopped) {
      const take = Math.min(Math.max(parser.wanted - carry.length, 0), chunk.length - pos);
      carry.append(chunk.subarray(pos, pos + take));
      pos += take;
      if (carry.length < parser.wanted) break;
      const used = parser.parse(carry.buf, 0, carry.length);
      // A parser that neither consumes nor asks for more would spin forever: stop it.
      if (used === 0 && parser.wanted <= carry.length && !parser.stopped) throw new Error('record parser made no progress');
      carry.consume(used);
    }
    if (parser.stopped) break;
    if (carry.length === 0 && pos < chunk.length) {
      const next = parser.parse(chunk, pos, chunk.length);
      if (parser.stopped) break;
      if (next < chunk.length) carry.append(chunk.subarray(next));
    }
  }
  if (!parser.stopped) parser.finish(carry.length);
}
