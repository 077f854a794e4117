/**
 * BitTorrent: the peer wire protocol on any TCP port, found by its handshake (or, on the
 * usual ports, an MSE/PE key exchange); the DHT and UDP trackers found by content.
 * HTTP trackers are HTTP traffic: the HTTP dissector calls tracker.ts.
 */
import type { FlowInfo, ProbeResult, ProtocolDescriptor } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { BittorrentDatagramDissector } from './datagram.js';
import { looksLikeKrpc } from './dht.js';
import { PeerWireDissector } from './dissector.js';
import { BITTORRENT_ANOMALIES, BT_EVENTS } from './events.js';
import { BT_PORTS, looksEncrypted, MSE_KEY_LENGTH } from './mse.js';
import { handshakePrefix } from './peer-wire.js';
import { summarizeBittorrent } from './summarize.js';
import { isConnectRequest } from './udp-tracker.js';

/** Ports UDP trackers commonly use; announce/scrape without a connect are only believed there. */
const UDP_TRACKER_PORTS = [6969, 1337, 80, 451, 2710, 6881];

function probe(bytes: Uint8Array, dir: Direction, flow: FlowInfo): ProbeResult {
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

export const bittorrentDescriptor: ProtocolDescriptor = {
  name: 'bittorrent',
  transports: ['tcp', 'udp'],
  ports: [...BT_PORTS, ...UDP_TRACKER_PORTS.filter((p) => p !== 80)],
  probe,
  createStream: (ctx) => new PeerWireDissector(ctx),
  createDatagram: (ctx) => new BittorrentDatagramDissector(ctx),
  anomalies: BITTORRENT_ANOMALIES,
  emits: ['bittorrent.*'],
  report: {
    section: 'bittorrent',
    events: [BT_EVENTS.connection, BT_EVENTS.tracker, BT_EVENTS.dht, BT_EVENTS.encrypted],
    summarize: summarizeBittorrent,
  },
};

export default bittorrentDescriptor;
