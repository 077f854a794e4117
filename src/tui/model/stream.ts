import type { Direction } from '../../events/event.js';
import type { LayerMark } from '../../events/event-map.js';
import type { AnalyzeOptions } from '../../pipeline/analyze.js';
import { analyze } from '../../pipeline/analyze.js';
import { visible } from '../../report/safe-text.js';
import type { Line, Seg } from './lines.js';
import { joinChunks } from '../../dissect/bytes.js';
import { charWidth } from '../../plot/width.js';

export type StreamPiece = { dir: Direction; data: Uint8Array; offset: number } | { dir: Direction; gap: number; offset: number };

export interface StreamData {
  pieces: StreamPiece[];
  /** Bytes kept, and bytes seen beyond the bound and left out. */
  kept: number;
  leftOut: number;
  /** The layer whose decrypted stream this is (`tls`), or null for the bytes on the wire. */
  layer: string | null;
  /** A live capture's stream: older bytes dropped to stay within `live_stream_per_flow`/`live_stream_total`. */
  dropped?: number;
}

/** The stream view keeps at most this much of one flow; `wirelens follow` prints it all. */
export const MAX_STREAM_BYTES = 8 * 1024 * 1024;

/** Thrown from the sink to stop reading once the flow we want has ended. */
class FlowDone extends Error {}

/**
 * Reads the capture again and keeps the reassembled bytes and gaps of one flow, in order.
 * Stops as soon as that flow's record goes by, so flows early in a big capture are quick.
 * A flow with an inner stream (TLS decrypted with `--keylog`) shows that stream, unless `raw`.
 */
export async function loadStream(
  file: string,
  flowId: number,
  opts: {
    limits?: AnalyzeOptions['limits'];
    keylog?: AnalyzeOptions['keylog'];
    protocols?: AnalyzeOptions['protocols'];
    onProgress?: AnalyzeOptions['onProgress'];
    maxBytes?: number;
    raw?: boolean;
  } = {},
): Promise<StreamData> {
  const max = opts.maxBytes ?? MAX_STREAM_BYTES;
  let pieces: StreamPiece[] = [];
  let offsets = { c2s: 0, s2c: 0 };
  let kept = 0;
  let leftOut = 0;
  let layer: LayerMark | null = null;
  // Consecutive chunks in one direction are one run, so lines are not cut at segment edges.
  // A run's chunks are copied once, when it ends: appending each chunk to the run so far
  // copied it onto all before it (quadratic: an 8 MB run of 1448-byte segments copied 23 GB).
  let run: { dir: Direction; offset: number; chunks: Uint8Array[]; length: number } | null = null;
  const endRun = () => {
    if (!run) return;
    pieces.push({ dir: run.dir, data: joinChunks(run.chunks, run.length), offset: run.offset });
    run = null;
  };
  const tap = (flow: number, dir: Direction, data: Uint8Array | number) => {
    if (flow === flowId && layer === null) keep(dir, data);
  };
  // The wire bytes kept so far are dropped when the decrypted stream begins.
  const innerTap = (flow: number, dir: Direction, data: Uint8Array | number, via: LayerMark) => {
    if (flow !== flowId) return;
    if (layer === null) {
      layer = via;
      run = null;
      pieces = [];
      offsets = { c2s: 0, s2c: 0 };
      kept = leftOut = 0;
    }
    if (via === layer) keep(dir, data);
  };
  const keep = (dir: Direction, data: Uint8Array | number) => {
    const offset = offsets[dir];
    if (typeof data === 'number') {
      offsets[dir] += data;
      endRun();
      pieces.push({ dir, gap: data, offset });
      return;
    }
    offsets[dir] += data.length;
    if (kept + data.length > max) {
      leftOut += data.length;
      return;
    }
    kept += data.length;
    if (!run || run.dir !== dir || run.offset + run.length !== offset) {
      endRun();
      run = { dir, offset, chunks: [], length: 0 };
    }
    run.chunks.push(data.slice());
    run.length += data.length;
  };
  const sink = {
    emit: (e: { type: string; flow: number | null }) => {
      if (e.type === 'flow.end' && e.flow === flowId) throw new FlowDone();
    },
  };
  try {
    await analyze(file, sink, { limits: opts.limits, keylog: opts.keylog, protocols: opts.protocols, tap, innerTap: opts.raw ? undefined : innerTap, onProgress: opts.onProgress });
  } catch (err) {
    if (!(err instanceof FlowDone)) throw err;
  }
  endRun();
  return { pieces, kept, leftOut, layer };
}

export type StreamMode = 'ascii' | 'hex';

/**
 * Which HTTP/1 message heads the stream pane shows folded (start line kept, header lines
 * hidden): all of them or none (`all`), except those whose key is in `toggled`.
 */
