/**
 * BSD loopback: NULL (link type 0) starts with the address family in the byte order of the
 * machine that captured, LOOP (108) in network byte order. AF_INET6 differs per OS
 * (Linux 10, Windows 23, OpenBSD/NetBSD 24, FreeBSD 28, Darwin 30).
 */
import { LINK_IPV4, LINK_IPV6, type LinkCursor, type LinkOutcome } from './cursor.js';

const AF_INET = 2;
const AF_INET6 = new Set([10, 23, 24, 28, 30]);

function byFamily(data: Uint8Array, family: number, c: LinkCursor, what: string): LinkOutcome {
  c.offset = 4;
  if (family === AF_INET) return LINK_IPV4;
  if (AF_INET6.has(family)) return LINK_IPV6;
  // Some writers put something else here; trust the IP version nibble if there is one.
  const v = data.length > 4 ? data[4]! >> 4 : 0;
  if (v === 4) return LINK_IPV4;
  if (v === 6) return LINK_IPV6;
  return c.other(`${what}-af-${family}`);
}

export function nullLoopback(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 4) return c.truncated('loopback header', 4, data.length);
  // Host byte order: a family is small, so a value with high bits set was written the other way.
  let family = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
  if (family & 0xffff0000) family = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
  return byFamily(data, family, c, 'loopback');
}

export function loop(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 4) return c.truncated('loopback header', 4, data.length);
  const family = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
  return byFamily(data, family, c, 'loop');
}
