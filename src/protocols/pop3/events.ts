/** POP3 event fields (RFC 1939, 2449 CAPA, 2595 STLS, 5034 AUTH) and anomaly codes. */
import { declareEvent } from '../../events/declared.js';
import { mailAnomalies, type MailFields } from '../../dissect/mail-message.js';

export const POP3_ANOMALIES = {
  'pop3.unexpected_reply': 'a server line arrived with no command waiting for it, or is neither +OK nor -ERR',
  'pop3.starttls_plaintext': 'the server accepted STLS but the client\'s next bytes were not a TLS record; the session is dissected on in clear',
  'pop3.line_too_long': 'a command or status line was longer than max_line; it was cut',
  'pop3.pending_limit': 'more commands waited for replies than max_pending_transactions; the oldest was dropped',
  'pop3.message_limit': 'a retrieved message was longer than max_object; only its first bytes were kept and parsed',
  'pop3.unterminated_block': 'a multi-line listing had no terminating "." before the reply to the next command',
  'pop3.data_gap': 'bytes of a multi-line response were never seen; it is incomplete',
  ...mailAnomalies('pop3'),
} as const;

/** `pop3.command` (c2s): a command line; a SASL exchange's lines are marked. */
export interface Pop3CommandFields {
  command: string;
  arg: string;
  sasl_response?: true;
  /** The line was longer than max_line and was cut. */
  truncated?: true;
}

/** `pop3.reply` (s2c): a status line. */
export interface Pop3ReplyFields {
  status: '+OK' | '-ERR';
  msg: string;
}

/** A message the session retrieved or listed the top of, as `pop3.session` lists it. */
export interface Pop3SessionMessage {
  number: number | null;
  subject: string | null;
  from: string | null;
  date: string | null;
  msg_id: string | null;
  size: number;
}

/** `pop3.session`: one per connection, at its end. */
export interface Pop3SessionFields {
  user: string | null;
  tls: boolean;
  commands: number;
  listed: number[];
  retrieved: number[];
  deleted: number[];
  messages: Pop3SessionMessage[];
  /** Commands still waiting for a reply when the connection ended. */
  unanswered: string[];
}

/** `pop3.message` (s2c): a message retrieved with RETR or TOP, parsed. */
export interface Pop3MessageFields extends MailFields {
  command: string;
  number: number | null;
  user: string | null;
  headers_only: true | undefined;
  incomplete: true | undefined;
}

/**
 * `pop3.encrypted`: STLS succeeded, or a gap hid what followed the +OK; the rest of the
 * connection is not parsed (`StarttlsDissector`, tls/handoff.ts).
 */
export interface Pop3EncryptedFields {
  mechanism: 'STLS';
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'pop3.command': Pop3CommandFields;
    'pop3.reply': Pop3ReplyFields;
    'pop3.session': Pop3SessionFields;
    'pop3.message': Pop3MessageFields;
    'pop3.encrypted': Pop3EncryptedFields;
  }
  interface AnomalyCatalogue {
    pop3: typeof POP3_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
export const POP3_REPLY = declareEvent('pop3.reply', ['status', 'msg']);
export const POP3_COMMAND = declareEvent('pop3.command', ['command', 'arg', 'truncated', 'sasl_response']);

/* Issue 18, seventh round (text): in the order of their one emitter's literal (dissector.ts). */
export const POP3_SESSION = declareEvent('pop3.session', ['user', 'tls', 'commands', 'listed', 'retrieved', 'deleted', 'messages', 'unanswered']);
export const POP3_MESSAGE = declareEvent('pop3.message', [
  'command', 'number', 'user', 'from', 'to', 'cc', 'reply_to', 'subject', 'date', 'msg_id', 'in_reply_to', 'content_type', 'size', 'parts',
  'attachments', 'headers_only', 'incomplete',
]);
