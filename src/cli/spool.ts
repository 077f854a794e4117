/**
 * Texts kept on disk until they are printed in sorted order. `wirelens flows` sorts every
 * flow of a capture, and a 4 GB capture has 400,000 of them: held as records they were a
 * kilobyte or more each, so memory grew with the capture. Here each item costs its sort key
 * and three numbers in memory; its text goes to a private temporary file, removed at close.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WRITE_CHUNK = 1 << 20;
/**
 * Reads go through a few windows of the file, least recently used replaced: sorted by flow
 * id, rows are read from two or three places that each move forward (flows that end late,
 * like UDP flows waiting out their time-out, were written further on).
 */
const READ_WINDOW = 256 << 10;
const WINDOWS = 8;

interface Window {
  buf: Buffer;
  start: number;
  end: number;
  used: number;
}

export class Spool {
  /** The private directory holding the spool file. */
  readonly dir: string;
  private readonly fd: number;
  private pending = Buffer.allocUnsafe(WRITE_CHUNK);
  private used = 0;
  private size = 0;
  private offsets: number[] = [];
  private lengths: number[] = [];
  private keys: (number | string)[] = [];
  private ties: number[] = [];

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'wirelens-'));
    this.fd = openSync(join(this.dir, 'spool'), 'wx+', 0o600);
  }

  get count(): number {
    return this.offsets.length;
  }

  /** Keeps `text`, to be given back in the order of `key`, then of `tie`. */
  add(text: string, key: number | string, tie: number): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.used + bytes > this.pending.length) this.flush();
    if (bytes > this.pending.length) {
      writeSync(this.fd, text, this.size, 'utf8');
    } else {
      this.pending.write(text, this.used, 'utf8');
      this.used += bytes;
    }
    this.offsets.push(this.size);
    this.lengths.push(bytes);
    this.keys.push(key);
    this.ties.push(tie);
    this.size += bytes;
  }

  /** The texts in order of their keys. */
  *sorted(): Generator<string> {
    this.flush();
    const order = Array.from({ length: this.count }, (_, i) => i);
    const { keys, ties } = this;
    order.sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      return ka < kb ? -1 : ka > kb ? 1 : ties[a]! - ties[b]!;
    });
    const windows: Window[] = [];
    let clock = 0;
    for (const i of order) {
      const at = this.offsets[i]!;
      const length = this.lengths[i]!;
      let w = windows.find((x) => x.start <= at && at + length <= x.end);
      if (!w) {
        if (windows.length < WINDOWS) windows.push((w = { buf: Buffer.allocUnsafe(READ_WINDOW), start: 0, end: 0, used: 0 }));
        else w = windows.reduce((a, b) => (a.used <= b.used ? a : b));
        if (length > w.buf.length) w.buf = Buffer.allocUnsafe(length);
        w.start = at;
        w.end = at + readSync(this.fd, w.buf, 0, Math.min(w.buf.length, this.size - at), at);
      }
      w.used = ++clock;
      yield w.buf.toString('utf8', at - w.start, at - w.start + length);
    }
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(): void {
    if (!this.used) return;
    writeSync(this.fd, this.pending, 0, this.used, this.size - this.used);
    this.used = 0;
  }
}