export interface StreamFolds {
  all: boolean;
  toggled: ReadonlySet<string>;
}

export const NO_FOLDS: StreamFolds = { all: false, toggled: new Set() };

/** Header lines are not unbounded: a "head" longer than this is body text that looks like one. */
const MAX_FOLD_LINES = 512;
const REQUEST_LINE = /^[A-Z][A-Z-]{1,19} \S+ HTTP\/\d\.\d\r?\n$/;
const STATUS_LINE = /^HTTP\/\d\.\d \d{3}(?: [^\r\n]*)?\r?\n$/;
const HEADER_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n]*\r?\n$|^[ \t][^\r\n]*\r?\n$/;

/**
 * When the line `d[at, stop)` is an HTTP/1 request or status line followed by header lines
 * and the blank line that ends them, the number of lines after the start line up to and
 * including that blank line (what folding hides); otherwise 0. A head that is not complete
 * in this piece is not folded.
 */
function httpHeadLines(d: Uint8Array, at: number, stop: number): number {
  if (stop - at > 8192 || stop - at < 10) return 0;
  const first = Buffer.from(d.buffer, d.byteOffset + at, stop - at).toString('latin1');
  if (!REQUEST_LINE.test(first) && !STATUS_LINE.test(first)) return 0;
  let lines = 0;
  for (let s = stop; s < d.length && lines < MAX_FOLD_LINES; ) {
    const nl = d.indexOf(0x0a, s);
    if (nl === -1) return 0;
    lines++;
    if (nl === s || (nl === s + 1 && d[s] === 0x0d)) return lines;
    if (nl - s > 8192 || !HEADER_LINE.test(Buffer.from(d.buffer, d.byteOffset + s, nl + 1 - s).toString('latin1'))) return 0;
    s = nl + 1;
  }
  return 0;
}

const HEX_WIDTH = 16;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * A stream laid out as rows without building them all: three typed arrays say which
 * piece and byte range each row shows; rows become text only when drawn or searched.
 */
export class StreamDoc {
  private readonly rowPiece: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly rowEnd: Int32Array;
  private readonly utf8Pieces: boolean[];
  readonly rows: number;

  /** Per row: the HTTP message whose start line it is (index into `blocks`), or -1. */
  private readonly rowBlock: Int32Array;
  /** HTTP messages found in the stream: a key stable across redraws, header lines, folded or not. */
  private readonly blocks: Array<{ key: string; headers: number; folded: boolean }> = [];

  constructor(
    private readonly data: StreamData,
    readonly mode: StreamMode,
    width: number,
    folds: StreamFolds = NO_FOLDS,
  ) {
    const piece: number[] = [];
    const start: number[] = [];
    const end: number[] = [];
    const block: number[] = [];
    const perRow = Math.max(8, width - 2);
    this.utf8Pieces = data.pieces.map((p) => 'data' in p && isUtf8(p.data));
    data.pieces.forEach((p, i) => {
      if (!('data' in p)) {
        piece.push(i), start.push(0), end.push(0);
        return;
      }
      const d = p.data;
      if (mode === 'hex') {
        for (let at = 0; at < d.length; at += HEX_WIDTH) piece.push(i), start.push(at), end.push(Math.min(d.length, at + HEX_WIDTH)), block.push(-1);
        return;
      }
      let at = 0;
      const isText = this.utf8Pieces[i]!;
      // Header lines still to be hidden (a folded message's), and the message they belong to.
      let hide = 0;
      while (at < d.length) {
        const nl = d.indexOf(0x0a, at);
        const stop = nl === -1 ? d.length : nl + 1;
        let owner = -1;
        if (hide > 0) {
          hide--;
          at = stop;
          continue;
        }
        const headers = httpHeadLines(d, at, stop);
        if (headers > 0) {
          const key = `${p.dir}:${p.offset + at}`;
          const folded = folds.all !== folds.toggled.has(key);
          owner = this.blocks.length;
          this.blocks.push({ key, headers, folded });
          if (folded) hide = headers;
        }
        // Rows end where the text drawn reaches the width (escapes and tabs count as drawn),
        // never inside a character: a row wider than the pane would be cut, losing bytes.
        let s = at;
        while (s < stop) {
          const e = rowEnd(d, s, stop, perRow, isText);
          piece.push(i), start.push(s), end.push(e), block.push(owner);
          owner = -1;
          s = e;
        }
        at = stop;
      }
    });
    this.rowPiece = Int32Array.from(piece);
    this.rowStart = Int32Array.from(start);
    this.rowEnd = Int32Array.from(end);
    this.rowBlock = Int32Array.from(block);
    this.rows = piece.length;
  }

  /** Whether any HTTP/1 message head was found (the fold keys do something). */
  get hasHeaders(): boolean {
    return this.blocks.length > 0;
  }

