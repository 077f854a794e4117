/**
 * Internet messages (RFC 5322 + MIME): header fields, the MIME tree, attachments with their
 * decoded bytes. Pure: bytes in, a `MailMessage` out, never throws; what it could not parse
 * is in `issues`. The glue that turns a message into event fields and exported objects is
 * mail-message.ts.
 *
 * Why synchronous and hand-walked: dissectors emit events synchronously, in stream order,
 * and postal-mime's `parse()` is async all the way down (its decoders finalise through
 * `Blob.arrayBuffer()`), so its result could only arrive after later packets had been
 * dissected, which would make event order depend on the event loop. So this module walks
 * the MIME structure itself (header unfolding, boundaries, transfer decodings: the
 * mechanical part) and uses postal-mime's synchronous exports for the parts that are
 * hard to get right: `addressParser` (RFC 5322 address lists, groups, comments) and
 * `decodeWords` (RFC 2047 encoded words, charsets). tests/smtp/mail-message.test.ts
 * checks the attachment list against postal-mime's full async parse on real messages.
 */
import { addressParser, decodeWords } from 'postal-mime';
import { decodeText, latin1 } from './text.js';

export interface MailLimits {
  readonly max_headers: number;
  readonly max_header_bytes: number;
  readonly max_object: number;
}

export interface MailPart {
  /** Dotted position in the MIME tree: `1`, `2.1`... (`0` for a single-part message). */
  readonly id: string;
  readonly content_type: string;
  readonly encoding: string | null;
  readonly disposition: string | null;
  readonly name: string | null;
  /** Decoded size in bytes. */
  readonly size: number;
}

export interface MailAttachment {
  readonly name: string;
  readonly content_type: string;
  readonly size: number;
  readonly part: string;
  /** Decoded content (kept so the dissector can export it). */
  readonly data: Uint8Array;
}

export interface MailIssue {
  /** Suffix of the anomaly code; the protocol adds its prefix (`smtp.mail_header_limit`). */
  readonly code: keyof typeof MAIL_ANOMALY_SUFFIXES;
  readonly detail: string;
}

export const MAIL_ANOMALY_SUFFIXES = {
  mail_header_limit: 'a message header had more fields or bytes than max_headers/max_header_bytes; the rest was ignored',
  mail_mime_depth: 'MIME parts were nested deeper than wirelens follows; inner parts were not parsed',
  mail_mime_parts: 'a message had more MIME parts than wirelens lists (1000); the rest were not parsed or exported',
  mail_missing_boundary: 'a multipart body had no boundary parameter or its closing boundary never came',
  mail_bad_header: 'a header line was neither a field nor a continuation',
} as const;

export type MailAnomalySuffix = keyof typeof MAIL_ANOMALY_SUFFIXES;

export interface MailMessage {
  /** Header fields in order, unfolded, encoded words decoded. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly from: string | null;
  readonly to: string[];
  readonly cc: string[];
  readonly reply_to: string | null;
  readonly subject: string | null;
  readonly date: string | null;
  readonly msg_id: string | null;
  readonly in_reply_to: string | null;
  readonly x_originating_ip: string | null;
  readonly user_agent: string | null;
  /** Received headers, newest first (as they appear). */
  readonly received: string[];
  /** Bare addresses (lower-case) from From, To and Cc, for comparing with the envelope. */
  readonly from_addresses: string[];
  readonly to_addresses: string[];
  readonly cc_addresses: string[];
  /**
   * The message's own media type (`multipart/mixed`, `text/plain`...). `parts` lists only
   * leaves, so without this a multipart message would not say which kind it is.
   */
  readonly content_type: string;
  readonly header_bytes: number;
  readonly size: number;
  readonly parts: MailPart[];
  readonly attachments: MailAttachment[];
  readonly issues: MailIssue[];
}

/** MIME nesting followed, and parts listed per message: each trims with its anomaly (docs/LIMITS.md). */
export const MAX_MIME_DEPTH = 16;
export const MAX_MIME_PARTS = 1000;

/**
 * The first field called `name`, or null. Indexed, not `find(([k]) => ...)`: a destructuring
 * parameter runs the array iterator per field, and a message is asked for a dozen names.
 */
