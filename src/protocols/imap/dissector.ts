/**
 * One IMAP connection (RFC 3501 / RFC 9051). Tagged commands are paired with their tagged
 * completion through a map by tag (clients may pipeline, §5.5); untagged data updates the
 * session (mailbox counts, FETCH data, EXPUNGE renumbering); continuation requests answer
 * synchronizing literals, AUTHENTICATE challenges or IDLE. Literals ride the shared line
 * framer's raw mode in both directions (ImapReader). FETCH bodies and APPEND uploads are
 * parsed as messages and offered for export; LOGIN and AUTHENTICATE give credentials;
 * after a successful STARTTLS (or COMPRESS) the rest of the connection is not parsed.
 */
import type { DissectorContext, Position } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { ContinuationPurpose, ImapResponseFields, ImapTransactionFields } from './events.js';
import { StarttlsDissector } from '../tls/handoff.js';
import { MailHandler } from './mail.js';
import { isStatus, parseCommandLine, parseResponseLine, tokenize, type ImapValue, type ResponseLine } from './parser.js';
import { ImapReader, type LogicalLine } from './reader.js';
import { SessionState } from './session.js';
import { responseCode, untaggedData } from './untagged.js';
import { verbOf, type Pending, type VerbHost } from './verbs.js';

type ClientLineKind = 'command' | 'sasl' | 'done' | 'other';

export class ImapDissector extends StarttlsDissector {
  protected readonly framers: Record<Direction, ImapReader>;
  private readonly pending = new Map<string, Pending>();
  private readonly session: SessionState;
  private readonly mail: MailHandler;
  /** What the client's logical line in progress is, decided at its first line. */
  private clientKind: ClientLineKind = 'other';
  private clientCommand: Pending | null = null;
  /** COMPRESS=DEFLATE took effect: the rest is not read (as after STARTTLS). */
  private compressed = false;
  /** Commands that change how client lines are read until their completion. */
  private authenticating: Pending | null = null;
  private idling: Pending | null = null;
  /** FETCH commands waiting: their untagged FETCH data creates message records. */
  private fetchesPending = 0;
  private greeted = false;
  /** What the verb table (verbs.ts) may touch of this connection. */
  private readonly host: VerbHost;

  constructor(ctx: DissectorContext) {
    super(ctx, 'imap.starttls_plaintext', 'STARTTLS');
    const cap = Math.max(64, ctx.limits.max_pending_transactions * 16);
    this.session = new SessionState(cap, (what) =>
      ctx.anomaly('imap.session_limit', null, `more than ${cap} ${what} in one session; later ones are counted, not listed`),
    );
    this.mail = new MailHandler(ctx, this.session);
    // The frame comes from a class's getter (FrameHost): V8 builds an object literal that has
    // a getter in its runtime, some 4-7 µs per connection against 0.1-0.4 for a plain one.
    this.host = new FrameHost(ctx, {
      session: this.session,
      mail: this.mail,
      here: () => this.here(),
      authenticating: (p) => {
        this.authenticating = p;
      },
      idling: (p) => {
        this.idling = p;
      },
      credentials: (user, secret, mechanism, success, at) => this.credentials(user, secret, mechanism, success, at),
      startTls: () => this.acceptUpgrade(),
      compressed: () => this.compress(),
    });
    this.framers = {
      c2s: new ImapReader(
        {
          begin: (first) => this.clientBegin(first),
          complete: (line) => this.clientComplete(line),
          anomaly: (code, detail) => ctx.anomaly(code, 'c2s', detail),
        },
        ctx.limits,
      ),
      s2c: new ImapReader(
        {
          begin: () => undefined,
          complete: (line) => this.serverComplete(line),
          anomaly: (code, detail) => ctx.anomaly(code, 's2c', detail),
        },
        ctx.limits,
      ),
    };
    ctx.setService('imap');
  }

  protected override reading(): boolean {
    return !this.encrypted && !this.compressed;
  }

