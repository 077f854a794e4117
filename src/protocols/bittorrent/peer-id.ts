/**
 * Peer ids (BEP 20): printable text with %-escapes for other bytes (how trackers see
 * them in announce URLs), and the client name and version via `bittorrent-peerid`.
 */
import peerid from 'bittorrent-peerid';

export function peerIdText(id: Uint8Array): string {
  let s = '';
  for (const b of id) {
    if (b >= 0x21 && b < 0x7f && b !== 0x25) s += String.fromCharCode(b);
    else s += '%' + b.toString(16).padStart(2, '0');
  }
  return s;
}

export function peerClient(id: Uint8Array): { name: string; version: string | null } | null {
  if (id.length !== 20) return null;
  try {
    const r = peerid(Buffer.from(id));
    if (!r || !r.client || r.client === 'unknown') return null;
    return { name: r.client, version: r.version ? String(r.version) : null };
  } catch {
    return null;
  }
}
