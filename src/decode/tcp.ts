/**
 * TCP header (RFC 9293) and options: MSS (2), window scale (3, RFC 7323), SACK permitted (4)
 * and SACK blocks (5, RFC 2018), timestamps (8, RFC 7323). A malformed option stops the
 * option walk (`tcp.bad_option`) but keeps the segment, as Wireshark does.
 */
import type { TcpHeader, TcpOptions } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';
import { DOUBLE_ZERO } from '../dissect/double.js';

type Report = (code: CoreAnomalyCode, detail: string) => void;

/** A TCP header filled in place (`IpRecord` owns one and refills it for every packet). */
export class TcpRecord implements TcpHeader {
  readonly protocol = 'tcp' as const;
  src_port = 0;
  dst_port = 0;
  seq = DOUBLE_ZERO;
  ack = DOUBLE_ZERO;
  data_offset = 0;
  flags = 0;
  window = 0;
  checksum = 0;
  urgent = 0;
  payload: Uint8Array = NO_PAYLOAD;
  /**
   * The options decoded, or null; when `optionsAt` >= 0 they are still to decode, from the
   * header at `optionsIn[optionsAt]` (SACK blocks on a segment that is not a SYN: only the
   * packet views read them, and decoding them for every such segment was an object and
   * three arrays per packet).
   */
  private decoded: TcpOptions | null = null;
  private optionsIn: Uint8Array = NO_PAYLOAD;
  private optionsAt = -1;

  get options(): TcpOptions | null {
    if (this.optionsAt >= 0) {
      // Already checked (`checkOptions` reported what was wrong): decoded quietly.
      this.decoded = decodeOptions(this.optionsIn, this.optionsAt, this.data_offset, ignore);
      this.optionsAt = -1;
      this.optionsIn = NO_PAYLOAD;
    }
    return this.decoded;
  }

  set options(o: TcpOptions | null) {
    this.decoded = o;
    this.optionsAt = -1;
    this.optionsIn = NO_PAYLOAD;
  }

  /** Options to decode when asked, from the header at `data[at]` (valid until the record is refilled). */
  optionsLater(data: Uint8Array, at: number): void {
    this.decoded = null;
    this.optionsIn = data;
    this.optionsAt = at;
  }
}

/** The payload of every segment that carries none (half of a capture's segments are bare ACKs): no view made for them. */
const NO_PAYLOAD = new Uint8Array(0);

/**
 * @param data the IP payload as captured.
 * @param declared the segment length the IP header declares (>= data.length when the capture cut it).
 */
export function decodeTcp(data: Uint8Array, declared: number, report: Report): TcpHeader | null {
  return decodeTcpAt(data, 0, data.length, declared, report, new TcpRecord());
}

/** `decodeTcp` of the segment at `data[start, end)`, filling `into`. */
export function decodeTcpAt(data: Uint8Array, start: number, end: number, declared: number, report: Report, into: TcpRecord): TcpHeader | null {
  const avail = end - start;
  if (avail < 20) {
    report('tcp.truncated', `TCP header needs 20 bytes, ${avail} captured`);
    return null;
  }
  const s = start;
  const doff = (data[s + 12]! >> 4) * 4;
  if (doff < 20) {
    report('tcp.bad_data_offset', `data offset ${doff / 4} words is below 5`);
    return null;
  }
  if (doff > avail) {
    if (doff <= declared) report('tcp.truncated', `TCP header of ${doff} bytes, ${avail} captured`);
    else report('tcp.bad_data_offset', `data offset ${doff} bytes is beyond the ${declared}-byte segment`);
    return null;
  }
  const t = into;
  t.src_port = (data[s]! << 8) | data[s + 1]!;
  t.dst_port = (data[s + 2]! << 8) | data[s + 3]!;
  t.seq = ((data[s + 4]! << 24) | (data[s + 5]! << 16) | (data[s + 6]! << 8) | data[s + 7]!) >>> 0;
  t.ack = ((data[s + 8]! << 24) | (data[s + 9]! << 16) | (data[s + 10]! << 8) | data[s + 11]!) >>> 0;
  t.data_offset = doff;
  t.flags = ((data[s + 12]! & 1) << 8) | data[s + 13]!;
  t.window = (data[s + 14]! << 8) | data[s + 15]!;
  t.checksum = (data[s + 16]! << 8) | data[s + 17]!;
  t.urgent = (data[s + 18]! << 8) | data[s + 19]!;
  // Options are decoded on SYNs (MSS, window scale, SACK permitted) and when a segment
  // carries SACK blocks; otherwise (timestamps on every Linux segment) they are only
  // checked, which spares an object per packet on the hot path.
  if (doff <= 20) t.options = null;
  else if (data[s + 13]! & 0x02) t.options = decodeOptions(data, s, doff, report);
  else if (checkOptions(data, s, doff, report)) t.optionsLater(data, s);
  else t.options = null;
  t.payload = doff === avail ? NO_PAYLOAD : data.subarray(s + doff, end);
  return t;
}