  protected finish(): void {
    if (this.reading()) {
      this.framers.c2s.flush();
      this.framers.s2c.flush();
    }
    const unanswered: string[] = [];
    for (const p of this.pending.values()) {
      unanswered.push(p.command);
      this.finishTransaction(p, null, null);
    }
    this.pending.clear();
    this.mail.flush();
    const s = this.session;
    this.ctx.emit('imap.session', null, s.record(unanswered));
    const what = [
      s.user ? `${s.user}` : null,
      s.mailboxes.total ? `${s.mailboxes.total} selected` : null,
      s.messages.total ? `${s.messages.total} fetched` : null,
      s.appended.total ? `${s.appended.total} appended` : null,
      s.tls ? 'STARTTLS' : null,
    ].filter((x) => x !== null);
    this.ctx.setSummary(what.length ? what.join(', ') : 'IMAP');
  }

  private here(): Position {
    return { frame: this.ctx.frame, ts: this.ctx.ts };
  }

  // ---- client ----

  private clientBegin(first: string): void {
    this.clientCommand = null;
    const auth = this.activeAuthenticate();
    if (auth) {
      this.clientKind = 'sasl';
      this.clientCommand = auth;
      return;
    }
    const idle = this.activeIdle();
    if (idle && first.trim().toUpperCase() === 'DONE') {
      this.clientKind = 'done';
      this.clientCommand = idle;
      return;
    }
    const cmd = parseCommandLine(first);
    if (!cmd) {
      this.clientKind = 'other';
      return;
    }
    this.clientKind = 'command';
    // Every member set here, in one order: a spread first, then members added later, made
    // each command cost microseconds and every pending command a shape of its own.
    const p: Pending = {
      tag: cmd.tag,
      command: cmd.command,
      uid: cmd.uid,
      arg: cmd.arg,
      at: this.here(),
      sent: false,
      literals: [],
      untagged: 0,
      sasl: undefined,
      saslSteps: 0,
      login: undefined,
      mailbox: undefined,
      store: undefined,
      copy: undefined,
      appended: undefined,
      idle: undefined,
      searchHits: undefined,
    };
    const old = this.pending.get(cmd.tag);
    if (old) {
      this.ctx.anomaly('imap.duplicate_tag', 'c2s', `tag ${cmd.tag} reused while ${old.command} still waits`);
      this.pending.delete(cmd.tag);
      this.finishTransaction(old, null, null);
    }
    if (this.pending.size >= this.ctx.limits.max_pending_transactions) {
      const [oldestTag, oldest] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(oldestTag);
      this.ctx.anomaly('imap.pending_limit', 'c2s', `${oldest.tag} ${oldest.command} never completed; dropped`);
      this.finishTransaction(oldest, null, null);
    }
    this.pending.set(cmd.tag, p);
    if (p.command === 'FETCH') this.fetchesPending++;
    this.clientCommand = p;
    this.session.commands++;
  }

  /** An AUTHENTICATE whose command line is sent and whose completion has not come. */
  private activeAuthenticate(): Pending | null {
    return this.authenticating;
  }

  /** An IDLE that is sent, not yet ended by DONE, and not completed. */
  private activeIdle(): Pending | null {
    return this.idling && !this.idling.idle?.done ? this.idling : null;
  }

  private clientComplete(line: LogicalLine): void {
    const text = line.segments.join('');
    const kind = this.clientKind;
    const p = this.clientCommand;
    this.clientKind = 'other';
    this.clientCommand = null;
    if (kind === 'sasl' && p?.sasl) {
      p.sasl.response(text, this.here());
      p.saslSteps++;
      return;
    }
    if (kind === 'done' && p?.idle) {
      p.idle.done = true;
      this.ctx.emit('imap.done', 'c2s', { tag: p.tag });
      return;
    }
    if (kind !== 'command' || !p) {
      if (text.trim() === '' && !line.truncated) return;
      this.ctx.anomaly('imap.bad_line', 'c2s', `not a tagged command: ${text.slice(0, 80)}`);
      return;
    }
    const full = parseCommandLine(text);
    if (full) p.arg = full.arg;
    p.literals = line.literals.map((l) => l.size);
    p.sent = true;
    this.ctx.emit('imap.command', 'c2s', {
      tag: p.tag,
      command: p.command,
      uid: p.uid || undefined,
      arg: p.arg,
      literals: p.literals.length ? p.literals : undefined,
      truncated: line.truncated || undefined,
    });
    const args = valuesFrom(line, text.length - (full?.arg.length ?? 0));
    verbOf(p.command).sent?.(this.host, p, args, line);
  }