function fieldValue(fields: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  for (let i = 0; i < fields.length; i++) if (fields[i]![0] === name) return fields[i]![1];
  return null;
}

interface HeaderBlock {
  fields: Array<[string, string]>;
  /** Offset of the body (after the empty line), or the end when there is none. */
  bodyStart: number;
}

/** Parse a whole message. Never throws; what it could not parse is in `issues`. */
export function parseMail(bytes: Uint8Array, limits: MailLimits): MailMessage {
  const issues: MailIssue[] = [];
  const head = parseHeaderBlock(bytes, 0, bytes.length, limits, issues);
  const get = (name: string): string | null => fieldValue(head.fields, name);
  const all = (name: string): string[] => {
    const out: string[] = [];
    const fields = head.fields;
    for (let i = 0; i < fields.length; i++) if (fields[i]![0] === name) out.push(fields[i]![1]);
    return out;
  };
  const parts: MailPart[] = [];
  const attachments: MailAttachment[] = [];
  walk(bytes, head, 0, bytes.length, '0', 0, { parts, attachments, issues, limits });
  const splitList = (values: string[]): string[] => values.flatMap((v) => splitAddressList(v));
  return {
    headers: head.fields,
    from: get('from'),
    to: splitList(all('to')),
    cc: splitList(all('cc')),
    reply_to: get('reply-to'),
    subject: get('subject'),
    date: get('date'),
    msg_id: get('message-id'),
    in_reply_to: get('in-reply-to'),
    x_originating_ip: get('x-originating-ip')?.replace(/^\[|\]$/g, '') ?? null,
    user_agent: get('user-agent') ?? get('x-mailer'),
    received: all('received'),
    from_addresses: addresses(all('from')),
    to_addresses: addresses(all('to')),
    cc_addresses: addresses(all('cc')),
    content_type: parseContentType(get('content-type')).value,
    header_bytes: head.bodyStart,
    size: bytes.length,
    parts,
    attachments,
    issues,
  };
}

/** `local@domain` of dot-atoms: no quotes, comments, routes or anything addressParser must interpret. */
const PLAIN_ADDRESS = '[A-Za-z0-9_+-]+(?:\\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*';
const BARE_ADDRESS = new RegExp(`^${PLAIN_ADDRESS}$`);
const NAMED_ADDRESS = new RegExp(`^[A-Za-z0-9]+(?: [A-Za-z0-9]+)* <(${PLAIN_ADDRESS})>$`);

/**
 * The address of a header value in one of the two forms most mail uses, `a@b.c` and
 * `Word Word <a@b.c>`, or null for anything else. addressParser gives the same address for
 * these (tests/smtp/mime-addresses.test.ts) but costs a tokenizer and its objects per
 * value; it was the dissectors' largest single function on the bench capture.
 */
export function plainAddress(v: string): string | null {
  if (BARE_ADDRESS.test(v)) return v;
  return NAMED_ADDRESS.exec(v)?.[1] ?? null;
}

/** Lower-case bare addresses of address-list header values (groups flattened). */
export function addresses(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const plain = plainAddress(v);
    if (plain !== null) {
      out.push(plain.toLowerCase());
      continue;
    }
    for (const a of addressParser(v, { flatten: true })) {
      if (a.address) out.push(a.address.toLowerCase());
    }
  }
  return out;
}

/** `<a@b>` or `FROM:<a@b> SIZE=1` → `a@b` (the path of MAIL FROM / RCPT TO). */
export function envelopeAddress(arg: string): string {
  const m = /<([^>]*)>/.exec(arg);
  if (m) return m[1]!.trim();
  const colon = arg.indexOf(':');
  return (colon >= 0 ? arg.slice(colon + 1) : arg).trim().split(/\s+/)[0] ?? '';
}

/** Split an address-list header value at top-level commas (Zeek's `to`/`cc` sets). */
function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && (c === '<' || c === '(')) depth++;
    else if (!quoted && (c === '>' || c === ')')) depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((s) => s.length > 0);
}

