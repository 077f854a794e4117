/**
 * Ethernet II and IEEE 802.3: a type/length field of 1500 or less is a length, and an
 * 802.2 LLC header follows; 0x0600 and above is an EtherType.
 */
import { LINK_ETHERTYPE, type LinkCursor, type LinkOutcome } from './cursor.js';
import { llc } from './llc.js';

export function ethernet(data: Uint8Array, off: number, c: LinkCursor): LinkOutcome {
  if (data.length - off < 14) return c.truncated('Ethernet header', 14, data.length - off);
  const type = (data[off + 12]! << 8) | data[off + 13]!;
  if (type <= 1500) return llc(data, off + 14, c);
  if (type < 0x0600) return c.other(`ethernet-type-0x${type.toString(16).padStart(4, '0')}`);
  c.etherType = type;
  c.offset = off + 14;
  return LINK_ETHERTYPE;
}
