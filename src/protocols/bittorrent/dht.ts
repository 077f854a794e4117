/**
 * The mainline DHT's KRPC messages (BEP 5): bencoded dictionaries with a transaction id
 * `t`, a kind `y` (q / r / e), and for queries a method `q` (ping, find_node, get_peers,
 * announce_peer, and BEP 44/51 ones) with arguments `a`; responses carry `r`, errors `e`.
 */
import type { JsonObject, JsonValue } from '../../events/json.js';
import { hex } from '../../dissect/text.js';
import { bytesText, decodeBencode, isBytes, isDict, num, str, type BencodeProblem, type BValue } from './bencode.js';
import { compactNodes, compactPeers } from './compact.js';

/** Nodes listed per event; the count is always given. */
const MAX_LISTED = 16;

export interface KrpcMessage {
  readonly kind: 'query' | 'response' | 'error';
  readonly transaction_id: string;
  readonly method: string | null;
  readonly fields: JsonObject;
  /** Peers learned from `values` (get_peers responses). */
  readonly peers: string[];
}

/** Cheap content check for probing: a dictionary holding `1:y1:` with q, r or e. */
export function looksLikeKrpc(b: Uint8Array): boolean {
  if (b.length < 12 || b[0] !== 0x64 /* d */) return false;
  const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 4096)).toString('latin1');
  return /1:y1:[qre]/.test(s) && s.includes('1:t');
}

export function parseKrpc(b: Uint8Array, maxDepth: number): KrpcMessage | BencodeProblem | string {
  const d = decodeBencode(b, maxDepth);
  if ('code' in d) return d;
  const v = d.value;
  if (!isDict(v)) return 'KRPC message is not a dictionary';
  const t = isBytes(v.t) ? hex(v.t) : null;
  const y = str(v.y);
  if (t === null || (y !== 'q' && y !== 'r' && y !== 'e')) return 'KRPC message without t or y';
  const version = isBytes(v.v) ? clientVersion(v.v) : null;
  if (y === 'q') {
    const method = str(v.q);
    const a = isDict(v.a) ? v.a : {};
    return {
      kind: 'query',
      transaction_id: t,
      method,
      peers: [],
      fields: {
        node_id: bytesHex(a.id),
        target: bytesHex(a.target),
        info_hash: bytesHex(a.info_hash),
        port: num(a.port),
        implied_port: num(a.implied_port),
        token: bytesHex(a.token),
        client_version: version,
      },
    };
  }
  if (y === 'r') {
    const r = isDict(v.r) ? v.r : {};
    const nodes = isBytes(r.nodes) ? compactNodes(r.nodes) : [];
    const nodes6 = isBytes(r.nodes6) ? compactNodes(r.nodes6, true) : [];
    const peers = Array.isArray(r.values) ? r.values.flatMap((x: BValue) => (isBytes(x) ? compactPeers(x, x.length === 18) : [])) : [];
    return {
      kind: 'response',
      transaction_id: t,
      method: null,
      peers,
      fields: {
        node_id: bytesHex(r.id),
        nodes_count: nodes.length + nodes6.length,
        nodes: [...nodes, ...nodes6].slice(0, MAX_LISTED).map((n) => ({ id: n.id, addr: n.addr })),
        values: peers,
        token: bytesHex(r.token),
        client_version: version,
      },
    };
  }
  const e: JsonValue[] = Array.isArray(v.e) ? v.e.map((x: BValue) => (typeof x === 'number' ? x : isBytes(x) ? bytesText(x) ?? hex(x) : null)) : [];
  return {
    kind: 'error',
    transaction_id: t,
    method: null,
    peers: [],
    fields: { error_code: typeof e[0] === 'number' ? e[0] : null, error_message: typeof e[1] === 'string' ? e[1] : null, client_version: version },
  };
}

const bytesHex = (v: BValue | undefined): string | null => (isBytes(v) ? hex(v) : null);

/** BEP 20 style 4-byte `v`: two letters of client code and two version bytes. */
function clientVersion(v: Uint8Array): string {
  if (v.length === 4 && v[0]! >= 0x20 && v[0]! < 0x7f && v[1]! >= 0x20 && v[1]! < 0x7f) {
    return `${String.fromCharCode(v[0]!, v[1]!)} ${v[2]}.${v[3]}`;
  }
  return bytesText(v) ?? hex(v);
}
