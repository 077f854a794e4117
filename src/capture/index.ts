/**
 * `readCapture`: open a capture (path or `-` for standard input), recognise its format
 * (pcap, pcap-nsec, pcapng, any of them gzip'ed), and stream its packets to the handlers
 * with flat memory. Problems inside a readable file go to `handlers.problem`; a file that
 * cannot be read at all throws a one-line `CaptureError`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureError, type CaptureHandlers, type CaptureProblem, type CaptureSummary } from './types.js';
import { sniff, SNIFF_BYTES } from './sniff.js';
import { CHUNK_BYTES, fileChunks, gunzipChunks, peek, replay, streamChunks, type GunzipState } from './sources.js';
import { feedRecords } from './record-stream.js';
import { PcapParser } from './pcap-reader.js';
import { PcapngParser } from './pcapng-reader.js';

export { CaptureError } from './types.js';
export type { SecretsKind } from './types.js';
export type { CaptureFormat, CaptureHandlers, CaptureInterface, CaptureProblem, CaptureSummary, RawPacket } from './types.js';
export { sniff } from './sniff.js';
export { peekFormat } from './peek.js';

export interface ReadCaptureOptions {
  /** Called after every chunk read from the source (compressed bytes for gzip files). */
  onProgress?(bytesRead: number, totalBytes: number | null): void;
  /** Called before each chunk is parsed; reading waits for a promise it returns (back-pressure). */
  pace?(): Promise<void> | undefined;
  /** What `-` reads; process.stdin by default (tests pass their own stream). */
  stdin?: AsyncIterable<Uint8Array>;
  /** The largest pcapng Decryption Secrets Block passed to `handlers.secrets` (`max_dsb_bytes`). */
  max_dsb_bytes?: number;
  /**
   * The bytes of `source`, read by the caller instead of opening it (a file followed as it
   * grows: `followFile`); `source` then only names it.
   */
  input?: AsyncIterable<Uint8Array>;
}

/** The one-line error for a path that cannot be opened (exported for tests: root cannot see EACCES). */
export function describeOpenError(name: string, err: unknown): CaptureError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const what =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'a directory, not a capture file'
    : code === 'ENOTDIR' ? 'no such file (a part of the path is not a directory)'
    : code === 'ELOOP' ? 'too many symbolic links'
    : `cannot be opened (${(err as Error)?.message ?? String(err)})`;
  return new CaptureError(`${name}: ${what}`);
}

