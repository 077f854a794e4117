import type { WireEvent } from '../../events/event.js';
import type { JsonValue } from '../../events/json.js';
import { Timestamp } from '../../events/time.js';
import { relativeTime, show } from '../text.js';
import { BASE_FIELDS, isTruncated, kindOf, labelOf } from './labels.js';
import { line, wrapText, type Color, type Line } from './lines.js';

/** How an event of a flow is shown in its transactions pane. */
export type Role = 'session' | 'transaction' | 'message' | 'credentials' | 'anomaly' | 'tcp';

const TRANSACTION_SUFFIXES = ['.transaction', '.transfer', '.zone_transfer'];

/**
 * Sorts a flow's events into roles by their type's shape, so protocols that land later
 * fit without changes here: `*.transaction`/`*.transfer` are transactions; a mail
 * `*.message` is one too when its protocol has no `*.transaction` (SMTP, POP3, IMAP);
 * `*.session`/`*.connection` sum the flow up; everything else with a direction is a message.
 */
export function roleOf(e: WireEvent, typesInFlow: ReadonlySet<string>): Role {
  if (e.type === 'credentials') return 'credentials';
  if (e.type === 'anomaly') return 'anomaly';
  // TCP's own view of the flow (expert flags, the connection's numbers): not an application
  // record; the transactions pane leaves it out (it belongs in a packets pane, not built yet).
  if (e.type === 'tcp.analysis' || e.type === 'tcp.connection') return 'tcp';
  // QUIC's packets are its transport view, as TCP's segments are (the HTTP/3 and TLS events
  // inside are the messages); grouped with TCP's records, out of the ladder.
  if (e.type === 'quic.packet') return 'tcp';
  if (TRANSACTION_SUFFIXES.some((s) => e.type.endsWith(s))) return 'transaction';
  if (e.type.endsWith('.session') || e.type.endsWith('.connection')) return 'session';
  const proto = e.type.slice(0, e.type.indexOf('.'));
  if (e.type.endsWith('.message') && MAIL.has(proto) && !typesInFlow.has(`${proto}.transaction`)) return 'transaction';
  return 'message';
}

const MAIL = new Set(['smtp', 'pop3', 'imap']);

export interface OutlineOptions {
  /** Groups and records whose fold state the user flipped. */
  toggled: ReadonlySet<string>;
  width: number;
  /** Start of the flow, for relative times. */
  start: Timestamp | null;
  /** Events the filter selects are marked. */
  marks?: (e: WireEvent) => boolean;
}

/** Groups open by default only up to this many entries. */
const OPEN_GROUP_MAX = 30;

const dirArrow = (e: WireEvent): string => (e.dir === 'c2s' ? '→' : e.dir === 's2c' ? '←' : '·');
const dirColor = (e: WireEvent): Color | undefined => (e.dir === 'c2s' ? 'green' : e.dir === 's2c' ? 'magenta' : undefined);

/**
 * The transactions pane of one flow as lines: sections (session, transactions, messages
 * grouped by type and kind, credentials, anomalies), each entry folded to one line and
 * unfolded with Enter into its fields: headers, answers, the envelope.
 */
export function buildOutline(events: readonly WireEvent[], opts: OutlineOptions): Line[] {
  const types = new Set(events.map((e) => e.type));
  const byRole = new Map<Role, WireEvent[]>();
  for (const e of events) {
    const r = roleOf(e, types);
    const list = byRole.get(r);
    if (list) list.push(e);
    else byRole.set(r, [e]);
  }
  const out: Line[] = [];
  const ordinal = new Map<WireEvent, number>(events.map((e, i) => [e, i]));
  const ctx = { ...opts, all: events, ordinal };
  section(out, 'Session', byRole.get('session'), ctx);
  section(out, 'Transactions', byRole.get('transaction'), ctx);
  const messages = byRole.get('message') ?? [];
  if (messages.length && sectionHead(out, 'Messages', messages.length, opts.toggled)) {
    for (const [type, group] of groupBy(messages, (e) => e.type)) {
      const gid = `msg:${type}`;
      const open = isOpen(gid, group.length <= OPEN_GROUP_MAX, opts.toggled);
      out.push(line(`${open ? '▾' : '▸'} ${show(type)} (${group.length})`, { color: 'cyan' }, gid));
      if (!open) continue;
      const kinds = groupBy(group, (e) => kindOf(e) ?? '');
      if (kinds.size > 1 || (kinds.size === 1 && !kinds.has(''))) {
        for (const [kind, sub] of kinds) {
          const kid = `${gid}:${kind}`;
          const kopen = isOpen(kid, sub.length <= 10, opts.toggled);
          out.push(line(`  ${kopen ? '▾' : '▸'} ${kind || '(other)'} (${sub.length})`, { color: 'cyan' }, kid));
          if (kopen) for (const e of sub) entry(out, e, 6, ctx);
        }
      } else for (const e of group) entry(out, e, 4, ctx);
    }
  }
  section(out, 'Credentials', byRole.get('credentials'), ctx);
  section(out, 'Anomalies', byRole.get('anomaly'), ctx);
  if (!out.length) out.push(line('No application events in this flow (yet). The stream pane shows its bytes.', { dim: true }));
  return out;
}

