/**
 * QUIC: the descriptor. Found on any UDP port by its long header (`probe.ts`). HTTP/3 runs
 * inside (`../http3/`), so its anomaly codes are listed here too.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { HTTP3_ANOMALIES } from '../http3/events.js';
import { QuicDissector } from './dissector.js';
import { QUIC_ANOMALIES, QUIC_EVENTS } from './events.js';
import { probeQuic, QUIC_PORTS } from './probe.js';

export { probeQuic, QUIC_PORTS } from './probe.js';

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
