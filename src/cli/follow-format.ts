/**
 * `follow`'s text and hex views, written chunk by chunk as the stream is reassembled.
 * Consecutive chunks of one direction print as one block, as if joined first: a line or a
 * hex row that spans chunks prints once, and hex offsets count from the direction's start.
 * Joining the chunks first copied each one onto all before it (a 20 MB stream took 116 s);
 * here every byte is formatted once and only the current line or row is held.
 */
import type { Direction } from '../events/event.js';
import { visibleLines } from '../report/safe-text.js';

export class FollowFormatter {
  private runDir: Direction | null = null;
  /** Text: pieces of the current line, and a CR held back in case LF comes next. */
  private line: string[] = [];
  private heldCR = false;
  /** Hex: bytes of the current row, and where the row starts in its direction. */
  private readonly row = new Uint8Array(16);
  private rowLength = 0;
  private rowStart = 0;
  private readonly offset: Record<Direction, number> = { c2s: 0, s2c: 0 };

  constructor(
    private readonly hex: boolean,
    /** Receives the formatted text, in order (hex rows as ASCII bytes, valid during the call). */
    private readonly write: (text: string | Uint8Array) => void,
  ) {}

  data(dir: Direction, data: Uint8Array): void {
    if (this.runDir !== dir) {
      this.endRun();
      this.runDir = dir;
      this.rowStart = this.offset[dir];
    }
    if (this.hex) this.hexData(data);
    else this.textData(data);
    this.offset[dir] += data.length;
  }

  gap(dir: Direction, length: number): void {
    this.endRun();
    this.write(`${mark(dir)} [${length} bytes missing]\n`);
    this.offset[dir] += length;
  }

  /** Ends the last block. */
  finish(): void {
    this.endRun();
  }

  private endRun(): void {
    const dir = this.runDir;
    if (dir === null) return;
    if (this.hex) {
      if (this.rowLength > 0) {
        const rows = new RowBuffer(this.write);
        rows.add(this.row.subarray(0, this.rowLength), this.rowStart, mark(dir));
        rows.flush();
      }
      this.rowLength = 0;
    } else {
      if (this.heldCR) this.line.push('\r');
      this.heldCR = false;
      const last = this.line.join('');
      if (last !== '') this.write(`${mark(dir)} ${visibleLines(last)}\n`);
      this.line = [];
    }
    this.runDir = null;
  }

  private textData(data: Uint8Array): void {
    if (data.length === 0) return;
    let s = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    if (this.heldCR) {
      this.heldCR = false;
      if (s[0] !== '\n') this.line.push('\r');
    }
    if (s.endsWith('\r')) {
      this.heldCR = true;
      s = s.slice(0, -1);
    }
    const m = mark(this.runDir!);
    let out = '';
    let from = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', from)) {
      const end = nl > from && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line.push(s.slice(from, end));
      out += `${m} ${visibleLines(this.line.join(''))}\n`;
      this.line = [];
      from = nl + 1;
      if (out.length >= 1 << 16) {
        this.write(out);
        out = '';
      }
    }
    if (out) this.write(out);
    if (from < s.length) this.line.push(s.slice(from));
  }

  private hexData(data: Uint8Array): void {
    const m = mark(this.runDir!);
    const rows = new RowBuffer(this.write);
    let i = 0;
    if (this.rowLength > 0) {
      const take = Math.min(16 - this.rowLength, data.length);
      this.row.set(data.subarray(0, take), this.rowLength);
      this.rowLength += take;
      i = take;
      if (this.rowLength < 16) return;
      rows.add(this.row, this.rowStart, m);
      this.rowStart += 16;
      this.rowLength = 0;
    }
    for (; i + 16 <= data.length; i += 16) {
      rows.add(data.subarray(i, i + 16), this.rowStart, m);
      this.rowStart += 16;
    }
    rows.flush();
    if (i < data.length) {
      this.row.set(data.subarray(i), 0);
      this.rowLength = data.length - i;
    }
  }
}

/**
 * Hex rows written as bytes into one shared buffer: built as strings, a 5 MB stream's
 * 330,000 rows spent more than half their time collecting garbage.
 */
const ROW_BYTES = 79; // "> 00000000  " + 47 + "  " + 16 + "\n"
const SHARED = Buffer.allocUnsafe(ROW_BYTES * 1024);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

class RowBuffer {
  private used = 0;
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  add(row: Uint8Array, at: number, mark: string): void {
    if (this.used + ROW_BYTES > SHARED.length) this.flush();
    const b = SHARED;
    let p = this.used;
    b[p++] = mark.charCodeAt(0);
    b[p++] = 0x20;
    // The offset in 8 hex digits (more when a stream passes 4 GiB, as padStart gave).
    const addr = at.toString(16).padStart(8, '0');
    if (addr.length !== 8) {
      this.flush();
      this.sink(Buffer.from(hexRowText(row, at, mark), 'latin1'));
      return;
    }
    p += b.write(addr, p, 'latin1');
    b[p++] = 0x20;
    b[p++] = 0x20;
    for (let j = 0; j < 16; j++) {
      if (j < row.length) {
        b[p++] = HEX_DIGITS[row[j]! >> 4]!;
        b[p++] = HEX_DIGITS[row[j]! & 15]!;
      } else {
        b[p++] = 0x20;
        b[p++] = 0x20;
      }
      if (j < 15) b[p++] = 0x20;
    }
    // padEnd(47) pads a short row's hex; trailing separators beyond it count as padding too.
    b[p++] = 0x20;
    b[p++] = 0x20;
    for (let j = 0; j < row.length; j++) {
      const c = row[j]!;
      b[p++] = c >= 0x20 && c < 0x7f ? c : 0x2e;
    }
    b[p++] = 0x0a;
    this.used = p;
  }

  flush(): void {
    if (this.used === 0) return;
    this.sink(SHARED.subarray(0, this.used));
    this.used = 0;
  }
}

const mark = (dir: Direction): string => (dir === 'c2s' ? '>' : '<');

function hexRowText(row: Uint8Array, at: number, mark: string): string {
  const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${mark} ${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}\n`;
}