  /** The fold key of the first HTTP message whose start line is in rows [from, to), or null. */
  messageIn(from: number, to: number): string | null {
    for (let r = Math.max(0, from); r < Math.min(this.rows, to); r++) {
      const b = this.rowBlock[r]!;
      if (b >= 0) return this.blocks[b]!.key;
    }
    return null;
  }

  /** The first row of the message with this fold key, or -1. */
  rowOf(key: string): number {
    for (let r = 0; r < this.rows; r++) {
      const b = this.rowBlock[r]!;
      if (b >= 0 && this.blocks[b]!.key === key) return r;
    }
    return -1;
  }

  dirAt(row: number): Direction {
    return this.data.pieces[this.rowPiece[row]!]!.dir;
  }

  /** The row's text, safe to draw: control bytes and escapes shown, never sent raw. */
  textAt(row: number): string {
    const p = this.data.pieces[this.rowPiece[row]!]!;
    const mark = p.dir === 'c2s' ? '>' : '<';
    if (!('data' in p)) return `${mark} [${p.gap} bytes missing from the ${p.dir === 'c2s' ? 'client' : 'server'} stream]`;
    const bytes = p.data.subarray(this.rowStart[row]!, this.rowEnd[row]!);
    if (this.mode === 'hex') {
      const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      const ascii = [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      return `${mark} ${(p.offset + this.rowStart[row]!).toString(16).padStart(8, '0')}  ${hex.padEnd(HEX_WIDTH * 3 - 1)}  ${ascii}`;
    }
    const text = this.utf8Pieces[this.rowPiece[row]!] ? utf8.decode(bytes) : Buffer.from(bytes).toString('latin1');
    const b = this.rowBlock[row]!;
    const fold = b >= 0 ? this.blocks[b]! : null;
    const note = fold?.folded ? `  ▸ ${fold.headers} header line${fold.headers === 1 ? '' : 's'} folded` : '';
    return `${mark} ${visible(text.replace(/\r?\n$/, '').replace(/\t/g, '    '))}${note}`;
  }

  isGap(row: number): boolean {
    return !('data' in this.data.pieces[this.rowPiece[row]!]!);
  }

  /** A drawable row; `query` (lower case) is highlighted where it occurs. */
  lineAt(row: number, query = ''): Line {
    const text = this.textAt(row);
    const color = this.isGap(row) ? 'red' : this.dirAt(row) === 'c2s' ? 'green' : 'magenta';
    if (!query) return { segs: [{ text, color }] };
    const segs: Seg[] = [];
    const lower = text.toLowerCase();
    let at = 0;
    for (let i = lower.indexOf(query); i !== -1 && query; i = lower.indexOf(query, at)) {
      if (i > at) segs.push({ text: text.slice(at, i), color });
      segs.push({ text: text.slice(i, i + query.length), color: 'yellow', bold: true });
      at = i + query.length;
    }
    if (at < text.length || !segs.length) segs.push({ text: text.slice(at), color });
    return { segs };
  }

  /** The next row (wrapping around) whose text holds `query`, case-insensitive; -1 if none. */
  find(query: string, from: number, backwards = false): number {
    const q = query.toLowerCase();
    if (!q || !this.rows) return -1;
    for (let n = 1; n <= this.rows; n++) {
      const row = (((backwards ? from - n : from + n) % this.rows) + this.rows) % this.rows;
      if (this.textAt(row).toLowerCase().includes(q)) return row;
    }
    return -1;
  }
}

/** Columns `visible` draws for one code point: escapes are `\xNN` or `\uNNNN`, tabs four spaces. */
function drawnWidth(cp: number): number {
  if (cp === 0x09) return 4;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 4;
  if (cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 6;
  return charWidth(String.fromCodePoint(cp));
}

/** Where a row that starts at `from` ends: as many whole characters as fit `room` columns (at least one). */
function rowEnd(d: Uint8Array, from: number, stop: number, room: number, utf8Text: boolean): number {
  let used = 0;
  let at = from;
  while (at < stop) {
    let cp = d[at]!;
    let len = 1;
    if (utf8Text && cp >= 0xc0) {
      len = cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : 2;
      cp &= 0xff >> (len + 1);
      for (let k = 1; k < len && at + k < stop; k++) cp = (cp << 6) | (d[at + k]! & 0x3f);
    }
    // The line's own end (`\n`, `\r\n`) is not drawn.
    const lineEnd = cp === 0x0a || (cp === 0x0d && at + 2 === stop && d[at + 1] === 0x0a);
    const w = lineEnd ? 0 : drawnWidth(cp);
    if (used + w > room && at > from) break;
    used += w;
    at = Math.min(stop, at + len);
  }
  return at;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
