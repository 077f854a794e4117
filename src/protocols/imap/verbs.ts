/**
 * What each IMAP command verb does, in one table: what its command line sets up (`sent`),
 * what its tagged completion changes (`completed`) and what it still reports when no
 * completion ever comes (`unanswered`). The dissector looks a verb up here instead of
 * switching on it in three places, so adding a verb is one entry.
 */
import type { Position } from '../../dissect/contract.js';
import { SaslExchange } from '../../dissect/sasl.js';
import type { AppendedMessage } from './events.js';
import type { MailHandler } from './mail.js';
import { flagList, mailboxName, parseIdParams, textOf, type ImapValue, type ResponseLine } from './parser.js';
import type { LogicalLine } from './reader.js';
import type { SessionState } from './session.js';

/** A tagged command waiting for its completion. */
export interface Pending {
  tag: string;
  command: string;
  uid: boolean;
  arg: string;
  at: Position;
  /** All of the command (literals included) has arrived. */
  sent: boolean;
  literals: number[];
  untagged: number;
  sasl?: SaslExchange;
  saslSteps: number;
  login?: { user: string; secret: string };
  mailbox?: string | null;
  store?: { set: string; operation: string; flags: string[]; silent: boolean };
  copy?: { set: string; destination: string | null; move: boolean };
  appended?: AppendedMessage[];
  idle?: { done: boolean };
  searchHits?: number;
}

/** What a verb's handlers may touch of the connection. */
export interface VerbHost {
  readonly session: SessionState;
  readonly mail: MailHandler;
  /** The frame being dissected. */
  readonly frame: number;
  /** Where the dissector is now (frame and time). */
  here(): Position;
  /** Client lines are SASL responses until `p` completes. */
  authenticating(p: Pending): void;
  /** Client lines wait for DONE until `p` completes. */
  idling(p: Pending): void;
  /** `at`: the frame that carried the secret (the LOGIN command, the SASL response), not the reply's. */
  credentials(user: string, secret: string, mechanism: string, success: boolean | null, at: Position): void;
  /** The server accepted STARTTLS: the next client bytes decide whether TLS starts. */
  startTls(): void;
  /** The server accepted COMPRESS: the rest of the connection is deflated. */
  compressed(): void;
}

interface Verb {
  /** The whole command line (literals included) has arrived; `args` follow the verb. */
  sent?(host: VerbHost, p: Pending, args: ImapValue[], line: LogicalLine): void;
  /** Its tagged completion `r` came (`ok`: status OK). */
  completed?(host: VerbHost, p: Pending, r: ResponseLine, ok: boolean): void;
  /** The connection ended with no completion. */
  unanswered?(host: VerbHost, p: Pending): void;
}

/** Commands whose first argument names the mailbox they act on. */
const onMailbox: Verb = {
  sent: (_h, p, args) => {
    p.mailbox = mailboxName(args[0]);
  },
};

const select: Verb = {
  sent: (h, p, args) => {
    p.mailbox = mailboxName(args[0]);
    h.session.beginSelect(p.mailbox ?? '', p.command === 'EXAMINE', p.at.frame);
  },
  completed: (h, _p, r) => h.session.endSelect(r.status ?? '', r.code),
};

const unselect: Verb = {
  completed: (h, _p, _r, ok) => {
    if (ok) h.session.deselect();
  },
};

const copy: Verb = {
  sent: (_h, p, args) => {
    p.copy = { set: textOf(args[0]) ?? '', destination: mailboxName(args[1]), move: p.command === 'MOVE' };
  },
  completed: (h, p, r) => {
    if (!p.copy) return;
    const s = h.session;
    s.copied.push({ mailbox: s.selected?.mailbox ?? null, set: p.copy.set, uid: p.uid, destination: p.copy.destination, move: p.copy.move, status: r.status, copyuid: r.code === 'COPYUID' ? r.code_data : undefined });
  },
};

