/** SMTP event fields (RFC 5321, 3030 BDAT, 2920 PIPELINING, 3207 STARTTLS, 4954 AUTH) and anomaly codes. */
import { declareEvent } from '../../events/declared.js';
import { mailAnomalies, type MailFields } from '../../dissect/mail-message.js';

export const SMTP_ANOMALIES = {
  'smtp.bad_reply_code': 'a server line is not a reply (no three-digit code 2xx-5xx)',
  'smtp.unexpected_reply': 'a reply arrived with no command waiting for it',
  'smtp.bad_bdat_size': 'a BDAT chunk size is missing, negative, not a number or beyond 2^53; the chunk could not be framed',
  'smtp.bdat_gap': 'bytes of a BDAT chunk were never seen; the message is incomplete',
  'smtp.data_gap': 'bytes of a DATA body were never seen; the message is incomplete',
  'smtp.starttls_plaintext': 'the server accepted STARTTLS but the client\'s next bytes were not a TLS record; the session is dissected on in clear',
  'smtp.line_too_long': 'a command or reply line was longer than max_line; it was cut',
  'smtp.message_limit': 'a message was longer than max_object; only its first bytes were kept and parsed',
  'smtp.pending_limit': 'more commands waited for replies than max_pending_transactions; the oldest was dropped',
  'smtp.data_without_recipients': 'message data was sent although no recipient had been accepted',
  ...mailAnomalies('smtp'),
} as const;

export interface SmtpEnvelopeMismatch {
  /** MAIL FROM is not among the From header's addresses. */
  from?: { envelope: string; header: string[] };
  /** Accepted recipients not named in To or Cc (Bcc, lists, forwarding). */
  rcpt_not_in_headers?: string[];
  /** To/Cc addresses that were not recipients of this transaction. */
  headers_not_in_rcpt?: string[];
}

/** `smtp.command` (c2s): a command line (SASL responses are not commands). */
export interface SmtpCommandFields {
  command: string;
  arg: string;
  /** The line was longer than max_line and was cut. */
  truncated?: true;
}

/** `smtp.reply` (s2c): a whole reply, its lines joined. */
export interface SmtpReplyFields {
  code: number;
  msg: string;
}

/** `smtp.session`: one per connection, at its end. */
export interface SmtpSessionFields {
  helo: string | null;
  capabilities: string[];
  auth_user: string | null;
  tls: boolean;
  commands: number;
  messages: number;
  /** Commands still waiting for a reply when the connection ended. */
  unanswered: string[];
}

/** `smtp.message` (c2s): one mail transaction, in the words of Zeek's smtp.log. */
export interface SmtpMessageFields extends MailFields {
  trans_depth: number;
  helo: string | null;
  mailfrom: string | null;
  rcptto: string[];
  rejected_rcptto: string[];
  x_originating_ip: string | null;
  first_received: string | null;
  second_received: string | null;
  last_reply: string | null;
  path: string[];
  user_agent: string | null;
  tls: boolean;
  is_webmail: boolean;
  fuids: string[];
  envelope_mismatch: SmtpEnvelopeMismatch | null;
  bdat: boolean;
  missed_bytes: number;
  incomplete: true | undefined;
}

/**
 * `smtp.encrypted`: STARTTLS succeeded, or a gap hid what followed the 220; the rest of the
 * connection is not parsed (`StarttlsDissector`, tls/handoff.ts).
 */
export interface SmtpEncryptedFields {
  mechanism: 'STARTTLS';
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'smtp.command': SmtpCommandFields;
    'smtp.reply': SmtpReplyFields;
    'smtp.session': SmtpSessionFields;
    'smtp.message': SmtpMessageFields;
    'smtp.encrypted': SmtpEncryptedFields;
  }
  interface AnomalyCatalogue {
    smtp: typeof SMTP_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
export const SMTP_REPLY = declareEvent('smtp.reply', ['code', 'msg']);
export const SMTP_COMMAND = declareEvent('smtp.command', ['command', 'arg', 'truncated']);

/*
 * Issue 18, seventh round (text): in the order of their one emitter's literal (dissector.ts;
 * the message's mail fields come from mailFields, whose `size` the literal sets again in place).
 */
export const SMTP_SESSION = declareEvent('smtp.session', ['helo', 'capabilities', 'auth_user', 'tls', 'commands', 'messages', 'unanswered']);
export const SMTP_MESSAGE = declareEvent('smtp.message', [
  'trans_depth', 'helo', 'mailfrom', 'rcptto', 'rejected_rcptto', 'from', 'to', 'cc', 'reply_to', 'subject', 'date', 'msg_id', 'in_reply_to', 'content_type', 'size', 'parts',
  'attachments',
  'x_originating_ip', 'first_received', 'second_received', 'last_reply', 'path', 'user_agent', 'tls', 'is_webmail',
  'fuids', 'envelope_mismatch', 'bdat', 'missed_bytes', 'incomplete',
]);
