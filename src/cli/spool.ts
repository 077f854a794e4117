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
const READ_WINDOW = 1 << 20;

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

  /** The texts in order of their keys. Reads go through a window, as texts added together are mostly read together. */
  *sorted(): Generator<string> {
    this.flush();
    const order = Array.from({ length: this.count }, (_, i) => i);
    const { keys, ties } = this;
    order.sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      return ka < kb ? -1 : ka > kb ? 1 : ties[a]! - ties[b]!;
    });
    let window = Buffer.allocUnsafe(READ_WINDOW);
    let start = 0;
    let end = 0;
    for (const i of order) {
      const at = this.offsets[i]!;
      const length = this.lengths[i]!;
      if (at < start || at + length > end) {
        if (length > window.length) window = Buffer.allocUnsafe(length);
        start = at;
        end = at + readSync(this.fd, window, 0, Math.min(window.length, this.size - at), at);
      }
      yield window.toString('utf8', at - start, at - start + length);
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
