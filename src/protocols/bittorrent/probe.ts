/**
 * BitTorrent detection: the peer wire protocol on any TCP port by its handshake (or, on the
 * usual ports, an MSE/PE key exchange); the DHT and UDP trackers by content.
 */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { looksLikeKrpc } from './dht.js';
import { BT_PORTS, looksEncrypted, MSE_KEY_LENGTH } from './mse.js';
import { handshakePrefix } from './peer-wire.js';
import { isConnectRequest } from './udp-tracker.js';

/** Ports UDP trackers commonly use; announce/scrape without a connect are only believed there. */
export const UDP_TRACKER_PORTS = [6969, 1337, 80, 451, 2710, 6881];

export function probeBittorrent(bytes: Uint8Array, dir: Direction, flow: FlowInfo): ProbeResult {
  if (flow.transport === 'udp') {
    if (looksLikeKrpc(bytes)) return 'match';
    if (isConnectRequest(bytes)) return dir === 'c2s' ? 'match' : 'match_reversed';
    return 'no';
  }
  const hs = handshakePrefix(bytes);
  if (hs === 'yes') return 'match';
  if (hs === 'need_more') return 'need_more';
  const onBtPort = BT_PORTS.includes(flow.server.port) || BT_PORTS.includes(flow.client.port);
  if (!onBtPort) return 'no';
  if (bytes.length < MSE_KEY_LENGTH) return 'need_more';
  return looksEncrypted(bytes) ? 'match' : 'no';
}
