/**
 * IMAP event fields (RFC 3501 / RFC 9051, RFC 7888 LITERAL+, RFC 2177 IDLE, RFC 4959 SASL-IR)
 * and anomaly codes.
 *
 * Events:
 * - `imap.command` (c2s) {tag, command, uid, arg, literals}: a tagged command, emitted once
 *   all its literals have arrived. `command` is upper-case; `UID FETCH` is `FETCH` with
 *   `uid: true`, as tshark splits it. `arg` is the text as sent, each literal left as its
 *   `{n}` marker (the literal bytes are not repeated there).
 * - `imap.response` (s2c) {tag, status, number, code, code_data, text, command?, purpose?}:
 *   `tag` is `*` (untagged), `+` (continuation request) or the command's tag; `status` is
 *   OK/NO/BAD/PREAUTH/BYE, for untagged data the keyword (`* 3 EXISTS` gives EXISTS with
 *   `number: 3`), null for `+`. Continuations say what they answer in `purpose`
 *   (`literal`, `authenticate`, `idle`).
 * - `imap.done` (c2s) {tag}: the `DONE` that ends IDLE (not a tagged command).
 * - `imap.transaction` {tag, command, uid, arg, status, code, text, frames, duration, untagged}:
 *   one per tagged command, at its completion (or at close with `incomplete: true`).
 * - `imap.message` {source: fetch|append, mailbox, seq, uid, section, ...mail fields}: a
 *   whole message parsed from a FETCH literal (BODY[], RFC822, or a header and text fetched
 *   one after the other) or an APPEND upload.
 * - `imap.encrypted` {mechanism}: STARTTLS succeeded (or a gap hid what followed the OK); the rest of the connection is not parsed.
 * - `imap.compressed` {mechanism}: COMPRESS=DEFLATE (RFC 4978) succeeded; likewise not parsed further.
 * - `imap.session` at close; `credentials` for LOGIN and AUTHENTICATE.
 */
import { declareEvent } from '../../events/declared.js';
import { mailAnomalies, type MailFields } from '../../dissect/mail-message.js';

export const IMAP_ANOMALIES = {
  'imap.bad_line': 'a line is neither a tagged command (client) nor a tagged, untagged or continuation response (server)',
  'imap.bad_literal': 'a literal size is too large to be a byte count; the line was read as text',
  'imap.literal_limit': 'a literal was longer than max_imap_literal; the rest of it was skipped by its announced length',
  'imap.unknown_tag': 'a tagged completion names no command waiting for one',
  'imap.duplicate_tag': 'a command reused the tag of a command still waiting; the older one is closed incomplete',
  'imap.unexpected_continuation': 'a continuation request (+) came with no literal, AUTHENTICATE or IDLE waiting for one',
  'imap.pending_limit': 'more commands waited for completion than max_pending_transactions; the oldest was closed incomplete',
  'imap.starttls_plaintext': 'the server accepted STARTTLS but the client\'s next bytes were not a TLS record; the session is dissected on in clear',
  'imap.line_too_long': 'a line (or a logical line with literals) was longer than max_line; it was cut',
  'imap.data_gap': 'bytes of a literal or of a line with literals were never seen; what they belonged to is incomplete',
  'imap.message_limit': 'a message was longer than what was kept (max_object / max_imap_literal); only its first bytes were parsed',
  'imap.session_limit': 'a session listed more messages or mailboxes than wirelens keeps; later ones were counted, not listed',
  ...mailAnomalies('imap'),
} as const;

export type ImapAnomaly = keyof typeof IMAP_ANOMALIES;

/** What a continuation request (`+`) answers. */
export type ContinuationPurpose = 'literal' | 'authenticate' | 'idle';

/** One mailbox opened with SELECT or EXAMINE, as the session record lists it. */
export interface SelectedMailbox {
  mailbox: string;
  read_only: boolean;
  status: string | null;
  exists: number | null;
  recent: number | null;
  unseen: number | null;
  uidvalidity: number | null;
  uidnext: number | null;
  flags: string[];
  frame: number;
}

/** A message the session fetched data of (ENVELOPE, sizes, flags, body sections). */
export interface FetchedMessage {
  mailbox: string | null;
  seq: number | null;
  uid: number | null;
  flags: string[] | null;
  size: number | null;
  internaldate: string | null;
  from: string | null;
  to: string[];
  subject: string | null;
  date: string | null;
  message_id: string | null;
  attachments: Array<{ name: string; content_type: string; size: number | null }>;
  /** Body sections fetched, with the bytes each carried (`""` is the whole message). */
  sections: Array<{ section: string; size: number }>;
  frame: number;
}

/** `imap.command` (c2s): a tagged command, once all its literals have arrived. */
export interface ImapCommandFields {
  tag: string;
  command: string;
  uid: true | undefined;
  arg: string;
  /** Sizes of the literals the command carried. */
  literals: number[] | undefined;
  truncated: true | undefined;
}

/** `imap.response` (s2c): an untagged, tagged or continuation response line. */
export interface ImapResponseFields {
  tag: string;
  status: string | null;
  number?: number;
  code?: string;
  code_data?: string;
  text: string;
  /** Tagged completions: the command they complete. */
  command?: string;
  /** Continuation requests: what they answer. */
  purpose?: ContinuationPurpose | null;
}

