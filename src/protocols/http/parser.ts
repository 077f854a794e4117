/**
 * Pure HTTP/1.x parsing (RFC 9112): start lines, header sections, framing headers.
 * Bytes in, values out; nothing here holds state or throws.
 */
import { done, fail, needMore, type Parsed, type Verdict } from '../../dissect/parse.js';
import { decodeText, latin1 } from '../../dissect/text.js';

export type HeaderList = Array<[string, string]>;

export interface RequestLine {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  /** `1.1`, `1.0`, `0.9` for a version-less simple request, `''` when missing or broken. */
  readonly version: string;
  /** Why the line is not a valid request line, though still readable as one. */
  readonly malformed?: string;
}

export interface StatusLine {
  readonly kind: 'status';
  readonly version: string;
  readonly status_code: number;
  readonly status_msg: string;
}

export interface Head<L> {
  readonly line: L;
  readonly headers: HeaderList;
  /** Header lines that are not `name: value` (skipped). */
  readonly bad_headers: string[];
  /** Fields dropped because of `max_headers`. */
  readonly trimmed_headers: number;
  /** Bytes of the head including the blank line. */
  readonly length: number;
}

export interface HeadLimits {
  readonly max_headers: number;
  readonly max_header_bytes: number;
  readonly max_line: number;
}

const SP = 0x20;
const HT = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/** tchar of RFC 9110 §5.6.2. */
const TCHAR = (() => {
  const t = new Uint8Array(256);
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** Index just past the next LF at or after `from`, or -1. */
export function lineEnd(b: Uint8Array, from: number, to = b.length): number {
  // Searched in `b` itself: a subarray per line was an object per header line. The search may
  // run past `to`, but only as far as the next LF, which the caller's next step reads anyway.
  const i = b.indexOf(LF, from);
  return i < 0 || i >= to ? -1 : i + 1;
}

/** The line `[start, end)` without its CRLF or LF. */
function trimEol(b: Uint8Array, start: number, end: number): number {
  if (end > start && b[end - 1] === LF) end--;
  if (end > start && b[end - 1] === CR) end--;
  return end;
}

/** `HTTP/x.y` at `p`: returns the version text or null. */
function versionAt(b: Uint8Array, p: number, end: number): string | null {
  if (end - p < 8) return null;
  if (b[p] !== 0x48 || b[p + 1] !== 0x54 || b[p + 2] !== 0x54 || b[p + 3] !== 0x50 || b[p + 4] !== 0x2f) return null;
  const major = b[p + 5]!;
  const dot = b[p + 6]!;
  const minor = b[p + 7]!;
  if (major < 0x30 || major > 0x39 || dot !== 0x2e || minor < 0x30 || minor > 0x39) return null;
  return String.fromCharCode(major, dot, minor);
}

/** Methods recognised even in a malformed request line (as tshark and servers do). */
export const KNOWN_METHODS = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'CCM_POST', 'RPC_IN_DATA', 'RPC_OUT_DATA',
]);

/**
 * Request line: `method SP request-target SP HTTP/x.y` (RFC 9112 §3). Lenient where real
 * traffic is: several spaces, words between target and version (`malformed`), and, for known
 * methods, a missing or broken version (`version: ''`, `malformed`). A version-less `GET path`
 * is the HTTP/0.9 simple request (`version: '0.9'`); the caller decides by what follows.
 */