const VERBS: ReadonlyMap<string, Verb> = new Map<string, Verb>([
  [
    'LOGIN',
    {
      sent: (_h, p, args) => {
        const user = textOf(args[0]);
        if (user !== null) p.login = { user, secret: textOf(args[1]) ?? '' };
      },
      completed: (h, p, _r, ok) => {
        if (p.login) h.credentials(p.login.user, p.login.secret, 'login', ok, p.at);
        else if (!ok) h.session.failedLogins.push({ user: null, mechanism: 'login', frame: h.frame });
      },
      // Credentials of a login that never got its completion are still worth reporting.
      unanswered: (h, p) => {
        if (p.login) h.credentials(p.login.user, p.login.secret, 'login', null, p.at);
      },
    },
  ],
  [
    'AUTHENTICATE',
    {
      sent: (h, p, args) => {
        p.sasl = new SaslExchange(textOf(args[0]) ?? '', textOf(args[1]), h.here());
        h.authenticating(p);
      },
      completed: (h, p, _r, ok) => {
        const s = h.session;
        const cred = p.sasl?.credentials();
        if (cred) h.credentials(cred.user, cred.secret, cred.mechanism, ok, cred.at ?? p.at);
        else if (ok) {
          s.authenticated = true;
          s.mechanism = p.sasl?.mechanism.toLowerCase() ?? null;
        } else s.failedLogins.push({ user: null, mechanism: p.sasl?.mechanism.toLowerCase() ?? '', frame: h.frame });
      },
      unanswered: (h, p) => {
        const cred = p.sasl?.credentials();
        if (cred) h.credentials(cred.user, cred.secret, cred.mechanism, null, cred.at ?? p.at);
      },
    },
  ],
  ['SELECT', select],
  ['EXAMINE', select],
  ['CLOSE', unselect],
  ['UNSELECT', unselect],
  ['STATUS', onMailbox],
  ['CREATE', onMailbox],
  ['DELETE', onMailbox],
  ['SUBSCRIBE', onMailbox],
  ['UNSUBSCRIBE', onMailbox],
  [
    'STORE',
    {
      sent: (_h, p, args) => {
        const op = (textOf(args[1]) ?? '').toUpperCase();
        p.store = { set: textOf(args[0]) ?? '', operation: op.replace(/\.SILENT$/, ''), flags: flagList(args[args.length - 1]), silent: op.endsWith('.SILENT') };
      },
      completed: (h, p, r, ok) => {
        if (!p.store) return;
        const s = h.session;
        const entry = { mailbox: s.selected?.mailbox ?? null, set: p.store.set, uid: p.uid, operation: p.store.operation, flags: p.store.flags, silent: p.store.silent, status: r.status };
        s.flagsChanged.push(entry);
        if (ok && p.store.operation !== '-FLAGS' && p.store.flags.some((f) => f.toLowerCase() === '\\deleted')) {
          s.deleted.push({ mailbox: entry.mailbox, set: p.store.set, uid: p.uid });
        }
      },
    },
  ],
  ['COPY', copy],
  ['MOVE', copy],
  [
    'APPEND',
    {
      sent: (h, p, args, line) => {
        p.mailbox = mailboxName(args[0]);
        p.appended = h.mail.appended(p.mailbox, args.slice(1), line.literals);
      },
      completed: (h, p, r) => h.mail.appendCompleted(p.appended ?? [], r),
    },
  ],
  [
    'IDLE',
    {
      sent: (h, p) => {
        p.idle = { done: false };
        h.idling(p);
      },
    },
  ],
  [
    'ID',
    {
      sent: (h, _p, args) => {
        const id = parseIdParams(args[0]);
        if (id) h.session.clientId = id;
      },
    },
  ],
  [
    'STARTTLS',
    {
      completed: (h, _p, _r, ok) => {
        if (ok) h.startTls();
      },
    },
  ],
  [
    'COMPRESS',
    {
      completed: (h, _p, _r, ok) => {
        if (ok) h.compressed();
      },
    },
  ],
]);

const NONE: Verb = {};

/** The handlers of `command` (an upper-case verb); none for verbs with no effect here. */
export function verbOf(command: string): Verb {
  return VERBS.get(command) ?? NONE;
}
