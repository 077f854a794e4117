/**
 * STARTTLS (SMTP, IMAP, POP3 STLS) and FTP AUTH TLS/SSL: once the server has agreed, the
 * client's next bytes decide. A TLS record (or an SSLv2-format ClientHello): the flow is
 * handed to the TLS dissector with every byte held so far. Anything else: the client went
 * on in clear (a broken or stripped upgrade), so the text protocol keeps dissecting what was
 * held, and says so. `StarttlsDissector` is that text protocol's side, shared by the four.
 */
import type { DissectorContext, ProtocolDescriptor, ReportSpec, StreamDissector } from '../../dissect/contract.js';
import type { AnomalyCode } from '../../events/event-map.js';
import type { Direction } from '../../events/event.js';
import { probeTls } from './probe.js';
import { joinChunks } from '../../dissect/bytes.js';

/** Bytes held while undecided: a ClientHello's first 6 bytes decide; the server should say nothing meanwhile. */
const MAX_HELD = 16 * 1024;

export type HandoffVerdict = 'tls' | 'clear' | 'undecided';

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

/** Where the text bytes go: the protocol's line framers (or readers), per direction. */
export type TextInput = Record<Direction, { push(bytes: Uint8Array): void; gap(length: number): void }>;

/**
 * A text protocol that can go encrypted in the middle (SMTP and IMAP STARTTLS, POP3 STLS,
 * FTP AUTH TLS): this base owns the stream's `data`/`gap`/`close` so each protocol writes
 * only its verbs and replies. Bytes go to its framers while in clear; from the server's
 * acceptance (`acceptUpgrade`) a `StarttlsHandoff` holds them until the client's next bytes
 * decide: TLS (the session's records are written, then the flow switches with every held
 * byte) or clear again (the anomaly says the client did not upgrade, and the held bytes are
 * dissected as text). A gap while undecided, or the end of the connection, counts as
 * encrypted: what follows an accepted upgrade cannot be judged, and the session says TLS.
 */
export abstract class StarttlsDissector implements StreamDissector {
  /** From the upgrade on: the text is no longer read. */
  protected encrypted = false;
  /** `close()` ran: the session's records are written. */
  protected closed = false;
  private handoff: StarttlsHandoff | null = null;

  protected constructor(
    protected readonly ctx: DissectorContext,
    /** `<name>.starttls_plaintext`: the server accepted, the client went on in clear. */
    private readonly plaintext: AnomalyCode,
    /** The upgrade as the anomaly names it: `STARTTLS`, `STLS`, `AUTH TLS`. */
    protected upgradeName: string,
  ) {}

  /** The protocol's framers (or readers), per direction. */
  protected abstract readonly framers: TextInput;
  /** Say the session is encrypted (`<name>.encrypted`); runs once. */
  protected abstract saidEncrypted(): void;
  /** Write the session's records (what is unfinished, marked so); runs once. */
  protected abstract finish(): void;

  /** Whether the text stream is still read (IMAP also stops at COMPRESS). */
  protected reading(): boolean {
    return !this.encrypted;
  }

  /** The server accepted the upgrade: the client's next bytes decide. */
  protected acceptUpgrade(): void {
    this.handoff = new StarttlsHandoff();
  }

  /** Between the acceptance and the client's next bytes. */
  protected get upgradeUndecided(): boolean {
    return this.handoff !== null;
  }

  /** The session is encrypted from here (said once, whatever the path that got here). */
  protected goEncrypted(): void {
    if (this.encrypted) return;
    this.encrypted = true;
    this.saidEncrypted();
  }

  data(dir: Direction, bytes: Uint8Array): void {
    const handoff = this.handoff;
    if (handoff === null) {
      if (this.reading()) this.framers[dir].push(bytes);
      return;
    }
    const verdict = handoff.offer(dir, bytes);
    if (verdict === 'undecided') return;
    this.handoff = null;
    if (verdict === 'tls') {
      // The session's records go out before the switch: the engine does not close a dissector it replaces.
      this.goEncrypted();
      this.close();
      handoff.switchToTls(this.ctx);
      return;
    }
    this.ctx.anomaly(this.plaintext, 'c2s', `server accepted ${this.upgradeName} but the client went on in clear: ${JSON.stringify(handoff.preview())}`);
    for (const c of handoff.replay()) this.framers[c.dir].push(c.bytes);
  }

  gap(dir: Direction, length: number): void {
    if (this.handoff !== null) {
      this.handoff = null;
      this.goEncrypted();
      return;
    }
    if (this.reading()) this.framers[dir].gap(length);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.handoff !== null) {
      this.handoff = null;
      this.goEncrypted();
    }
    this.finish();
  }
}

/** What a STARTTLS text protocol's descriptor says of its own (`starttlsDescriptor` adds the rest). */
export interface StarttlsProtocol {
  readonly name: string;
  readonly ports: readonly number[];
  readonly probe: ProtocolDescriptor['probe'];
  readonly anomalies: ProtocolDescriptor['anomalies'];
  readonly createStream: (ctx: DissectorContext) => StarttlsDissector;
  /** Its report section's record types and summary; the section is named after the protocol. */
  readonly report: Omit<ReportSpec, 'section'>;
  /** What its flows may start, when more than TLS (FTP's expected data connections: any stream). */
  readonly carries?: ProtocolDescriptor['carries'];
}

/**
 * The descriptor of a text protocol whose dissector is a `StarttlsDissector`. All of them run
 * on TCP, emit their own events and `credentials` (each has a login), fill a report section
 * named after themselves, and carry TLS: a run that asks only for TLS events must still
 * dissect the clear text that leads to the hand-off (`pipeline/work-plan.ts`), so `carries`
 * comes with the base rather than from each protocol's memory.
 */
export function starttlsDescriptor(own: StarttlsProtocol): ProtocolDescriptor {
  return {
    name: own.name,
    transports: ['tcp'],
    ports: own.ports,
    probe: own.probe,
    createStream: own.createStream,
    anomalies: own.anomalies,
    emits: [`${own.name}.*`, 'credentials'],
    carries: own.carries ?? { protocols: ['tls'] },
    report: { section: own.name, events: own.report.events, summarize: own.report.summarize },
  };
}
