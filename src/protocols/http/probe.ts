/**
 * HTTP/1.x detection: on any port by its first line. A request line from the client, or a
 * status line from the server, is a match; the same seen in the other direction means the
 * capture began mid-flow with the roles swapped (`match_reversed`). The HTTP/2 preface,
 * which looks like a request line (`PRI * HTTP/2.0`), is left to the http2 probe.
 */
import type { Direction } from '../../events/event.js';
import type { ProbeResult } from '../../dissect/contract.js';
import { cutStartLine, plausibleRequestStart, plausibleStatusStart } from './parser.js';

const PREFACE_START = 'PRI * HTTP/2.0';

export function probeHttp(bytes: Uint8Array, dir: Direction, cut = false): ProbeResult {
  if (bytes.length === 0) return 'need_more';
  let pri = true;
  for (let i = 0; i < PREFACE_START.length && i < bytes.length; i++) {
    if (bytes[i] !== PREFACE_START.charCodeAt(i)) {
      pri = false;
      break;
    }
  }
  if (pri) return bytes.length >= PREFACE_START.length ? 'no' : 'need_more';
  const req = plausibleRequestStart(bytes, 0);
  if (req === 'yes') return dir === 'c2s' ? 'match' : 'match_reversed';
  const st = plausibleStatusStart(bytes, 0);
  if (st === 'yes') return dir === 's2c' ? 'match' : 'match_reversed';
  if (cut) {
    // The first line was cut by a gap (snap length): a known method and a target, or a whole status code.
    if (req === 'need_more' && cutStartLine(bytes, 'request')) return dir === 'c2s' ? 'match' : 'match_reversed';
    if (st === 'need_more' && cutStartLine(bytes, 'status')) return dir === 's2c' ? 'match' : 'match_reversed';
  }
  if (req === 'need_more' || st === 'need_more') return 'need_more';
  // A client line that is not a request line but mentions HTTP/ or starts with a method-like
  // word (fuzzers, broken clients): let the server's status line decide.
  if (dir === 'c2s' && clientMightBeHttp(bytes)) return 'need_more';
  return 'no';
}

function clientMightBeHttp(bytes: Uint8Array): boolean {
  const line = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 512))).toString('latin1').split('\n')[0]!;
  return /HTTP\/\d/.test(line) || /^[A-Z_-]{3,20}(\s|\/|\r|$)/.test(line);
}
