/**
 * Pure IMAP text parsing (RFC 3501, RFC 9051): command and response lines, literal markers,
 * the value syntax (atoms, quoted strings, literals, parenthesised lists, NIL), and the data
 * the dissector reads out of it (FETCH items, ENVELOPE, BODYSTRUCTURE, LIST, STATUS).
 *
 * A logical IMAP line can span several wire lines: a line ending in `{n}` or `{n+}` is
 * followed by exactly n bytes of literal, after which the same logical line goes on. The
 * dissector hands such a line over as `segments` (the text pieces, each but the last ending
 * in its literal marker) and the literals' bytes; the tokenizer walks both.
 * Nothing here throws: malformed input gives null or an `error` beside what was read.
 */
import { decodeWords } from 'postal-mime';
import { decodeText } from '../../dissect/text.js';

/** A `{n}` / `{n+}` / `~{n}` (RFC 3516 literal8) at the very end of a line. */
export interface LiteralMarker {
  readonly size: number;
  /** `{n+}`: LITERAL+ (RFC 7888), the sender does not wait for a continuation. */
  readonly nonSync: boolean;
  /** `~{n}`: binary literal (RFC 3516). */
  readonly binary: boolean;
}

const MARKER = /(~?)\{(\d+)(\+?)\}$/;

/** The literal announced at the end of `line`, null when there is none, `bad` for an unusable size. */
export function literalMarker(line: string): LiteralMarker | 'bad' | null {
  // Asked of every wire line: the regex would try each position of the line, and a marker
  // must end it with `}`.
  if (line.charCodeAt(line.length - 1) !== 0x7d) return null;
  const m = MARKER.exec(line);
  if (!m) return null;
  const digits = m[2]!;
  // Sizes are 32-bit in RFC 3501 and 63-bit in RFC 9051; beyond 2^53 a number cannot count bytes.
  if (digits.length > 15) return 'bad';
  return { size: Number(digits), nonSync: m[3] === '+', binary: m[1] === '~' };
}

export interface CommandLine {
  readonly tag: string;
  /** Upper-cased; for `UID FETCH` this is `FETCH` and `uid` is set (tshark's split). */
  readonly command: string;
  readonly uid: boolean;
  /** Everything after the command, as sent. */
  readonly arg: string;
}

