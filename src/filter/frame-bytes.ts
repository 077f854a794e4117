/**
 * The bytes a filter may search (`frame contains "GET"`, `tcp.payload contains 47:45:54`,
 * `frame matches "user=\w+"`), as Wireshark defines them:
 *
 * - `frame`: every captured byte of the frame;
 * - `eth`, `ip`, `ipv6`, `tcp`, `udp`: a protocol's bytes run from its header to the end of
 *   what it carries (tshark's `tcp contains "GET"` finds the GET in the TCP payload), and
 *   IP's stop at its total length, so Ethernet padding is not searched;
 * - `tcp.payload`, `udp.payload`: the segment's or datagram's payload, present when not empty.
 *
 * They are views into the packet being processed, not copies: valid only while the engine's
 * packet tap runs (the reader reuses its buffers), so a caller that keeps packet facts past
 * the tap (`check`) must not ask for them. A reassembled IP datagram's TCP/UDP bytes are the
 * reassembled ones, as in Wireshark; its `ip` bytes are the last fragment's.
 */
import type { RawPacket } from '../capture/types.js';
import type { DecodeResult, IpPacket } from '../decode/types.js';

export interface FrameBytes {
  frame: Uint8Array;
  eth: Uint8Array | null;
  ip: Uint8Array | null;
  ipv6: Uint8Array | null;
  tcp: Uint8Array | null;
  udp: Uint8Array | null;
  tcp_payload: Uint8Array | null;
  udp_payload: Uint8Array | null;
}

/** The names a filter may search the bytes of, and where each is found. */
export const BYTE_FIELDS: ReadonlyMap<string, keyof FrameBytes> = new Map<string, keyof FrameBytes>([
  ['frame', 'frame'],
  ['eth', 'eth'],
  ['ip', 'ip'],
  ['ipv6', 'ipv6'],
  ['tcp', 'tcp'],
  ['udp', 'udp'],
  ['tcp.payload', 'tcp_payload'],
  ['udp.payload', 'udp_payload'],
]);

/** LINKTYPE_ETHERNET. */
const ETHERNET = 1;

/**
 * The IP layer's bytes inside the frame: the packet's payload is a view into the frame, so
 * its header starts `ip_length - payload length` bytes before it. Null when the packet is
 * not a view of this frame (a datagram reassembled from fragments).
 */
function ipBytes(frame: Uint8Array, ip: IpPacket): Uint8Array | null {
  const pl = ip.payload;
  if (pl.buffer !== frame.buffer) return null;
  const at = pl.byteOffset - frame.byteOffset;
  const header = ip.ip_length - (ip.declared_payload ?? pl.length);
  const start = at - header;
  if (header <= 0 || start < 0 || at > frame.length) return null;
  return frame.subarray(start, Math.min(frame.length, start + ip.ip_length));
}

/** The searchable bytes of the frame the tap sees (views: see the module comment). */
export function frameBytes(p: RawPacket, d: DecodeResult): FrameBytes {
  const out: FrameBytes = { frame: p.data, eth: p.link_type === ETHERNET && p.data.length >= 14 ? p.data : null, ip: null, ipv6: null, tcp: null, udp: null, tcp_payload: null, udp_payload: null };
  if (d.kind !== 'ip') return out;
  const inner = d.packet;
  // Outermost first: `ip contains x` searches from the first IP header of its version, which
  // holds any tunnelled packet's bytes too.
  const chain: IpPacket[] = [];
  for (let ip: IpPacket | undefined = inner; ip && chain.length < 16; ip = ip.encap?.outer) chain.unshift(ip);
  for (const ip of chain) {
    const key = ip.version === 4 ? 'ip' : 'ipv6';
    if (out[key] === null) out[key] = ipBytes(p.data, ip);
  }
  const t = inner.transport;
  if (t?.protocol === 'tcp') {
    out.tcp = inner.payload;
    out.tcp_payload = t.payload.length ? t.payload : null;
  } else if (t?.protocol === 'udp') {
    out.udp = inner.payload;
    out.udp_payload = t.payload.length ? t.payload : null;
  }
  return out;
}

/**
 * A byte string as Wireshark writes one unquoted: hex bytes separated by `:`, `.` or `-`
 * (`47:45:54`), or run together (`474554`); a single byte is one or two digits. Null when
 * the text is not one.
 */
export function parseByteString(text: string): Uint8Array | null {
  if (/^[0-9a-f]{1,2}$/i.test(text)) return Uint8Array.of(parseInt(text, 16));
  if (/^([0-9a-f]{2})+$/i.test(text)) return Uint8Array.from(text.match(/../g)!, (h) => parseInt(h, 16));
  const m = /^[0-9a-f]{1,2}([:.-])/i.exec(text);
  if (!m) return null;
  const parts = text.split(m[1]!);
  if (!parts.every((h) => /^[0-9a-f]{1,2}$/i.test(h))) return null;
  return Uint8Array.from(parts, (h) => parseInt(h, 16));
}

/** `needle` occurs in `hay` (an empty needle occurs everywhere). */
export function hasBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length > hay.length) return false;
  return Buffer.from(hay.buffer, hay.byteOffset, hay.length).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.length)) >= 0;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Bytes as a string of one character per byte, for a regular expression over them. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
