/**
 * The peer wire protocol (BEP 3) with the fast extension (BEP 6) and the extension
 * protocol (BEP 10): the handshake and the messages after it. Pure: bytes in, values out.
 */
import { hex } from '../../dissect/text.js';
import { done, fail, needMore, type Parsed, type Verdict } from '../../dissect/parse.js';

export const PROTOCOL_STRING = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 68;
const PSTR = Uint8Array.from(Buffer.from('\x13' + PROTOCOL_STRING, 'latin1'));
/** The 20 bytes every handshake starts with. */
export const HANDSHAKE_MAGIC = PSTR;

export interface Handshake {
  readonly reserved: Uint8Array;
  readonly info_hash: string;
  readonly peer_id: Uint8Array;
}

/** How far `bytes` agree with the handshake's first 20 bytes: 'yes', 'no', or 'need_more' (too short). */
export function handshakePrefix(bytes: Uint8Array): Verdict {
  const n = Math.min(bytes.length, PSTR.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== PSTR[i]) return 'no';
  return n === PSTR.length ? 'yes' : 'need_more';
}

export function parseHandshake(b: Uint8Array): Parsed<Handshake> {
  const prefix = handshakePrefix(b);
  if (prefix === 'no') return fail('does not start with "\\x13BitTorrent protocol"');
  if (b.length < HANDSHAKE_LENGTH) return needMore(HANDSHAKE_LENGTH - b.length);
  return done(
    { reserved: b.slice(20, 28), info_hash: hex(b.subarray(28, 48)), peer_id: b.slice(48, 68) },
    HANDSHAKE_LENGTH,
  );
}

/** Reserved-bit extensions: BEP 10 (byte 5, 0x10), BEP 5 DHT (byte 7, 0x01), BEP 6 fast (byte 7, 0x04). */
export function reservedExtensions(r: Uint8Array): { extension_protocol: boolean; dht: boolean; fast: boolean } {
  return { extension_protocol: (r[5]! & 0x10) !== 0, dht: (r[7]! & 0x01) !== 0, fast: (r[7]! & 0x04) !== 0 };
}

export const MESSAGE_NAMES: Record<number, string> = {
  0: 'choke', 1: 'unchoke', 2: 'interested', 3: 'not_interested', 4: 'have', 5: 'bitfield', 6: 'request',
  7: 'piece', 8: 'cancel', 9: 'port', 13: 'suggest', 14: 'have_all', 15: 'have_none', 16: 'reject',
  17: 'allowed_fast', 20: 'extended',
};

export type PeerMessage =
  | { readonly kind: 'keep_alive' }
  | { readonly kind: 'state'; readonly id: number }
  | { readonly kind: 'index'; readonly id: number; readonly piece_index: number }
  | { readonly kind: 'block'; readonly id: number; readonly piece_index: number; readonly begin: number; readonly length: number }
  | { readonly kind: 'piece'; readonly piece_index: number; readonly begin: number; readonly length: number }
  | { readonly kind: 'bitfield'; readonly bits: Uint8Array }
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'extended'; readonly ext_id: number; readonly payload: Uint8Array }
  | { readonly kind: 'unknown'; readonly id: number; readonly length: number };

/** One message body (without its 4-byte length prefix). Errors mean the length does not fit the type. */
const readU32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;

/** Null when a message of type `id` may have `len` payload bytes (`n` exactly, or at least `n`). */
function payloadProblem(id: number, len: number, n: number, exact: boolean): string | null {
  return (exact ? len === n : len >= n) ? null : `${MESSAGE_NAMES[id]} with ${len} payload bytes (expected ${exact ? '' : 'at least '}${n})`;
}

export function parseMessage(body: Uint8Array): Parsed<PeerMessage> {
  if (body.length === 0) return done({ kind: 'keep_alive' }, 0);
  const id = body[0]!;
  const len = body.length - 1;
  // Module functions, not closures: this runs for every peer-wire message.
  let problem: string | null;
  switch (id) {
    case 0: case 1: case 2: case 3: case 14: case 15:
      return (problem = payloadProblem(id, len, 0, true)) ? fail(problem, body.length) : done({ kind: 'state', id }, body.length);
    case 4: case 13: case 17:
      return (problem = payloadProblem(id, len, 4, true)) ? fail(problem, body.length) : done({ kind: 'index', id, piece_index: readU32(body, 1) }, body.length);
    case 5:
      return done({ kind: 'bitfield', bits: body.slice(1) }, body.length);
    case 6: case 8: case 16:
      return (problem = payloadProblem(id, len, 12, true))
        ? fail(problem, body.length)
        : done({ kind: 'block', id, piece_index: readU32(body, 1), begin: readU32(body, 5), length: readU32(body, 9) }, body.length);
    case 7:
      return (problem = payloadProblem(id, len, 8, false))
        ? fail(problem, body.length)
        : done({ kind: 'piece', piece_index: readU32(body, 1), begin: readU32(body, 5), length: len - 8 }, body.length);
    case 9:
      return (problem = payloadProblem(id, len, 2, true)) ? fail(problem, body.length) : done({ kind: 'port', port: (body[1]! << 8) | body[2]! }, body.length);
    case 20:
      return (problem = payloadProblem(id, len, 1, false))
        ? fail(problem, body.length)
        : done({ kind: 'extended', ext_id: body[1]!, payload: body.slice(2) }, body.length);
  }
  return done({ kind: 'unknown', id, length: len }, body.length);
}
