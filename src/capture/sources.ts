/**
 * Byte sources for the readers: a file read in large chunks into one reused buffer, a
 * stream (standard input), and streaming gunzip. Each yields chunks that are valid until
 * the next one is requested.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const CHUNK_BYTES = 1024 * 1024;

/** Reads a file sequentially into one reused buffer: no allocation per chunk. */
export async function* fileChunks(fh: FileHandle, onRead?: (n: number) => void): AsyncGenerator<Uint8Array> {
  // Two buffers: the next read runs in the thread pool while the current chunk is parsed,
  // so decoding does not wait on I/O. A yielded chunk stays intact until two reads later.
  const bufs = [new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES)];
  let position = 0;
  let which = 0;
  let pending = fh.read(bufs[0]!, 0, CHUNK_BYTES, position);
  try {
    while (true) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      position += bytesRead;
      const current = bufs[which]!;
      which ^= 1;
      pending = fh.read(bufs[which]!, 0, CHUNK_BYTES, position);
      onRead?.(bytesRead);
      yield current.subarray(0, bytesRead);
    }
  } finally {
    // A read still in flight when the consumer stops must not become an unhandled rejection.
    pending.catch(() => {});
  }
}

/** Chunks of a Node stream (standard input), as plain Uint8Array views. */
export async function* streamChunks(stream: AsyncIterable<Uint8Array | string>, onRead?: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    if (typeof chunk === 'string') throw new TypeError('capture input stream must deliver bytes, not text');
    onRead?.(chunk.length);
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** The first bytes of a source, read ahead for sniffing, and the source to continue with. */
export interface Peeked {
  head: Uint8Array;
  rest: AsyncIterator<Uint8Array>;
}

/** Read at least `n` bytes ahead (fewer only at end of input). The bytes are copied. */
export async function peek(src: AsyncIterable<Uint8Array>, n: number): Promise<Peeked> {
  const it = src[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total < n) {
    const r = await it.next();
    if (r.done) break;
    parts.push(r.value.slice());
    total += r.value.length;
  }
  const head = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    head.set(p, off);
    off += p.length;
  }
  return { head, rest: it };
}

/** Yield the peeked bytes, then the rest of the source. */
export async function* replay(p: Peeked): AsyncGenerator<Uint8Array> {
  if (p.head.length > 0) yield p.head;
  while (true) {
    const r = await p.rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Outcome of a gunzip stream that ended early or was damaged. */
export interface GunzipState {
  error: Error | null;
}

/**
 * Streaming gunzip (multi-member files included). A damaged or cut stream ends the output
 * early and leaves the error in `state`, so the reader keeps what came before it.
 */
export async function* gunzipChunks(src: AsyncIterable<Uint8Array>, state: GunzipState): AsyncGenerator<Uint8Array> {
  // The compressed chunks may reuse one buffer: copy them before zlib queues them.
  async function* copies(): AsyncGenerator<Buffer> {
    for await (const c of src) yield Buffer.from(c);
  }
  const input = Readable.from(copies(), { objectMode: false });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  input.on('error', (e: Error) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const out of gunzip as AsyncIterable<Buffer>) {
      yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
  } catch (e) {
    state.error = e instanceof Error ? e : new Error(String(e));
  } finally {
    input.destroy();
  }
}
