/**
 * Lists of a report kept on disk until the report is written, so that `report` holds a
 * few megabytes whatever the capture: 1M flows are 700 MB of JSON text, far more than the
 * memory a run may take. A list stays in memory until it passes `LIST_MEMORY` (or
 * `SORTED_MEMORY`) bytes of text, so the reports of ordinary captures never touch the disk.
 *
 * - `ListSpool`: texts given back in the order they came (a section's records).
 * - `SortedSpool`: texts given back sorted by a key (a number or a string), then by a tie
 *   number (arrival unless given): the report's flows by id, and `wirelens flows --sort`. An
 *   external merge sort, runs of `SORTED_MEMORY` bytes sorted in memory and written out,
 *   merged at the end with one read window per run.
 *
 * Files live in one private temporary directory per report (or `flows` run), removed by
 * `close()`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Text one list holds in memory before it goes to disk (UTF-16 code units, about bytes).
 * A report has some thirty lists (one per section), so together they stay near 30 MB.
 */
export const LIST_MEMORY = 1 << 20;
/** Text a sorted list holds before it writes a sorted run (two of them: flows, TCP connections). */
export const SORTED_MEMORY = 4 << 20;
/** Bytes read at a time from one sorted run while merging (hundreds of runs for 1M flows). */
const RUN_WINDOW = 64 << 10;
/** Bytes of a sorted run written at a time. */
const SPILL_WINDOW = 1 << 20;
/** Bytes copied at a time from a list's file to the output. */
const COPY_CHUNK = 1 << 20;

/** Where the bytes of a report go. */
export type ReportSink = (chunk: string | Uint8Array) => void;

/** The private directory of one report's spool files, made when the first list needs one. */
export class SpoolDir {
  private dir: string | null = null;
  /** @param prefix names the directory after its user, for whoever finds one left by a killed run. */
  constructor(private readonly prefix = 'wirelens-report-') {}

  /** The directory made for spool files, if any was (kept after `close`, for tests). */
  made: string | null = null;
  private files = 0;
  private readonly fds: number[] = [];

