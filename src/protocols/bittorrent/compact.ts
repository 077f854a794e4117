/** Compact peer and node lists (BEP 23, BEP 7, BEP 5): address + port, 6 or 18 bytes each. */
import { ipv4Text, ipv6Text } from '../../dissect/addresses.js';
import { hex } from '../../dissect/text.js';

export function compactPeers(b: Uint8Array, v6 = false): string[] {
  const size = v6 ? 18 : 6;
  const out: string[] = [];
  for (let o = 0; o + size <= b.length; o += size) {
    const port = (b[o + size - 2]! << 8) | b[o + size - 1]!;
    out.push(v6 ? `[${ipv6Text(b, o)}]:${port}` : `${ipv4Text(b, o)}:${port}`);
  }
  return out;
}

/** DHT compact node info: 20-byte id followed by a compact peer. */
export function compactNodes(b: Uint8Array, v6 = false): Array<{ id: string; addr: string }> {
  const size = v6 ? 38 : 26;
  const out: Array<{ id: string; addr: string }> = [];
  for (let o = 0; o + size <= b.length; o += size) {
    out.push({ id: hex(b.subarray(o, o + 20)), addr: compactPeers(b.subarray(o + 20, o + size), v6)[0]! });
  }
  return out;
}
