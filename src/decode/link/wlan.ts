/**
 * IEEE 802.11 MAC frames (link type 105, and behind the radio headers of `wlan-radio.ts`).
 * Data frames carry an 802.2 LLC/SNAP header then an EtherType (RFC 1042), so they continue
 * like Ethernet. Management and control frames and data frames without a body are named by
 * subtype (`wlan-mgt-beacon`, `wlan-ctl-ack`, `wlan-data-null`) for the protocol hierarchy,
 * not dissected; a frame with the Protected bit is `wlan-encrypted` (WEP, TKIP, CCMP, GCMP:
 * its body cannot be read without the keys).
 *
 * Header (IEEE 802.11-2020 §9.2): frame control (2, little-endian bit order), duration (2),
 * address 1..3 (18), sequence control (2) = 24 bytes; address 4 (+6) when both To DS and From
 * DS are set; QoS control (+2) in QoS data subtypes; HT control (+4) when the +HTC/Order bit
 * is set in a QoS frame.
 */
import { type LinkCursor, type LinkOutcome } from './cursor.js';
import { llc } from './llc.js';

/** Frame types: 0 management, 1 control, 2 data, 3 extension. */
const TYPE_DATA = 2;

const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
const FLAG_ORDER = 0x80;

const MGMT_SUBTYPES: readonly string[] = [
  'assoc-req',
  'assoc-resp',
  'reassoc-req',
  'reassoc-resp',
  'probe-req',
  'probe-resp',
  'timing-advert',
  'mgt-7',
  'beacon',
  'atim',
  'disassoc',
  'auth',
  'deauth',
  'action',
  'action-no-ack',
  'mgt-15',
];

const CTL_SUBTYPES: readonly string[] = [
  'ctl-0',
  'ctl-1',
  'trigger',
  'tack',
  'bf-report-poll',
  'ndp-announce',
  'ctl-ext',
  'ctl-wrapper',
  'block-ack-req',
  'block-ack',
  'ps-poll',
  'rts',
  'cts',
  'ack',
  'cf-end',
  'cf-end-ack',
];

/** Data subtypes with no frame body (bit 2 of the subtype). */
const DATA_NO_BODY: readonly string[] = ['null', 'cf-ack', 'cf-poll', 'cf-ack-poll'];

/** What the radio header told about the 802.11 frame behind it. */
export interface RadioFacts {
  /** The frame ends with a 4-byte FCS. */
  fcs: boolean;
  /** Padding aligns the frame body to 4 bytes after the MAC header (radiotap flag 0x20). */
  dataPad: boolean;
}

export const NO_RADIO_FACTS: Readonly<RadioFacts> = Object.freeze({ fcs: false, dataPad: false });

/** Labels by type and subtype, made once: the hierarchy path is built per packet. */
const LABELS: readonly string[] = (() => {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) out.push(`wlan-mgt-${MGMT_SUBTYPES[i]}`);
  for (let i = 0; i < 16; i++) out.push(`wlan-${CTL_SUBTYPES[i]}`);
  for (let i = 0; i < 16; i++) out.push(`wlan-data-${i & 8 ? 'qos-' : ''}${DATA_NO_BODY[i & 3]}`);
  for (let i = 0; i < 16; i++) out.push(`wlan-ext-${i}`);
  return out;
})();

/**
 * An 802.11 frame at `off`. Sets `c.trim` to the FCS length when the radio header says
 * there is one, so what follows ends before it.
 */
export function wlanFrame(data: Uint8Array, off: number, c: LinkCursor, radio: Readonly<RadioFacts>): LinkOutcome {
  const avail = data.length - off;
  if (avail < 2) return c.truncated('802.11 frame control', 2, avail);
  const fc0 = data[off]!;
  const flags = data[off + 1]!;
  const version = fc0 & 0x03;
  const type = (fc0 >> 2) & 0x03;
  const subtype = fc0 >> 4;
  if (radio.fcs) c.trim = 4;
  if (version !== 0) return c.other(`wlan-version-${version}`);
  if (type !== TYPE_DATA) return c.other(LABELS[type * 16 + subtype]!);
  if (flags & FLAG_PROTECTED) return c.other('wlan-encrypted');
  const qos = (subtype & 0x08) !== 0;
  if (subtype & 0x04) return c.other(LABELS[32 + subtype]!);
  let hlen = 24;
  if ((flags & (FLAG_TO_DS | FLAG_FROM_DS)) === (FLAG_TO_DS | FLAG_FROM_DS)) hlen += 6;
  let amsdu = false;
  if (qos) {
    if (avail >= hlen + 2) amsdu = (data[off + hlen]! & 0x80) !== 0;
    hlen += 2;
    if (flags & FLAG_ORDER) hlen += 4;
  }
  if (radio.dataPad) hlen = (hlen + 3) & ~3;
  const end = data.length - c.trim;
  if (end - off < hlen) return c.truncated('802.11 data header', hlen, avail);
  const body = off + hlen;
  if (amsdu) return amsduFirst(data, body, end, c);
  return llc(data, body, c);
}

/**
 * An A-MSDU (IEEE 802.11-2020 §9.3.2.2.2): subframes of DA, SA, a big-endian length, an
 * LLC/SNAP body, padded to 4 bytes. The decoder hands on one packet per frame, so only an
 * A-MSDU of one subframe is decoded; more are counted as `wlan-amsdu`.
 */
function amsduFirst(data: Uint8Array, off: number, end: number, c: LinkCursor): LinkOutcome {
  if (end - off < 14) return c.truncated('A-MSDU subframe header', 14, end - off);
  const len = (data[off + 12]! << 8) | data[off + 13]!;
  const next = off + 14 + len;
  if (next + 14 <= end) return c.other('wlan-amsdu');
  return llc(data, off + 14, c);
}
