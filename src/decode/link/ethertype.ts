/**
 * From an EtherType to the network layer: walks 802.1Q/802.1ad/QinQ tags (any depth), MPLS
 * label stacks, PPPoE sessions, PPP and 802.1ah/transparent bridging back into Ethernet,
 * and names non-IP protocols, from one table. Every step consumes bytes, so the walk ends
 * on any input.
 */
import { LINK_ETHERTYPE, LINK_IPV4, LINK_IPV6, type LinkCursor, type LinkOutcome } from './cursor.js';
import { ethernet } from './ethernet.js';
import { llc } from './llc.js';
import { pppFrame, pppProtocol } from './ppp.js';

/**
 * What an EtherType leads to: a step that reads the header at `c.offset` and moves the cursor
 * on (`LINK_ETHERTYPE`: a new EtherType to look up, further on), or the name of a protocol
 * that is not walked. Every step consumes bytes, so `resolveEtherType`'s loop ends.
 */
type EtherTypeStep = ((data: Uint8Array, c: LinkCursor) => LinkOutcome) | string;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

/** 802.1Q/802.1ad tag: TCI, then the inner type (a length of 1500 or less: 802.3 with LLC). */
const vlanTag: EtherTypeStep = (data, c) => {
  const off = c.offset;
  const avail = data.length - off;
  if (avail < 4) return c.truncated('VLAN tag', 4, avail);
  c.shims += ':vlan';
  const inner = (data[off + 2]! << 8) | data[off + 3]!;
  if (inner <= 1500) return llc(data, off + 4, c);
  c.etherType = inner;
  c.offset = off + 4;
  return LINK_ETHERTYPE;
};

const pppoeSession: EtherTypeStep = (data, c) => {
  const avail = data.length - c.offset;
  if (avail < 6) return c.truncated('PPPoE header', 6, avail);
  c.shims += ':pppoes:ppp';
  return pppProtocol(data, c.offset + 6, c);
};

/** 802.1ah (provider backbone bridging): a 4-byte I-TAG, then the customer's Ethernet frame. */
const pbbItag: EtherTypeStep = (data, c) => {
  const avail = data.length - c.offset;
  if (avail < 4) return c.truncated('802.1ah I-TAG', 4, avail);
  c.shims += ':eth';
  return ethernet(data, c.offset + 4, c);
};

/** Transparent Ethernet bridging (GRE, Geneve): an Ethernet frame, a layer of its own in the hierarchy. */
const transparentEthernet: EtherTypeStep = (data, c) => {
  c.shims += ':eth';
  return ethernet(data, c.offset, c);
};

/**
 * The one EtherType table: Ethernet, 802.3 SNAP, VLAN tags, SLL/SLL2, GRE, Geneve and the
 * frames inside tunnels all leave an EtherType in the cursor, and this says what it is
 * (IPv4 and IPv6 aside: `resolveEtherType` answers them before it looks here). Names for the
 * rest are Wireshark's (etypes.h) in lower case.
 */
const ETHERTYPES: ReadonlyMap<number, EtherTypeStep> = new Map<number, EtherTypeStep>([
  [0x8100, vlanTag], // 802.1Q
  [0x88a8, vlanTag], // 802.1ad (QinQ's outer tag)
  [0x9100, vlanTag], // QinQ before 802.1ad
  [0x9200, vlanTag],
  [0x8847, (data, c) => mpls(data, c.offset, c)], // MPLS unicast
  [0x8848, (data, c) => mpls(data, c.offset, c)], // MPLS multicast
  [0x8864, pppoeSession],
  // PPP over GRE (RFC 2637's enhanced GRE has its own path in tunnel.ts) or over Ethernet.
  [0x880b, (data, c) => pppFrame(data, c.offset, c)],
  [0x88e7, pbbItag],
  [0x6558, transparentEthernet], // transparent Ethernet bridging (GRE, Geneve)
  [0x0806, 'arp'],
  [0x8035, 'rarp'],
  [0x0842, 'wake-on-lan'],
  [0x22f0, 'avtp'],
  [0x22f3, 'trill'],
  [0x6002, 'dec-mop'],
  [0x6003, 'decnet'],
  [0x8137, 'ipx'],
  [0x809b, 'appletalk'],
  [0x80f3, 'aarp'],
  [0x8808, 'ethernet-flow-control'],
  [0x8809, 'lacp'],
  [0x8819, 'cobranet'],
  [0x8863, 'pppoe-discovery'],
  [0x886d, 'intel-ans'],
  [0x888e, 'eapol'],
  [0x8892, 'profinet'],
  [0x889a, 'hyperscsi'],
  [0x88a2, 'ata-over-ethernet'],
  [0x88a4, 'ethercat'],
  [0x88b8, 'goose'],
  [0x88ba, 'sampled-values'],
  [0x88cc, 'lldp'],
  [0x88e1, 'homeplug'],
  [0x88e5, 'macsec'],
  [0x88f7, 'ptp'],
  [0x88fb, 'prp'],
  [0x8902, 'cfm'],
  [0x8906, 'fcoe'],
  [0x8914, 'fip'],
  [0x892f, 'hsr'],
  [0x9000, 'ethernet-loopback'],
  [0x893a, 'ieee1905'],
]);

/** Resolve `c.etherType` at `c.offset` to the network layer. */
export function resolveEtherType(data: Uint8Array, c: LinkCursor): LinkOutcome {
  while (true) {
    const type = c.etherType;
    // IP is nearly every frame: two comparisons, not a map lookup and a call.
    if (type === ETHERTYPE_IPV4) return LINK_IPV4;
    if (type === ETHERTYPE_IPV6) return LINK_IPV6;
    const step = ETHERTYPES.get(type);
    if (step === undefined) return c.other(`ethertype-0x${type.toString(16).padStart(4, '0')}`);
    if (typeof step === 'string') return c.other(step);
    const r = step(data, c);
    if (r !== LINK_ETHERTYPE) return r;
  }
}

/**
 * MPLS (RFC 3032): 4-byte label entries until the bottom-of-stack bit; the payload type is
 * not signalled, so it is guessed from the first nibble as Wireshark and Zeek do (4, 6;
 * 0 is a pseudowire control word followed by an Ethernet frame).
 */
function mpls(data: Uint8Array, off: number, c: LinkCursor): LinkOutcome {
  while (true) {
    if (data.length - off < 4) return c.truncated('MPLS label', 4, data.length - off);
    c.shims += ':mpls';
    const bottom = data[off + 2]! & 0x01;
    off += 4;
    if (bottom) break;
  }
  if (off >= data.length) return c.other('mpls');
  const nibble = data[off]! >> 4;
  c.offset = off;
  if (nibble === 4) return LINK_IPV4;
  if (nibble === 6) return LINK_IPV6;
  if (nibble === 0 && data.length - off >= 4 + 14) {
    c.shims += ':eth';
    return ethernet(data, off + 4, c);
  }
  return nibble === 0 || nibble === 1 ? c.other('mpls-pseudowire') : c.other('mpls');
}
