import { closeSync, openSync, readSync } from 'node:fs';
import { keyLogWarning, parseKeyLog } from '../capture/keylog.js';
import type { Limits } from '../dissect/limits.js';
import { visible } from '../report/safe-text.js';
import { UserError } from './io.js';

/**
 * `--keylog FILE`: the key log's bytes, read once per process. They travel as bytes, not as
 * a store: every run parses them into a store of its own (pcapng secrets blocks add to that
 * store, and must not leak into the next capture of `report DIR`), and `--workers` threads
 * parse the same bytes. Reading stops one byte past `max_keylog_bytes` so the parser can
 * say the file was cut; a pipe (`--keylog <(...)`) works, as it is read only once.
 */
const loaded = new Map<string, Uint8Array>();

export function loadKeyLog(path: string | undefined, limits: Pick<Limits, 'max_keylog_bytes' | 'max_tls_secrets'>): Uint8Array | undefined {
  if (path === undefined) return undefined;
  const known = loaded.get(path);
  if (known) return known;
  let bytes: Uint8Array;
  try {
    bytes = readAtMost(path, limits.max_keylog_bytes + 1);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    throw new UserError(`cannot read key log ${visible(path)}: ${why}`);
  }
  // Parsed here once for the warning (bad lines by number, the rest used); each run parses again into its own store.
  const warning = keyLogWarning(path, parseKeyLog(bytes, { limits }));
  if (warning) process.stderr.write(`wirelens: warning: ${visible(warning)}\n`);
  loaded.set(path, bytes);
  return bytes;
}

function readAtMost(path: string, max: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let got = 0;
    while (got < max) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max - got));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      got += n;
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}
