/**
 * The UDP tracker protocol (BEP 15): connect, announce, scrape and error. Requests start
 * with an 8-byte connection id (the magic 0x41727101980 for connect) and put the action
 * at offset 8; responses put it at offset 0. Pure parsers, never throw.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import { hex } from '../../dissect/text.js';
import { bytesText } from './bencode.js';
import { compactPeers } from './compact.js';
import { peerClient, peerIdText } from './peer-id.js';

export const CONNECT_MAGIC = 0x41727101980n;
const ACTIONS = ['connect', 'announce', 'scrape', 'error'] as const;
const EVENTS = ['none', 'completed', 'started', 'stopped'];

export interface UdpTrackerPacket {
  readonly action: string;
  readonly transaction_id: string;
  readonly fields: JsonObject;
  readonly peers?: string[];
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) * 2 ** 32 + u32(b, o + 4);
const i32 = (b: Uint8Array, o: number): number => u32(b, o) | 0;

/** CONNECT_MAGIC as two 32-bit halves (0x00000417, 0x27101980): compared without a Buffer and a BigInt per datagram. */
const MAGIC_HIGH = 0x417;
const MAGIC_LOW = 0x27101980;

/** Asked of every undecided UDP datagram by the BitTorrent probe. */
export function isConnectRequest(b: Uint8Array): boolean {
  return b.length >= 16 && u32(b, 0) === MAGIC_HIGH && u32(b, 4) === MAGIC_LOW && u32(b, 8) === 0;
}

export function parseUdpTrackerRequest(b: Uint8Array): UdpTrackerPacket | string {
  if (b.length < 16) return `request of ${b.length} bytes is shorter than 16`;
  const action = u32(b, 8);
  const base = { transaction_id: hex(b.subarray(12, 16)) };
  const connection_id = hex(b.subarray(0, 8));
  switch (action) {
    case 0:
      return { action: 'connect', ...base, fields: { protocol_id: connection_id } };
    case 1: {
      if (b.length < 98) return `announce request of ${b.length} bytes (expected 98)`;
      const peerId = b.subarray(36, 56);
      const ip = u32(b, 84);
      return {
        action: 'announce',
        ...base,
        fields: {
          connection_id,
          info_hash: hex(b.subarray(16, 36)),
          peer_id: peerIdText(peerId),
          client: peerClient(peerId)?.name ?? null,
          downloaded: u64(b, 56),
          left: u64(b, 64),
          uploaded: u64(b, 72),
          event: EVENTS[u32(b, 80)] ?? String(u32(b, 80)),
          ip: ip ? `${b[84]}.${b[85]}.${b[86]}.${b[87]}` : null,
          key: hex(b.subarray(88, 92)),
          numwant: i32(b, 92),
          port: (b[96]! << 8) | b[97]!,
        },
      };
    }
    case 2: {
      const hashes: string[] = [];
      for (let o = 16; o + 20 <= b.length; o += 20) hashes.push(hex(b.subarray(o, o + 20)));
      return { action: 'scrape', ...base, fields: { connection_id, info_hashes: hashes, info_hash: hashes[0] ?? null } };
    }
  }
  return `unknown request action ${action}`;
}

export function parseUdpTrackerResponse(b: Uint8Array, ipv6: boolean): UdpTrackerPacket | string {
  if (b.length < 8) return `response of ${b.length} bytes is shorter than 8`;
  const action = u32(b, 0);
  const base = { transaction_id: hex(b.subarray(4, 8)) };
  switch (action) {
    case 0:
      if (b.length < 16) return `connect response of ${b.length} bytes (expected 16)`;
      return { action: 'connect', ...base, fields: { connection_id: hex(b.subarray(8, 16)) } };
    case 1: {
      if (b.length < 20) return `announce response of ${b.length} bytes (expected at least 20)`;
      const peers = compactPeers(b.subarray(20), ipv6);
      return { action: 'announce', ...base, fields: { interval: u32(b, 8), leechers: u32(b, 12), seeders: u32(b, 16), peers }, peers };
    }
    case 2: {
      const files: JsonValue[] = [];
      for (let o = 8; o + 12 <= b.length; o += 12) files.push({ seeders: u32(b, o), completed: u32(b, o + 4), leechers: u32(b, o + 8) });
      return { action: 'scrape', ...base, fields: { files } };
    }
    case 3: {
      const msg = b.subarray(8);
      return { action: 'error', ...base, fields: { message: bytesText(msg) ?? hex(msg) } };
    }
  }
  return `unknown response action ${action}`;
}

export const udpTrackerActionName = (n: number): string => ACTIONS[n] ?? String(n);
