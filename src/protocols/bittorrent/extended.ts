/**
 * Extension protocol messages (BEP 10): the bencoded extended handshake (m, v, p,
 * metadata_size, reqq, yourip), ut_metadata (BEP 9) and ut_pex (peer exchange).
 * Extension ids are chosen by the receiver: a message sent to a peer uses the id from
 * that peer's handshake `m` dictionary.
 */
import type { BittorrentExtensionFields } from './events.js';
import { ipv4Text, ipv6Text } from '../../dissect/addresses.js';
import { bencodeJson, decodeBencode, isBytes, isDict, num, str, type BencodeProblem, type BValue } from './bencode.js';
import { compactPeers } from './compact.js';

export interface ExtendedResult {
  /** Extension name (`handshake`, `ut_metadata`, `ut_pex`, or the name from `m`, or `ext_<id>`). */
  readonly name: string;
  readonly fields: BittorrentExtensionFields;
  /** For the handshake: the sender's name → id map. */
  readonly m?: Map<string, number>;
  /** ut_pex: peers added / dropped, for the swarm view. */
  readonly added?: string[];
  readonly dropped?: string[];
  readonly problem?: BencodeProblem;
}

export function decodeExtended(extId: number, payload: Uint8Array, receiverIds: ReadonlyMap<number, string>, maxDepth: number): ExtendedResult {
  const name = extId === 0 ? 'handshake' : receiverIds.get(extId) ?? `ext_${extId}`;
  const decoded = payload.length ? decodeBencode(payload, maxDepth) : null;
  if (decoded && 'code' in decoded) return { name, fields: { payload_length: payload.length }, problem: decoded };
  const value = decoded?.value;
  if (extId === 0 && isDict(value)) return handshake(value);
  if (name === 'ut_metadata' && isDict(value)) {
    const type = num(value.msg_type);
    return {
      name,
      fields: {
        metadata_msg_type: type === 0 ? 'request' : type === 1 ? 'data' : type === 2 ? 'reject' : type,
        piece: num(value.piece),
        total_size: num(value.total_size),
        data_length: decoded ? payload.length - decoded.end : 0,
      },
    };
  }
  if (name === 'ut_pex' && isDict(value)) {
    const added = [...peers(value.added), ...peers(value.added6, true)];
    const dropped = [...peers(value.dropped), ...peers(value.dropped6, true)];
    return { name, fields: { added, dropped, added_count: added.length, dropped_count: dropped.length }, added, dropped };
  }
  return { name, fields: value === undefined ? { payload_length: 0 } : { payload: bencodeJson(value) } };
}

function peers(v: BValue | undefined, v6 = false): string[] {
  return isBytes(v) ? compactPeers(v, v6) : [];
}

function handshake(d: { [key: string]: BValue }): ExtendedResult {
  const m = new Map<string, number>();
  const mJson: Record<string, number> = {};
  if (isDict(d.m)) {
    for (const key of Object.keys(d.m).sort()) {
      const id = num(d.m[key]);
      if (id === null) continue;
      mJson[key] = id;
      m.set(key, id);
    }
  }
  const yourip = isBytes(d.yourip) ? (d.yourip.length === 4 ? ipv4Text(d.yourip) : d.yourip.length === 16 ? ipv6Text(d.yourip) : null) : null;
  return {
    name: 'handshake',
    m,
    fields: {
      m: mJson,
      v: str(d.v),
      p: num(d.p),
      metadata_size: num(d.metadata_size),
      reqq: num(d.reqq),
      yourip,
      upload_only: num(d.upload_only),
    },
  };
}
