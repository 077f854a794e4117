/**
 * HTTP/2 in cleartext, found by the client connection preface on any port or, for a capture
 * that began mid-connection, by three consecutive plausible frame headers in the first
 * bytes (reserved bit clear, known type, sane length and flags, stream 0 exactly for
 * connection frames, fixed sizes right). Three in a row with exact length chaining is
 * something other binary protocols essentially never produce by accident.
 */
import type { ProbeResult } from '../../dissect/contract.js';
import { PREFACE_BYTES, plausibleFrames } from './parser.js';

export function probeHttp2(bytes: Uint8Array): ProbeResult {
  const n = Math.min(bytes.length, PREFACE_BYTES.length);
  let preface = n > 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== PREFACE_BYTES[i]) {
      preface = false;
      break;
    }
  }
  if (preface) return n === PREFACE_BYTES.length ? 'match' : 'need_more';
  const v = plausibleFrames(bytes, 0, 3);
  return v === 'yes' ? 'match' : v === 'need_more' ? 'need_more' : 'no';
}
