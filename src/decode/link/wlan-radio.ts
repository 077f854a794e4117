/**
 * Radio headers in front of 802.11 frames: radiotap (link type 127), PPI (192), Prism (119)
 * and AVS (163). Only what changes how the 802.11 frame is read is taken from them (the
 * length of the header, an FCS at the end, padding after the MAC header); signal, rate and
 * channel are radio facts, not traffic.
 */
import { type LinkCursor, type LinkOutcome } from './cursor.js';
import { ethernet } from './ethernet.js';
import { NO_RADIO_FACTS, wlanFrame, type RadioFacts } from './wlan.js';

const RADIOTAP_FLAGS_FCS = 0x10;
const RADIOTAP_FLAGS_DATAPAD = 0x20;
/** More than this many radiotap presence words is not a header (the spec sets no bound; 8 x 32 bits is ample). */
const MAX_PRESENCE_WORDS = 8;

const FCS: Readonly<RadioFacts> = Object.freeze({ fcs: true, dataPad: false });
const PAD: Readonly<RadioFacts> = Object.freeze({ fcs: false, dataPad: true });
const FCS_PAD: Readonly<RadioFacts> = Object.freeze({ fcs: true, dataPad: true });

const le16 = (d: Uint8Array, i: number): number => d[i]! | (d[i + 1]! << 8);
const le32 = (d: Uint8Array, i: number): number => (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)) >>> 0;
const be32 = (d: Uint8Array, i: number): number => ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
/** The AVS magic without its version nibble (`>>> 0`: JavaScript's `&` gives a signed result). */
const avsMagic = (d: Uint8Array, i: number): boolean => ((be32(d, i) & 0xfffffff0) >>> 0) === AVS_MAGIC;

/**
 * Radiotap (radiotap.org): version 0, pad, length (LE16), presence bitmaps (LE32, bit 31
 * chains another word), then fields aligned to their natural size. The Flags field (bit 1)
 * follows TSFT (bit 0, 8 bytes aligned to 8) and carries the FCS and data-pad bits.
 */
export function radiotap(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 8) return c.truncated('radiotap header', 8, data.length);
  const len = le16(data, 2);
  if (data[0] !== 0 || len < 8) {
    c.report('link.bad_header', `radiotap header version ${data[0]} length ${len} is not a radiotap header`);
    return c.other('radiotap-bad');
  }
  if (len > data.length) return c.truncated('radiotap header', len, data.length);
  const present = le32(data, 4);
  let p = 8;
  let word = present;
  for (let words = 1; word & 0x80000000; words++) {
    if (words >= MAX_PRESENCE_WORDS || p + 4 > len) {
      c.report('link.bad_header', 'radiotap presence bitmaps run past the header');
      return c.other('radiotap-bad');
    }
    word = le32(data, p);
    p += 4;
  }
  let flags = 0;
  if (present & 0x02) {
    if (present & 0x01) p = ((p + 7) & ~7) + 8;
    if (p < len) flags = data[p]!;
  }
  const fcs = (flags & RADIOTAP_FLAGS_FCS) !== 0;
  const pad = (flags & RADIOTAP_FLAGS_DATAPAD) !== 0;
  return wlanFrame(data, len, c, fcs ? (pad ? FCS_PAD : FCS) : pad ? PAD : NO_RADIO_FACTS);
}

const PPI_80211_COMMON = 2;
const PPI_FLAG_FCS = 0x0001;
const DLT_EN10MB = 1;
const DLT_IEEE802_11 = 105;

/**
 * PPI (CACE Per-Packet Information header, 2007): version 0, flags, length (LE16), the DLT
 * of the packet behind it (LE32), then fields (type LE16, length LE16). The 802.11-Common
 * field (type 2) holds the FCS-present flag after its 8-byte TSF.
 */
export function ppi(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 8) return c.truncated('PPI header', 8, data.length);
  const len = le16(data, 2);
  const dlt = le32(data, 4);
  if (data[0] !== 0 || len < 8) {
    c.report('link.bad_header', `PPI header version ${data[0]} length ${len} is not a PPI header`);
    return c.other('ppi-bad');
  }
  if (len > data.length) return c.truncated('PPI header', len, data.length);
  let fcs = false;
  for (let p = 8; p + 4 <= len; ) {
    const type = le16(data, p);
    const flen = le16(data, p + 2);
    if (type === PPI_80211_COMMON && flen >= 10 && p + 4 + 10 <= len) fcs = (le16(data, p + 4 + 8) & PPI_FLAG_FCS) !== 0;
    p += 4 + flen;
  }
  if (dlt === DLT_IEEE802_11) return wlanFrame(data, len, c, fcs ? FCS : NO_RADIO_FACTS);
  if (dlt === DLT_EN10MB) return ethernet(data, len, c);
  return c.other(`ppi-dlt-${dlt}`);
}

const AVS_MAGIC = 0x80211000;

/**
 * Prism monitor header (link type 119): message code, message length (host byte order,
 * 144 in practice), device name, then ten 12-byte items. Some drivers write an AVS header
 * under link type 119 instead; its magic tells it apart.
 */
export function prism(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length >= 8 && avsMagic(data, 0)) return avs(data, c);
  if (data.length < 8) return c.truncated('Prism header', 8, data.length);
  const le = le32(data, 4);
  const len = le >= 8 && le <= data.length ? le : be32(data, 4);
  if (len < 8 || len > data.length) return c.truncated('Prism header', len, data.length);
  return wlanFrame(data, len, c, NO_RADIO_FACTS);
}

/** AVS WLAN capture header (link type 163): magic and version, then its length, both big-endian. */
export function avs(data: Uint8Array, c: LinkCursor): LinkOutcome {
  if (data.length < 8) return c.truncated('AVS header', 8, data.length);
  const len = be32(data, 4);
  if (!avsMagic(data, 0) || len < 8) {
    c.report('link.bad_header', `AVS header magic 0x${be32(data, 0).toString(16)} length ${len} is not an AVS header`);
    return c.other('avs-bad');
  }
  if (len > data.length) return c.truncated('AVS header', len, data.length);
  return wlanFrame(data, len, c, NO_RADIO_FACTS);
}

/** Plain 802.11 (link type 105): no radio header, and no FCS (as Wireshark assumes by default). */
export function ieee80211(data: Uint8Array, c: LinkCursor): LinkOutcome {
  return wlanFrame(data, 0, c, NO_RADIO_FACTS);
}