export function parseRequestLine(b: Uint8Array, start: number, end: number): RequestLine | null {
  let p = start;
  while (p < end && TCHAR[b[p]!]) p++;
  if (p === start || p - start > 32) return null;
  const method = latin1(b, start, p);
  const known = KNOWN_METHODS.has(method);
  if (p < end && b[p] !== SP) return null;
  while (p < end && b[p] === SP) p++;
  let q = end;
  while (q > p && (b[q - 1] === SP || b[q - 1] === HT)) q--;
  let uriEnd = p;
  while (uriEnd < q && b[uriEnd] !== SP) uriEnd++;
  const uri = decodeText(b, p, uriEnd);
  if (hasControl(uri)) return null;
  // The version is the last word.
  let vs = q;
  while (vs > uriEnd && b[vs - 1] !== SP) vs--;
  const version = vs > uriEnd ? versionAt(b, vs, q) : null;
  if (version && q - vs === 8 && uri) {
    let mid = uriEnd;
    while (mid < vs && b[mid] === SP) mid++;
    return mid < vs
      ? { kind: 'request', method, uri, version, malformed: `extra words before the version: ${JSON.stringify(decodeText(b, mid, vs).trim().slice(0, 60))}` }
      : { kind: 'request', method, uri, version };
  }
  if (!uri && !known) return null;
  if (uriEnd === q && uri && method === 'GET') return { kind: 'request', method, uri, version: '0.9' };
  if (!known) return null;
  const rest = decodeText(b, uriEnd, q).trim();
  return { kind: 'request', method, uri, version: '', malformed: rest ? `bad version ${JSON.stringify(rest.slice(0, 40))}` : 'no version' };
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Status line: `HTTP/x.y SP 3DIGIT [SP reason]`. */
export function parseStatusLine(b: Uint8Array, start: number, end: number): StatusLine | null {
  const version = versionAt(b, start, end);
  if (!version) return null;
  let p = start + 8;
  if (p >= end || b[p] !== SP) return null;
  while (p < end && b[p] === SP) p++;
  if (end - p < 3) return null;
  let code = 0;
  for (let i = 0; i < 3; i++) {
    const c = b[p + i]!;
    if (c < 0x30 || c > 0x39) return null;
    code = code * 10 + (c - 0x30);
  }
  p += 3;
  if (p < end && b[p] !== SP && b[p] !== HT) return null;
  while (p < end && (b[p] === SP || b[p] === HT)) p++;
  return { kind: 'status', version, status_code: code, status_msg: decodeText(b, p, end) };
}

/** A `name:` line or the empty line at `p`; `need_more` while the bytes so far could be either. */
function looksLikeHeaderLine(b: Uint8Array, p: number): Verdict {
  if (b[p] === CR || b[p] === LF) return 'yes';
  let q = p;
  while (q < b.length && TCHAR[b[q]!]) q++;
  if (q === b.length) return 'need_more';
  return q > p && b[q] === 0x3a ? 'yes' : 'no';
}

/** Where the head ends (just past the empty line), or -1 if not in `b` yet. Accepts bare LF. */
export function headEnd(b: Uint8Array, from = 0): number {
  let p = from;
  for (;;) {
    const e = lineEnd(b, p);
    if (e < 0) return -1;
    if (e - p === 1 || (e - p === 2 && b[p] === CR)) return e;
    p = e;
  }
}

/**
 * A whole head: start line, then fields until the empty line. `need_more` until the empty line
 * arrives; an error when the start line is not one of `kind`, or when the head outgrows
 * `max_header_bytes` (the caller reports `header_limit`).
 */
export function parseHead<L>(
  b: Uint8Array,
  limits: HeadLimits,
  startLine: (b: Uint8Array, start: number, end: number) => L | null,
  /** No more bytes will come before the other side speaks: a lone `GET path` line is HTTP/0.9. */
  final = false,
): Parsed<Head<L>> {
  const firstEnd = lineEnd(b, 0, Math.min(b.length, limits.max_line + 2));
  if (firstEnd < 0) return b.length > limits.max_line ? fail('start line too long', 0) : needMore();
  let line = startLine(b, 0, trimEol(b, 0, firstEnd));
  if (!line) return fail('bad start line', firstEnd);
  // HTTP/0.9 requests have no header section; a version-less line followed by header
  // lines is a broken 1.x request instead (as servers and tshark read it).
  const asReq = line as { version?: string };
  if (asReq.version === '0.9') {
    const next = firstEnd === b.length ? 'need_more' : looksLikeHeaderLine(b, firstEnd);
    if (next === 'need_more' && !final) return needMore();
    if (next !== 'yes') {
      return done({ line, headers: [], bad_headers: [], trimmed_headers: 0, length: firstEnd }, firstEnd);
    }
    line = { ...line, version: '', malformed: 'no version' };
  }
  const end = headEnd(b, firstEnd);
  if (end < 0) return b.length > limits.max_header_bytes ? fail('header section too long', 0) : needMore();
  if (end > limits.max_header_bytes) return fail('header section too long', 0);
  const f = readFields(b, firstEnd, end, limits);
  return done({ line, headers: f.headers, bad_headers: f.bad, trimmed_headers: f.trimmed, length: end }, end);
}

/** A head cut short by lost bytes: what was read of it before the loss. */
export interface CutHead<L> extends Head<L> {
  /** The start line itself was cut: its last field (URI, reason phrase) may be partial. */
  readonly line_cut: boolean;
}

/**
 * The readable part of a head whose rest was lost (a gap; typically the capture's snap
 * length cut the segment): the start line, whole or cut (`GET /a/very/lo` is still a GET
 * of a URI beginning `/a/very/lo`, as tshark shows it), then every complete field line
 * before the cut; a cut field line is left out, its value unknown. `null` when the bytes
 * do not begin with a start line of `kind`. `strict` (bytes found while resynchronising,
 * not where a message was due) takes a cut request line only with a known method.
 */
export function parseCutHead(b: Uint8Array, limits: HeadLimits, kind: 'request', strict: boolean): CutHead<RequestLine> | null;
export function parseCutHead(b: Uint8Array, limits: HeadLimits, kind: 'status', strict: boolean): CutHead<StatusLine> | null;
export function parseCutHead(b: Uint8Array, limits: HeadLimits, kind: 'request' | 'status', strict: boolean): CutHead<RequestLine | StatusLine> | null {
  const firstEnd = lineEnd(b, 0, Math.min(b.length, limits.max_line + 2));
  if (firstEnd < 0) {
    if (b.length > limits.max_line) return null;
    const line = kind === 'request' ? cutRequestLine(b, strict) : cutStatusLine(b);
    return line ? { line, headers: [], bad_headers: [], trimmed_headers: 0, length: b.length, line_cut: true } : null;
  }
  const stop = trimEol(b, 0, firstEnd);
  let line: RequestLine | StatusLine | null = kind === 'request' ? parseRequestLine(b, 0, stop) : parseStatusLine(b, 0, stop);
  if (!line) return null;
  // No version but header lines after it: a 1.x request that lost its version, not HTTP/0.9.
  if (line.kind === 'request' && line.version === '0.9') line = { ...line, version: '', malformed: 'no version' };
  // Only whole field lines: the bytes after the last line end were cut mid-line.
  let last = firstEnd;
  for (let e = lineEnd(b, last); e >= 0 && e <= limits.max_header_bytes; e = lineEnd(b, last)) last = e;
  const f = readFields(b, firstEnd, last, limits);
  return { line, headers: f.headers, bad_headers: f.bad, trimmed_headers: f.trimmed, length: b.length, line_cut: false };
}

/** Whether `b` (no line end in it) is a start line of `kind` cut short; requests need a known method. */
export function cutStartLine(b: Uint8Array, kind: 'request' | 'status'): boolean {
  if (b.indexOf(LF) >= 0) return false;
  return (kind === 'request' ? cutRequestLine(b, true) : cutStatusLine(b)) !== null;
}

/** `method SP target-prefix [SP version-prefix]` with no line end yet. */
function cutRequestLine(b: Uint8Array, strict: boolean): RequestLine | null {
  let p = 0;
  while (p < b.length && TCHAR[b[p]!]) p++;
  if (p === 0 || p > 32 || p >= b.length || b[p] !== SP) return null;
  const method = latin1(b, 0, p);
  while (p < b.length && b[p] === SP) p++;
  let uriEnd = p;
  while (uriEnd < b.length && b[uriEnd] !== SP) uriEnd++;
  const uri = decodeText(b, p, uriEnd);
  if (!uri || hasControl(uri)) return null;
  const targetLike = uri[0] === '/' || uri === '*' || /^[a-z][a-z0-9+.-]*:\/\//i.test(uri);
  if (!KNOWN_METHODS.has(method) && (strict || !targetLike)) return null;
  let vs = uriEnd;
  while (vs < b.length && b[vs] === SP) vs++;
  const version = b.length - vs === 8 ? versionAt(b, vs, b.length) : null;
  return { kind: 'request', method, uri, version: version ?? '' };
}

/**
 * `HTTP/x.y SP 3DIGIT [SP reason-prefix]` with no line end yet: the code must be whole, and
 * the reason is what was captured of it; a whole status line's rules, the buffer as the line.
 */
function cutStatusLine(b: Uint8Array): StatusLine | null {
  return parseStatusLine(b, 0, b.length);
}

/**
 * The target of a CONNECT request, authority-form (RFC 9112 §3.2.3): `host:port`, with an
 * IPv6 address in brackets. Null when the request target is not one.
 */
export function connectTarget(uri: string): { host: string; port: number } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/@[\]]+):(\d{1,5})$/.exec(uri);
  if (!m) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

