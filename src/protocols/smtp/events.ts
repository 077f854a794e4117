/** SMTP event fields (RFC 5321, 3030 BDAT, 2920 PIPELINING, 3207 STARTTLS, 4954 AUTH) and anomaly codes. */
import { mailAnomalies } from '../../dissect/mail-message.js';

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
