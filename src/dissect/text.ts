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

/** One code point per byte. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = end - start;
  if (n <= 0) return '';
  if (n < 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, n).toString('latin1');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** An endpoint as people write it: `10.0.0.1:443`, `[::1]:443`. */
export function hostPort(addr: string, port: number | string): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
