import type { Direction } from '../../events/event.js';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../pipeline/analyze.js';
import { FollowFormatter } from '../follow-format.js';
import { visibleLines } from '../../report/safe-text.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

interface FollowOptions extends CommonOptions {
  flow: number;
  hex?: boolean;
  dir?: 'both' | 'c2s' | 's2c';
}

/** Bytes of one flow kept for `follow`; beyond it the output says what was left out. */
const MAX_FOLLOW = 256 * 1024 * 1024;

/**
 * `wirelens follow FILE --flow N`: the reassembled stream as text or hex, client and server
 * marked, one direction or both, gaps shown where bytes are missing (tshark's `-z follow`).
 */
export async function followCommand(file: string, opts: FollowOptions): Promise<number> {
  // The header names the flow's endpoints, known only when it ends; the body is formatted as
  // the stream comes and waits in a temporary file, so memory does not grow with the stream.
  const body = new TextSpool();
  try {
    const format = new FollowFormatter(opts.hex ?? false, (t) => body.write(t));
    let kept = 0;
    let dropped = 0;
    let found = false;
    let endpoints = '';
    const want = (dir: Direction) => !opts.dir || opts.dir === 'both' || opts.dir === dir;
    try {
      await analyze(
        file,
        {
          emit: (e) => {
            if (e.type === 'flow.end' && e.flow === opts.flow) {
              found = true;
              endpoints = `${e.proto} ${e.orig_h}:${e.orig_p} -> ${e.resp_h}:${e.resp_p}`;
            }
          },
        },
        {
          ...analyzeOptions(opts),
          onProgress: progressReporter('reading'),
          tap: (flow, dir, data) => {
            if (flow !== opts.flow || !want(dir)) return;
            if (typeof data === 'number') format.gap(dir, data);
            else if (kept + data.length <= MAX_FOLLOW) {
              format.data(dir, data);
              kept += data.length;
            } else dropped += data.length;
          },
        },
      );
    } finally {
      clearProgress();
    }
    if (!found) throw new UserError(`no flow ${opts.flow} in ${file} (see \`wirelens flows ${file}\`)`);
    format.finish();
    out(`Follow: ${visibleLines(endpoints)}\n`);
    out(`Client (c2s) lines start with ">", server (s2c) with "<"; ${opts.hex ? 'hex' : 'text'}\n`);
    out('='.repeat(70) + '\n');
    body.replay(out);
    if (dropped) out(`[${dropped} more bytes not shown: follow keeps at most ${MAX_FOLLOW} bytes]\n`);
    out('='.repeat(70) + '\n');
    return 0;
  } finally {
    body.close();
  }
}

/** Text written in order to a private temporary file, then given back in 1 MB pieces. */
class TextSpool {
  private dir: string | null = null;
  private fd = -1;
  private pending: Array<string | Buffer> = [];
  private pendingLength = 0;
  private size = 0;

  /** Keeps text, or bytes that are valid only during the call (copied). */
  write(text: string | Uint8Array): void {
    this.pending.push(typeof text === 'string' ? text : Buffer.from(text));
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 20) this.flush();
  }

  replay(sink: (bytes: Uint8Array | string) => void): void {
    if (this.fd < 0) {
      for (const t of this.pending) sink(t);
      return;
    }
    this.flush();
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < this.size; ) {
      const n = readSync(this.fd, buf, 0, buf.length, at);
      if (n <= 0) break;
      sink(Buffer.from(buf.subarray(0, n)));
      at += n;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.fd = -1;
    this.dir = null;
  }

  private flush(): void {
    if (this.fd < 0) {
      this.dir = mkdtempSync(join(tmpdir(), 'wirelens-follow-'));
      this.fd = openSync(join(this.dir, 'body'), 'wx+', 0o600);
    }
    const bytes = Buffer.concat(this.pending.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, this.size + off);
    this.size += bytes.length;
    this.pending = [];
    this.pendingLength = 0;
  }
}
