/**
 * From an EtherType to the network layer: walks 802.1Q/802.1ad/QinQ tags (any depth), MPLS
 * label stacks, PPPoE sessions and 802.1ah/transparent bridging back into Ethernet, and
 * names non-IP protocols. Every step consumes bytes, so the walk ends on any input.
 */
import { LINK_ETHERTYPE, LINK_IPV4, LINK_IPV6, type LinkCursor, type LinkOutcome } from './cursor.js';
import { ethernet } from './ethernet.js';
import { llc } from './llc.js';
import { pppProtocol } from './ppp.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

const ETHERTYPE_LABELS: Readonly<Record<number, string>> = {
  0x0806: 'arp',
  0x8035: 'rarp',
  0x0842: 'wake-on-lan',
  0x22f0: 'avtp',
  0x22f3: 'trill',
  0x6002: 'dec-mop',
  0x6003: 'decnet',
  0x8137: 'ipx',
  0x809b: 'appletalk',
  0x80f3: 'aarp',
  0x8808: 'ethernet-flow-control',
  0x8809: 'lacp',
  0x8819: 'cobranet',
  0x8863: 'pppoe-discovery',
  0x886d: 'intel-ans',
  0x888e: 'eapol',
  0x8892: 'profinet',
  0x889a: 'hyperscsi',
  0x88a2: 'ata-over-ethernet',
  0x88a4: 'ethercat',
  0x88b8: 'goose',
  0x88ba: 'sampled-values',
  0x88cc: 'lldp',
  0x88e1: 'homeplug',
  0x88e5: 'macsec',
  0x88f7: 'ptp',
  0x88fb: 'prp',
  0x8902: 'cfm',
  0x8906: 'fcoe',
  0x8914: 'fip',
  0x892f: 'hsr',
  0x9000: 'ethernet-loopback',
  0x893a: 'ieee1905',
};

const VLAN_8021Q = 0x8100;
const VLAN_8021AD = 0x88a8;
const VLAN_QINQ_OLD = 0x9100;
const VLAN_QINQ_OLD2 = 0x9200;
const MPLS_UNICAST = 0x8847;
const MPLS_MULTICAST = 0x8848;
const PPPOE_SESSION = 0x8864;
const PBB_ITAG = 0x88e7;
const TRANSPARENT_ETHERNET = 0x6558;

/** Resolve `c.etherType` at `c.offset` to the network layer. */
export function resolveEtherType(data: Uint8Array, c: LinkCursor): LinkOutcome {
  while (true) {
    const type = c.etherType;
    const off = c.offset;
    const avail = data.length - off;
    switch (type) {
      case ETHERTYPE_IPV4:
        return LINK_IPV4;
      case ETHERTYPE_IPV6:
        return LINK_IPV6;
      case VLAN_8021Q:
      case VLAN_8021AD:
      case VLAN_QINQ_OLD:
      case VLAN_QINQ_OLD2: {
        if (avail < 4) return c.truncated('VLAN tag', 4, avail);
        c.shims += ':vlan';
        const inner = (data[off + 2]! << 8) | data[off + 3]!;
        if (inner <= 1500) return llc(data, off + 4, c);
        c.etherType = inner;
        c.offset = off + 4;
        continue;
      }
      case MPLS_UNICAST:
      case MPLS_MULTICAST:
        return mpls(data, off, c);
      case PPPOE_SESSION:
        if (avail < 6) return c.truncated('PPPoE header', 6, avail);
        c.shims += ':pppoes:ppp';
        return pppProtocol(data, off + 6, c);
      case PBB_ITAG: {
        if (avail < 4) return c.truncated('802.1ah I-TAG', 4, avail);
        c.shims += ':eth';
        const r = ethernet(data, off + 4, c);
        if (r !== LINK_ETHERTYPE) return r;
        continue;
      }
      case TRANSPARENT_ETHERNET: {
        c.shims += ':eth';
        const r = ethernet(data, off, c);
        if (r !== LINK_ETHERTYPE) return r;
        continue;
      }
      default:
        return c.other(ETHERTYPE_LABELS[type] ?? `ethertype-0x${type.toString(16).padStart(4, '0')}`);
    }
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
    const r = ethernet(data, off + 4, c);
    if (r !== LINK_ETHERTYPE) return r;
    return resolveEtherType(data, c);
  }
  return nibble === 0 || nibble === 1 ? c.other('mpls-pseudowire') : c.other('mpls');
}