export async function readCapture(source: string, given: CaptureHandlers, opts: ReadCaptureOptions = {}): Promise<CaptureSummary> {
  // Problems found before the file proved readable (its header read) wait: a file that
  // turns out unreadable gets its one-line CaptureError and nothing else.
  const held: CaptureProblem[] = [];
  const gz: GunzipState & { reported?: boolean } = { error: null };
  let readable = false;
  const release = (): void => {
    readable = true;
    for (const p of held.splice(0)) given.problem(p);
  };
  const handlers: CaptureHandlers = {
    ...given,
    start: (info) => {
      release();
      given.start?.(info);
    },
    problem: (p) => {
      // A record cut by a damaged gzip stream: name the cause, once.
      if (gz.error && p.code === 'capture.truncated' && !gz.reported) {
        gz.reported = true;
        p = { ...p, detail: `${name}: the gzip stream is damaged or cut short (${oneLine(gz.error.message)}); ${p.detail}` };
      }
      if (readable) given.problem(p);
      else held.push(p);
    },
  };
  const name = source === '-' ? '<stdin>' : source;
  let fh: FileHandle | null = null;
  let total: number | null = null;
  let rawRead = 0;
  const onProgress = opts.onProgress;
  const onRead = (n: number): void => {
    rawRead += n;
    onProgress?.(rawRead, total);
  };
  try {
    let raw: AsyncIterable<Uint8Array>;
    if (opts.input) {
      raw = streamChunks(opts.input, onRead);
    } else if (source === '-') {
      raw = streamChunks(opts.stdin ?? (process.stdin as AsyncIterable<Uint8Array>), onRead);
    } else {
      try {
        fh = await open(source, 'r');
        const st = await fh.stat();
        if (st.isDirectory()) throw new CaptureError(`${name}: a directory, not a capture file`);
        if (st.isFile()) total = st.size;
      } catch (e) {
        if (e instanceof CaptureError) throw e;
        throw describeOpenError(name, e);
      }
      // A FIFO, `<(cat f)` or a character device cannot be read at an offset (ESPIPE):
      // read it in order as a stream, as standard input is.
      raw = total !== null ? fileChunks(fh, onRead) : streamChunks(fh.createReadStream({ autoClose: false, highWaterMark: CHUNK_BYTES }), onRead);
    }

    let peeked = await readAhead(raw, name);
    let kind = sniff(peeked.head);
    let compressed = false;
    if (kind.kind === 'gzip') {
      compressed = true;
      peeked = await readAhead(gunzipChunks(replay(peeked), gz), name);
      if (peeked.head.length === 0 && gz.error) throw new CaptureError(`${name}: damaged gzip data (${oneLine(gz.error.message)})`);
      kind = sniff(peeked.head);
      if (kind.kind === 'gzip') throw new CaptureError(`${name}: gzip-compressed twice; decompress it once first`);
      if (kind.kind === 'other') throw new CaptureError(`${name}: gzip-compressed, but the content looks like ${kind.description}, not a capture`);
    } else if (kind.kind === 'other') {
      const d = kind.description;
      throw new CaptureError(d === 'an empty file' ? `${name}: empty file` : `${name}: not a capture file; it looks like ${d}`);
    }

    let fileBytes = 0;
    const countBytes = (n: number): Promise<void> | undefined => {
      fileBytes += n;
      return opts.pace?.();
    };
    if (kind.kind === 'pcap') {
      const parser = new PcapParser(handlers, compressed);
      await feedRecords(replay(peeked), parser, countBytes);
      if (!parser.headerRead) throw new CaptureError(`${name}: pcap file header cut short (${fileBytes} of 24 bytes)`);
      reportGzipDamage(handlers, gz, name, parser.packets);
      release();
      return { format: parser.interfaces[0]!.ts_units_per_second === 1e9 ? 'pcap-nsec' : 'pcap', compressed, interfaces: parser.interfaces, packets: parser.packets, file_bytes: fileBytes };
    }
    const parser = new PcapngParser(handlers, compressed, opts.max_dsb_bytes);
    await feedRecords(replay(peeked), parser, countBytes);
    if (parser.sections === 0 && !parser.stopped) throw new CaptureError(`${name}: pcapng file cut short inside its section header (${fileBytes} bytes)`);
    reportGzipDamage(handlers, gz, name, parser.packets);
    release();
    return {
      format: 'pcapng',
      compressed,
      interfaces: parser.interfaces,
      interface_count: parser.interfaceCount > parser.interfaces.length ? parser.interfaceCount : undefined,
      packets: parser.packets,
      file_bytes: fileBytes,
    };
  } finally {
    await fh?.close();
  }
}

async function readAhead(src: AsyncIterable<Uint8Array>, name: string) {
  try {
    return await peek(src, SNIFF_BYTES);
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    throw new CaptureError(`${name}: read failed (${oneLine((e as Error)?.message ?? String(e))})`);
  }
}

function reportGzipDamage(handlers: CaptureHandlers, gz: GunzipState & { reported?: boolean }, name: string, packets: number): void {
  if (gz.error === null || gz.reported) return;
  handlers.problem({
    code: 'capture.truncated',
    detail: `${name}: the gzip stream is damaged or cut short after frame ${packets} (${oneLine(gz.error.message)})`,
    frame: packets,
  });
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
