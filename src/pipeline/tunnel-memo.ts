/**
 * The text a tunnelled packet's flow needs, its hierarchy path (`ipv4:udp:vxlan:ipv4`) and
 * its tunnel scope (what keeps the same 5-tuple in two tunnels apart), remembered for the
 * last chain of tunnels seen. Packets of one tunnel come in runs, and making both strings
 * for each of them (two addresses formatted per hop, a template per hop) was a third of a
 * tunnelled packet's allocation. The chain is compared by what the text is made of: per
 * hop the label, path, network id, the outer packet's version, whether it is UDP-borne and
 * its address pair (either way round); and the inner packet's version.
 */
import type { Encapsulation, IpPacket } from '../decode/types.js';

/** Chains deeper than this are not remembered (rare: their text is made each time). */
const MAX_HOPS = 4;

export class TunnelMemo {
  /** The remembered chain's hop count; -1 for none. */
  private hops = -1;
  private innerVersion = 0;
  private readonly labels: string[] = [];
  private readonly paths: string[] = [];
  private readonly vnis: (number | undefined)[] = [];
  /** Per hop: the outer packet's version times 2, plus 1 when it is UDP-borne. */
  private readonly kinds: number[] = [];
  /** Per hop: the outer source address, then the destination (16 bytes each: IPv4 uses the first 4). */
  private readonly addrs = new Uint8Array(MAX_HOPS * 32);
  /** The remembered chain's text. */
  path = '';
  scope = '';

  /**
   * Whether the chain around `ip` is the one remembered (its `path` and `scope` hold);
   * otherwise it is remembered now, and the caller sets both.
   */
  same(ip: IpPacket): boolean {
    let n = 0;
    let same = ip.version === this.innerVersion;
    for (let e: Encapsulation | undefined = ip.encap; e !== undefined; e = e.outer.encap) {
      if (n === MAX_HOPS) {
        this.hops = -1;
        return false;
      }
      const o = e.outer;
      const kind = o.version * 2 + (o.transport !== null && o.transport.protocol === 'udp' ? 1 : 0);
      if (same && n < this.hops) {
        same = this.labels[n] === e.label && this.paths[n] === e.path && this.vnis[n] === e.vni && this.kinds[n] === kind && this.sameBytes(n, o.src, o.dst);
      } else same = false;
      if (!same) this.keep(n, e, kind);
      n++;
    }
    if (same && n === this.hops) return true;
    this.hops = n;
    this.innerVersion = ip.version;
    return false;
  }

  private sameBytes(hop: number, src: Uint8Array, dst: Uint8Array): boolean {
    const a = this.addrs;
    const at = hop * 32;
    const len = src.length;
    if (len > 16 || dst.length !== len) return false;
    let forward = true;
    for (let i = 0; i < len && forward; i++) if (a[at + i] !== src[i] || a[at + 16 + i] !== dst[i]) forward = false;
    if (forward) return true;
    // The other direction of the same tunnel: the scope orders the pair, the path has no addresses.
    for (let i = 0; i < len; i++) if (a[at + i] !== dst[i] || a[at + 16 + i] !== src[i]) return false;
    return true;
  }

  private keep(hop: number, e: Encapsulation, kind: number): void {
    this.labels[hop] = e.label;
    this.paths[hop] = e.path;
    this.vnis[hop] = e.vni;
    this.kinds[hop] = kind;
    const o = e.outer;
    const a = this.addrs;
    const at = hop * 32;
    // Addresses longer than 16 bytes do not occur (IPv4, IPv6); if one did, it never compares equal.
    a.fill(0, at, at + 32);
    if (o.src.length <= 16) a.set(o.src, at);
    if (o.dst.length <= 16) a.set(o.dst, at + 16);
  }
}