const ignore: Report = () => {};

function u32(d: Uint8Array, i: number): number {
  return ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
}

/** Walks the options for malformed lengths without building anything; true when there are SACK blocks to decode. */
function checkOptions(data: Uint8Array, base: number, doff: number, report: Report): boolean {
  let i = base + 20;
  const end = base + doff;
  while (i < end) {
    const kind = data[i]!;
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = i + 1 < end ? data[i + 1]! : 0;
    if (len < 2 || i + len > end) {
      report('tcp.bad_option', i + 1 >= end ? `option ${kind} has no length byte` : `option ${kind} has length ${len}, ${end - i} bytes left in the header`);
      break;
    }
    const fixed = FIXED_LENGTH[kind];
    if ((fixed !== undefined && len !== fixed) || (kind === 5 && (len - 2) % 8 !== 0)) {
      report('tcp.bad_option', `option ${kind} has length ${len}, which it cannot have`);
      break;
    }
    if (kind === 5) return true;
    i += len;
  }
  return false;
}

/** Expected length of the fixed-size options. */
const FIXED_LENGTH: Readonly<Record<number, number>> = { 2: 4, 3: 3, 4: 2, 8: 10 };

function decodeOptions(data: Uint8Array, base: number, doff: number, report: Report): TcpOptions {
  const o: TcpOptions = { kinds: [] };
  let i = base + 20;
  const end = base + doff;
  while (i < end) {
    const kind = data[i]!;
    if (kind === 0) break; // end of option list
    o.kinds.push(kind);
    if (kind === 1) {
      i++; // no-operation
      continue;
    }
    if (i + 1 >= end) {
      report('tcp.bad_option', `option ${kind} has no length byte`);
      break;
    }
    const len = data[i + 1]!;
    if (len < 2 || i + len > end) {
      report('tcp.bad_option', `option ${kind} has length ${len}, ${end - i} bytes left in the header`);
      break;
    }
    const fixed = FIXED_LENGTH[kind];
    if ((fixed !== undefined && len !== fixed) || (kind === 5 && (len - 2) % 8 !== 0)) {
      report('tcp.bad_option', `option ${kind} has length ${len}, which it cannot have`);
      break;
    }
    switch (kind) {
      case 2:
        o.mss = (data[i + 2]! << 8) | data[i + 3]!;
        break;
      case 3:
        o.window_scale = data[i + 2]!;
        break;
      case 4:
        o.sack_permitted = true;
        break;
      case 5: {
        const blocks: Array<[number, number]> = [];
        for (let b = i + 2; b + 8 <= i + len; b += 8) blocks.push([u32(data, b), u32(data, b + 4)]);
        o.sack = blocks;
        break;
      }
      case 8:
        o.timestamp = [u32(data, i + 2), u32(data, i + 6)];
        break;
    }
    i += len;
  }
  return o;
}