/**
 * `n.toLowerCase() === lower` without making a string: a transaction looks up some thirty
 * fields, and lower-casing every name at every lookup was most of the HTTP dissector's
 * garbage. ASCII is compared in place; a name with any other character takes
 * `toLowerCase` itself (a few non-ASCII letters lower-case to ASCII, such as the Kelvin sign).
 */
export function sameName(n: string, lower: string): boolean {
  const len = n.length;
  if (len === lower.length) {
    let i = 0;
    for (; i < len; i++) {
      let c = n.charCodeAt(i);
      if (c >= 0x80) break;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      // The ASCII prefix lower-cases in place, so a difference in it is final.
      if (c !== lower.charCodeAt(i)) return false;
    }
    return i === len || n.toLowerCase() === lower;
  }
  // Lengths differ: only lower-casing a non-ASCII character can change a length.
  for (let i = 0; i < len; i++) if (n.charCodeAt(i) >= 0x80) return n.toLowerCase() === lower;
  return false;
}

/** All values of a field, case-insensitively, in order. */
export function headerValues(headers: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (sameName(h[0], lower)) out.push(h[1]);
  }
  return out;
}

export function header(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (sameName(h[0], lower)) return h[1];
  }
  return undefined;
}

/** Comma-separated list elements of every instance of a field, lower-cased and trimmed. */
export function headerTokens(headers: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (!sameName(h[0], lower)) continue;
    const parts = h[1].split(',');
    for (let j = 0; j < parts.length; j++) {
      const s = parts[j]!.trim().toLowerCase();
      if (s) out.push(s);
    }
  }
  return out;
}

