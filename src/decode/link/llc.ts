/**
 * IEEE 802.2 LLC, found after an 802.3 length field: SNAP (AA AA 03) carries an
 * OUI and an EtherType (OUI 0: encapsulated Ethernet, RFC 1042); DSAP 0x42 is spanning tree.
 */
import { LINK_ETHERTYPE, LINK_OTHER, type LinkCursor, type LinkOutcome } from './cursor.js';

export function llc(data: Uint8Array, off: number, c: LinkCursor): LinkOutcome {
  if (data.length - off < 3) return c.truncated('LLC header', 3, data.length - off);
  const dsap = data[off]!;
  const ssap = data[off + 1]!;
  if (dsap === 0xaa && ssap === 0xaa) {
    if (data.length - off < 8) return c.truncated('SNAP header', 8, data.length - off);
    const oui = (data[off + 3]! << 16) | (data[off + 4]! << 8) | data[off + 5]!;
    const pid = (data[off + 6]! << 8) | data[off + 7]!;
    if (oui === 0 || oui === 0x0000f8) {
      c.etherType = pid;
      c.offset = off + 8;
      return LINK_ETHERTYPE;
    }
    if (oui === 0x00000c && pid === 0x2000) return c.other('cdp');
    if (oui === 0x00000c && pid === 0x010b) return c.other('stp');
    return c.other('snap');
  }
  if (dsap === 0x42 && ssap === 0x42) return c.other('stp');
  if (dsap === 0xe0 || dsap === 0xff) return c.other('ipx');
  if (dsap === 0xf0) return c.other('netbios');
  c.label = 'llc';
  return LINK_OTHER;
}
