/**
 * SOCKS 4/4a/5: the descriptor. Detected by the client's first message on any port
 * (`probe.ts`); 1080 is only the hint.
 */
import type { ProtocolDescriptor } from '../../dissect/contract.js';
import { SocksDissector } from './dissector.js';
import { SOCKS_ANOMALIES } from './events.js';
import { probeSocks } from './probe.js';

export { probeSocks } from './probe.js';

export const socksDescriptor: ProtocolDescriptor = {
  name: 'socks',
  transports: ['tcp'],
  ports: [1080],
  probe: probeSocks,
  createStream: (ctx) => new SocksDissector(ctx),
  anomalies: SOCKS_ANOMALIES,
  emits: ['socks.request', 'credentials'],
  carries: { protocols: 'stream' }, // the tunnelled stream goes back to detection
};