/**
 * `headerTokens(headers, name).includes(token)` (`token` lower-case) without the list: a
 * value with no comma is one element, compared in place unless `trim` could change it.
 */
export function hasToken(headers: HeaderList, name: string, token: string): boolean {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (!sameName(h[0], name)) continue;
    const v = h[1];
    if (v.indexOf(',') >= 0) {
      const parts = v.split(',');
      for (let j = 0; j < parts.length; j++) if (parts[j]!.trim().toLowerCase() === token) return true;
      continue;
    }
    if (sameName(v, token)) return true;
    // Unequal as it is: equal after trimming only if an end is whitespace or not ASCII.
    const first = v.charCodeAt(0);
    const last = v.charCodeAt(v.length - 1);
    if (v.length > 0 && first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) continue;
    if (v.trim().toLowerCase() === token) return true;
  }
  return false;
}

export type ContentLength =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly value: number }
  | { readonly kind: 'bad'; readonly reason: string };

/**
 * Content-Length (RFC 9110 §8.6). Several identical values (as a list or repeated fields)
 * are one value; differing, negative, non-digit or beyond 2^53 values are bad framing.
 */
export function contentLength(headers: HeaderList): ContentLength {
  // The usual case without the value list, split and regex: one field of plain digits.
  let only = -1;
  for (let i = 0; i < headers.length; i++) {
    if (!sameName(headers[i]![0], 'content-length')) continue;
    if (only >= 0) {
      only = -2;
      break;
    }
    only = i;
  }
  if (only === -1) return { kind: 'none' };
  if (only >= 0) {
    const n = plainDecimal(headers[only]![1]);
    if (n >= 0) return { kind: 'ok', value: n };
  }
  const values = headerValues(headers, 'content-length');
  if (!values.length) return { kind: 'none' };
  let found: string | null = null;
  for (const v of values) {
    for (const part of v.split(',')) {
      const s = part.trim();
      if (found !== null && s !== found) return { kind: 'bad', reason: `conflicting Content-Length values ${found} and ${s}` };
      found = s;
    }
  }
  const s = found ?? '';
  if (!/^[0-9]+$/.test(s)) return { kind: 'bad', reason: `Content-Length ${JSON.stringify(s.slice(0, 40))} is not a number` };
  const n = Number(s);
  if (!Number.isSafeInteger(n)) return { kind: 'bad', reason: `Content-Length ${s.slice(0, 40)} is too large` };
  return { kind: 'ok', value: n };
}

/**
 * The value of 1 to 15 ASCII digits and nothing else (exact in a double: below 2^53), or -1
 * for anything else (the callers' general rules then decide).
 */