/** RFC 3501 tag: astring characters except `+` (ASTRING-CHAR minus "+"). */
const TAG = /^[^\s(){%*"\\+\x00-\x1f\x7f]+$/;
const COMMAND = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** `tag SP command [SP arguments]`, or null when the line is not a command. */
export function parseCommandLine(line: string): CommandLine | null {
  const sp = line.indexOf(' ');
  if (sp <= 0) return null;
  const tag = line.slice(0, sp);
  if (!TAG.test(tag)) return null;
  let rest = line.slice(sp + 1);
  let word = firstWord(rest);
  if (!COMMAND.test(word)) return null;
  let uid = false;
  if (word.toUpperCase() === 'UID') {
    const after = rest.slice(word.length + 1);
    const sub = firstWord(after);
    if (COMMAND.test(sub)) {
      uid = true;
      rest = after;
      word = sub;
    }
  }
  return { tag, command: word.toUpperCase(), uid, arg: rest.slice(word.length + 1) };
}

function firstWord(s: string): string {
  const sp = s.indexOf(' ');
  return sp < 0 ? s : s.slice(0, sp);
}

export interface ResponseLine {
  /** `*` untagged, `+` continuation request, otherwise the command's tag. */
  readonly tag: string;
  /**
   * OK/NO/BAD/PREAUTH/BYE for status responses; for untagged data the keyword (CAPABILITY,
   * LIST, EXISTS, FETCH...); null for a continuation request.
   */
  readonly status: string | null;
  /** The number of `* 3 EXISTS`, `* 2 FETCH ...`. */
  readonly number: number | null;
  /** Response code name in brackets (`[APPENDUID 38505 3955]` gives `APPENDUID`). */
  readonly code: string | null;
  readonly code_data: string | null;
  /** What follows the status (and the response code). */
  readonly text: string;
}

const STATUS_WORDS = new Set(['OK', 'NO', 'BAD', 'PREAUTH', 'BYE']);

/** Classifies a server line; null when it is neither tagged, untagged nor a continuation. */
export function parseResponseLine(line: string): ResponseLine | null {
  if (line === '+' || line.startsWith('+ ')) {
    return { tag: '+', status: null, number: null, code: null, code_data: null, text: line.slice(2) };
  }
  const sp = line.indexOf(' ');
  if (sp <= 0) return null;
  const untagged = sp === 1 && line.charCodeAt(0) === 0x2a;
  const tag = untagged ? '*' : line.slice(0, sp);
  if (!untagged && !TAG.test(tag)) return null;
  // `* 3 EXISTS`: 1 to 15 digits and a space (read in place: this runs for every response).
  let at = sp + 1;
  let number: number | null = null;
  if (untagged) {
    let d = at;
    while (d < line.length && d - at <= 15 && line.charCodeAt(d) >= 0x30 && line.charCodeAt(d) <= 0x39) d++;
    if (d > at && d - at <= 15 && line.charCodeAt(d) === 0x20) {
      number = Number(line.slice(at, d));
      at = d + 1;
    }
  }
  const rest = line.slice(at);
  const word = firstWord(rest);
  if (!isResponseWord(word)) return null;
  const status = word.toUpperCase();
  let text = rest.slice(word.length + 1);
  let code: string | null = null;
  let codeData: string | null = null;
  if (STATUS_WORDS.has(status) && text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close > 0) {
      const inner = text.slice(1, close);
      const csp = inner.indexOf(' ');
      code = (csp < 0 ? inner : inner.slice(0, csp)).toUpperCase();
      codeData = csp < 0 ? null : inner.slice(csp + 1);
      text = text.slice(close + 1).replace(/^ /, '');
    }
  }
  return { tag, status, number, code, code_data: codeData, text };
}

/** `[A-Za-z][A-Za-z0-9.=_-]*`, whole. */
function isResponseWord(w: string): boolean {
  if (w.length === 0) return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) continue;
    if (i > 0 && ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x3d || c === 0x5f || c === 0x2d)) continue;
    return false;
  }
  return true;
}

export const isStatus = (status: string | null): boolean => status !== null && STATUS_WORDS.has(status);

// ---- values ----

export type ImapValue =
  | { readonly kind: 'atom'; readonly text: string }
  /** A quoted string or a literal (`literal` is its index in the line's literals). */
  | { readonly kind: 'string'; readonly text: string; readonly literal: number | null }
  | { readonly kind: 'nil' }
  | { readonly kind: 'list'; readonly items: ImapValue[] };

export interface Tokens {
  readonly values: ImapValue[];
  /** What stopped the tokenizer early, if anything. */
  readonly error: string | null;
}

/** Literals longer than this are not decoded to text (their bytes stay with the dissector). */
export const MAX_LITERAL_TEXT = 64 * 1024;
const MAX_DEPTH = 64;

/**
 * Reads IMAP values from a logical line. `segments[i]` (i < last) ends with the marker of
 * literal i, whose kept bytes are `literals[i]`.
 */
export function tokenize(segments: readonly string[], literals: readonly Uint8Array[] = []): Tokens {
  const t = new Tokenizer(segments, literals);
  const values = t.sequence(0);
  return { values, error: t.error };
}

/** Tokenizes a single line without literals. */
export const tokenizeText = (text: string): ImapValue[] => tokenize([text]).values;

class Tokenizer {
  error: string | null = null;
  private seg = 0;
  private pos = 0;

  constructor(
    private readonly segments: readonly string[],
    private readonly literals: readonly Uint8Array[],
  ) {}

  private get s(): string {
    return this.segments[this.seg] ?? '';
  }

