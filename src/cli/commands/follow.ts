import type { Direction } from '../../events/event.js';
import { analyze, type AnalyzeOptions } from '../../pipeline/analyze.js';
import { visibleLines } from '../../report/safe-text.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, type CommonOptions } from '../options.js';

interface FollowOptions extends CommonOptions {
  flow: number;
  hex?: boolean;
  dir?: 'both' | 'c2s' | 's2c';
  /** The bytes on the wire (TLS records) even when a decrypted stream exists. */
  raw?: boolean;
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
  let followed: FollowedStream;
  try {
    followed = await followStream(file, opts, { ...analyzeOptions(opts), onProgress: progressReporter('reading') });
  } finally {
    clearProgress();
  }
  const { endpoints, pieces, dropped, layer } = followed;
  if (endpoints === null) throw new UserError(`no flow ${opts.flow} in ${file} (see \`wirelens flows ${file}\`)`);
  out(`Follow: ${visibleLines(endpoints)}${layer === null ? '' : ` (decrypted ${visibleLines(layer)} stream; --raw for the bytes on the wire)`}\n`);
  out(`Client (c2s) lines start with ">", server (s2c) with "<"; ${opts.hex ? 'hex' : 'text'}\n`);
  out('='.repeat(70) + '\n');
  let offset = { c2s: 0, s2c: 0 };
  for (const p of mergeRuns(pieces)) {
    const mark = p.dir === 'c2s' ? '>' : '<';
    if ('gap' in p) {
      out(`${mark} [${p.gap} bytes missing]\n`);
      offset = { ...offset, [p.dir]: offset[p.dir] + p.gap };
      continue;
    }
    out(opts.hex ? hexDump(p.data, offset[p.dir], mark) : textBlock(p.data, mark));
    offset = { ...offset, [p.dir]: offset[p.dir] + p.data.length };
  }
  if (dropped) out(`[${dropped} more bytes not shown: follow keeps at most ${MAX_FOLLOW} bytes]\n`);
  out('='.repeat(70) + '\n');
  return 0;
}

/** Consecutive chunks in one direction print as one block. */
function mergeRuns(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && 'data' in last && 'data' in p && last.dir === p.dir) {
      const joined = new Uint8Array(last.data.length + p.data.length);
      joined.set(last.data, 0);
      joined.set(p.data, last.data.length);
      out[out.length - 1] = { dir: p.dir, data: joined };
    } else out.push(p);
  }
  return out;
}

function textBlock(data: Uint8Array, mark: string): string {
  const text = visibleLines(Buffer.from(data).toString('latin1').replace(/\r\n/g, '\n'));
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => `${mark} ${l}\n`).join('');
}

function hexDump(data: Uint8Array, start: number, mark: string): string {
  let s = '';
  for (let i = 0; i < data.length; i += 16) {
    const row = data.subarray(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    s += `${mark} ${(start + i).toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}\n`;
  }
  return s;
}
