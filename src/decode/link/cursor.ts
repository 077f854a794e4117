import type { CoreAnomalyCode } from '../../events/anomalies.js';
/**
 * Link-layer decoders share one mutable cursor instead of returning objects, so walking
 * the link headers of a packet allocates nothing. A decoder returns one of the `LINK_*`
 * outcomes and leaves the details in the cursor.
 */

/** An IPv4 header starts at `offset`. */
export const LINK_IPV4 = 1;
/** An IPv6 header starts at `offset`. */
export const LINK_IPV6 = 2;
/** `etherType` says what starts at `offset` (VLAN tags, MPLS... are resolved by `resolveEtherType`). */
export const LINK_ETHERTYPE = 3;
/** Not IP: `label` names it (arp, stp, llc...). */
export const LINK_OTHER = 4;
/** Nothing usable; a problem was reported. */
export const LINK_BAD = 5;

export type LinkOutcome = typeof LINK_IPV4 | typeof LINK_IPV6 | typeof LINK_ETHERTYPE | typeof LINK_OTHER | typeof LINK_BAD;

export class LinkCursor {
  offset = 0;
  etherType = 0;
  label = '';
  /** Bytes at the end of the frame that are not part of what follows (an 802.11 FCS); reset by `walkLink`. */
  trim = 0;
  /** Encapsulations walked for this packet (tunnels), to bound the depth; reset by the decoder. */
  depth = 0;
  /**
   * The layers walked between the link header and what follows, for the protocol hierarchy,
   * named as tshark's `-z io,phs` names them: `:vlan` per 802.1Q/802.1ad tag, `:mpls` per
   * label, `:pppoes:ppp` for a PPPoE session, `:eth` for an Ethernet frame inside a tunnel.
   * Empty (no allocation) for a plain frame; reset by `walkLink` and at each tunnel.
   */
  shims = '';

  constructor(readonly report: (code: CoreAnomalyCode, detail: string) => void) {}

  other(label: string): LinkOutcome {
    this.label = label;
    return LINK_OTHER;
  }

  truncated(what: string, need: number, have: number): LinkOutcome {
    this.report('link.truncated', `${what} needs ${need} bytes, ${have} captured`);
    return LINK_BAD;
  }

  /** The network layer by the first nibble (raw IP, MPLS payloads, loopback fallbacks). */
  byVersionNibble(data: Uint8Array, offset: number, what: string): LinkOutcome {
    this.offset = offset;
    if (offset >= data.length) return this.truncated(what, offset + 1, data.length);
    const v = data[offset]! >> 4;
    if (v === 4) return LINK_IPV4;
    if (v === 6) return LINK_IPV6;
    this.report('ip.bad_version', `${what}: IP version ${v}, expected 4 or 6`);
    return LINK_BAD;
  }
}