/** Header fields from `start` up to the empty line (or `end`). Names lower-case. */
function parseHeaderBlock(
  bytes: Uint8Array,
  start: number,
  end: number,
  limits: MailLimits,
  issues: MailIssue[],
): HeaderBlock {
  const fields: Array<[string, string]> = [];
  let pos = start;
  let current: { name: string; raw: string } | null = null;
  let trimmed = false;
  const flush = (): void => {
    if (!current) return;
    if (fields.length >= limits.max_headers) {
      if (!trimmed) issues.push({ code: 'mail_header_limit', detail: `more than ${limits.max_headers} header fields` });
      trimmed = true;
    } else {
      fields.push([current.name, decodeHeaderValue(current.raw)]);
    }
    current = null;
  };
  while (pos < end) {
    let lf = bytes.indexOf(0x0a, pos);
    if (lf < 0 || lf >= end) lf = end;
    const lineEnd = lf > pos && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    const next = Math.min(lf + 1, end);
    if (lineEnd === pos) {
      flush();
      return { fields, bodyStart: next };
    }
    if (pos - start > limits.max_header_bytes) {
      if (!trimmed) issues.push({ code: 'mail_header_limit', detail: `header section over ${limits.max_header_bytes} bytes` });
      trimmed = true;
      current = null;
    } else {
      const line = decodeText(bytes, pos, lineEnd);
      const first = bytes[pos];
      if ((first === 0x20 || first === 0x09) && current) {
        current.raw += line;
      } else {
        flush();
        const colon = line.indexOf(':');
        if (colon > 0 && !/\s/.test(line.slice(0, colon).trimEnd())) {
          current = { name: line.slice(0, colon).trim().toLowerCase(), raw: line.slice(colon + 1) };
        } else if (fields.length === 0 && line.startsWith('From ')) {
          // mbox "From " separator line: not a field, not an error.
        } else {
          issues.push({ code: 'mail_bad_header', detail: `not a header field: ${line.slice(0, 60)}` });
          // No colon: the header section is over and this is the body (lenient, like most MUAs).
          return { fields, bodyStart: pos };
        }
      }
    }
    pos = next;
  }
  flush();
  return { fields, bodyStart: end };
}

/**
 * A field body as written, minus the whitespace after the colon. Unfolding (RFC 5322 §2.2.3)
 * removes only the CRLF, which parseHeaderBlock already did, so runs of spaces and tabs
 * inside the value are part of it (`4spaces    =?...?=` keeps its four). Trailing CR/LF
 * of a bare-LF or mixed line ending go. RFC 2047 §6.2 drops whitespace only between two
 * adjacent encoded-words; `decodeWords` does exactly that and nothing more.
 */
function decodeHeaderValue(raw: string): string {
  const v = raw.replace(/^[ \t]+/, '').replace(/[\r\n]+$/, '');
  if (!v.includes('=?')) return v;
  try {
    return decodeWords(v);
  } catch {
    return v;
  }
}

interface Structured {
  value: string;
  params: Map<string, string>;
}

/** `type/sub; a=b; c="d"` with RFC 2231 continuations and charsets. */
export function parseStructured(header: string | null): Structured {
  const params = new Map<string, string>();
  if (!header) return { value: '', params };
  const pieces: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i]!;
    if (quoted && c === '\\' && i + 1 < header.length) {
      cur += header[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      pieces.push(cur);
      cur = '';
      continue;
    } else cur += c;
  }
  pieces.push(cur);
  const continued = new Map<string, Array<{ n: number; v: string; enc: boolean }>>();
  for (const p of pieces.slice(1)) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const val = p.slice(eq + 1).trim();
    const m = /^([^*]+)\*(?:(\d+)\*?|)$/.exec(key);
    if (m && key.includes('*')) {
      const list = continued.get(m[1]!) ?? [];
      list.push({ n: m[2] ? Number(m[2]) : 0, v: val, enc: key.endsWith('*') });
      continued.set(m[1]!, list);
    } else {
      params.set(key, decodeHeaderValue(val));
    }
  }
  for (const [key, list] of continued) {
    list.sort((a, b) => a.n - b.n);
    let charset = 'utf-8';
    const bytes: number[] = [];
    list.forEach((item, idx) => {
      let v = item.v;
      if (item.enc && idx === 0) {
        const q = /^([^']*)'[^']*'(.*)$/.exec(v);
        if (q) {
          charset = q[1] || charset;
          v = q[2]!;
        }
      }
      if (item.enc) {
        for (let i = 0; i < v.length; i++) {
          if (v[i] === '%' && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 1, i + 3))) {
            bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
            i += 2;
          } else bytes.push(v.charCodeAt(i) & 0xff);
        }
      } else {
        for (const b of Buffer.from(v, 'utf8')) bytes.push(b);
      }
    });
    let text: string;
    try {
      text = new TextDecoder(charset, { fatal: false }).decode(Uint8Array.from(bytes));
    } catch {
      text = decodeText(Uint8Array.from(bytes));
    }
    if (!params.has(key)) params.set(key, text);
  }
  return { value: pieces[0]!.trim().toLowerCase(), params };
}

