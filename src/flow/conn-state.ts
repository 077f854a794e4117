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
  /** Letters already recorded: bit (letter - 'A') for upper case, +26 for lower case. */
  private seen = 0;
  /** Counts of the repeatable letters C, G, T, W, per case; created when first needed. */
  private counts: Map<string, number> | null = null;

  add(letter: string, originator: boolean): void {
    const l = originator ? letter.toUpperCase() : letter.toLowerCase();
    if (letter === '^') {
      this.text += '^';
      return;
    }
    const upper = l.toUpperCase();
    if (upper === 'C' || upper === 'G' || upper === 'T' || upper === 'W') {
      this.counts ??= new Map();
      const n = (this.counts.get(l) ?? 0) + 1;
      this.counts.set(l, n);
      if (n === 1 || isPowerOfTen(n)) this.text += l;
      return;
    }
    const bit = 2 ** (l.charCodeAt(0) - (originator ? 65 : 97) + (originator ? 0 : 26));
    if (Math.floor(this.seen / bit) % 2) return;
    this.seen += bit;
    this.text += l;
  }

  flip(): void {
    this.text = '^' + swapCase(this.text);
    // Swap the upper- and lower-case halves of the seen set.
    const low = this.seen % 2 ** 26;
    const high = Math.floor(this.seen / 2 ** 26);
    this.seen = high + low * 2 ** 26;
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
