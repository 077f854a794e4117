/**
 * STARTTLS (SMTP, IMAP, POP3 STLS) and FTP AUTH TLS/SSL: once the server has agreed, the
 * client's next bytes decide. A TLS record (or an SSLv2-format ClientHello): the flow is
 * handed to the TLS dissector with every byte held so far. Anything else: the client went
 * on in clear (a broken or stripped upgrade), so the text protocol keeps dissecting what was
 * held, and the caller reports it.
 */
import type { DissectorContext } from '../../dissect/contract.js';
import type { AnomalyCode } from '../../events/event-map.js';
import type { Direction } from '../../events/event.js';
import { probeTls } from './index.js';
import { joinChunks } from '../../dissect/bytes.js';

/** Bytes held while undecided: a ClientHello's first 6 bytes decide; the server should say nothing meanwhile. */
const MAX_HELD = 16 * 1024;

export type HandoffVerdict = 'tls' | 'clear' | 'undecided';

/** The text protocol's side of a hand-off: what it does once the client's bytes decide. */
export interface HandoffHost {
  /** The verdict is in: forget the hand-off (before anything below runs). */
  handoffSettled(): void;
  /** TLS follows: say the session went on encrypted and end it; the flow then goes to TLS. */
  handOverToTls(): void;
  /** The client went on in clear: dissect these held bytes as the text protocol. */
  resumeInClear(dir: Direction, bytes: Uint8Array): void;
}

/** How the anomaly of a client that went on in clear is said. */
export interface PlaintextReport {
  readonly code: AnomalyCode;
  /** The upgrade the server accepted: `STARTTLS`, `STLS`, `AUTH TLS`. */
  readonly accepted: string;
}

export class StarttlsHandoff {
  private readonly held: Array<{ dir: Direction; bytes: Uint8Array }> = [];
  private size = 0;
  private c2s: Uint8Array = new Uint8Array(0);

  /** Adds bytes seen in `dir` and says whether the client's bytes so far open a TLS connection. */
  offer(dir: Direction, bytes: Uint8Array): HandoffVerdict {
    const copy = bytes.slice();
    this.held.push({ dir, bytes: copy });
    this.size += copy.length;
    if (dir === 'c2s') this.c2s = joinChunks([this.c2s, copy.subarray(0, Math.max(0, 16 - this.c2s.length))]);
    if (this.c2s.length === 0) return this.size > MAX_HELD ? 'clear' : 'undecided';
    const answer = probeTls(this.c2s, 'c2s');
    if (answer === 'match') return 'tls';
    if (answer === 'need_more') return this.size > MAX_HELD ? 'clear' : 'undecided';
    return 'clear';
  }

  /**
   * Adds bytes seen in `dir`; once they decide, either hands the flow to TLS (after the host
   * has ended its session) or reports the plaintext and gives the held bytes back to the host.
   */
  settle(ctx: DissectorContext, dir: Direction, bytes: Uint8Array, host: HandoffHost, report: PlaintextReport): void {
    const verdict = this.offer(dir, bytes);
    if (verdict === 'undecided') return;
    host.handoffSettled();
    if (verdict === 'tls') {
      host.handOverToTls();
      this.switchToTls(ctx);
      return;
    }
    ctx.anomaly(report.code, 'c2s', `server accepted ${report.accepted} but the client went on in clear: ${JSON.stringify(this.preview())}`);
    for (const c of this.held) host.resumeInClear(c.dir, c.bytes);
  }

  /** Hands the flow to TLS with what was held, per direction in order. */
  switchToTls(ctx: DissectorContext): void {
    const join = (dir: Direction): Uint8Array => joinChunks(this.held.filter((h) => h.dir === dir).map((h) => h.bytes));
    const c2s = join('c2s');
    const s2c = join('s2c');
    ctx.switchProtocol('tls', { ...(c2s.length ? { c2s } : {}), ...(s2c.length ? { s2c } : {}) });
  }

  /** What was held, in arrival order, for the text protocol to dissect after all. */
  replay(): ReadonlyArray<{ dir: Direction; bytes: Uint8Array }> {
    return this.held;
  }

  /** The client's first bytes, printable, for the anomaly's detail. */
  preview(): string {
    return Buffer.from(this.c2s).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  }
}

/** The text protocol's side of an upgrade, as `UpgradeGate` drives it. */
export interface UpgradeSide {
  /** Whether the text stream is still read (not encrypted, not compressed). */
  reading(): boolean;
  /**
   * The session is encrypted from here: TLS followed the accepted upgrade (`tls`), or a gap
   * came while undecided (`lost`: what follows cannot be judged, so it counts as encrypted).
   */
  encrypted(how: 'tls' | 'lost'): void;
  /** End the text session (the flow goes to TLS). */
  close(): void;
}

/** Where the text bytes go: the protocol's line framers (or readers), per direction. */
export type TextInput = Record<Direction, { push(bytes: Uint8Array): void; gap(length: number): void }>;

/**
 * A text protocol's bytes around STARTTLS / STLS / AUTH TLS: to its framers while in
 * clear, held by a `StarttlsHandoff` from the server's acceptance until the client's next
 * bytes decide, then TLS (the session ends and the flow switches) or clear again (the
 * held bytes are dissected as text, and the anomaly says the client did not upgrade).
 */
export class UpgradeGate implements HandoffHost {
  private handoff: StarttlsHandoff | null = null;

  constructor(
    private readonly ctx: DissectorContext,
    private readonly input: TextInput,
    private readonly side: UpgradeSide,
    private readonly report: () => PlaintextReport,
  ) {}

  /** The server accepted the upgrade: the client's next bytes decide. */
  accept(): void {
    this.handoff = new StarttlsHandoff();
  }

  /** Between the acceptance and the client's next bytes. */
  get undecided(): boolean {
    return this.handoff !== null;
  }

  data(dir: Direction, bytes: Uint8Array): void {
    if (this.handoff) this.handoff.settle(this.ctx, dir, bytes, this, this.report());
    else if (this.side.reading()) this.input[dir].push(bytes);
  }

  gap(dir: Direction, length: number): void {
    if (this.handoff) {
      this.handoff = null;
      this.side.encrypted('lost');
      return;
    }
    if (this.side.reading()) this.input[dir].gap(length);
  }

  /** The connection ends: an accepted upgrade with nothing captured after it counts as encrypted. */
  close(): void {
    if (!this.handoff) return;
    this.handoff = null;
    this.side.encrypted('tls');
  }

  handoffSettled(): void {
    this.handoff = null;
  }

  handOverToTls(): void {
    this.side.encrypted('tls');
    this.side.close();
  }

  resumeInClear(dir: Direction, bytes: Uint8Array): void {
    this.input[dir].push(bytes);
  }
}
