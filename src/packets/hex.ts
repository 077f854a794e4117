/**
 * A frame's bytes as `tshark -x` prints them: offset, sixteen bytes in hex (a wider gap after
 * the eighth), and the printable ASCII ones (others as `.`). Pure: bytes in, lines out.
 */
export const BYTES_IN_ROW = 16;

export function hexLine(bytes: Uint8Array, offset: number): string {
  const row = bytes.subarray(offset, offset + BYTES_IN_ROW);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < BYTES_IN_ROW; i++) {
    if (i === 8) hex += ' ';
    if (i < row.length) {
      const b = row[i]!;
      hex += b.toString(16).padStart(2, '0') + ' ';
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    } else hex += '   ';
  }
  return `${offset.toString(16).padStart(4, '0')}  ${hex} ${ascii}`;
}

/** Every line of the dump; an empty frame has none. */
export function hexDump(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += BYTES_IN_ROW) out.push(hexLine(bytes, at));
  return out;
}