type Ctx = OutlineOptions & { all: readonly WireEvent[]; ordinal: ReadonlyMap<WireEvent, number> };

function section(out: Line[], title: string, list: WireEvent[] | undefined, ctx: Ctx): void {
  if (!list?.length) return;
  if (sectionHead(out, title, list.length, ctx.toggled)) for (const e of list) entry(out, e, 2, ctx);
}

/** A section's title line, which Enter folds and unfolds like a group; true when open. */
function sectionHead(out: Line[], title: string, count: number, toggled: ReadonlySet<string>): boolean {
  const id = `sec:${title}`;
  const open = isOpen(id, true, toggled);
  out.push(line(`${open ? '▾' : '▸'} ${title} (${count})`, { bold: true }, id));
  return open;
}

export const entryId = (e: WireEvent, ordinal: number): string => `e:${e.type}:${e.frame}:${ordinal}`;

/** One event: its folded line, and when unfolded, its fields below it. */
function entry(out: Line[], e: WireEvent, indent: number, ctx: Ctx): void {
  const id = entryId(e, ctx.ordinal.get(e) ?? 0);
  const open = isOpen(id, false, ctx.toggled);
  const time = ctx.start && e.ts instanceof Timestamp ? `+${relativeTime(Math.max(0, e.ts.since(ctx.start)))}` : '';
  const marked = ctx.marks?.(e) ?? false;
  out.push({
    target: id,
    segs: [
      { text: `${' '.repeat(indent)}${open ? '▾' : '▸'} ` },
      { text: `${dirArrow(e)} `, color: dirColor(e) },
      { text: `#${e.frame} `.padEnd(8), dim: true },
      { text: `${time} `.padEnd(14), dim: true },
      // A message or transaction that lost bytes is yellow, as the objects pane shows an incomplete object.
      { text: labelOf(e), bold: marked, color: marked ? 'yellow' : e.type === 'anomaly' ? 'red' : isTruncated(e) ? 'yellow' : undefined },
    ],
  });
  if (!open) return;
  const pad = indent + 4;
  for (const text of fieldLines(e, ctx.all)) {
    for (const row of wrapText(' '.repeat(pad) + text, ctx.width, pad + 2)) out.push(line(row, {}, id));
  }
}

