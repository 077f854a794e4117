/**
 * Chunked transfer coding (RFC 9112 §7.1) as a resumable state machine. It holds no bytes:
 * `push` consumes what it can from the caller's buffer and says how far it got; an
 * incomplete size or trailer line stays in the caller's buffer until more arrives.
 */
import { decodeText, latin1 } from '../../dissect/text.js';
import { lineEnd, type HeaderList } from './parser.js';

export interface ChunkedResult {
  /** Bytes of the input used. */
  readonly consumed: number;
  /** The last chunk and the trailer section are complete. */
  readonly done: boolean;
  /** Framing is broken beyond repair: the caller resynchronises. */
  readonly error?: string;
  /** Recoverable oddities (missing CRLF after data): reported, decoding goes on. */
  readonly warnings: string[];
}

type State = 'size' | 'data' | 'data_end' | 'trailers' | 'done';

/** The warnings of a push that had none: one frozen list, not a new empty one per push. */
const NO_WARNINGS: string[] = Object.freeze([]) as unknown as string[];

export class ChunkedDecoder {
  private state: State = 'size';
  private remaining = 0;
  readonly trailers: HeaderList = [];
  /** Size of the transfer-coded body consumed so far (framing included). */
  wireBytes = 0;
  chunks = 0;

  constructor(private readonly limits: { max_line: number; max_headers: number }) {}

  get finished(): boolean {
    return this.state === 'done';
  }

  /** Inside chunk data, how many bytes remain (for gap accounting). */
  get dataRemaining(): number {
    return this.state === 'data' ? this.remaining : 0;
  }

  /** Skip `n` bytes of chunk data lost in a gap. Returns false if the gap is not all data. */
  skipData(n: number): boolean {
    if (this.state !== 'data' || n > this.remaining) return false;
    this.remaining -= n;
    this.wireBytes += n;
    if (this.remaining === 0) this.state = 'data_end';
    return true;
  }

  push(b: Uint8Array, onData: (data: Uint8Array) => void): ChunkedResult {
    let p = 0;
    let warnings = NO_WARNINGS;
    const n = b.length;
    while (p < n && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, n - p);
        if (take > 0) onData(b.subarray(p, p + take));
        p += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data_end';
        continue;
      }
      if (this.state === 'data_end') {
        // CRLF after chunk data; a bare LF is tolerated, anything else is reported.
        if (b[p] === 0x0d) {
          if (p + 1 >= n) break;
          p += b[p + 1] === 0x0a ? 2 : 1;
        } else if (b[p] === 0x0a) {
          p += 1;
        } else {
          warnings = warned(warnings, 'chunk data not followed by CRLF');
        }
        this.state = 'size';
        continue;
      }
      const e = lineEnd(b, p, Math.min(n, p + this.limits.max_line + 2));
      if (e < 0) {
        if (n - p > this.limits.max_line) return this.result(p, 'chunk line too long', warnings);
        break;
      }
      let stop = e - 1;
      if (stop > p && b[stop - 1] === 0x0d) stop--;
      if (this.state === 'size') {
        const size = parseChunkSize(b, p, stop);
        if (typeof size === 'string') return this.result(p, size, warnings);
        p = e;
        this.chunks++;
        if (size === 0) this.state = 'trailers';
        else {
          this.remaining = size;
          this.state = 'data';
        }
        continue;
      }
      // Trailer section: fields until the empty line.
      const start = p;
      p = e;
      if (stop === start) {
        this.state = 'done';
        break;
      }
      const colon = b.subarray(start, stop).indexOf(0x3a);
      if (colon <= 0) warnings = warned(warnings, 'malformed trailer field');
      else if (this.trailers.length < this.limits.max_headers) {
        this.trailers.push([latin1(b, start, start + colon), decodeText(b, start + colon + 1, stop).trim()]);
      } else warnings = warned(warnings, 'trailer fields beyond max_headers dropped');
    }
    return this.result(p, undefined, warnings);
  }

  private result(consumed: number, error: string | undefined, warnings: string[]): ChunkedResult {
    this.wireBytes += consumed;
    return { consumed, done: this.state === 'done', error, warnings };
  }
}

/** `list` with `w` added: the first warning of a push makes the push's own list. */
function warned(list: string[], w: string): string[] {
  const out = list === NO_WARNINGS ? [] : list;
  out.push(w);
  return out;
}

/** Hex chunk size before any `;ext`. Errors for non-hex, empty or beyond 2^53 (overflow attacks). */
export function parseChunkSize(b: Uint8Array, start: number, stop: number): number | string {
  let p = start;
  while (p < stop && (b[p] === 0x20 || b[p] === 0x09)) p++;
  let value = 0;
  let digits = 0;
  while (p < stop) {
    const c = b[p]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) break;
    value = value * 16 + d;
    digits++;
    if (value > Number.MAX_SAFE_INTEGER) return `chunk size ${latin1(b, start, Math.min(stop, start + 40))} overflows`;
    p++;
  }
  if (digits === 0) return `bad chunk size line ${JSON.stringify(latin1(b, start, Math.min(stop, start + 40)))}`;
  while (p < stop && (b[p] === 0x20 || b[p] === 0x09)) p++;
  if (p < stop && b[p] !== 0x3b) return `bad chunk size line ${JSON.stringify(latin1(b, start, Math.min(stop, start + 40)))}`;
  return value;
}
