/**
 * One pass over a header list that finds every field the transaction record reads (issue 18
 * item 2): `transactionFields` used to look up some twenty names one `header()` scan at a
 * time, and the proxy, conditional and cookie lists took three more passes.
 *
 * A name is classified by its length and then compared in place (`sameName`, no lower-cased
 * copy), so the answer is the one `header(list, name)` gives: the first field of that name,
 * case-insensitively, with `toLowerCase`'s rules for names that are not ASCII.
 */
import { sameName, type HeaderList } from './parser.js';

export const FIELD = {
  host: 0,
  user_agent: 1,
  referer: 2,
  authorization: 3,
  proxy_authorization: 4,
  content_type: 5,
  content_length: 6,
  content_encoding: 7,
  transfer_encoding: 8,
  last_modified: 9,
  etag: 10,
  if_modified_since: 11,
  if_none_match: 12,
  accept_language: 13,
  location: 14,
  server: 15,
  cookie: 16,
  set_cookie: 17,
} as const;
export type FieldSlot = (typeof FIELD)[keyof typeof FIELD];
const SLOTS = 18;
/** Not one of the names above. */
const NONE = -1;

/** The lower-case names, by slot (for names that are not ASCII, compared as `header()` does). */
const NAMES: readonly string[] = [
  'host', 'user-agent', 'referer', 'authorization', 'proxy-authorization', 'content-type', 'content-length',
  'content-encoding', 'transfer-encoding', 'last-modified', 'etag', 'if-modified-since', 'if-none-match',
  'accept-language', 'location', 'server', 'cookie', 'set-cookie',
];

/** Headers Zeek lists in `proxied`. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-from', 'client-ip', 'via', 'xroxy-connection', 'proxy-connection'];

const isProxyHeader = (n: string): boolean => {
  for (let i = 0; i < PROXY_HEADERS.length; i++) if (sameName(n, PROXY_HEADERS[i]!)) return true;
  return false;
};

const CONDITIONAL = /^if-(modified-since|none-match|match|unmodified-since|range)$/i;

/** The slot of an ASCII-length match: the candidates of that length, compared in place. */
function slotByLength(n: string): number {
  switch (n.length) {
    case 4:
      if (sameName(n, 'host')) return FIELD.host;
      if (sameName(n, 'etag')) return FIELD.etag;
      return NONE;
    case 6:
      if (sameName(n, 'cookie')) return FIELD.cookie;
      if (sameName(n, 'server')) return FIELD.server;
      return NONE;
    case 7:
      return sameName(n, 'referer') ? FIELD.referer : NONE;
    case 8:
      return sameName(n, 'location') ? FIELD.location : NONE;
    case 10:
      if (sameName(n, 'user-agent')) return FIELD.user_agent;
      if (sameName(n, 'set-cookie')) return FIELD.set_cookie;
      return NONE;
    case 12:
      return sameName(n, 'content-type') ? FIELD.content_type : NONE;
    case 13:
      if (sameName(n, 'authorization')) return FIELD.authorization;
      if (sameName(n, 'last-modified')) return FIELD.last_modified;
      if (sameName(n, 'if-none-match')) return FIELD.if_none_match;
      return NONE;
    case 14:
      return sameName(n, 'content-length') ? FIELD.content_length : NONE;
    case 15:
      return sameName(n, 'accept-language') ? FIELD.accept_language : NONE;
    case 16:
      return sameName(n, 'content-encoding') ? FIELD.content_encoding : NONE;
    case 17:
      if (sameName(n, 'transfer-encoding')) return FIELD.transfer_encoding;
      if (sameName(n, 'if-modified-since')) return FIELD.if_modified_since;
      return NONE;
    case 19:
      return sameName(n, 'proxy-authorization') ? FIELD.proxy_authorization : NONE;
    default:
      return NONE;
  }
}

/**
 * The slot of name `n`, or -1. `sameName` decides equal lengths; a name whose lower-case
 * form has another length (only non-ASCII letters do that) is lower-cased and looked up.
 */
function slotOf(n: string): number {
  const s = slotByLength(n);
  if (s !== NONE) return s;
  for (let i = 0; i < n.length; i++) {
    if (n.charCodeAt(i) >= 0x80) {
      const lower = n.toLowerCase();
      for (let k = 0; k < SLOTS; k++) if (lower === NAMES[k]) return k;
      return NONE;
    }
  }
  return NONE;
}

/**
 * Where each known field first appears in one header list (-1: absent), and the lists that
 * need every field of a name, in the order sent. Reused: `index` overwrites it.
 */
export class FieldIndex {
  private readonly first = new Int32Array(SLOTS);
  private list: HeaderList = [];
  /**
   * Request side: `NAME -> value` of the proxy headers (Zeek's `proxied`), the lower-cased
   * names of the conditional fields, the cookie pairs of every Cookie field (split at `;`,
   * trimmed). Response side: `name=value` of each Set-Cookie. Null when there is none, so a
   * list is made only for a record that carries it.
   */
  proxied: string[] | null = null;
  conditional: string[] | null = null;
  cookies: string[] | null = null;
  setCookies: string[] | null = null;

  /** Indexes `list` as a request's (`request`) or a response's header section. */
  index(list: HeaderList, request: boolean): this {
    this.first.fill(NONE);
    this.list = list;
    this.proxied = null;
    this.conditional = null;
    this.cookies = null;
    this.setCookies = null;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      const n = h[0];
      const s = slotOf(n);
      if (s !== NONE) {
        if (this.first[s] === NONE) this.first[s] = i;
        if (s === FIELD.cookie && request) {
          const parts = h[1].split(';');
          for (let j = 0; j < parts.length; j++) {
            const t = parts[j]!.trim();
            if (t) (this.cookies ??= []).push(t);
          }
        } else if (s === FIELD.set_cookie && !request) {
          const t = h[1].split(';')[0]!.trim();
          if (t.length > 0) (this.setCookies ??= []).push(t);
        }
      }
      if (!request) continue;
      if (isProxyHeader(n)) (this.proxied ??= []).push(`${n.toUpperCase()} -> ${h[1]}`);
      if (n.length > 3 && (n.charCodeAt(0) | 0x20) === 0x69 && (n.charCodeAt(1) | 0x20) === 0x66 && n.charCodeAt(2) === 0x2d && CONDITIONAL.test(n)) {
        (this.conditional ??= []).push(n.toLowerCase());
      }
    }
    return this;
  }

  /** The first value of the field in `slot`, as `header(list, name)` gives it. */
  get(slot: FieldSlot): string | undefined {
    const i = this.first[slot]!;
    return i === NONE ? undefined : this.list[i]![1];
  }
}
