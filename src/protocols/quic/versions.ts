/**
 * QUIC versions: names (Zeek's quic.log words where it has them: "1", "quicv2",
 * "draft-29"), and what protecting Initial packets needs per version: the salt of
 * RFC 9001 §5.2 (v1), RFC 9369 §3.3.1 (v2) or the drafts', and the HKDF label prefix
 * ("quic " for v1 and drafts, "quicv2 " for v2, RFC 9369 §3.3.2). Version 2 also
 * renumbers the long header packet types (RFC 9369 §3.2).
 */

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
/**
 * The provisional number of QUIC v2 in draft-ietf-quic-v2 (before RFC 9369 gave it
 * 0x6b3343cf), with the drafts' own Initial salt and the v2 labels and packet types:
 * what ngtcp2 0.12 (Debian bookworm) speaks as "v2draft".
 */
export const QUIC_V2_DRAFT = 0x709a50c4;
export const VERSION_NEGOTIATION = 0;

export type LongPacketType = 'initial' | '0rtt' | 'handshake' | 'retry';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

const SALT_V1 = hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a');
const SALT_V2 = hex('0dede3def700a6db819381be6e269dcbf9bd2ed9');
const SALT_V2_DRAFT = hex('a707c203a59b47184a1d62ca570406ea7ae3e5d3');
/** draft-ietf-quic-tls-29 to -32 (draft-29 is what most pre-RFC stacks deployed). */
const SALT_DRAFT_29 = hex('afbfec289993d24c9e9786f19c6111e04390a899');
/** draft-23 to -28. */
const SALT_DRAFT_23 = hex('c3eef712c72ebb5a11a7d2432bb46365bef9f502');

export interface VersionInfo {
  readonly code: number;
  /** "1", "quicv2", "draft-29", "mvfst", or the number in hex. */
  readonly name: string;
  /** The Initial salt when this version's Initial packets can be opened; null otherwise. */
  readonly salt: Uint8Array | null;
  /** Prefix of the packet protection labels: "quic" (key, iv, hp, ku) or "quicv2". */
  readonly label: 'quic' | 'quicv2';
  /** Long header type bits (0..3) to packet type. */
  readonly types: readonly [LongPacketType, LongPacketType, LongPacketType, LongPacketType];
}

const V1_TYPES = ['initial', '0rtt', 'handshake', 'retry'] as const;
const V2_TYPES = ['retry', 'initial', '0rtt', 'handshake'] as const;

/** draft-ietf-quic-transport-NN is version 0xff0000NN. */
function draftNumber(v: number): number | null {
  return v >>> 8 === 0xff0000 ? v & 0xff : null;
}

/** Reserved versions that exercise negotiation (RFC 9000 §15): 0x?a?a?a?a. */
export function isGreaseVersion(v: number): boolean {
  return (v & 0x0f0f0f0f) === 0x0a0a0a0a;
}

export function versionInfo(v: number): VersionInfo {
  if (v === QUIC_V1) return { code: v, name: '1', salt: SALT_V1, label: 'quic', types: V1_TYPES };
  if (v === QUIC_V2) return { code: v, name: 'quicv2', salt: SALT_V2, label: 'quicv2', types: V2_TYPES };
  if (v === QUIC_V2_DRAFT) return { code: v, name: 'quicv2-draft', salt: SALT_V2_DRAFT, label: 'quicv2', types: V2_TYPES };
  const draft = draftNumber(v);
  if (draft !== null) {
    const salt = draft >= 29 && draft <= 32 ? SALT_DRAFT_29 : draft >= 23 && draft <= 28 ? SALT_DRAFT_23 : null;
    return { code: v, name: `draft-${draft}`, salt, label: 'quic', types: V1_TYPES };
  }
  // A reserved version only forces Version Negotiation, yet its Initial carries a real
  // ClientHello: ngtcp2 protects it as a draft-29 packet and Wireshark opens it so (both
  // treat versions they do not know as the last draft).
  if (isGreaseVersion(v)) return { code: v, name: versionName(v), salt: SALT_DRAFT_29, label: 'quic', types: V1_TYPES };
  return { code: v, name: versionName(v), salt: null, label: 'quic', types: V1_TYPES };
}

/** A version's printable name, also for versions whose packets cannot be opened. */
export function versionName(v: number): string {
  if (v === QUIC_V1) return '1';
  if (v === QUIC_V2) return 'quicv2';
  if (v === QUIC_V2_DRAFT) return 'quicv2-draft';
  if (v === VERSION_NEGOTIATION) return 'negotiation';
  const draft = draftNumber(v);
  if (draft !== null) return `draft-${draft}`;
  if (isGreaseVersion(v)) return `reserved (0x${v.toString(16).padStart(8, '0')})`;
  // Facebook's mvfst (0xfaceb00N) and Google QUIC (Q043, Q046, Q050, T051...: ASCII).
  if (v >>> 4 === 0x0faceb00) return 'mvfst';
  const ascii = String.fromCharCode(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  if (/^[QT]0\d\d$/.test(ascii)) return `Google ${ascii}`;
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** Versions whose long header packets this dissector parses (RFC 8999 invariants hold for all). */
export function isKnownVersion(v: number): boolean {
  return v === QUIC_V1 || v === QUIC_V2 || v === QUIC_V2_DRAFT || draftNumber(v) !== null || v >>> 4 === 0x0faceb00 || isGreaseVersion(v);
}