  // ---- server ----

  private serverComplete(line: LogicalLine): void {
    const text = line.segments.join('');
    const r = parseResponseLine(text);
    if (!r) {
      if (text.trim() === '' && !line.truncated) return;
      this.ctx.anomaly('imap.bad_line', 's2c', `not an IMAP response: ${text.slice(0, 80)}`);
      return;
    }
    if (r.tag === '+') return this.continuation(r);
    if (r.tag === '*') return this.untagged(r, text, line);
    this.tagged(r);
  }

  private continuation(r: ResponseLine): void {
    let purpose: ContinuationPurpose | null = null;
    if (this.framers.c2s.awaitingSyncLiteral) purpose = 'literal';
    else {
      const auth = this.activeAuthenticate();
      if (auth) {
        purpose = 'authenticate';
        auth.sasl?.challenge();
      } else if (this.activeIdle()) purpose = 'idle';
    }
    this.ctx.emit('imap.response', 's2c', { tag: '+', status: null, text: r.text, purpose });
    if (purpose === null) this.ctx.anomaly('imap.unexpected_continuation', 's2c', `"+ ${r.text.slice(0, 60)}" with nothing waiting for it`);
  }

  /** A response's fields; `command` (what a tagged response completes) is in every one, so all have one shape. */
  private responseFields(r: ResponseLine, command?: string): ImapResponseFields {
    return {
      tag: r.tag,
      status: r.status,
      number: r.number ?? undefined,
      code: r.code ?? undefined,
      code_data: r.code_data ?? undefined,
      text: r.text,
      command,
    };
  }

  private untagged(r: ResponseLine, text: string, line: LogicalLine): void {
    this.ctx.emit('imap.response', 's2c', this.responseFields(r));
    const s = this.session;
    const oldest = this.pending.values().next().value as Pending | undefined;
    if (oldest) oldest.untagged++;
    if (!this.greeted) {
      this.greeted = true;
      if (r.status === 'OK' || r.status === 'PREAUTH' || r.status === 'BYE') s.greeting = r.text;
      if (r.status === 'PREAUTH') {
        s.preauth = true;
        s.authenticated = true;
      }
    }
    if (isStatus(r.status)) {
      responseCode(s, r);
      if (r.status === 'BYE') s.bye = r.text;
      return;
    }
    // Data responses: their values are the response's text, a suffix of the logical line.
    const values = valuesFrom(line, text.length - r.text.length);
    const itemsRead = this.ctx.summaryOnly !== true || this.ctx.wants_objects;
    untaggedData({ session: s, mail: this.mail, frame: this.ctx.frame, oldest, fetching: this.fetchesPending > 0, itemsRead }, r, values, line);
  }

  private tagged(r: ResponseLine): void {
    const p = this.pending.get(r.tag);
    this.ctx.emit('imap.response', 's2c', this.responseFields(r, p?.command));
    if (!isStatus(r.status) || r.status === 'PREAUTH' || r.status === 'BYE') {
      this.ctx.anomaly('imap.bad_line', 's2c', `tagged response ${r.tag} with status ${r.status ?? ''}`);
      return;
    }
    if (!p) {
      this.ctx.anomaly('imap.unknown_tag', 's2c', `${r.tag} ${r.status} answers no command waiting`);
      return;
    }
    // A refused synchronizing literal is never sent: the client's line ends where it is.
    if (this.clientCommand === p && this.framers.c2s.awaitingSyncLiteral) this.framers.c2s.cancelSyncLiteral();
    this.pending.delete(r.tag);
    this.completed(p, r);
    this.finishTransaction(p, r, this.here());
  }

