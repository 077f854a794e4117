/**
 * Zeek's conn.log `history` letters and `conn_state`, so Zeek users read flows the same way:
 * the endpoint states a TCP segment moves (`tcpStep`), the letters it writes, and the
 * conn_state read from both endpoints at the end. Pure: the flow stores, the engine calls.
 * Upper case is the originator (client), lower case the responder.
 */

/** TCP endpoint states as Zeek's TCP analyzer tracks them. */
export const enum EndpointState {
  Inactive,
  SynSent,
  SynAckSent,
  Partial,
  Established,
  Closed,
  Reset,
}

/**
 * Zeek's history letters (conn.log's `history`, documented with `Conn::Info` in Zeek's
 * base/protocols/conn/main.zeek: https://docs.zeek.org/en/v8.2.0/scripts/base/protocols/conn/main.zeek.html).
 * Upper case for the originator, lower case for the responder; `^` once the roles were
 * swapped. C, G, T and W are recorded again at the 10th, 100th, 1000th ... repeat in the
 * same direction; the others once per direction.
 */
export const HISTORY_LETTERS = {
  S: 'a SYN without the ACK bit set',
  H: 'a SYN-ACK (SYN with the ACK bit set)',
  A: 'a pure ACK',
  D: 'a packet with payload (data)',
  F: 'a packet with the FIN bit set',
  R: 'a packet with the RST bit set',
  C: 'a packet with a bad checksum',
  G: 'a content gap',
  I: 'an inconsistent packet',
  Q: 'a multi-flag packet (SYN with FIN or RST)',
  T: 'a retransmitted packet',
  W: 'a packet advertising a zero window',
  '^': 'the connection\'s direction was flipped',
} as const;

export type HistoryLetter = Exclude<keyof typeof HISTORY_LETTERS, '^'>;

/**
 * The letters recorded once per direction, by bit: a flow keeps which it has seen in 16 bits
 * (originator's in the low 8, responder's in the high 8) rather than an object of its own.
 */
const ONCE_LETTERS = 'ADFHIQRS';

/** Once-bits by letter (char code - 65), looked up per packet. */
const ONCE_BITS: readonly number[] = Array.from({ length: 26 }, (_, i) => {
  const at = ONCE_LETTERS.indexOf(String.fromCharCode(65 + i));
  return at < 0 ? 0 : 1 << at;
});

/** The bit of a once-per-direction letter (originator's case), or 0 for C, G, T and W. */
export function onceBit(letter: HistoryLetter): number {
  return ONCE_BITS[letter.charCodeAt(0) - 65]!;
}