function plainDecimal(v: string): number {
  const len = v.length;
  if (len === 0 || len > 15) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A header value that is a decimal number, spaces around it allowed (`Content-Length` as the
 * records report it), or undefined: not digits, or beyond 2^53.
 */
export function decimalValue(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const plain = plainDecimal(v);
  if (plain >= 0) return plain;
  if (!/^\s*\d+\s*$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const semi = value.indexOf(';');
  const t = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  return t || undefined;
}

/** Basic credentials (RFC 7617) from an Authorization value, tolerating extra spaces. */
export function basicCredentials(value: string): { user: string; password: string } | null {
  const m = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64');
  const text = decodeText(new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length));
  const colon = text.indexOf(':');
  if (colon < 0) return { user: text, password: '' };
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * What a Digest Authorization value (RFC 7616 §3.4) reveals. The response is a hash of the
 * password with the nonce, not the password: with the challenge it allows an offline guess
 * and nothing more, so it is reported as the secret *marked as a digest response*.
 * `userhash` (§3.4.4) means `user` is itself a hash of the name, not the name.
 */
export interface DigestCredentials {
  user: string;
  realm: string | undefined;
  uri: string | undefined;
  response: string | undefined;
  algorithm: string | undefined;
  qop: string | undefined;
  userhash: boolean;
}

/** Digest credentials from an Authorization value; null when it is not Digest or has no user. */
export function digestCredentials(value: string): DigestCredentials | null {
  const m = /^\s*digest(?:\s+|$)/i.exec(value);
  if (!m) return null;
  const params = authParams(value.slice(m[0].length));
  let user = params.get('username');
  // `username*` (RFC 7616 §3.4.4) is an RFC 8187 ext-value: charset'lang'pct-encoded.
  const ext = params.get('username*');
  if (user === undefined && ext !== undefined) user = extValue(ext);
  if (user === undefined) return null;
  return {
    user,
    realm: params.get('realm'),
    uri: params.get('uri'),
    response: params.get('response'),
    algorithm: params.get('algorithm'),
    qop: params.get('qop'),
    userhash: params.get('userhash')?.toLowerCase() === 'true',
  };
}

/**
 * `name=token` / `name="quoted"` pairs, comma-separated (RFC 9110 §11.2 auth-param). Names
 * lower-case; the first of a repeated name wins; a malformed rest ends the list.
 */
export function authParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  while (i < n) {
    skip();
    const nm = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(text.slice(i));
    if (!nm) break;
    i += nm[0].length;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== '=') break;
    i++;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    let v = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) i++;
        v += text[i++];
      }
      i++;
    } else {
      const t = /^[^\s,]*/.exec(text.slice(i))![0];
      v = t;
      i += t.length;
    }
    const key = nm[0].toLowerCase();
    if (!out.has(key)) out.set(key, v);
  }
  return out;
}

