/**
 * TLS detection: on any port by its record header (or an SSLv2-format ClientHello); ports
 * only order the probes. STARTTLS's hand-off (`handoff.ts`) asks the same question of the
 * client's first bytes after an accepted upgrade.
 */
import type { FlowInfo, ProbeResult } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { isContentType, isRecordVersion, MAX_RECORD_LENGTH, parseSslv2ClientHello } from './parser.js';

/** HTTPS, SMTPS/submissions, DNS over TLS, FTPS, IMAPS, POP3S, alt HTTPS, SIP-TLS, LDAPS, XMPP over TLS, IRC over TLS. */
export const TLS_PORTS = [443, 465, 853, 990, 993, 995, 8443, 5061, 636, 5223, 6697, 4433];

/**
 * A record header: content type 20-24, version SSL 3.0-TLS 1.3, length within the
 * protocol's bound. A handshake record also names its first message: a ClientHello from the
 * server's side (or a ServerHello from the client's) means the capture has the roles swapped.
 */
export function probeTls(b: Uint8Array, dir: Direction, _flow?: FlowInfo): ProbeResult {
  if (b.length === 0) return 'need_more';
  if (b[0]! & 0x80 && dir === 'c2s') {
    const v2 = parseSslv2ClientHello(b);
    if (v2.kind === 'done') return 'match';
    if (v2.kind === 'need_more') return 'need_more';
    return 'no';
  }
  if (!isContentType(b[0]!)) return 'no';
  if (b.length < 3) return b.length < 2 || b[1] === 3 ? 'need_more' : 'no';
  if (!isRecordVersion((b[1]! << 8) | b[2]!)) return 'no';
  if (b.length < 5) return 'need_more';
  const length = (b[3]! << 8) | b[4]!;
  if (length === 0 || length > MAX_RECORD_LENGTH) return 'no';
  if (b[0] !== 22) return 'match';
  if (b.length < 6) return 'need_more';
  const msg = b[5]!;
  if (msg === 1) return dir === 'c2s' ? 'match' : 'match_reversed';
  if (msg === 2) return dir === 's2c' ? 'match' : 'match_reversed';
  // Mid-connection: another handshake message (or an encrypted Finished) opens the capture.
  return 'match';
}
