/**
 * Linux "cooked" captures (tcpdump -i any): SLL (link type 113, 16-byte header, protocol
 * last) and SLL2 (276, 20-byte header, protocol first, plus the interface index).
 * The protocol is an EtherType, except for a few Linux pseudo-protocols below 0x0600.
 */
import { LINK_ETHERTYPE, type LinkCursor, type LinkOutcome } from './cursor.js';
import { llc } from './llc.js';

const ARPHRD_NETLINK = 824;
const SLL_P_802_3 = 0x0001;
const SLL_P_802_2 = 0x0004;
const SLL_P_CAN = 0x000c;
const SLL_P_CANFD = 0x000d;

export function sll(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 16) return c.truncated('Linux SLL header', 16, data.length);
  const hatype = (data[2]! << 8) | data[3]!;
  const protocol = (data[14]! << 8) | data[15]!;
  return sllProtocol(data, 16, hatype, protocol, c);
}

export function sll2(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 20) return c.truncated('Linux SLL2 header', 20, data.length);
  const protocol = (data[0]! << 8) | data[1]!;
  const hatype = (data[8]! << 8) | data[9]!;
  return sllProtocol(data, 20, hatype, protocol, c);
}

function sllProtocol(data: Uint8Array, off: number, hatype: number, protocol: number, c: LinkCursor): LinkOutcome {
  if (hatype === ARPHRD_NETLINK) return c.other('netlink');
  if (protocol < 0x0600) {
    if (protocol === SLL_P_802_2) return llc(data, off, c);
    if (protocol === SLL_P_802_3) return c.other('ipx');
    if (protocol === SLL_P_CAN || protocol === SLL_P_CANFD) return c.other('can');
    return c.other(`linux-sll-protocol-0x${protocol.toString(16).padStart(4, '0')}`);
  }
  c.etherType = protocol;
  c.offset = off;
  return LINK_ETHERTYPE;
}
