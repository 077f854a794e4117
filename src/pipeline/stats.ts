import type { RawPacket } from '../capture/types.js';
import { Timestamp } from '../events/time.js';
import type { CaptureStatsFields } from '../events/event-map.js';
import { isDecodedLinkType } from '../decode/index.js';

const LINK_NAMES: Record<number, string> = {
  0: 'null',
  1: 'eth',
  9: 'ppp',
  12: 'raw',
  14: 'raw',
  101: 'raw',
  108: 'loop',
  113: 'sll',
  228: 'raw',
  229: 'raw',
  239: 'nflog',
  276: 'sll2',
  105: 'wlan',
  119: 'prism',
  127: 'radiotap',
  163: 'avs',
  192: 'ppi',
};

export const linkName = (linkType: number): string => LINK_NAMES[linkType] ?? `linktype_${linkType}`;

/** I/O graph bins kept at most; beyond it bins double in width. */
const MAX_BINS = 512;

/**
 * Capture-wide counters: packets and bytes, link types, a protocol hierarchy (as tshark's
 * `io,phs`: each node counts its descendants) and an I/O graph whose bins widen as the
 * capture grows, so memory stays fixed.
 */
export class CaptureStats {
  packets = 0;
  bytes = 0;
  capturedBytes = 0;
  /* The first and last packets' times as numbers (the packet path makes no Timestamp); `first` and `last` make them. */
  private firstSec = 0;
  private firstNs = 0;
  private lastSec = 0;
  private lastNs = 0;

  /** The first packet's time; null before any packet. */
  get first(): Timestamp | null {
    return this.packets === 0 ? null : new Timestamp(this.firstSec, this.firstNs);
  }
  /** The last packet's time; null before any packet. */
  get last(): Timestamp | null {
    return this.packets === 0 ? null : new Timestamp(this.lastSec, this.lastNs);
  }
  private readonly linkTypes = new Map<number, number>();
  private readonly paths = new Map<string, { packets: number; bytes: number }>();
  private binWidth = 1;
  private binStart = 0;
  private binBytes: number[] = [];
  private binPackets: number[] = [];

  packet(p: RawPacket, path: string): void {
    this.count(p);
    this.add(path, 1, p.orig_len);
  }

  /** Everything but the hierarchy: what the main thread of `--workers` counts itself. */
  count(p: RawPacket): void {
    this.packets++;
    this.bytes += p.orig_len;
    this.capturedBytes += p.caplen;
    const sec = p.sec;
    const ns = p.ns;
    if (this.packets === 1) {
      this.firstSec = sec;
      this.firstNs = ns;
      this.binStart = sec;
    }
    this.lastSec = sec;
    this.lastNs = ns;
    this.linkTypes.set(p.link_type, (this.linkTypes.get(p.link_type) ?? 0) + 1);
    this.bin(sec, p.orig_len);
  }

  /** The hierarchy's leaves as [path, packets, bytes], for merging the shares of `--workers`. */
  hierarchyLeaves(): [string, number, number][] {
    return [...this.paths].map(([path, v]) => [path, v.packets, v.bytes]);
  }

  addHierarchy(leaves: readonly (readonly [string, number, number])[]): void {
    for (const [path, packets, bytes] of leaves) this.add(path, packets, bytes);
  }

  /**
   * Moves a finished flow's packets that carried payload from its transport node to its
   * application node. The others (bare ACKs, handshake, FIN, RST) stay under the transport:
   * Wireshark's Protocol Hierarchy counts a frame under the highest protocol it carries
   * bytes of, so an HTTP download's ACKs are tcp, not http.
   */
  flowEnded(layers: string, service: string | null, packets: number, bytes: number): void {
    if (!service || packets === 0) return;
    this.add(layers, -packets, -bytes);
    this.add(`${layers}:${service}`, packets, bytes);
  }

  fields(): CaptureStatsFields {
    const first = this.first;
    const last = this.last;
    const totals = new Map<string, { packets: number; bytes: number }>();
    for (const [path, v] of this.paths) {
      const parts = path.split(':');
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join(':');
        const t = totals.get(prefix) ?? { packets: 0, bytes: 0 };
        t.packets += v.packets;
        t.bytes += v.bytes;
        totals.set(prefix, t);
      }
    }
    const hierarchy = [...totals.entries()]
      .filter(([, v]) => v.packets > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, v]) => ({ path, packets: v.packets, bytes: v.bytes }));
    return {
      packets: this.packets,
      bytes: this.bytes,
      captured_bytes: this.capturedBytes,
      first_ts: first,
      last_ts: last,
      duration: first && last ? Math.round(last.since(first) * 1e6) / 1e6 : 0,
      link_types: [...this.linkTypes.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([link_type, packets]) => ({ link_type, name: linkName(link_type), packets, skipped: isDecodedLinkType(link_type) ? undefined : packets })),
      hierarchy,
      io: {
        start: first ? new Timestamp(this.binStart, 0) : null,
        bin_seconds: this.binWidth,
        bytes: this.binBytes,
        packets: this.binPackets,
      },
    };
  }

  private add(path: string, packets: number, bytes: number): void {
    const v = this.paths.get(path);
    if (v) {
      v.packets += packets;
      v.bytes += bytes;
    } else this.paths.set(path, { packets, bytes });
  }

  private bin(sec: number, bytes: number): void {
    let i = Math.floor((sec - this.binStart) / this.binWidth);
    if (i < 0) i = 0; // time going backwards lands in the first bin
    while (i >= MAX_BINS) {
      this.widen();
      i = Math.floor((sec - this.binStart) / this.binWidth);
    }
    while (this.binBytes.length <= i) {
      this.binBytes.push(0);
      this.binPackets.push(0);
    }
    this.binBytes[i]! += bytes;
    this.binPackets[i]! += 1;
  }

  private widen(): void {
    const merge = (a: number[]) => {
      const out: number[] = [];
      for (let i = 0; i < a.length; i += 2) out.push(a[i]! + (a[i + 1] ?? 0));
      return out;
    };
    this.binBytes = merge(this.binBytes);
    this.binPackets = merge(this.binPackets);
    this.binWidth *= 2;
  }
}