/** RFC 2045 §5.1 `type "/" subtype`, both tokens (no tspecials, no spaces). */
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * The Content-Type of a part. RFC 2045 §5.2: a missing or syntactically invalid value is
 * taken as `text/plain`, so `Content-Type: boundary="x"` (no media type) is text/plain,
 * not a media type called `boundary=x`.
 */
export function parseContentType(header: string | null): Structured {
  const ct = parseStructured(header);
  return MEDIA_TYPE.test(ct.value) ? ct : { value: 'text/plain', params: ct.params };
}

interface WalkState {
  parts: MailPart[];
  attachments: MailAttachment[];
  issues: MailIssue[];
  limits: MailLimits;
}

function walk(
  bytes: Uint8Array,
  head: HeaderBlock,
  start: number,
  end: number,
  id: string,
  depth: number,
  st: WalkState,
): void {
  const get = (name: string): string | null => fieldValue(head.fields, name);
  const ctype = parseContentType(get('content-type'));
  const type = ctype.value;
  const bodyStart = Math.min(head.bodyStart, end);
  if (type.startsWith('multipart/')) {
    if (depth >= MAX_MIME_DEPTH) {
      st.issues.push({ code: 'mail_mime_depth', detail: `MIME nesting deeper than ${MAX_MIME_DEPTH} at part ${id}` });
      return;
    }
    const boundary = ctype.params.get('boundary');
    if (!boundary) {
      st.issues.push({ code: 'mail_missing_boundary', detail: `${type} part ${id} has no boundary` });
      return;
    }
    const children = splitMultipart(bytes, bodyStart, end, boundary);
    if (!children.closed) st.issues.push({ code: 'mail_missing_boundary', detail: `part ${id}: closing boundary --${boundary}-- missing` });
    children.bodies.forEach(([s, e], i) => {
      if (st.parts.length >= MAX_MIME_PARTS) {
        if (!st.issues.some((x) => x.code === 'mail_mime_parts')) {
          st.issues.push({ code: 'mail_mime_parts', detail: `more than ${MAX_MIME_PARTS} MIME parts; part ${id === '0' ? i + 1 : `${id}.${i + 1}`} and the rest were not parsed` });
        }
        return;
      }
      const childId = id === '0' ? String(i + 1) : `${id}.${i + 1}`;
      const childHead = parseHeaderBlock(bytes, s, e, st.limits, st.issues);
      walk(bytes, childHead, s, e, childId, depth + 1, st);
    });
    return;
  }
  const encoding = get('content-transfer-encoding')?.trim().toLowerCase() ?? null;
  const disp = parseStructured(get('content-disposition'));
  const name = disp.params.get('filename') ?? ctype.params.get('name') ?? null;
  const data = decodeBody(bytes.subarray(bodyStart, end), encoding);
  st.parts.push({ id, content_type: type, encoding, disposition: disp.value || null, name, size: data.length });
  const isAttachment = disp.value === 'attachment' || (name !== null && !(disp.value === 'inline' && type.startsWith('text/'))) || type === 'message/rfc822';
  if (isAttachment && start !== 0) {
    st.attachments.push({ name: name ?? `part-${id}`, content_type: type, size: data.length, part: id, data });
  } else if (isAttachment && name !== null) {
    // A single-part message that is itself a file.
    st.attachments.push({ name, content_type: type, size: data.length, part: id, data });
  }
}