  /** The effects of a completed command. */
  private completed(p: Pending, r: ResponseLine): void {
    if (r.code) responseCode(this.session, r);
    verbOf(p.command).completed?.(this.host, p, r, r.status === 'OK');
  }

  protected saidEncrypted(): void {
    this.session.tls = true;
    this.ctx.emit('imap.encrypted', null, { mechanism: 'STARTTLS' });
  }

  private compress(): void {
    this.compressed = true;
    this.session.compressed = true;
    this.ctx.emit('imap.compressed', null, { mechanism: 'DEFLATE' });
  }

  /** `at`: the frame that carried the secret (the LOGIN command, the SASL response), not the reply's. */
  private credentials(user: string, secret: string, mechanism: string, success: boolean | null, at: Position): void {
    const s = this.session;
    this.ctx.emit('credentials', 'c2s', { protocol: 'imap', user, secret, mechanism, success }, at);
    if (success) {
      s.user = user;
      s.mechanism = mechanism;
      s.authenticated = true;
    } else if (success === false) s.failedLogins.push({ user, mechanism, frame: this.ctx.frame });
    else s.user ??= user;
  }

  /** The `imap.transaction` record; `r` is null when the command never completed. */
  private finishTransaction(p: Pending, r: ResponseLine | null, end: Position | null): void {
    if (p.command === 'FETCH') this.fetchesPending--;
    if (this.authenticating === p) this.authenticating = null;
    if (this.idling === p) this.idling = null;
    if (!r) verbOf(p.command).unanswered?.(this.host, p);
    const fields: ImapTransactionFields = {
      tag: p.tag,
      command: p.command,
      uid: p.uid || undefined,
      arg: p.arg,
      status: r?.status ?? null,
      code: r?.code ?? undefined,
      code_data: r?.code_data ?? undefined,
      text: r?.text ?? null,
      frames: [p.at.frame, end?.frame ?? null],
      duration: end ? Math.round(end.ts.since(p.at.ts) * 1e9) / 1e9 : null,
      untagged: p.untagged,
      mailbox: p.mailbox ?? p.copy?.destination ?? undefined,
      search_results: p.searchHits,
      sasl_mechanism: p.sasl?.mechanism,
      sasl_responses: p.sasl ? p.saslSteps : undefined,
      idle_done: p.idle ? p.idle.done : undefined,
      incomplete: r ? undefined : true,
    };
    this.ctx.emit('imap.transaction', null, fields, end ?? undefined);
  }
}

/** A VerbHost whose `frame` is the context's current frame. */
class FrameHost implements VerbHost {
  readonly session: SessionState;
  readonly mail: MailHandler;
  constructor(
    private readonly ctx: DissectorContext,
    private readonly rest: Omit<VerbHost, 'frame'>,
  ) {
    this.session = rest.session;
    this.mail = rest.mail;
  }

  get frame(): number {
    return this.ctx.frame;
  }

  here(): Position {
    return this.rest.here();
  }

  authenticating(p: Pending): void {
    this.rest.authenticating(p);
  }

  idling(p: Pending): void {
    this.rest.idling(p);
  }

  credentials(user: string, secret: string, mechanism: string, success: boolean | null, at: Position): void {
    this.rest.credentials(user, secret, mechanism, success, at);
  }

  startTls(): void {
    this.rest.startTls();
  }

  compressed(): void {
    this.rest.compressed();
  }
}

/** The values of a logical line from character `offset` of its text on (after tag and keyword). */
function valuesFrom(line: LogicalLine, offset: number): ImapValue[] {
  const segs = line.segments;
  let skip = Math.max(0, offset);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (skip <= s.length) {
      return tokenize([s.slice(skip), ...segs.slice(i + 1)], line.literals.slice(i).map((l) => l.data)).values;
    }
    skip -= s.length;
  }
  return [];
}