  open(): number {
    if (this.dir === null) this.made = this.dir = mkdtempSync(join(tmpdir(), this.prefix));
    const fd = openSync(join(this.dir, String(this.files++)), 'wx+', 0o600);
    this.fds.push(fd);
    return fd;
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/** Texts in arrival order, joined by a separator: its bytes are written out as they are. */
export class ListSpool {
  private parts: string[] = [];
  private held = 0;
  private fd = -1;
  private size = 0;
  count = 0;

  constructor(
    private readonly dir: SpoolDir,
    /** Put between two texts (`,` and the line break and indentation of the list). */
    private readonly separator: string,
    /** Text held in memory before it is written to disk (tests lower it to spill small lists). */
    private readonly memory = LIST_MEMORY,
  ) {}

  add(text: string): void {
    if (this.count++) this.parts.push(this.separator);
    this.parts.push(text);
    this.held += text.length + this.separator.length;
    if (this.held > this.memory) this.spill();
  }

  /** The texts with their separators, as chunks. */
  *chunks(): Generator<string | Uint8Array> {
    if (this.fd >= 0) {
      const buf = Buffer.allocUnsafe(COPY_CHUNK);
      for (let at = 0; at < this.size; ) {
        const n = readSync(this.fd, buf, 0, Math.min(COPY_CHUNK, this.size - at), at);
        if (n <= 0) break;
        at += n;
        // A copy: the sink may keep the chunk past the next read.
        yield Buffer.from(buf.subarray(0, n));
      }
    }
    if (this.parts.length) yield this.parts.join('');
  }

  private spill(): void {
    if (this.fd < 0) this.fd = this.dir.open();
    const text = this.parts.join('');
    this.size += writeSync(this.fd, text, this.size, 'utf8');
    this.parts = [];
    this.held = 0;
  }
}

interface Run {
  /** Byte range of the run in the file. */
  readonly start: number;
  readonly end: number;
}

/** A run being merged: a window of its bytes and the record at its head. */
interface RunCursor {
  readonly run: Run;
  buf: Buffer;
  /** File offset of `buf[0]`, and how many bytes of `buf` are valid. */
  bufAt: number;
  bufLen: number;
  /** File offset of the next record. */
  at: number;
  key: SortKey;
  tie: number;
  text: string;
}

/** What texts are sorted by; one spool's keys are all numbers or all strings. */
export type SortKey = number | string;

/**
 * A record on disk: key (float64), tie (float64), text length (uint32), key text length
 * (uint32, `NUMBER_KEY` for a numeric key), then the key's and the text's UTF-8 bytes.
 */
const HEAD = 24;
const NUMBER_KEY = 0xffffffff;

const compareKeys = (a: SortKey, b: SortKey): number => (a < b ? -1 : a > b ? 1 : 0);

/** Texts given back sorted by key, then by tie (arrival unless given). */
export class SortedSpool {
  private texts: string[] = [];
  private keys: SortKey[] = [];
  private ties: number[] = [];
  private held = 0;
  private arrivals = 0;
  private fd = -1;
  private size = 0;
  private readonly runs: Run[] = [];

  constructor(
    private readonly dir: SpoolDir,
    /** Text held in memory before a sorted run is written (tests lower it). */
    private readonly memory = SORTED_MEMORY,
  ) {}

  get count(): number {
    return this.arrivals;
  }

  add(text: string, key: SortKey, tie = this.arrivals): void {
    this.arrivals++;
    this.texts.push(text);
    this.keys.push(key);
    this.ties.push(tie);
    this.held += text.length + HEAD + (typeof key === 'string' ? key.length : 0);
    if (this.held > this.memory) this.spill();
  }

  /** The texts in order (may be called more than once). */
  *sorted(): Generator<string> {
    if (this.runs.length === 0) {
      for (const i of this.order()) yield this.texts[i]!;
      return;
    }
    if (this.texts.length) this.spill();
    yield* this.merge();
  }

  private order(): number[] {
    const { keys, ties } = this;
    const order = Array.from({ length: keys.length }, (_, i) => i);
    order.sort((a, b) => compareKeys(keys[a]!, keys[b]!) || ties[a]! - ties[b]!);
    return order;
  }

  /** Writes the held texts out as one sorted run. */
  private spill(): void {
    if (this.fd < 0) this.fd = this.dir.open();
    const start = this.size;
    // Written through a fixed window, not one buffer for the whole run: that was three times
    // the run's text (12 MB per spill of a SYN flood's flows, off the heap, twice: flows and
    // TCP connections), at the moment the flood's open flows hold the most.
    let buf = Buffer.allocUnsafe(SPILL_WINDOW);
    let used = 0;
    for (const i of this.order()) {
      const text = this.texts[i]!;
      const key = this.keys[i]!;
      const keyText = typeof key === 'string' ? key : '';
      const max = HEAD + (keyText.length + text.length) * 3;
      if (used + max > buf.length) {
        this.size += writeSync(this.fd, buf, 0, used, this.size);
        used = 0;
        if (max > buf.length) buf = Buffer.allocUnsafe(max);
      }
      buf.writeDoubleLE(typeof key === 'number' ? key : 0, used);
      buf.writeDoubleLE(this.ties[i]!, used + 8);
      const k = typeof key === 'number' ? 0 : buf.write(keyText, used + HEAD, 'utf8');
      const n = buf.write(text, used + HEAD + k, 'utf8');
      buf.writeUInt32LE(n, used + 16);
      buf.writeUInt32LE(typeof key === 'number' ? NUMBER_KEY : k, used + 20);
      used += HEAD + k + n;
    }
    if (used) this.size += writeSync(this.fd, buf, 0, used, this.size);
    this.runs.push({ start, end: this.size });
    this.texts = [];
    this.keys = [];
    this.ties = [];
    this.held = 0;
  }

  private *merge(): Generator<string> {
    const heap: RunCursor[] = [];
    for (const run of this.runs) {
      const c: RunCursor = { run, buf: Buffer.allocUnsafe(RUN_WINDOW), bufAt: run.start, bufLen: 0, at: run.start, key: 0, tie: 0, text: '' };
      if (this.next(c)) heapPush(heap, c);
    }
    while (heap.length) {
      const c = heap[0]!;
      yield c.text;
      if (this.next(c)) heapDown(heap, 0);
      else {
        const last = heap.pop()!;
        if (heap.length) {
          heap[0] = last;
          heapDown(heap, 0);
        }
      }
    }
  }

  /** Reads the cursor's next record; false at the end of its run. */
  private next(c: RunCursor): boolean {
    if (c.at >= c.run.end) return false;
    if (!this.window(c, HEAD)) return false;
    let o = c.at - c.bufAt;
    const length = c.buf.readUInt32LE(o + 16);
    const keyField = c.buf.readUInt32LE(o + 20);
    const keyLength = keyField === NUMBER_KEY ? 0 : keyField;
    if (!this.window(c, HEAD + keyLength + length)) return false;
    o = c.at - c.bufAt;
    c.key = keyField === NUMBER_KEY ? c.buf.readDoubleLE(o) : c.buf.toString('utf8', o + HEAD, o + HEAD + keyLength);
    c.tie = c.buf.readDoubleLE(o + 8);
    c.text = c.buf.toString('utf8', o + HEAD + keyLength, o + HEAD + keyLength + length);
    c.at += HEAD + keyLength + length;
    return true;
  }

  /** Makes `need` bytes from the cursor's position readable in its window. */
  private window(c: RunCursor, need: number): boolean {
    if (c.at + need > c.run.end) return false;
    if (c.at >= c.bufAt && c.at + need <= c.bufAt + c.bufLen) return true;
    if (need > c.buf.length) c.buf = Buffer.allocUnsafe(need);
    const want = Math.min(c.buf.length, c.run.end - c.at);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, c.buf, got, want - got, c.at + got);
      if (n <= 0) break;
      got += n;
    }
    c.bufAt = c.at;
    c.bufLen = got;
    return got >= need;
  }
}

/**
 * Key, then tie, then the earlier run: equal keys and ties come back in the order they were
 * added, as the in-memory sort (a stable sort) gives them, however the runs were cut.
 */
const before = (a: RunCursor, b: RunCursor): boolean => {
  const k = compareKeys(a.key, b.key);
  return k < 0 || (k === 0 && (a.tie < b.tie || (a.tie === b.tie && a.run.start < b.run.start)));
};

function heapPush(heap: RunCursor[], c: RunCursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(heap[i]!, heap[p]!)) break;
    [heap[i], heap[p]] = [heap[p]!, heap[i]!];
    i = p;
  }
}

function heapDown(heap: RunCursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}