  sequence(depth: number): ImapValue[] {
    const out: ImapValue[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.error !== null || this.atEnd()) return out;
      const c = this.s[this.pos]!;
      if (c === ')') {
        if (depth > 0) {
          this.pos++;
          return out;
        }
        this.error = 'unbalanced ")"';
        return out;
      }
      const v = this.value(depth);
      if (v === null) return out;
      out.push(v);
    }
  }

  private atEnd(): boolean {
    return this.pos >= this.s.length && this.seg >= this.segments.length - 1;
  }

  private skipSpaces(): void {
    for (;;) {
      while (this.pos < this.s.length && this.s[this.pos] === ' ') this.pos++;
      // A segment that ended without a literal marker being consumed: move on (defensive).
      if (this.pos >= this.s.length && this.seg < this.segments.length - 1) {
        this.seg++;
        this.pos = 0;
        continue;
      }
      return;
    }
  }

  private value(depth: number): ImapValue | null {
    const s = this.s;
    const c = s[this.pos]!;
    if (c === '(') {
      if (depth >= MAX_DEPTH) {
        this.error = `lists nested deeper than ${MAX_DEPTH}`;
        return null;
      }
      this.pos++;
      const items = this.sequence(depth + 1);
      return { kind: 'list', items };
    }
    if (c === '"') return this.quoted();
    if ((c === '{' || (c === '~' && s[this.pos + 1] === '{')) && this.seg < this.segments.length - 1) {
      const rest = s.slice(this.pos);
      if (MARKER.test(rest) && MARKER.exec(rest)!.index === 0) {
        const index = this.seg;
        this.seg++;
        this.pos = 0;
        const bytes = this.literals[index];
        const text = bytes && bytes.length <= MAX_LITERAL_TEXT ? decodeText(bytes) : '';
        return { kind: 'string', text, literal: index };
      }
    }
    return this.atom();
  }

  private quoted(): ImapValue {
    const s = this.s;
    let out = '';
    let i = this.pos + 1;
    while (i < s.length) {
      const ch = s[i]!;
      if (ch === '\\' && i + 1 < s.length) {
        out += s[i + 1];
        i += 2;
        continue;
      }
      if (ch === '"') {
        this.pos = i + 1;
        return { kind: 'string', text: out, literal: null };
      }
      out += ch;
      i++;
    }
    this.pos = s.length;
    this.error = 'unterminated quoted string';
    return { kind: 'string', text: out, literal: null };
  }

  /** An atom; `[...]` inside it (BODY[HEADER.FIELDS (A B)]) is read whole, spaces and all. */
  private atom(): ImapValue {
    const s = this.s;
    const start = this.pos;
    let i = start;
    let brackets = 0;
    while (i < s.length) {
      const ch = s[i]!;
      if (ch === '[') brackets++;
      else if (ch === ']' && brackets > 0) brackets--;
      else if (brackets === 0 && (ch === ' ' || ch === '(' || ch === ')' || ch === '"')) break;
      i++;
    }
    if (i === start) {
      // A lone character no value can start with: skip it so the walk always advances.
      this.error ??= `unexpected "${s[i] ?? ''}"`;
      i++;
    }
    this.pos = i;
    const text = s.slice(start, i);
    return text.toUpperCase() === 'NIL' ? { kind: 'nil' } : { kind: 'atom', text };
  }
}

/** Text of an atom or string; null for NIL and lists. */
export function textOf(v: ImapValue | undefined): string | null {
  if (!v) return null;
  return v.kind === 'atom' || v.kind === 'string' ? v.text : null;
}

export function numberOf(v: ImapValue | undefined): number | null {
  const t = textOf(v);
  return t !== null && /^\d{1,15}$/.test(t) ? Number(t) : null;
}

export const listOf = (v: ImapValue | undefined): ImapValue[] | null => (v && v.kind === 'list' ? v.items : null);

/**
 * Mailbox names in modified UTF-7 (RFC 3501 §5.1.3): `&` starts base64 of UTF-16BE with `,`
 * for `/`, ended by `-`; `&-` is `&`. Invalid encodings are kept as sent.
 */
