/**
 * Linux "cooked" captures (tcpdump -i any): SLL (link type 113, 16-byte header, protocol
 * last) and SLL2 (276, 20-byte header, protocol first, plus the interface index).
 * The protocol is an EtherType (resolved by the EtherType table), except for a few Linux
 * pseudo-protocols below 0x0600.
 */
import { LINK_ETHERTYPE, type LinkCursor, type LinkOutcome } from './cursor.js';
import { llc } from './llc.js';

const ARPHRD_NETLINK = 824;

/** Linux pseudo-protocols (linux/if_ether.h, below 0x0600, so not EtherTypes) and what they carry. */
const LINUX_PROTOCOLS: ReadonlyMap<number, string> = new Map([
  [0x0001, 'ipx'], // ETH_P_802_3: raw 802.3, in practice Novell IPX
  [0x000c, 'can'], // ETH_P_CAN
  [0x000d, 'can'], // ETH_P_CANFD
]);
/** ETH_P_802_2: an 802.2 LLC header follows. */
const ETH_P_802_2 = 0x0004;

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
    if (protocol === ETH_P_802_2) return llc(data, off, c);
    return c.other(LINUX_PROTOCOLS.get(protocol) ?? `linux-sll-protocol-0x${protocol.toString(16).padStart(4, '0')}`);
  }
  c.etherType = protocol;
  c.offset = off;
  return LINK_ETHERTYPE;
}
