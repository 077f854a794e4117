/** FTP event fields (RFC 959, 2428, 3659, 4217) and anomaly codes. */
import { declareEvent } from '../../events/declared.js';

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

/** `ftp.command` (c2s): a command line. */
export interface FtpCommandFields {
  command: string;
  arg: string;
  /** The line was longer than max_line and was cut. */
  truncated?: true;
}

/** `ftp.reply` (s2c): a whole reply; a multi-line reply's lines are joined with `\n`. */
export interface FtpReplyFields {
  code: number;
  msg: string;
  multiline: boolean;
}

/** Zeek's `data_channel` record, on the PORT/EPRT/PASV/EPSV transaction that set it up. */
export interface FtpDataChannel {
  passive: boolean;
  orig_h: string;
  resp_h: string;
  resp_p: number;
}

/** `ftp.transaction`: a command with its final reply, in the words of Zeek's ftp.log. */
export interface FtpTransactionFields {
  user: string | null;
  password: string | null;
  command: string;
  arg: string;
  cwd: string | null;
  file_size: number | null;
  reply_code: number | null;
  reply_msg: string | null;
  /** Preliminary (1xx) reply codes before the final one. */
  preliminary: number[] | undefined;
  data_channel: FtpDataChannel | null;
  /** The data flow's id (Zeek's fuid names the file; here the flow that carried it). */
  fuid: number | null;
  incomplete: true | undefined;
}

/** `ftp.transfer`: one file or listing over a data connection, linked to its command. */
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
  /** The advertised address is not the control connection's server (NAT, or FXP). */
  nat: boolean;
  data_type: string | null;
  rest: number | null;
  advertised_h: string;
  advertised_p: number;
  incomplete: true | undefined;
  /**
   * The data connection was protected (PROT P, RFC 4217 §9): its own TLS session, whose
   * bytes `bytes` counts; they are not the file, so nothing is exported.
   */
  data_tls: true | undefined;
}

/** `ftp.session`: one per control connection, at its end. */
export interface FtpSessionFields {
  user: string | null;
  anonymous: boolean;
  logged_in: boolean;
  failed_logins: number;
  cwd: string | null;
  cwd_history: string[];
  data_type: string | null;
  mode: string | null;
  stru: string | null;
  tls: boolean;
  commands: number;
  transfers: number;
}

/**
 * `ftp.encrypted`: AUTH TLS (or SSL) succeeded, or a gap hid what followed the 234; the rest
 * of the control connection is not parsed (`StarttlsDissector`, tls/handoff.ts).
 */
export interface FtpEncryptedFields {
  /** The command as sent: `AUTH TLS`, `AUTH SSL`, `AUTH TLS-C`. */
  mechanism: string;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'ftp.command': FtpCommandFields;
    'ftp.reply': FtpReplyFields;
    'ftp.transaction': FtpTransactionFields;
    'ftp.transfer': FtpTransferFields;
    'ftp.session': FtpSessionFields;
    'ftp.encrypted': FtpEncryptedFields;
  }
  interface AnomalyCatalogue {
    ftp: typeof FTP_ANOMALIES;
  }
}

/** Field order of the busiest events' output (events/declared.ts): one list for the object and the bytes. */
export const FTP_REPLY = declareEvent('ftp.reply', ['code', 'msg', 'multiline']);
export const FTP_COMMAND = declareEvent('ftp.command', ['command', 'arg', 'truncated']);
export const FTP_TRANSACTION = declareEvent('ftp.transaction', [
  'user', 'password', 'command', 'arg', 'cwd', 'file_size', 'reply_code', 'reply_msg', 'preliminary',
  'data_channel', 'fuid', 'incomplete',
]);

/*
 * Issue 18, seventh round (text): the per-connection and per-transfer records, in the order
 * of their one emitter's literal (dissector.ts), so that they too are written as bytes.
 */
export const FTP_TRANSFER = declareEvent('ftp.transfer', [
  'command', 'file', 'direction', 'mode', 'data_flow', 'bytes', 'missed_bytes', 'duration', 'throughput_bps',
  'complete', 'reply_code', 'nat', 'data_type', 'rest', 'advertised_h', 'advertised_p', 'incomplete', 'data_tls',
]);
export const FTP_SESSION = declareEvent('ftp.session', [
  'user', 'anonymous', 'logged_in', 'failed_logins', 'cwd', 'cwd_history', 'data_type', 'mode', 'stru', 'tls',
  'commands', 'transfers',
]);