export function decodeMailboxName(name: string): string {
  if (!name.includes('&')) return name;
  let out = '';
  let i = 0;
  while (i < name.length) {
    const amp = name.indexOf('&', i);
    if (amp < 0) {
      out += name.slice(i);
      break;
    }
    out += name.slice(i, amp);
    const end = name.indexOf('-', amp + 1);
    if (end < 0) return name;
    const b64 = name.slice(amp + 1, end);
    if (b64 === '') out += '&';
    else {
      if (!/^[A-Za-z0-9+,]+$/.test(b64)) return name;
      const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
      if (bytes.length % 2 !== 0) return name;
      for (let k = 0; k < bytes.length; k += 2) out += String.fromCharCode((bytes[k]! << 8) | bytes[k + 1]!);
    }
    i = end + 1;
  }
  return out;
}

/** A mailbox argument: astring, decoded from modified UTF-7. INBOX is case-insensitive. */
export function mailboxName(v: ImapValue | undefined): string | null {
  const t = textOf(v);
  if (t === null) return null;
  return t.toUpperCase() === 'INBOX' ? 'INBOX' : decodeMailboxName(t);
}

// ---- FETCH ----

export interface FetchItem {
  /** Upper-cased item name without section: `UID`, `FLAGS`, `BODY`, `RFC822.HEADER`, `BINARY`. */
  readonly name: string;
  /** Section inside `[...]` (upper-cased), or null when the item has none. */
  readonly section: string | null;
  /** The `<n>` origin of a partial fetch. */
  readonly origin: number | null;
  readonly value: ImapValue | undefined;
}

/** `(NAME value NAME value ...)` of a FETCH response. */
export function parseFetchItems(values: readonly ImapValue[]): FetchItem[] | null {
  const list = listOf(values[0]);
  if (!list) return null;
  const out: FetchItem[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const key = textOf(list[i]);
    if (key === null) return out;
    const m = /^([^[<]+)(?:\[([^\]]*)\])?(?:<(\d+)>)?$/.exec(key);
    const name = (m ? m[1]! : key).toUpperCase();
    out.push({
      name,
      section: m && m[2] !== undefined ? m[2].toUpperCase() : null,
      origin: m && m[3] !== undefined ? Number(m[3]) : null,
      value: list[i + 1],
    });
  }
  return out;
}

/** Flag list `(\Seen \Flagged)` as strings. */
export function flagList(v: ImapValue | undefined): string[] {
  const items = listOf(v);
  if (!items) {
    const t = textOf(v);
    return t ? [t] : [];
  }
  return items.map(textOf).filter((x): x is string => x !== null);
}

export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: string | null;
  readonly to: string[];
  readonly cc: string[];
  readonly message_id: string | null;
  readonly in_reply_to: string | null;
}

/** ENVELOPE (RFC 3501 §7.4.2): date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id. */
export function parseEnvelope(v: ImapValue | undefined): Envelope | null {
  const f = listOf(v);
  if (!f || f.length < 10) return null;
  const str = (x: ImapValue | undefined): string | null => {
    const t = textOf(x);
    return t === null ? null : safeDecodeWords(t);
  };
  return {
    date: textOf(f[0]),
    subject: str(f[1]),
    from: addressList(f[2])[0] ?? null,
    to: addressList(f[5]),
    cc: addressList(f[6]),
    in_reply_to: textOf(f[8]),
    message_id: textOf(f[9]),
  };
}

/** `((name adl mailbox host) ...)` as `Name <mailbox@host>`; group markers (NIL host) are skipped. */
function addressList(v: ImapValue | undefined): string[] {
  const out: string[] = [];
  for (const a of listOf(v) ?? []) {
    const p = listOf(a);
    if (!p || p.length < 4) continue;
    const mailbox = textOf(p[2]);
    const host = textOf(p[3]);
    if (host === null || mailbox === null) continue;
    const addr = `${mailbox}@${host}`;
    const name = textOf(p[0]);
    out.push(name ? `${safeDecodeWords(name)} <${addr}>` : addr);
  }
  return out;
}

