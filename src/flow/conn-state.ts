/**
 * Zeek's conn.log `history` letters and `conn_state`, so Zeek users read flows the same way.
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
 * History letters. S SYN, H SYN-ACK, A pure ACK, D data, F FIN, R RST, C bad checksum,
 * G gap, T retransmission, I inconsistent, Q SYN with FIN or RST, W zero window,
 * ^ direction flipped. Repeats of C, G, T and W are recorded again at 10, 100, 1000 ...
 */
export class History {
  private text = '';
  /** Letters already recorded, one bit per letter ('A' is bit 0): the originator's and the responder's. */
  private seenUpper = 0;
  private seenLower = 0;
  /** Counts of the repeatable letters C, G, T, W, per case; created when first needed. */
  private counts: Map<string, number> | null = null;

  /** Records `letter` (upper case, or '^') for the originator (upper) or the responder (lower). Once per packet or two: char codes and bit masks. */
  add(letter: string, originator: boolean): void {
    if (letter === '^') {
      this.text += '^';
      return;
    }
    const code = letter.charCodeAt(0);
    const l = originator ? letter : String.fromCharCode(code + 32);
    if (code === 67 || code === 71 || code === 84 || code === 87) {
      // C, G, T, W
      this.counts ??= new Map();
      const n = (this.counts.get(l) ?? 0) + 1;
      this.counts.set(l, n);
      if (n === 1 || isPowerOfTen(n)) this.text += l;
      return;
    }
    const bit = 1 << (code - 65);
    if (originator) {
      if (this.seenUpper & bit) return;
      this.seenUpper |= bit;
    } else {
      if (this.seenLower & bit) return;
      this.seenLower |= bit;
    }
    this.text += l;
  }

  flip(): void {
    this.text = '^' + swapCase(this.text);
    const upper = this.seenUpper;
    this.seenUpper = this.seenLower;
    this.seenLower = upper;
    if (this.counts) {
      const counts = new Map<string, number>();
      for (const [l, n] of this.counts) counts.set(swapCase(l), n);
      this.counts = counts;
    }
  }

  toString(): string {
    return this.text;
  }
}

const isPowerOfTen = (n: number): boolean => {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
};

const swapCase = (s: string): string =>
  s.replace(/[a-zA-Z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));

/** Zeek's conn_state for a TCP connection from both endpoints' states and the history. */
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
