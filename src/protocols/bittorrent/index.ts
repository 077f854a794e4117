/**
 * BitTorrent: the descriptor. The peer wire protocol on any TCP port, the DHT and UDP
 * trackers found by content (`probe.ts`). HTTP trackers are HTTP traffic: the HTTP
 * dissector calls tracker.ts.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { BittorrentDatagramDissector } from './datagram.js';
import { PeerWireDissector } from './dissector.js';
import { BITTORRENT_ANOMALIES, BT_EVENTS } from './events.js';
import { BT_PORTS } from './mse.js';
import { probeBittorrent, UDP_TRACKER_PORTS } from './probe.js';
import { summarizeBittorrent } from './summarize.js';

export { probeBittorrent } from './probe.js';

export const bittorrentDescriptor: ProtocolDescriptor = {
  name: 'bittorrent',
  transports: ['tcp', 'udp'],
  ports: [...BT_PORTS, ...UDP_TRACKER_PORTS.filter((p) => p !== 80)],
  probe: probeBittorrent,
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
