/**
 * Hand-off of the request that asked for `Upgrade: h2c`. After the server's 101 the HTTP/2
 * dissector takes over the flow; the upgraded request becomes stream 1 (RFC 7540 §3.2),
 * whose response arrives in HTTP/2. The HTTP/1.1 dissector hands the request over with the
 * switch (`ctx.switchProtocol('http2', pending, request)`), and the HTTP/2 dissector reads
 * it from `ctx.handedOver` when it is created.
 */
import type { HandOver, Position } from '../../dissect/contract.js';
import type { HeaderList } from './parser.js';

export interface UpgradedRequest extends HandOver {
  readonly kind: 'h2c';
  readonly method: string;
  readonly uri: string;
  readonly host?: string;
  readonly headers: HeaderList;
  readonly request_first: Position | null;
  readonly request_end: Position | null;
  readonly request_segments: number;
  readonly request_body_len: number;
}

/** The upgraded request, when what was handed over is one. */
export function upgradedRequest(handedOver: HandOver | null): UpgradedRequest | null {
  return handedOver?.kind === 'h2c' ? (handedOver as UpgradedRequest) : null;
}
