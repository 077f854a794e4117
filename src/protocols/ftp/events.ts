/** FTP event fields (RFC 959, 2428, 3659, 4217) and anomaly codes. */
import type { JsonValue } from '../../events/json.js';

export const FTP_ANOMALIES = {
  'ftp.bad_reply_code': 'a reply line starts with digits that are not a reply code (first digit 1-5, three digits)',
  'ftp.missing_reply_code': 'a server line that should start a reply has no reply code',
  'ftp.unexpected_reply': 'a reply arrived with no command waiting for it',
  'ftp.bad_port': 'a PORT/EPRT argument or a 227/229 reply could not be parsed as an address and port',
  'ftp.pending_limit': 'more commands waited for replies than max_pending_transactions; the oldest was dropped',
  'ftp.object_limit': 'a transferred file was longer than max_object; only its first bytes were kept for export',
  'ftp.data_gap': 'bytes of a data transfer were never seen; the transfer is incomplete',
  'ftp.starttls_plaintext': 'the server accepted AUTH TLS or AUTH SSL (234) but the client\'s next bytes were not a TLS record; the session is dissected on in clear',
  'ftp.line_too_long': 'a command or reply line was longer than max_line; it was cut',
  'ftp.unterminated_reply': 'a multi-line reply was still open when the connection ended',
} as const;

export type FtpDirection = 'download' | 'upload' | 'listing';

export interface FtpCommandFields {
  command: string;
  arg: string;
}

export interface FtpReplyFields {
  code: number;
  msg: string;
  multiline: boolean;
}

export interface FtpTransferFields {
  command: string;
  file: string | null;
  direction: FtpDirection;
  mode: 'active' | 'passive';
  data_flow: number | null;
  bytes: number;
  missed_bytes: number;
  duration: number;
  throughput_bps: number | null;
  complete: boolean;
  reply_code: number | null;
  nat: boolean;
  [k: string]: JsonValue | undefined;
}
