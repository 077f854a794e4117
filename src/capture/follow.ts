/**
 * A capture file read as it grows (`wirelens --follow-file`, while `tcpdump -w` still writes
 * it), as `tail -f` reads a log: at the end of what is there it waits and reads again,
 * instead of ending. The record parsers already carry a partial record over to the next
 * chunk, so a record the writer has only half written is simply waited for, never reported
 * as a cut record; the input ends only when the caller stops it.
 */
import { open } from 'node:fs/promises';
import { CaptureError } from './types.js';
import { describeOpenError } from './index.js';

/** Bytes read at a time while catching up with a file that is already large. */
export const FOLLOW_CHUNK_BYTES = 1024 * 1024;
/** How long to wait at the end of the file before looking again (tcpdump flushes about this often with -U). */
export const FOLLOW_POLL_MS = 200;

export interface FollowOptions {
  /** Stops following: the input then ends (at once if it is waiting). */
  signal: AbortSignal;
  /** Waits at the end of the file; a test passes its own so that nothing depends on real time. */
  wait?(signal: AbortSignal): Promise<void>;
}

const sleep = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, FOLLOW_POLL_MS);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * The bytes of `path` in order, waiting at its end for more until `signal` aborts. A file
 * that gets shorter was truncated or replaced (a new tcpdump run): the bytes read so far no
 * longer describe it, so following stops with a CaptureError rather than mixing two captures.
 */
export async function* followFile(path: string, opts: FollowOptions): AsyncGenerator<Uint8Array> {
  const wait = opts.wait ?? sleep;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw describeOpenError(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new CaptureError(`${path}: a directory, not a capture file`);
    if (!st.isFile()) throw new CaptureError(`${path}: not a regular file; --follow-file follows a file as it grows (read a pipe with \`wirelens -\`)`);
    const buf = new Uint8Array(FOLLOW_CHUNK_BYTES);
    let position = 0;
    while (!opts.signal.aborted) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        // A copy: the consumer may keep a chunk (gunzip, the sniffer) past the next read.
        yield buf.slice(0, bytesRead);
        continue;
      }
      const now = await fh.stat();
      if (now.size < position) throw new CaptureError(`${path}: the file got shorter while being followed (truncated or replaced after ${position} bytes)`);
      await wait(opts.signal);
    }
  } finally {
    await fh.close();
  }
}