/** RFC 8187 ext-value (`UTF-8''J%C3%A4s%C3%B8n`) to text; latin1 when the charset says so. */
function extValue(v: string): string {
  const q = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (!q) return v;
  const bytes: number[] = [];
  const enc = q[2]!;
  for (let i = 0; i < enc.length; i++) {
    if (enc[i] === '%' && /^[0-9a-fA-F]{2}$/.test(enc.slice(i + 1, i + 3))) {
      bytes.push(parseInt(enc.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(enc.charCodeAt(i) & 0xff);
  }
  const u8 = Uint8Array.from(bytes);
  return q[1]!.toLowerCase() === 'iso-8859-1' ? Buffer.from(u8).toString('latin1') : decodeText(u8);
}

/** `name=value` pairs of Cookie headers. */
export function cookiesSent(headers: HeaderList): string[] {
  const out: string[] = [];
  for (const v of headerValues(headers, 'cookie')) {
    for (const part of v.split(';')) {
      const s = part.trim();
      if (s) out.push(s);
    }
  }
  return out;
}

/** `name=value` of each Set-Cookie, attributes dropped. */
export function cookiesSet(headers: HeaderList): string[] {
  return headerValues(headers, 'set-cookie')
    .map((v) => v.split(';')[0]!.trim())
    .filter((s) => s.length > 0);
}

/** Host from an absolute-form request target (proxies), or undefined. */
export function hostFromUri(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri);
  if (!m) return undefined;
  const auth = m[1]!;
  const at = auth.lastIndexOf('@');
  return auth.slice(at + 1) || undefined;
}

/** Path basename for naming exported objects: `/a/b/c.png?x=1` → `c.png`; `/` → `index.html`. */
export function objectName(uri: string): string {
  let path = uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  path = path.split(/[?#]/)[0]!;
  const base = path.slice(path.lastIndexOf('/') + 1);
  let name = base;
  try {
    name = decodeURIComponent(base);
  } catch {
    // keep it percent-encoded
  }
  return name || 'index.html';
}

/** The field lines in `[from, end)` up to the empty line: fields, malformed lines, fields over `max_headers`. */
function readFields(b: Uint8Array, from: number, end: number, limits: HeadLimits): { headers: HeaderList; bad: string[]; trimmed: number } {
  const headers: HeaderList = [];
  const bad: string[] = [];
  let trimmed = 0;
  let p = from;
  while (p < end) {
    const e = lineEnd(b, p);
    const lineStop = trimEol(b, p, e);
    if (lineStop === p) break; // the empty line
    if ((b[p] === SP || b[p] === HT) && headers.length) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous field value.
      const last = headers[headers.length - 1]!;
      last[1] = (last[1] + ' ' + decodeText(b, p, lineStop).trim()).trim();
      p = e;
      continue;
    }
    let c = p;
    while (c < lineStop && b[c] !== 0x3a) c++;
    const colon = c < lineStop ? c - p : -1;
    let nameEnd = p + colon;
    // RFC 9112 §5.1: no whitespace between name and colon; servers reject, we keep it but flag.
    while (nameEnd > p && (b[nameEnd - 1] === SP || b[nameEnd - 1] === HT)) nameEnd--;
    if (colon <= 0 || nameEnd === p) {
      bad.push(decodeText(b, p, lineStop).slice(0, 200));
      p = e;
      continue;
    }
    if (headers.length >= limits.max_headers) {
      trimmed++;
      p = e;
      continue;
    }
    const name = latin1(b, p, nameEnd);
    let vs = p + colon + 1;
    let ve = lineStop;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    headers.push([name, decodeText(b, vs, ve)]);
    if (nameEnd !== p + colon) bad.push(decodeText(b, p, lineStop).slice(0, 200));
    p = e;
  }
  return { headers, bad, trimmed };
}

/**
 * True when `b[p..]` could begin a request line (for resynchronisation and probing): a
 * method token, a space, and (once the line is complete) a valid request line.
 */
export function plausibleRequestStart(b: Uint8Array, p: number): Verdict {
  const e = lineEnd(b, p, Math.min(b.length, p + 8192));
  if (e < 0) {
    let q = p;
    while (q < b.length && TCHAR[b[q]!]) q++;
    if (q === b.length) return q - p <= 32 ? 'need_more' : 'no';
    return b[q] === SP && q > p && q - p <= 32 ? 'need_more' : 'no';
  }
  return parseRequestLine(b, p, trimEol(b, p, e)) ? 'yes' : 'no';
}

export function plausibleStatusStart(b: Uint8Array, p: number): Verdict {
  const e = lineEnd(b, p, Math.min(b.length, p + 8192));
  if (e < 0) {
    const prefix = 'HTTP/';
    for (let i = 0; i < prefix.length && p + i < b.length; i++) if (b[p + i] !== prefix.charCodeAt(i)) return 'no';
    return b.length - p < 13 ? 'need_more' : versionAt(b, p, b.length) && b[p + 8] === SP ? 'need_more' : 'no';
  }
  return parseStatusLine(b, p, trimEol(b, p, e)) ? 'yes' : 'no';
}

/**
 * Resynchronisation after a gap or junk: the first line start at or after `from` that is a
 * complete start line of the wanted kind (`found`), or else where the undecided tail
 * begins (bytes before it can be dropped; the tail must wait for more data).
 */
export function findStartLine(b: Uint8Array, from: number, kind: 'request' | 'status'): { found: boolean; at: number } {
  let p = from;
  while (p < b.length) {
    const v = kind === 'request' ? plausibleRequestStart(b, p) : plausibleStatusStart(b, p);
    if (v === 'yes') return { found: true, at: p };
    const e = lineEnd(b, p);
    if (e < 0) return { found: false, at: v === 'need_more' ? p : b.length };
    p = e;
  }
  return { found: false, at: b.length };
}
