/**
 * QUIC packet headers as sent, before header protection is removed (RFC 9000 §17, the
 * version-independent invariants of RFC 8999 for what is not version 1 or 2). Pure: bytes
 * of a UDP datagram in, the header's fields and where the packet ends out.
 *
 * A datagram may hold several packets (coalesced, RFC 9000 §12.2): long header packets
 * carry their length, and a short header packet runs to the end of the datagram. A short
 * header does not say how long its Destination Connection ID is: the caller knows it
 * from the connection IDs the peer chose.
 */
import { readVarint } from './varint.js';
import { isKnownVersion, VERSION_NEGOTIATION, versionInfo, type LongPacketType } from './versions.js';

/** Connection IDs are at most 20 bytes in versions 1 and 2 (RFC 9000 §17.2). */
export const MAX_CID_LENGTH = 20;

interface Common {
  /** Offset of the packet's first byte in the datagram. */
  readonly start: number;
  /** Offset just past the packet. */
  readonly end: number;
  readonly dcid: Uint8Array;
}

export interface VersionNegotiationHeader extends Common {
  readonly kind: 'version_negotiation';
  readonly scid: Uint8Array;
  readonly versions: readonly number[];
}

export interface RetryHeader extends Common {
  readonly kind: 'retry';
  readonly version: number;
  readonly scid: Uint8Array;
  readonly token: Uint8Array;
  /** The 16-byte Retry Integrity Tag (RFC 9001 §5.8). */
  readonly tag: Uint8Array;
}

export interface ProtectedLongHeader extends Common {
  readonly kind: 'initial' | '0rtt' | 'handshake';
  readonly version: number;
  readonly scid: Uint8Array;
  /** Initial packets only (empty otherwise). */
  readonly token: Uint8Array;
  /** Where the (protected) packet number starts. */
  readonly pn_offset: number;
}

export interface ShortHeader extends Common {
  readonly kind: '1rtt';
  readonly pn_offset: number;
}

export type PacketHeader = VersionNegotiationHeader | RetryHeader | ProtectedLongHeader | ShortHeader;

export type HeaderResult = { readonly ok: true; readonly header: PacketHeader } | { readonly ok: false; readonly reason: string };

const bad = (reason: string): HeaderResult => ({ ok: false, reason });

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The version field of a long header packet at `at`, or null (a short header, or too short). */
export function longHeaderVersion(b: Uint8Array, at = 0): number | null {
  if (b.length < at + 5 || (b[at]! & 0x80) === 0) return null;
  return u32(b, at + 1);
}

/**
 * The header of the packet at `start`. `shortDcidLength` is the Destination Connection ID
 * length a short header packet to this endpoint carries.
 */
export function parseHeader(b: Uint8Array, start: number, shortDcidLength: number): HeaderResult {
  if (start >= b.length) return bad('empty packet');
  const first = b[start]!;
  if ((first & 0x80) === 0) {
    const dcidEnd = start + 1 + shortDcidLength;
    // A packet number of at least one byte and 16 bytes of sample after its four-byte maximum.
    if (dcidEnd + 4 + 16 > b.length) return bad(`short header packet of ${b.length - start} bytes is too short`);
    return { ok: true, header: { kind: '1rtt', start, end: b.length, dcid: b.subarray(start + 1, dcidEnd), pn_offset: dcidEnd } };
  }
  if (b.length < start + 7) return bad('long header truncated');
  const version = u32(b, start + 1);
  let at = start + 5;
  const dcidLen = b[at++]!;
  // Version negotiation and versions other than 1, 2 and the drafts may carry up to 255 bytes (RFC 8999 §5.1).
  const limit = isKnownVersion(version) ? MAX_CID_LENGTH : 255;
  if (dcidLen > limit) return bad(`Destination Connection ID of ${dcidLen} bytes (at most ${limit})`);
  if (at + dcidLen + 1 > b.length) return bad('long header truncated in the Destination Connection ID');
  const dcid = b.subarray(at, at + dcidLen);
  at += dcidLen;
  const scidLen = b[at++]!;
  if (scidLen > limit) return bad(`Source Connection ID of ${scidLen} bytes (at most ${limit})`);
  if (at + scidLen > b.length) return bad('long header truncated in the Source Connection ID');
  const scid = b.subarray(at, at + scidLen);
  at += scidLen;
  if (version === VERSION_NEGOTIATION) {
    const rest = b.length - at;
    if (rest === 0 || rest % 4 !== 0) return bad(`Version Negotiation with ${rest} bytes of versions (a multiple of 4 expected)`);
    const versions: number[] = [];
    for (; at < b.length; at += 4) versions.push(u32(b, at));
    return { ok: true, header: { kind: 'version_negotiation', start, end: b.length, dcid, scid, versions } };
  }
  const type: LongPacketType = versionInfo(version).types[(first >> 4) & 0x03]!;
  if (type === 'retry') {
    if (b.length - at < 16) return bad('Retry packet without its 16-byte integrity tag');
    return { ok: true, header: { kind: 'retry', start, end: b.length, version, dcid, scid, token: b.subarray(at, b.length - 16), tag: b.subarray(b.length - 16) } };
  }
  let token: Uint8Array = b.subarray(at, at);
  if (type === 'initial') {
    const t = readVarint(b, at);
    if (t === null || t.next + t.value > b.length) return bad('Initial token runs past the datagram');
    token = b.subarray(t.next, t.next + t.value);
    at = t.next + t.value;
  }
  const len = readVarint(b, at);
  if (len === null) return bad('long header truncated in the Length field');
  const end = len.next + len.value;
  if (end > b.length) return bad(`packet Length ${len.value} runs ${end - b.length} bytes past the datagram`);
  if (len.value < 4 + 16) return bad(`packet Length ${len.value} is too short for a packet number and its sample`);
  return { ok: true, header: { kind: type, start, end, version, dcid, scid, token, pn_offset: len.next } };
}
