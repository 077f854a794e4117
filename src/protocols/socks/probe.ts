/**
 * SOCKS 4/4a/5 detection by the client's first message (a SOCKS 5 greeting that is exactly
 * its announced length, or a SOCKS 4 request whose user id ends in NUL), on any port.
 */
import type { ProbeResult } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import { parseGreeting5, parseMessage5, parseRequest4, parseUserPass } from './parser.js';

/** Methods a real client offers (RFC 1928 §3: 0 none, 1 GSSAPI, 2 user/password, 3..9 IANA, 0x80+ private). */
const plausibleMethod = (m: number): boolean => m <= 9 || (m >= 0x80 && m < 0xff);

export function probeSocks(bytes: Uint8Array, dir: Direction): ProbeResult {
  if (dir !== 'c2s' || bytes.length === 0) return 'no';
  if (bytes[0] === 5) {
    const g = parseGreeting5(bytes);
    if (g.kind === 'need_more') return 'need_more';
    if (g.kind === 'error' || g.value.methods.length > 10 || !g.value.methods.every(plausibleMethod)) return 'no';
    // The greeting alone, or followed at once by what may follow it (a request or credentials sent ahead).
    const rest = bytes.subarray(g.consumed);
    if (rest.length === 0) return 'match';
    const next = rest[0] === 1 ? parseUserPass(rest) : parseMessage5(rest);
    return next.kind === 'error' ? 'no' : 'match';
  }
  if (bytes[0] === 4) {
    const r = parseRequest4(bytes);
    if (r.kind === 'need_more') return 'need_more';
    return r.kind === 'error' || r.consumed !== bytes.length ? 'no' : 'match';
  }
  return 'no';
}
