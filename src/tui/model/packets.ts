/**
 * The Packets pane: one row per frame of the open flow (frame, time, direction, TCP flags,
 * relative seq/ack, length, window, analysis flags, Info), and the detail of one frame
 * (the header tree `packets --detail` prints and its bytes as `tshark -x` dumps them, beside
 * the tree on a wide terminal, below it on a narrow one).
 * Pure: rows in, lines out; the rows come from src/packets/flow-packets.ts.
 */
import { A_DUPLICATE_ACK, A_ZERO_WINDOW, FLAG_INFO, infoLabels } from '../../analysis/tcp/flags.js';
import { hexDump } from '../../packets/hex.js';
import type { PacketDetail, PacketRow } from '../../packets/flow-packets.js';
import { treeLines } from '../../packets/tree-text.js';
import { visible } from '../../report/safe-text.js';
import { fit, fitRight } from '../text.js';
import { RESENT } from './flow-graphs.js';
import { line, type Color, type Line, type Seg } from './lines.js';
import { displayWidth } from '../../plot/width.js';

/** Short names of the analysis flags, for a narrow column (the Info column has Wireshark's own). */
const SHORT: Record<string, string> = {
  reused_ports: 'PortsReused',
  lost_segment: 'PrevLost',
  ack_lost_segment: 'AckUnseen',
  keep_alive: 'KeepAlive',
  duplicate_ack: 'DupACK',
  zero_window_probe: 'ZWProbe',
  zero_window: 'ZeroWin',
  zero_window_probe_ack: 'ZWProbeAck',
  keep_alive_ack: 'KeepAliveAck',
  spurious_retransmission: 'SpurRetrans',
  fast_retransmission: 'FastRetrans',
  retransmission: 'Retrans',
  out_of_order: 'OutOfOrder',
  window_update: 'WinUpdate',
  window_full: 'WinFull',
};

/** `S`, `SA`, `PA`, `FA`, `R`: SYN, ACK, PSH, FIN, RST, URG, ECE, CWR as tcpdump's letters. */
export function flagLetters(flags: number): string {
  if (flags < 0) return '';
  let s = '';
  if (flags & 0x02) s += 'S';
  if (flags & 0x01) s += 'F';
  if (flags & 0x04) s += 'R';
  if (flags & 0x08) s += 'P';
  if (flags & 0x10) s += 'A';
  if (flags & 0x20) s += 'U';
  if (flags & 0x40) s += 'E';
  if (flags & 0x80) s += 'C';
  return s || '-';
}

/** The analysis column: short names in Wireshark's order, the duplicate ACK with its number. */
export function analysisText(r: PacketRow): string {
  return FLAG_INFO.filter((f) => r.bits & f.bit)
    .map((f) => (f.bit === A_DUPLICATE_ACK ? `${SHORT[f.name]}#${r.dupAckNum}` : SHORT[f.name] ?? f.name))
    .join(',');
}

/** Info without the analysis labels, which the analysis column already shows. */
export function infoText(r: PacketRow): string {
  const labels = r.bits ? infoLabels(r.bits, r.dupAckFrame, r.dupAckNum) : '';
  return labels && r.info.startsWith(labels) ? r.info.slice(labels.length) : r.info;
}

interface Columns {
  analysis: number;
  info: number;
}

const FIXED = 7 + 1 + 10 + 1 + 1 + 1 + 4 + 1 + 10 + 1 + 10 + 1 + 6 + 1 + 8 + 1;

function columns(width: number): Columns {
  const rest = Math.max(0, width - 1 - FIXED);
  const analysis = rest >= 50 ? 16 : rest >= 30 ? 12 : 0;
  return { analysis, info: Math.max(0, rest - analysis - (analysis ? 1 : 0)) };
}

export function packetHeader(width: number): Line {
  const c = columns(width);
  const text = `${fitRight('frame', 7)} ${fitRight('time', 10)}   ${fit('flag', 4, true)} ${fitRight('seq', 10)} ${fitRight('ack', 10)} ${fitRight('len', 6)} ${fitRight('win', 8)} ${c.analysis ? fit('analysis', c.analysis, true) + ' ' : ''}info`;
  return line(text, { bold: true });
}

