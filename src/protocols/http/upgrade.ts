/**
 * Hand-off of the request that asked for `Upgrade: h2c`. After the server's 101 the HTTP/2
 * dissector takes over the flow; the upgraded request becomes stream 1 (RFC 7540 §3.2),
 * whose response arrives in HTTP/2. The HTTP/1.1 dissector leaves the request here, keyed
 * by the flow, for the HTTP/2 dissector to pick up when it is created. A WeakMap, so a
 * flow that never reaches HTTP/2 leaves nothing behind.
 */
import type { FlowInfo, Position } from '../../dissect/contract.js';
import type { HeaderList } from './parser.js';

export interface UpgradedRequest {
  readonly method: string;
  readonly uri: string;
  readonly host?: string;
  readonly headers: HeaderList;
  readonly request_first: Position | null;
  readonly request_end: Position | null;
  readonly request_segments: number;
  readonly request_body_len: number;
}

const handoff = new WeakMap<FlowInfo, UpgradedRequest>();

export function offerUpgrade(flow: FlowInfo, req: UpgradedRequest): void {
  handoff.set(flow, req);
}

export function takeUpgrade(flow: FlowInfo): UpgradedRequest | undefined {
  const r = handoff.get(flow);
  if (r) handoff.delete(flow);
  return r;
}
