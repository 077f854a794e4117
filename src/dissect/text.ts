/**
 * Wire bytes to JSON-safe text. Protocol text is decoded as UTF-8 when it is valid
 * UTF-8, and otherwise as ISO-8859-1 (each byte one code point, so nothing is lost and
 * the output is still valid UTF-8). ASCII, the common case, takes the fast path.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(bytes, start, end);
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    return latin1(bytes, start, end);
  }
}

/**
 * Buffer's own latin1 slicer, called on any Uint8Array (it takes every ArrayBufferView): one
 * flat string in one native call. Past a dozen bytes it is some 2.5x faster than building the
 * string a `fromCharCode` at a time (a string per byte, cons strings past 13 characters), and
 * wrapping a view in a Buffer first cost more than the copy itself. Below that the call into
 * C++ costs more than the loop (40 against 80 ns for a method or a status code), so short
 * strings keep the loop.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/** One code point per byte. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // The native slicer throws on a range outside the view; a parser must never throw.
  if (end > bytes.length) end = bytes.length;
  if (start < 0) start = 0;
  const n = end - start;
  if (n <= 0) return '';
  if (n < 12) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return latin1Slice.call(bytes, start, end);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** An endpoint as people write it: `10.0.0.1:443`, `[::1]:443`. */
export function hostPort(addr: string, port: number | string): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