/** `imap.done` (c2s): the `DONE` that ends IDLE. */
export interface ImapDoneFields {
  tag: string;
}

/** `imap.transaction`: one per tagged command, at its completion (or at close, incomplete). */
export interface ImapTransactionFields {
  tag: string;
  command: string;
  uid: true | undefined;
  arg: string;
  status: string | null;
  code: string | undefined;
  code_data: string | undefined;
  text: string | null;
  /** Frames of the command and of its completion (null when it never came). */
  frames: [number, number | null];
  duration: number | null;
  untagged: number;
  mailbox: string | undefined;
  search_results: number | undefined;
  sasl_mechanism: string | undefined;
  sasl_responses: number | undefined;
  idle_done: boolean | undefined;
  incomplete: true | undefined;
}

/** `imap.message`: a whole message parsed from a FETCH literal or an APPEND upload. */
export interface ImapMessageFields extends MailFields {
  source: 'fetch' | 'append';
  mailbox: string | null;
  seq: number | null;
  uid: number | null;
  section: string | null;
  user: string | null;
  incomplete: true | undefined;
}

/** A STORE that changed flags, as `imap.session` lists it. */
export interface ImapFlagChange {
  mailbox: string | null;
  set: string;
  uid: boolean;
  operation: string;
  flags: string[];
  silent: boolean;
  status: string | null;
}

/** A COPY or MOVE, as `imap.session` lists it. */
export interface ImapCopy {
  mailbox: string | null;
  set: string;
  uid: boolean;
  destination: string | null;
  move: boolean;
  status: string | null;
  copyuid: string | null | undefined;
}

/** An APPEND upload, as `imap.session` lists it. */
export interface AppendedMessage {
  mailbox: string | null;
  flags: string[];
  date: string | null;
  size: number;
  from: string | null;
  to: string[];
  subject: string | null;
  message_id: string | null;
  attachments: Array<{ name: string; content_type: string; size: number }>;
  status: string | null;
  uid: number | null;
  frame: number;
}

/** `imap.session`: one per connection, at its end. */
export interface ImapSessionFields {
  user: string | null;
  mechanism: string | null;
  authenticated: boolean;
  preauth: boolean;
  tls: boolean;
  compressed: true | undefined;
  greeting: string | null;
  capabilities: string[];
  enabled: string[] | undefined;
  client_id: Record<string, string> | undefined;
  server_id: Record<string, string> | undefined;
  commands: number;
  mailboxes: SelectedMailbox[];
  listed: Array<{ name: string; flags: string[]; delimiter: string | null }>;
  status: Array<{ mailbox: string; items: Record<string, number> }>;
  messages: FetchedMessage[];
  messages_total: number;
  flags_changed: ImapFlagChange[];
  deleted: Array<{ mailbox: string | null; set: string; uid: boolean }>;
  expunged: Array<{ mailbox: string | null; seq: number; uid: number | null }>;
  copied: ImapCopy[];
  appended: AppendedMessage[];
  failed_logins: Array<{ user: string | null; mechanism: string; frame: number }>;
  unanswered: string[];
  bye: string | null;
}

/** `imap.encrypted` / `imap.compressed`: the rest of the connection is not parsed. */
export interface ImapStopFields {
  mechanism: string;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'imap.command': ImapCommandFields;
    'imap.response': ImapResponseFields;
    'imap.done': ImapDoneFields;
    'imap.transaction': ImapTransactionFields;
    'imap.message': ImapMessageFields;
    'imap.session': ImapSessionFields;
    'imap.encrypted': ImapStopFields;
    'imap.compressed': ImapStopFields;
  }
  interface AnomalyCatalogue {
    imap: typeof IMAP_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
export const IMAP_RESPONSE = declareEvent('imap.response', ['tag', 'status', 'number', 'code', 'code_data', 'text', 'purpose', 'command']);
export const IMAP_COMMAND = declareEvent('imap.command', ['tag', 'command', 'uid', 'arg', 'literals', 'truncated']);
export const IMAP_TRANSACTION = declareEvent('imap.transaction', [
  'tag', 'command', 'uid', 'arg', 'status', 'code', 'code_data', 'text', 'frames', 'duration', 'untagged',
  'mailbox', 'search_results', 'sasl_mechanism', 'sasl_responses', 'idle_done', 'incomplete',
]);

/*
 * Issue 18, seventh round (text): in the order of their one emitter's literal (`imap.session`:
 * SessionState.record; `imap.message`: MailHandler.message).
 */
export const IMAP_SESSION = declareEvent('imap.session', [
  'user', 'mechanism', 'authenticated', 'preauth', 'tls', 'compressed', 'greeting', 'capabilities', 'enabled',
  'client_id', 'server_id', 'commands', 'mailboxes', 'listed', 'status', 'messages', 'messages_total',
  'flags_changed', 'deleted', 'expunged', 'copied', 'appended', 'failed_logins', 'unanswered', 'bye',
]);
export const IMAP_MESSAGE = declareEvent('imap.message', [
  'source', 'mailbox', 'seq', 'uid', 'section', 'user', 'from', 'to', 'cc', 'reply_to', 'subject', 'date', 'msg_id', 'in_reply_to', 'content_type', 'size', 'parts',
  'attachments', 'incomplete',
]);
