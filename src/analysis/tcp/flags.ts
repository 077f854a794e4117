/**
 * Wireshark's TCP expert flags (`tcp.analysis.*`), one bit each, so a packet's analysis is
 * one small integer on the hot path and names are made only for flagged packets.
 */
export const A_RETRANSMISSION = 0x0001;
export const A_LOST_PACKET = 0x0002;
export const A_ACK_LOST_PACKET = 0x0004;
export const A_KEEP_ALIVE = 0x0008;
export const A_DUPLICATE_ACK = 0x0010;
export const A_ZERO_WINDOW = 0x0020;
export const A_ZERO_WINDOW_PROBE = 0x0040;
export const A_ZERO_WINDOW_PROBE_ACK = 0x0080;
export const A_KEEP_ALIVE_ACK = 0x0100;
export const A_OUT_OF_ORDER = 0x0200;
export const A_FAST_RETRANSMISSION = 0x0400;
export const A_WINDOW_UPDATE = 0x0800;
export const A_WINDOW_FULL = 0x1000;
export const A_REUSED_PORTS = 0x2000;
export const A_SPURIOUS_RETRANSMISSION = 0x4000;

/**
 * Each flag: the suffix of its Wireshark field (`tcp.analysis.<name>`) and the text Wireshark
 * puts in brackets in the Info column. Listed in the order Wireshark prints them in Info
 * (packet-tcp.c, tcp_print_sequence_number_analysis), which is also the order of `flags`.
 */
export const FLAG_INFO: ReadonlyArray<{ readonly bit: number; readonly name: string; readonly label: string }> = [
  { bit: A_REUSED_PORTS, name: 'reused_ports', label: 'TCP Port numbers reused' },
  { bit: A_LOST_PACKET, name: 'lost_segment', label: 'TCP Previous segment not captured' },
  { bit: A_ACK_LOST_PACKET, name: 'ack_lost_segment', label: 'TCP ACKed unseen segment' },
  { bit: A_KEEP_ALIVE, name: 'keep_alive', label: 'TCP Keep-Alive' },
  { bit: A_DUPLICATE_ACK, name: 'duplicate_ack', label: 'TCP Dup ACK' },
  { bit: A_ZERO_WINDOW_PROBE, name: 'zero_window_probe', label: 'TCP ZeroWindowProbe' },
  { bit: A_ZERO_WINDOW, name: 'zero_window', label: 'TCP ZeroWindow' },
  { bit: A_ZERO_WINDOW_PROBE_ACK, name: 'zero_window_probe_ack', label: 'TCP ZeroWindowProbeAck' },
  { bit: A_KEEP_ALIVE_ACK, name: 'keep_alive_ack', label: 'TCP Keep-Alive ACK' },
  { bit: A_SPURIOUS_RETRANSMISSION, name: 'spurious_retransmission', label: 'TCP Spurious Retransmission' },
  { bit: A_FAST_RETRANSMISSION, name: 'fast_retransmission', label: 'TCP Fast Retransmission' },
  { bit: A_RETRANSMISSION, name: 'retransmission', label: 'TCP Retransmission' },
  { bit: A_OUT_OF_ORDER, name: 'out_of_order', label: 'TCP Out-Of-Order' },
  { bit: A_WINDOW_UPDATE, name: 'window_update', label: 'TCP Window Update' },
  { bit: A_WINDOW_FULL, name: 'window_full', label: 'TCP Window Full' },
];

/** Every flag name, for counters that list each one even at zero. */
export const FLAG_NAMES: readonly string[] = FLAG_INFO.map((f) => f.name);

/**
 * Wireshark sets `tcp.analysis.retransmission` on fast and spurious retransmissions too
 * (they are kinds of retransmission); the analyzer keeps one bit per kind, and this adds
 * the general one back for field-level views.
 */
export function fieldBits(bits: number): number {
  return bits & (A_FAST_RETRANSMISSION | A_SPURIOUS_RETRANSMISSION) ? bits | A_RETRANSMISSION : bits;
}

/** Flag names of `bits`, in Wireshark's order (the bits as the analyzer keeps them). */
export function flagNames(bits: number): string[] {
  const out: string[] = [];
  for (const f of FLAG_INFO) if (bits & f.bit) out.push(f.name);
  return out;
}

const lists = new Map<number, readonly string[]>();

/**
 * `flagNames(bits)` made once per set of flags and shared (frozen): for output that only
 * reads the list (an event written as bytes), so a flagged packet makes no array.
 */
export function flagList(bits: number): readonly string[] {
  let l = lists.get(bits);
  if (l === undefined) {
    l = Object.freeze(flagNames(bits));
    lists.set(bits, l);
  }
  return l;
}

/** The bracketed Info text: `[TCP Dup ACK 12#1] `, `[TCP Retransmission] `. */
export function infoLabels(bits: number, dupAckFrame: number, dupAckNum: number): string {
  let out = '';
  for (const f of FLAG_INFO) {
    if (!(bits & f.bit)) continue;
    out += f.bit === A_DUPLICATE_ACK ? `[${f.label} ${dupAckFrame}#${dupAckNum}] ` : `[${f.label}] `;
  }
  return out;
}