function safeDecodeWords(s: string): string {
  if (!s.includes('=?')) return s;
  try {
    return decodeWords(s);
  } catch {
    return s;
  }
}

export interface StructurePart {
  /** Dotted part number as FETCH BODY[n] names it (`1`, `2.1`). */
  readonly part: string;
  readonly content_type: string;
  /** Encoded size in bytes, as BODYSTRUCTURE gives it. */
  readonly size: number | null;
  readonly name: string | null;
  readonly disposition: string | null;
}

/** The leaf parts of a BODYSTRUCTURE (RFC 3501 §7.4.2), bounded in depth and count. */
export function bodyStructureParts(v: ImapValue | undefined, limit = 1000): StructurePart[] {
  const out: StructurePart[] = [];
  walkStructure(v, '', 0, out, limit);
  return out;
}

function walkStructure(v: ImapValue | undefined, id: string, depth: number, out: StructurePart[], limit: number): void {
  const f = listOf(v);
  if (!f || depth > 32 || out.length >= limit) return;
  if (f[0]?.kind === 'list') {
    // multipart: (part part ... "subtype" ext...)
    let n = 0;
    for (const child of f) {
      if (child.kind !== 'list') break;
      n++;
      walkStructure(child, id ? `${id}.${n}` : String(n), depth + 1, out, limit);
    }
    return;
  }
  const type = (textOf(f[0]) ?? 'application').toLowerCase();
  const subtype = (textOf(f[1]) ?? 'octet-stream').toLowerCase();
  const params = paramMap(f[2]);
  const size = numberOf(f[6]);
  // Extension data starts after size (+ lines for text/*, + envelope, body, lines for message/rfc822).
  let ext = 7;
  if (type === 'text') ext = 8;
  else if (type === 'message' && subtype === 'rfc822') ext = 10;
  // ext: md5, then disposition.
  const disp = listOf(f[ext + 1]);
  const disposition = disp ? (textOf(disp[0])?.toLowerCase() ?? null) : null;
  const dispParams = disp ? paramMap(disp[1]) : new Map<string, string>();
  const name = dispParams.get('filename') ?? params.get('name') ?? null;
  out.push({
    part: id || '1',
    content_type: `${type}/${subtype}`,
    size,
    name: name === null ? null : safeDecodeWords(name),
    disposition,
  });
}

function paramMap(v: ImapValue | undefined): Map<string, string> {
  const m = new Map<string, string>();
  const f = listOf(v) ?? [];
  for (let i = 0; i + 1 < f.length; i += 2) {
    const k = textOf(f[i]);
    const val = textOf(f[i + 1]);
    if (k !== null && val !== null) m.set(k.toLowerCase(), val);
  }
  return m;
}

/** `* LIST (\HasNoChildren) "/" INBOX` data. */
export function parseListData(values: readonly ImapValue[]): { name: string; flags: string[]; delimiter: string | null } | null {
  const name = mailboxName(values[2]);
  if (name === null) return null;
  return { name, flags: flagList(values[0]), delimiter: textOf(values[1]) };
}

/** `* STATUS mailbox (MESSAGES 4 UNSEEN 2)` data. */
export function parseStatusData(values: readonly ImapValue[]): { mailbox: string; items: Record<string, number> } | null {
  const mailbox = mailboxName(values[0]);
  const list = listOf(values[1]);
  if (mailbox === null || !list) return null;
  const items: Record<string, number> = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const k = textOf(list[i]);
    const n = numberOf(list[i + 1]);
    if (k !== null && n !== null) items[k.toLowerCase()] = n;
  }
  return { mailbox, items };
}

/** Key/value list of ID (RFC 2971): `("name" "Dovecot" "version" "2.3")`. */
export function parseIdParams(v: ImapValue | undefined): Record<string, string> | null {
  const list = listOf(v);
  if (!list) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length && i < 60; i += 2) {
    const k = textOf(list[i]);
    const val = textOf(list[i + 1]);
    if (k !== null && val !== null) out[k.toLowerCase()] = val;
  }
  return out;
}
