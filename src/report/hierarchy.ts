import type { JsonValue } from '../events/json.js';
import { formatBytes, table } from './format.js';
import { visible } from './safe-text.js';

/** One row of Wireshark's Statistics › Protocol Hierarchy. */
export interface HierarchyRow {
  /** Nesting depth: 0 for the link layer. */
  depth: number;
  name: string;
  packets: number;
  bytes: number;
  /** Percent of all packets / bytes of the capture, one decimal. */
  pctPackets: number;
  pctBytes: number;
  /** Packets and bytes whose highest protocol is this one (not one of its children). */
  endPackets: number;
  endBytes: number;
}

type Node = { readonly [k: string]: JsonValue | undefined };

/**
 * The `statistics.hierarchy` list (`eth:ipv4:tcp:http` paths, each counting its
 * descendants, sorted by path) as rows in tree order, with Wireshark's columns: percent
 * of packets, packets, percent of bytes, bytes, end packets, end bytes.
 */
export function hierarchyRows(hierarchy: readonly Node[], totalPackets: number, totalBytes: number): HierarchyRow[] {
  const nodes = hierarchy
    .map((h) => ({ path: String(h.path ?? ''), packets: Number(h.packets ?? 0), bytes: Number(h.bytes ?? 0) }))
    .filter((h) => h.path);
  const children = new Map<string, { packets: number; bytes: number }>();
  for (const n of nodes) {
    const cut = n.path.lastIndexOf(':');
    if (cut < 0) continue;
    const parent = n.path.slice(0, cut);
    const c = children.get(parent) ?? { packets: 0, bytes: 0 };
    c.packets += n.packets;
    c.bytes += n.bytes;
    children.set(parent, c);
  }
  const pct = (n: number, of: number): number => (of > 0 ? Math.round((n / of) * 1000) / 10 : 0);
  // Sorted by path segments, a parent comes before its children and siblings stay
  // together (a plain string sort would put `ftp-data` inside `ftp`'s children: '-' < ':').
  return [...nodes]
    .sort((a, b) => byPath(a.path, b.path))
    .map((n) => {
      const parts = n.path.split(':');
      const c = children.get(n.path) ?? { packets: 0, bytes: 0 };
      return {
        depth: parts.length - 1,
        name: parts[parts.length - 1]!,
        packets: n.packets,
        bytes: n.bytes,
        pctPackets: pct(n.packets, totalPackets),
        pctBytes: pct(n.bytes, totalBytes),
        endPackets: Math.max(0, n.packets - c.packets),
        endBytes: Math.max(0, n.bytes - c.bytes),
      };
    });
}

function byPath(a: string, b: string): number {
  const x = a.split(':');
  const y = b.split(':');
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

export const HIERARCHY_COLUMNS = ['protocol', '% packets', 'packets', '% bytes', 'bytes', 'end packets', 'end bytes'];

/** The hierarchy as a text table, children indented under their parent. */
export function hierarchyTable(rows: readonly HierarchyRow[]): string {
  return table(
    HIERARCHY_COLUMNS,
    rows.map((r) => [
      '  '.repeat(r.depth) + visible(r.name),
      r.pctPackets.toFixed(1),
      String(r.packets),
      r.pctBytes.toFixed(1),
      formatBytes(r.bytes),
      String(r.endPackets),
      formatBytes(r.endBytes),
    ]),
    new Set([1, 2, 3, 4, 5, 6]),
  );
}
