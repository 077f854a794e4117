/**
 * TCP header (RFC 9293) and options: MSS (2), window scale (3, RFC 7323), SACK permitted (4)
 * and SACK blocks (5, RFC 2018), timestamps (8, RFC 7323). A malformed option stops the
 * option walk (`tcp.bad_option`) but keeps the segment, as Wireshark does.
 */
import type { TcpHeader, TcpOptions } from './types.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

type Report = (code: CoreAnomalyCode, detail: string) => void;

/**
 * @param data the IP payload as captured.
 * @param declared the segment length the IP header declares (>= data.length when the capture cut it).
 */
export function decodeTcp(data: Uint8Array, declared: number, report: Report): TcpHeader | null {
  const avail = data.length;
  if (avail < 20) {
    report('tcp.truncated', `TCP header needs 20 bytes, ${avail} captured`);
    return null;
  }
  const doff = (data[12]! >> 4) * 4;
  if (doff < 20) {
    report('tcp.bad_data_offset', `data offset ${doff / 4} words is below 5`);
    return null;
  }
  if (doff > avail) {
    if (doff <= declared) report('tcp.truncated', `TCP header of ${doff} bytes, ${avail} captured`);
    else report('tcp.bad_data_offset', `data offset ${doff} bytes is beyond the ${declared}-byte segment`);
    return null;
  }
  return {
    protocol: 'tcp',
    src_port: (data[0]! << 8) | data[1]!,
    dst_port: (data[2]! << 8) | data[3]!,
    seq: ((data[4]! << 24) | (data[5]! << 16) | (data[6]! << 8) | data[7]!) >>> 0,
    ack: ((data[8]! << 24) | (data[9]! << 16) | (data[10]! << 8) | data[11]!) >>> 0,
    data_offset: doff,
    flags: ((data[12]! & 1) << 8) | data[13]!,
    window: (data[14]! << 8) | data[15]!,
    checksum: (data[16]! << 8) | data[17]!,
    urgent: (data[18]! << 8) | data[19]!,
    // Options are decoded on SYNs (MSS, window scale, SACK permitted) and when a segment
    // carries SACK blocks; otherwise (timestamps on every Linux segment) they are only
    // checked, which spares an object per packet on the hot path.
    options: doff <= 20 ? null : data[13]! & 0x02 ? decodeOptions(data, doff, report) : checkOptions(data, doff, report) ? decodeOptions(data, doff, ignore) : null,
    payload: data.subarray(doff),
  };
}

const ignore: Report = () => {};

function u32(d: Uint8Array, i: number): number {
  return ((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!) >>> 0;
}

/** Walks the options for malformed lengths without building anything; true when there are SACK blocks to decode. */
function checkOptions(data: Uint8Array, end: number, report: Report): boolean {
  let i = 20;
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

function decodeOptions(data: Uint8Array, end: number, report: Report): TcpOptions {
  const o: TcpOptions = { kinds: [] };
  let i = 20;
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