function isOpen(id: string, byDefault: boolean, toggled: ReadonlySet<string>): boolean {
  return toggled.has(id) ? !byDefault : byDefault;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const l = m.get(k);
    if (l) l.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** Fields shown before the others, per type: what the transaction is about. */
const FIRST: Record<string, readonly string[]> = {
  'dns.transaction': ['query', 'qtype_name', 'rcode_name', 'rtt', 'answer_records', 'authorities', 'additionals'],
  'dns.message': ['qname', 'qtype_name', 'rcode_name', 'answers', 'authorities', 'additionals'],
  'mdns.message': ['qname', 'qtype_name', 'rcode_name', 'answers', 'authorities', 'additionals'],
  'llmnr.message': ['qname', 'qtype_name', 'rcode_name', 'answers', 'authorities', 'additionals'],
  'ftp.transfer': ['command', 'file', 'direction', 'bytes', 'complete', 'data_flow', 'mode'],
};

const SMTP_ENVELOPE = ['helo', 'mailfrom', 'rcptto', 'rejected_rcptto', 'path', 'tls', 'bdat', 'last_reply', 'envelope_mismatch'];
const MAIL_HEADERS = ['from', 'to', 'cc', 'reply_to', 'subject', 'date', 'msg_id', 'in_reply_to', 'user_agent', 'x_originating_ip', 'first_received', 'second_received'];
const MAIL_BODY = ['size', 'parts', 'attachments', 'fuids', 'missed_bytes'];

/** The fields of an unfolded event, as text lines (every captured string made safe). */
export function fieldLines(e: WireEvent, all: readonly WireEvent[]): string[] {
  const out: string[] = [`type: ${show(e.type)}  frame: ${e.frame}  dir: ${e.dir ?? '-'}`];
  const used = new Set<string>(BASE_FIELDS);
  let sectioned = false;
  const take = (title: string, keys: readonly string[]) => {
    const present = keys.filter((k) => e[k] !== undefined && e[k] !== null);
    if (!present.length) return;
    sectioned = true;
    out.push(`${title}:`);
    for (const k of present) {
      used.add(k);
      valueLines(k, e[k], 1, out);
    }
  };
  if (e.type === 'smtp.message') {
    take('Envelope', SMTP_ENVELOPE);
    take('Headers', MAIL_HEADERS);
    take('Body', MAIL_BODY);
  } else if (e.type === 'pop3.message' || e.type === 'imap.message') {
    take('Headers', MAIL_HEADERS);
    take('Body', MAIL_BODY);
  }
  // Headers first: they are what a person opens an HTTP transaction for.
  if (e.type === 'http.transaction' && httpHeaders(e, all, out)) out.push('Fields:');
  // DNS header bits (AA, TC, RD...) read best as one line of the ones set, as dig prints them.
  const bits = Object.entries(e).filter(([k, v]) => typeof v === 'boolean' && /^[A-Z]{1,2}$/.test(k));
  if (bits.length > 2) {
    out.push(`flags: ${bits.filter(([, v]) => v).map(([k]) => k).join(' ') || '(none)'}`);
    for (const [k] of bits) used.add(k);
  }
  for (const k of FIRST[e.type] ?? []) {
    if (e[k] === undefined || used.has(k)) continue;
    used.add(k);
    valueLines(k, e[k], 0, out);
  }
  const rest: string[] = [];
  for (const [k, v] of Object.entries(e)) if (!used.has(k)) valueLines(k, v, 0, rest);
  if (sectioned && rest.length) out.push('Other:', ...rest.map((l) => '  ' + l));
  else out.push(...rest);
  return out;
}

/** Request and response headers of an HTTP transaction, from its HTTP/1 messages or HTTP/2 header blocks. */
function httpHeaders(tx: WireEvent, all: readonly WireEvent[], out: string[]): boolean {
  const sid = tx.stream_id;
  let req: WireEvent | undefined;
  let resp: WireEvent | undefined;
  if (typeof sid === 'number') {
    // HTTP/2 or HTTP/3 (`version` "2" / "3"): header blocks by stream.
    const type = tx.version === '3' ? 'http3.headers' : 'http2.headers';
    req = all.find((e) => e.type === type && ((e.dir === 'c2s' && e.stream_id === sid && e.block !== 'trailers') || (e.block === 'push_promise' && e.promised_stream_id === sid)));
    resp = all.find((e) => e.type === type && e.dir === 's2c' && e.stream_id === sid && e.block !== 'push_promise' && e.block !== 'trailers' && e.block !== 'informational');
  } else {
    req = all.find((e) => e.type === 'http.request' && e.trans_depth === tx.trans_depth);
    resp = all.find((e) => e.type === 'http.response' && e.trans_depth === tx.trans_depth && num(e.status_code) >= 200);
  }
  let any = false;
  for (const [title, msg] of [['Request headers', req], ['Response headers', resp]] as const) {
    if (!msg || !Array.isArray(msg.headers)) continue;
    any = true;
    out.push(`${title} (frame ${msg.frame}):`);
    for (const h of msg.headers) if (Array.isArray(h)) out.push(`  ${show(h[0])}: ${show(h[1])}`);
  }
  return any;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const isPairList = (v: readonly JsonValue[]): boolean => v.length > 0 && v.every((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === 'string');
const isScalar = (v: JsonValue | undefined): boolean => v === null || typeof v !== 'object' || v instanceof Timestamp;

/** One field as lines: scalars inline, header lists as `Name: value`, records one per line. */
function valueLines(key: string, v: JsonValue | undefined, depth: number, out: string[]): void {
  // Absent and empty fields say nothing; leaving them out keeps what matters on screen.
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return;
  const pad = '  '.repeat(depth);
  if (isScalar(v)) {
    out.push(`${pad}${show(key)}: ${show(v)}`);
    return;
  }
  if (Array.isArray(v)) {
    const arr = v as readonly JsonValue[];
    if (arr.every(isScalar)) {
      out.push(`${pad}${show(key)}: ${arr.map((x) => show(x)).join(', ')}`);
      return;
    }
    out.push(`${pad}${show(key)}:`);
    if (isPairList(arr)) {
      for (const p of arr as readonly (readonly JsonValue[])[]) out.push(`${pad}  ${show(p[0])}: ${show(p[1])}`);
      return;
    }
    for (const item of arr) out.push(`${pad}  - ${inline(item)}`);
    return;
  }
  out.push(`${pad}${show(key)}:`);
  for (const [k, x] of Object.entries(v as { readonly [k: string]: JsonValue | undefined })) valueLines(k, x, depth + 1, out);
}

/** A record on one line: DNS resource records in zone-file order, others as `k=v`. */
function inline(item: JsonValue): string {
  if (isScalar(item)) return show(item);
  if (Array.isArray(item)) return item.map((x) => inline(x)).join(', ');
  const o = item as { readonly [k: string]: JsonValue | undefined };
  if ('type_name' in o && 'name' in o && 'text' in o) {
    return [o.name, o.ttl, o.class_name, o.type_name, o.text].map((x) => show(x)).join('  ');
  }
  return Object.entries(o)
    .filter(([, x]) => x !== undefined && x !== null)
    .map(([k, x]) => `${show(k)}=${isScalar(x!) ? show(x) : inline(x!)}`)
    .join(' ');
}
