import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Direction } from '../../events/event.js';
import type { LayerMark } from '../../events/event-map.js';
import { analyze, type AnalyzeOptions } from '../../pipeline/analyze.js';
import { visibleLines } from '../../report/safe-text.js';
import { FollowFormatter } from '../follow-format.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { HttpFollowDecoder } from '../../report/http-follow.js';
import { analyzeOptions, fullLimits, type CommonOptions } from '../options.js';
import type { Limits } from '../../dissect/limits.js';

interface FollowOptions extends CommonOptions {
  flow: number;
  hex?: boolean;
  dir?: 'both' | 'c2s' | 's2c';
  /** The bytes on the wire (TLS records) even when a decrypted stream exists. */
  raw?: boolean;
  /** HTTP bodies de-chunked and their Content-Encoding undone. */
  decode?: boolean;
}

type Piece = { dir: Direction; data: Uint8Array } | { dir: Direction; gap: number };

/** Bytes of one flow kept for `follow`; beyond it the output says what was left out. */
const MAX_FOLLOW = 256 * 1024 * 1024;

/** What `follow` collected of one flow. */
export interface FollowedStream {
  /** Null when no flow of that id was seen. */
  endpoints: string | null;
  pieces: Piece[];
  /** Bytes seen beyond `MAX_FOLLOW` and left out. */
  dropped: number;
  /** The layer whose decrypted stream this is (`tls`), or null for the bytes on the wire. */
  layer: string | null;
}

/**
 * Runs the capture and keeps one flow's stream: the inner stream when the flow has one
 * (the first layer opened), unless `raw`; else the reassembled bytes on the wire.
 */
export async function followStream(
  file: string,
  want: { flow: number; dir?: 'both' | Direction; raw?: boolean },
  opts: AnalyzeOptions = {},
): Promise<FollowedStream> {
  let pieces: Piece[] = [];
  let kept = 0;
  let dropped = 0;
  let endpoints: string | null = null;
  let layer: string | null = null;
  const wanted = (dir: Direction) => !want.dir || want.dir === 'both' || want.dir === dir;
  const keep = (dir: Direction, data: Uint8Array | number): void => {
    if (typeof data === 'number') pieces.push({ dir, gap: data });
    else if (kept + data.length <= MAX_FOLLOW) {
      pieces.push({ dir, data: data.slice() });
      kept += data.length;
    } else dropped += data.length;
  };
  await analyze(
    file,
    {
      emit: (e) => {
        if (e.type === 'flow.end' && e.flow === want.flow) endpoints = `${e.proto} ${e.orig_h}:${e.orig_p} -> ${e.resp_h}:${e.resp_p}`;
      },
    },
    {
      ...opts,
      tap: (flow, dir, data) => {
        if (flow === want.flow && layer === null && wanted(dir)) keep(dir, data);
      },
      // The wire bytes kept so far are dropped when the decrypted stream begins.
      innerTap: want.raw
        ? undefined
        : (flow, dir, data, via) => {
            if (flow !== want.flow) return;
            if (layer === null) {
              layer = via;
              pieces = [];
              kept = dropped = 0;
            }
            if (via === layer && wanted(dir)) keep(dir, data);
          },
    },
  );
  return { endpoints, pieces, dropped, layer };
}

/**
 * `wirelens follow FILE --flow N`: the reassembled stream as text or hex, client and server
 * marked, one direction or both, gaps shown where bytes are missing (tshark's `-z follow`).
 * When the flow carries an inner stream (TLS decrypted with `--keylog`), that is what is
 * shown, as Wireshark's "Follow TLS Stream" does; `--raw` shows the bytes on the wire.
 */
export async function followCommand(file: string, opts: FollowOptions): Promise<number> {
  // The header names the flow's endpoints, known only when it ends; the body is formatted as
  // the stream comes and waits in a temporary file, so memory does not grow with the stream.
  // The wire bytes and the decrypted stream go to their own spools: which is shown is known
  // only once the inner stream begins (and then the wire spool gets no more).
  const wire = new FollowedText(opts.hex ?? false, opts.decode ? fullLimits(opts) : null);
  const inner = new FollowedText(opts.hex ?? false, opts.decode ? fullLimits(opts) : null);
  try {
    let endpoints: string | null = null;
    let layer: LayerMark | null = null;
    const want = (dir: Direction) => !opts.dir || opts.dir === 'both' || opts.dir === dir;
    try {
      await analyze(
        file,
        {
          emit: (e) => {
            if (e.type === 'flow.end' && e.flow === opts.flow) endpoints = `${e.proto} ${e.orig_h}:${e.orig_p} -> ${e.resp_h}:${e.resp_p}`;
          },
        },
        {
          ...analyzeOptions(opts),
          onProgress: progressReporter('reading'),
          tap: (flow, dir, data) => {
            if (flow === opts.flow && layer === null && want(dir)) wire.add(dir, data);
          },
          innerTap: opts.raw
            ? undefined
            : (flow, dir, data, via) => {
                if (flow !== opts.flow) return;
                layer ??= via;
                if (via === layer && want(dir)) inner.add(dir, data);
              },
        },
      );
    } finally {
      clearProgress();
    }
    if (endpoints === null) throw new UserError(`no flow ${opts.flow} in ${file} (see \`wirelens flows ${file}\`)`);
    const shown = layer === null ? wire : inner;
    out(`Follow: ${visibleLines(endpoints)}${layer === null ? '' : ` (decrypted ${visibleLines(layer)} stream; --raw for the bytes on the wire)`}\n`);
    out(`Client (c2s) lines start with ">", server (s2c) with "<"; ${opts.hex ? 'hex' : 'text'}\n`);
    out('='.repeat(70) + '\n');
    shown.replay(out);
    if (shown.dropped) out(`[${shown.dropped} more bytes not shown: follow keeps at most ${MAX_FOLLOW} bytes]\n`);
    out('='.repeat(70) + '\n');
    return 0;
  } finally {
    wire.close();
    inner.close();
  }
}

/** One stream formatted for `follow` as it comes, up to `MAX_FOLLOW` bytes, spooled to disk. */
class FollowedText {
  private readonly spool = new TextSpool();
  private readonly format: FollowFormatter;
  private kept = 0;
  dropped = 0;

  /** `follow --decode`: HTTP bodies decoded before they are formatted. */
  private readonly http: HttpFollowDecoder | null;

  constructor(hex: boolean, decode: Limits | null) {
    this.format = new FollowFormatter(hex, (t) => this.spool.write(t));
    this.http = decode ? new HttpFollowDecoder(decode, (dir, data) => this.show(dir, data)) : null;
  }

  add(dir: Direction, data: Uint8Array | number): void {
    if (this.http) this.http.add(dir, data);
    else this.show(dir, data);
  }

  private show(dir: Direction, data: Uint8Array | number): void {
    if (typeof data === 'number') this.format.gap(dir, data);
    else if (this.kept + data.length <= MAX_FOLLOW) {
      this.format.data(dir, data);
      this.kept += data.length;
    } else this.dropped += data.length;
  }

  replay(sink: (bytes: Uint8Array | string) => void): void {
    this.http?.finish();
    this.format.finish();
    this.spool.replay(sink);
  }

  close(): void {
    this.spool.close();
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
