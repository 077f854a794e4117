/**
 * IP addresses as text: dotted quad for IPv4; RFC 5952 canonical form for IPv6 (lowercase,
 * no leading zeros, the longest run of two or more zero groups shortened to `::`, the first
 * such run on a tie, IPv4-mapped addresses as `::ffff:a.b.c.d`).
 */

export function formatAddress(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) {
    let hex = '';
    for (let i = 0; i < b.length; i++) hex += b[i]!.toString(16).padStart(2, '0');
    return hex;
  }
  // ::ffff:a.b.c.d (RFC 5952 section 5).
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;

  // Longest run of zero groups (length >= 2), first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && b[2 * g] === 0 && b[2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      const len = g - runStart;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += ((b[2 * g]! << 8) | b[2 * g + 1]!).toString(16);
  }
  return out;
}
