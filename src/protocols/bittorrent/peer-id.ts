/**
 * Peer ids (BEP 20): printable text with %-escapes for other bytes (how trackers see
 * them in announce URLs), and the client name and version via `bittorrent-peerid`.
 */
import peerid from 'bittorrent-peerid';

export function peerIdText(id: Uint8Array): string {
  let s = '';
  for (let i = 0; i < id.length; i++) {
    const b = id[i]!;
    if (b >= 0x21 && b < 0x7f && b !== 0x25) s += String.fromCharCode(b);
    else s += '%' + b.toString(16).padStart(2, '0');
  }
  return s;
}

export interface PeerClient {
  readonly name: string;
  readonly version: string | null;
}

/**
 * Peer ids already identified, by their bytes as latin1 text. `bittorrent-peerid` tries its
 * client table pattern by pattern (tens of µs per id), and one client's id comes back in
 * every connection it makes and every handshake it answers. Emptied when full: a cache,
 * not a limit on what is identified.
 */
const CLIENT_MEMO = 1024;
const clients = new Map<string, PeerClient | null>();

export function peerClient(id: Uint8Array): PeerClient | null {
  if (id.length !== 20) return null;
  const key = Buffer.from(id.buffer, id.byteOffset, id.length).toString('latin1');
  const known = clients.get(key);
  if (known !== undefined) return known;
  const client = identify(id);
  if (clients.size >= CLIENT_MEMO) clients.clear();
  clients.set(key, client);
  return client;
}

function identify(id: Uint8Array): PeerClient | null {
  try {
    const r = peerid(Buffer.from(id));
    if (!r || !r.client || r.client === 'unknown') return null;
    return { name: r.client, version: r.version ? String(r.version) : null };
  } catch {
    return null;
  }
}
