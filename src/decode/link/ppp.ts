/**
 * PPP (RFC 1661/1662): optional HDLC address/control bytes FF 03, then a 1- or 2-byte
 * protocol field (protocol field compression makes odd values one byte long).
 */
import { LINK_BAD, LINK_IPV4, LINK_IPV6, type LinkCursor, type LinkOutcome } from './cursor.js';

const PPP_LABELS: Readonly<Record<number, string>> = {
  0xc021: 'ppp-lcp',
  0xc023: 'ppp-pap',
  0xc223: 'ppp-chap',
  0x8021: 'ppp-ipcp',
  0x8057: 'ppp-ipv6cp',
  0x80fd: 'ppp-ccp',
  0x00fd: 'ppp-compressed',
};

/** PPP frame from its address/control field (link type 9, 50). */
export function pppFrame(data: Uint8Array, off: number, c: LinkCursor): LinkOutcome {
  if (data.length - off >= 2 && data[off] === 0xff && data[off + 1] === 0x03) off += 2;
  return pppProtocol(data, off, c);
}

/** PPP from its protocol field (also PPPoE sessions). */
export function pppProtocol(data: Uint8Array, off: number, c: LinkCursor): LinkOutcome {
  if (data.length - off < 1) return c.truncated('PPP protocol field', 1, 0);
  let proto = data[off]!;
  if ((proto & 1) === 0) {
    if (data.length - off < 2) return c.truncated('PPP protocol field', 2, data.length - off);
    proto = (proto << 8) | data[off + 1]!;
    off += 2;
  } else {
    off += 1;
  }
  c.offset = off;
  if (proto === 0x0021) return LINK_IPV4;
  if (proto === 0x0057) return LINK_IPV6;
  const label = PPP_LABELS[proto];
  if (label !== undefined) return c.other(label);
  if (proto === 0) {
    c.report('link.truncated', 'PPP protocol 0 is invalid');
    return LINK_BAD;
  }
  return c.other(`ppp-0x${proto.toString(16).padStart(4, '0')}`);
}
