import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { sniff, SNIFF_BYTES, type SniffedKind } from './sniff.js';

/**
 * The format of a capture file by its first bytes, read before the capture reader opens it
 * (the work plan asks whether the file may carry pcapng secrets blocks). The same `sniff`
 * the reader uses, so the two never disagree on a format.
 *
 * Only a regular file is peeked at: opening a FIFO or a `<(...)` pipe here would take the
 * reader's bytes (or its writer) away, and the reader's own open would then wait forever.
 * Null for what is not a regular file or cannot be read (the reader reports why).
 */
export function peekFormat(path: string): SniffedKind | null {
  let fd = -1;
  try {
    if (!statSync(path).isFile()) return null;
    fd = openSync(path, 'r');
    const head = new Uint8Array(SNIFF_BYTES);
    const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
    return sniff(head.subarray(0, n));
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