/** Whether the `n`th repeat of C, G, T or W in one direction is written (1, 10, 100, ...). */
export function repeatWritten(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** The history as seen from the other side: cases swapped, so each letter names the new role. */
export const swapCase = (s: string): string =>
  s.replace(/[a-zA-Z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));

/** Once-seen bits with the two directions exchanged (after a flip). */
export const swapOnceBits = (seen: number): number => ((seen & 0xff) << 8) | ((seen >> 8) & 0xff);

/*
 * One TCP segment's effect on its sender's endpoint state, the peer's and the history, as
 * Zeek's TCP analyzer keeps them (the endpoint states of Zeek's TCP_Endpoint; conn_state is
 * read from them at the end: `tcpConnState`). `tcpStep` returns the new states and the
 * letters, packed in one integer so that the engine's per-packet call allocates nothing.
 */
/** Bits 0-2: the sender's new state; bits 3-5: the peer's. */
export const STEP_MINE = 0;
export const STEP_THEIRS = 3;
/** The letters the segment adds, in the order they are written (Q, then H or S, R, F, D or A, W). */
export const STEP_Q = 1 << 6;
export const STEP_H = 1 << 7;
export const STEP_S = 1 << 8;
export const STEP_R = 1 << 9;
export const STEP_F = 1 << 10;
export const STEP_D = 1 << 11;
export const STEP_A = 1 << 12;
export const STEP_W = 1 << 13;
/** The sender, having sent or answered a SYN, acknowledged: the handshake's last ACK (the RTT is taken there). */
export const STEP_HANDSHAKE_ACK = 1 << 14;

/** Any letter of a step. */
export const STEP_ANY_LETTER = STEP_Q | STEP_H | STEP_S | STEP_R | STEP_F | STEP_D | STEP_A | STEP_W;

/** The letters of a step's bits, in writing order. */
export const STEP_LETTERS: readonly (readonly [number, HistoryLetter])[] = [
  [STEP_Q, 'Q'],
  [STEP_H, 'H'],
  [STEP_S, 'S'],
  [STEP_R, 'R'],
  [STEP_F, 'F'],
  [STEP_D, 'D'],
  [STEP_A, 'A'],
  [STEP_W, 'W'],
];

/** The TCP header facts a step reads. */
export interface SegmentFacts {
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  /** Payload bytes captured. */
  payload: number;
  window: number;
}

/**
 * One segment from the endpoint in state `mine` to the one in state `theirs`: both new
 * states and the history letters it adds (the `STEP_*` bits). A SYN moves an inactive
 * endpoint to SynSent (a SYN-ACK: SynAckSent); RST resets the sender and ends the step; FIN
 * closes it; the first ACK after a SYN establishes both sides once the peer was seen; an
 * ACK or payload from an endpoint never seen to open makes it Partial (a capture begun mid-flow).
 */
export function tcpStep(mine: EndpointState, theirs: EndpointState, seg: Readonly<SegmentFacts>): number {
  const { syn, ack, fin, rst } = seg;
  let bits = 0;
  if (syn) {
    if (fin || rst) bits |= STEP_Q;
    if (ack) {
      bits |= STEP_H;
      if (mine === EndpointState.Inactive || mine === EndpointState.SynSent) mine = EndpointState.SynAckSent;
    } else {
      bits |= STEP_S;
      if (mine === EndpointState.Inactive) mine = EndpointState.SynSent;
    }
  }
  if (rst) return bits | STEP_R | (EndpointState.Reset << STEP_MINE) | (theirs << STEP_THEIRS);
  if (fin) {
    bits |= STEP_F;
    if (mine !== EndpointState.Reset) mine = EndpointState.Closed;
  }
  if (seg.payload > 0) bits |= STEP_D;
  else if (ack && !syn && !fin) bits |= STEP_A;
  if (seg.window === 0 && !syn) bits |= STEP_W;
  if (!syn && ack) {
    if (mine === EndpointState.SynSent || mine === EndpointState.SynAckSent) {
      bits |= STEP_HANDSHAKE_ACK;
      if (theirs !== EndpointState.Inactive) mine = EndpointState.Established;
      if (theirs === EndpointState.SynAckSent || theirs === EndpointState.SynSent) theirs = EndpointState.Established;
    } else if (mine === EndpointState.Inactive) {
      mine = EndpointState.Partial;
    }
  } else if (!syn && !ack && mine === EndpointState.Inactive && seg.payload > 0) {
    mine = EndpointState.Partial;
  }
  return bits | (mine << STEP_MINE) | (theirs << STEP_THEIRS);
}

/** The sender's state after a step. */
export const stepMine = (step: number): EndpointState => (step >> STEP_MINE) & 7;
/** The peer's state after a step. */
export const stepTheirs = (step: number): EndpointState => (step >> STEP_THEIRS) & 7;

/**
 * Zeek's conn_state for a TCP connection from both endpoints' states and the history (the
 * values of `Conn::Info$conn_state`: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH,
 * SHR, OTH; Zeek's docs cited above).
 */
export function tcpConnState(
  orig: EndpointState,
  resp: EndpointState,
  history: string,
  origBytes: number,
  respBytes: number,
): string {
  const oInactive = orig === EndpointState.Inactive || orig === EndpointState.Partial;
  const rInactive = resp === EndpointState.Inactive || resp === EndpointState.Partial;
  if (resp === EndpointState.Reset) {
    if (
      orig === EndpointState.SynSent ||
      orig === EndpointState.SynAckSent ||
      (orig === EndpointState.Reset && origBytes === 0 && respBytes === 0)
    )
      return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (orig === EndpointState.Reset) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R/.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (resp === EndpointState.Closed && orig === EndpointState.Closed) return 'SF';
  if (orig === EndpointState.Closed) return rInactive ? 'SH' : 'S2';
  if (resp === EndpointState.Closed) return oInactive ? 'SHR' : 'S3';
  if (orig === EndpointState.SynSent && resp === EndpointState.Inactive) return 'S0';
  if (orig === EndpointState.Established && resp === EndpointState.Established) return 'S1';
  return 'OTH';
}

/** Zeek's conn_state for UDP and ICMP: did each side send anything. */
export function datagramConnState(origSent: boolean, respSent: boolean): string {
  if (origSent) return respSent ? 'SF' : 'S0';
  return respSent ? 'SHR' : 'OTH';
}