/** The colour a row is drawn in: retransmissions red, duplicate ACKs yellow, zero windows magenta. */
function rowColor(r: PacketRow): Color | undefined {
  if (r.bits & RESENT) return 'red';
  if (r.bits & A_DUPLICATE_ACK) return 'yellow';
  if (r.bits & A_ZERO_WINDOW) return 'magenta';
  return undefined;
}

export function packetLine(r: PacketRow, width: number): Line {
  const c = columns(width);
  const tcp = r.tcpFlags >= 0;
  const arrow = r.dir === 'c2s' ? '→' : r.dir === 's2c' ? '←' : ' ';
  const color = rowColor(r);
  const info = c.analysis ? infoText(r) : r.info;
  return {
    segs: [
      { text: `${fitRight(String(r.frame), 7)} ${fitRight(r.time.toFixed(6), 10)} `, dim: true },
      { text: arrow, color: r.dir === 'c2s' ? 'green' : r.dir === 's2c' ? 'magenta' : undefined },
      { text: ` ${fit(flagLetters(r.tcpFlags), 4, true)} ${fitRight(tcp ? String(r.seq) : '', 10)} ${fitRight(tcp && r.ack >= 0 ? String(r.ack) : '', 10)} ${fitRight(String(r.len), 6)} ${fitRight(tcp ? String(r.window) : '', 8)} `, color },
      ...(c.analysis ? [{ text: fit(analysisText(r), c.analysis, true) + ' ', color: color ?? ('cyan' as Color), bold: r.bits !== 0 }] : []),
      { text: visible(info), color },
    ],
    target: `frame:${r.frame}`,
  };
}

/**
 * From this width on, the bytes sit beside the header tree, as in Wireshark's layout; below
 * it, under the tree. A hex row is `HEX_COLUMNS` wide and the gap 3, so at 140 the tree keeps
 * 65 columns: on demo.pcap and tcp-analysis.pcap 95% of the tree's lines are at most 40
 * columns wide and 99% of the rest are Info-like values that a narrower tree cuts anyway,
 * while below about 60 columns the tree's own field names start being cut.
 */
export const SIDE_BY_SIDE_MIN = 140;
/** `0000  47 45 54 ...  GET ...`: offset 4 + 2, hex 16 × 3 + 1, a space, 16 characters. */
export const HEX_COLUMNS = 72;
const GAP = ' │ ';

/** A line cut to `width` columns and padded to exactly that width, its styles kept. */
function cell(l: Line | undefined, width: number): Seg[] {
  const out: Seg[] = [];
  let room = width;
  for (const seg of l?.segs ?? []) {
    if (room <= 0) break;
    const text = fit(seg.text, room);
    room -= displayWidth(text);
    out.push({ ...seg, text });
    // A cut segment ends with the ellipsis: nothing after it fits.
    if (text !== seg.text) break;
  }
  if (room > 0) out.push({ text: ' '.repeat(room) });
  return out;
}

/**
 * The detail of one frame: its line, the header tree, then its bytes; from
 * `SIDE_BY_SIDE_MIN` columns the bytes stand beside the tree, row for row.
 */
export function detailLines(r: PacketRow, d: PacketDetail, width: number): Line[] {
  const out: Line[] = [line(fit(`Frame ${r.frame}: ${r.length} bytes on the wire, ${d.bytes.length} captured · ${visible(r.info)}`, width), { bold: true, color: 'cyan' })];
  const tree: Line[] = [];
  for (const t of treeLines(d.tree)) {
    const pad = '  '.repeat(t.depth);
    tree.push(t.value === null ? line(`${pad}${t.name}`, { bold: true }) : { segs: [{ text: `${pad}${t.name}: `, dim: true }, { text: t.value }] });
  }
  const heading = line(`Bytes (${d.bytes.length})`, { bold: true, color: 'cyan' });
  if (width >= SIDE_BY_SIDE_MIN) {
    const bytes = [heading, ...hexDump(d.bytes).map((h) => line(h))];
    const left = width - HEX_COLUMNS - GAP.length;
    for (let i = 0; i < Math.max(tree.length, bytes.length); i++) {
      out.push({ segs: [...cell(tree[i], left), { text: GAP, dim: true }, ...(bytes[i]?.segs ?? [])] });
    }
    return out;
  }
  out.push(...tree);
  out.push(line(''));
  out.push(heading);
  for (const h of hexDump(d.bytes)) out.push(line(`  ${h}`));
  return out;
}