/** Byte ranges of the parts between `--boundary` lines, and whether `--boundary--` came. */
function splitMultipart(
  bytes: Uint8Array,
  start: number,
  end: number,
  boundary: string,
): { bodies: Array<[number, number]>; closed: boolean } {
  const marker = Buffer.from('--' + boundary, 'latin1');
  const bodies: Array<[number, number]> = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    let lf = bytes.indexOf(0x0a, pos);
    if (lf < 0 || lf >= end) lf = end;
    const lineEnd = lf > pos && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    if (lineEnd - pos >= marker.length && startsWith(bytes, pos, marker)) {
      const rest = latin1(bytes, pos + marker.length, lineEnd).trimEnd();
      if (rest === '' || rest === '--') {
        // The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1).
        if (partStart >= 0) bodies.push([partStart, trimBreak(bytes, partStart, pos)]);
        if (rest === '--') return { bodies, closed: true };
        partStart = Math.min(lf + 1, end);
      }
    }
    pos = lf + 1;
  }
  if (partStart >= 0) bodies.push([partStart, end]);
  return { bodies, closed: false };
}

function startsWith(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function trimBreak(bytes: Uint8Array, start: number, end: number): number {
  if (end > start && bytes[end - 1] === 0x0a) end--;
  if (end > start && bytes[end - 1] === 0x0d) end--;
  return end;
}

function decodeBody(body: Uint8Array, encoding: string | null): Uint8Array {
  if (encoding === 'base64') return decodeBodyBase64(body);
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body.slice();
}

/** Value of each base64 alphabet byte, -1 for every other byte (padding included). */
const BASE64 = (() => {
  const t = new Int8Array(256).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < abc.length; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

/**
 * RFC 2045 §6.8, lenient: every byte outside the alphabet (line breaks, padding, garbage) is
 * skipped, and what is left decodes as Buffer's base64 does (a last group of two or three
 * characters gives one or two bytes, a lone last character none). Straight from the bytes:
 * the body as a latin1 string, a regex pass over it, Buffer's decode and a copy of its
 * result were each a pass over the body (tests/smtp/mime-base64.test.ts compares the two).
 */
export function decodeBodyBase64(body: Uint8Array): Uint8Array {
  let chars = 0;
  for (let i = 0; i < body.length; i++) if (BASE64[body[i]!]! >= 0) chars++;
  const rest = chars & 3;
  const out = new Uint8Array((chars >> 2) * 3 + (rest === 2 ? 1 : rest === 3 ? 2 : 0));
  let acc = 0;
  let have = 0;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const v = BASE64[body[i]!]!;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    if (++have === 4) {
      out[n++] = (acc >> 16) & 0xff;
      out[n++] = (acc >> 8) & 0xff;
      out[n++] = acc & 0xff;
      acc = 0;
      have = 0;
    }
  }
  if (have === 2) out[n++] = (acc >> 4) & 0xff;
  else if (have === 3) {
    out[n++] = (acc >> 10) & 0xff;
    out[n++] = (acc >> 2) & 0xff;
  }
  return out;
}

/** RFC 2045 §6.7, lenient: a bad escape stays as it is. */
export function decodeQuotedPrintable(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length);
  let n = 0;
  const hexVal = (c: number): number =>
    c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    // Soft line break: "=" then optional spaces then CRLF or LF.
    let j = i + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (j < body.length && (body[j] === 0x0a || (body[j] === 0x0d && body[j + 1] === 0x0a))) {
      i = body[j] === 0x0d ? j + 1 : j;
      continue;
    }
    if (j === body.length) break;
    const hi = hexVal(body[i + 1] ?? 0);
    const lo = hexVal(body[i + 2] ?? 0);
    if (hi >= 0 && lo >= 0) {
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else out[n++] = c;
  }
  return out.slice(0, n);
}

