/** POP3 event fields (RFC 1939, 2449 CAPA, 2595 STLS, 5034 AUTH) and anomaly codes. */
import { mailAnomalies } from '../../dissect/mail-message.js';

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
