/**
 * Linux NFLOG (link type 239): a 4-byte header (address family, version, resource id) then
 * netlink TLVs whose length and type are in the capturing host's byte order (length counts
 * the 4-byte TLV header; values are padded to 4). The packet is in NFULA_PAYLOAD (type 9).
 */
import { LINK_IPV4, LINK_IPV6, type LinkCursor, type LinkOutcome } from './cursor.js';

const NFULA_PAYLOAD = 9;
const AF_INET = 2;
const AF_INET6 = 10;

export function nflog(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 4) return c.truncated('NFLOG header', 4, data.length);
  const family = data[0]!;
  let off = 4;
  let little: boolean | null = null;
  while (data.length - off >= 4) {
    const le = data[off]! | (data[off + 1]! << 8);
    const be = (data[off]! << 8) | data[off + 1]!;
    if (little === null) {
      // Decide the byte order once, from the first TLV: the order whose length fits.
      little = le >= 4 && off + le <= data.length ? true : !(be >= 4 && off + be <= data.length);
    }
    const len = little ? le : be;
    const type = (little ? data[off + 2]! | (data[off + 3]! << 8) : (data[off + 2]! << 8) | data[off + 3]!) & 0x7fff;
    if (len < 4) {
      c.report('link.truncated', `NFLOG TLV of length ${len} at offset ${off}`);
      return c.other('nflog');
    }
    if (type === NFULA_PAYLOAD) {
      c.offset = off + 4;
      if (family === AF_INET) return LINK_IPV4;
      if (family === AF_INET6) return LINK_IPV6;
      return c.byVersionNibble(data, off + 4, 'NFLOG payload');
    }
    off += (len + 3) & ~3;
  }
  // Log messages without a packet (e.g. only a prefix) are not IP.
  return c.other('nflog');
}
