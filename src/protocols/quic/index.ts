/**
 * QUIC: the descriptor. Found on any UDP port by a long header packet of a known version
 * (1, 2, the IETF drafts, mvfst) whose header parses, or a Version Negotiation packet;
 * other versions only on QUIC's ports. HTTP/3 runs inside (`../http3/`), so its anomaly
 * codes are listed here too.
 */
import type { FlowInfo, ProbeResult, ProtocolDescriptor, SharedLookup } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { HTTP3_ANOMALIES } from '../http3/events.js';
import { QuicDissector } from './dissector.js';
import { QUIC_ANOMALIES, QUIC_EVENTS } from './events.js';
import { parseHeader } from './header.js';
import { PATH_TABLE_KEY, QuicPathTable } from './paths.js';
import { isKnownVersion, VERSION_NEGOTIATION } from './versions.js';

/** HTTPS (HTTP/3), ngtcp2's and alt HTTPS, DNS over QUIC (RFC 9250: 853; 784 in drafts). */
export const QUIC_PORTS = [443, 4433, 8443, 853, 784];

/** A short header packet: first byte, a packet number and AEAD tag at least (1 + 4 + 16). */
const MIN_SHORT_PACKET = 21;

/** A client's first datagram is at least 1200 bytes (RFC 9000 §14.1). */
const MIN_INITIAL_DATAGRAM = 1200;

/**
 * A capture that starts mid-connection (or a path after a migration) holds only short
 * headers, which carry no version: taken on QUIC's ports only, with the fixed bit set and
 * room for a packet number and a tag, the port's side as the server (as Wireshark does).
 */
function probeShort(b: Uint8Array, dir: Direction, flow: FlowInfo, shared?: SharedLookup): ProbeResult {
  if (b.length < MIN_SHORT_PACKET) return 'no';
  // A path a known connection moved to (RFC 9000 §9), on any port, whatever its fixed bit
  // (greased by peers that allow it, RFC 9287): its Destination Connection ID says whose
  // packet it is, and which way it goes.
  const table = shared?.(PATH_TABLE_KEY);
  const path = table instanceof QuicPathTable ? table.findShort(b, flow) : null;
  if (path !== null) return path.dir === dir ? 'match' : 'match_reversed';
  if ((b[0]! & 0x40) === 0) return 'no';
  if (QUIC_PORTS.includes(flow.server.port)) return dir === 'c2s' ? 'match' : 'match_reversed';
  if (QUIC_PORTS.includes(flow.client.port)) return dir === 'c2s' ? 'match_reversed' : 'match';
  return 'no';
}

export function probeQuic(b: Uint8Array, dir: Direction, flow: FlowInfo, shared?: SharedLookup): ProbeResult {
  if (b.length === 0) return 'no';
  if ((b[0]! & 0x80) === 0) return probeShort(b, dir, flow, shared);
  if (b.length < 7) return 'no';
  const r = parseHeader(b, 0, 0);
  if (!r.ok) return 'no';
  const h = r.header;
  if (h.kind === 'version_negotiation') {
    // Sent by a server: the first packet seen being one means the engine's client is the server.
    return dir === 'c2s' ? 'match_reversed' : 'match';
  }
  if (h.kind === '1rtt') return 'no';
  if ((b[0]! & 0x40) === 0) return 'no';
  const onPort = QUIC_PORTS.includes(flow.server.port) || QUIC_PORTS.includes(flow.client.port);
  if (!isKnownVersion(h.version) && !(onPort && b.length >= MIN_INITIAL_DATAGRAM)) return 'no';
  if (h.kind === 'initial' && b.length >= MIN_INITIAL_DATAGRAM) return dir === 'c2s' ? 'match' : 'match_reversed';
  if (h.kind === 'retry') return dir === 'c2s' ? 'match_reversed' : 'match';
  // A server's Initial is smaller than 1200 bytes only when coalesced short; mid-connection
  // Handshake or 0-RTT packets: keep the engine's directions.
  return h.version === VERSION_NEGOTIATION ? 'no' : 'match';
}

export const quicDescriptor: ProtocolDescriptor = {
  name: 'quic',
  transports: ['udp'],
  ports: QUIC_PORTS,
  probe: (b, dir, flow, extra) => probeQuic(b, dir, flow, extra?.shared),
  createDatagram: (ctx) => new QuicDissector(ctx),
  anomalies: { ...QUIC_ANOMALIES, ...HTTP3_ANOMALIES },
  emits: ['quic.*', 'http3.*', 'http.transaction', 'credentials', 'tls.*'],
  // STREAM frames travel in 0-RTT and 1-RTT packets only, which need the key log's secrets:
  // without keys a QUIC connection's events are its own and its handshake's (tls.*).
  emitsOnlyWithSecrets: ['http3.*', 'http.transaction', 'credentials'],
  // QUIC connections share the `tls` section (as HTTP/2 shares `http`): QUIC's handshake is
  // TLS 1.3 and its `tls.session` rows are there already; a section of its own would add an
  // empty `quic` to the report of every capture without QUIC.
  report: {
    section: 'tls',
    events: [QUIC_EVENTS.connection],
  },
};

export default quicDescriptor;
