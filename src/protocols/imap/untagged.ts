/**
 * What the server's untagged data tells about the session (RFC 3501 §7), one table per kind
 * of word: data responses (`* 3 EXISTS`, `* LIST ...`), response codes in brackets
 * (`[UIDVALIDITY 7]`) and FETCH data items (`FLAGS`, `ENVELOPE`, body sections). These
 * change only the session record and the messages it lists; pairing stays in the dissector.
 */
import type { MailHandler } from './mail.js';
import {
  bodyStructureParts,
  flagList,
  listOf,
  numberOf,
  parseEnvelope,
  parseFetchItems,
  parseIdParams,
  parseListData,
  parseStatusData,
  textOf,
  type FetchItem,
  type ImapValue,
  type ResponseLine,
} from './parser.js';
import type { LogicalLine } from './reader.js';
import type { FetchedMessage } from './events.js';
import type { SessionState } from './session.js';
import type { Pending } from './verbs.js';

/** What an untagged data response may touch. */
export interface UntaggedContext {
  readonly session: SessionState;
  readonly mail: MailHandler;
  /** The frame being dissected. */
  readonly frame: number;
  /** The oldest command waiting: SEARCH hits count towards it. */
  readonly oldest: Pending | undefined;
  /** A FETCH is waiting, so FETCH data creates message records. */
  readonly fetching: boolean;
  /**
   * Whether a message's fetched items are read: its record's fields and bodies (events and the
   * exporter). A summary-only run counts the messages, not what they hold.
   */
  readonly itemsRead: boolean;
}

type DataHandler = (c: UntaggedContext, r: ResponseLine, values: ImapValue[], line: LogicalLine) => void;

const words = (values: readonly ImapValue[]): string[] => values.map(textOf).filter((x): x is string => x !== null);

const list: DataHandler = (c, _r, values) => {
  const l = parseListData(values);
  if (l) c.session.list(l);
};

const DATA: ReadonlyMap<string, DataHandler> = new Map<string, DataHandler>([
  ['CAPABILITY', (c, _r, values) => void (c.session.capabilities = words(values))],
  ['ENABLED', (c, _r, values) => void (c.session.enabled = words(values))],
  [
    'EXISTS',
    (c, r) => {
      if (r.number !== null) c.session.exists(r.number);
    },
  ],
  [
    'RECENT',
    (c, r) => {
      if (r.number !== null && c.session.current) c.session.current.recent = r.number;
    },
  ],
  [
    'EXPUNGE',
    (c, r) => {
      if (r.number !== null) c.session.expunge(r.number);
    },
  ],
  [
    'FLAGS',
    (c, _r, values) => {
      if (c.session.current) c.session.current.flags = flagList(values[0]);
    },
  ],
  ['LIST', list],
  ['LSUB', list],
  ['XLIST', list],
  [
    'STATUS',
    (c, _r, values) => {
      const st = parseStatusData(values);
      if (st) c.session.statuses.push(st);
    },
  ],
  [
    'SEARCH',
    (c, _r, values) => {
      if (c.oldest) c.oldest.searchHits = (c.oldest.searchHits ?? 0) + values.filter((v) => numberOf(v) !== null).length;
    },
  ],
  [
    'ID',
    (c, _r, values) => {
      const id = parseIdParams(values[0]);
      if (id) c.session.serverId = id;
    },
  ],
  [
    'FETCH',
    (c, r, values, line) => {
      if (r.number !== null) fetchData(c, r.number, values, line);
    },
  ],
]);

/** An untagged data response (not OK/NO/BAD/PREAUTH/BYE); `values` follow its word. */
export function untaggedData(c: UntaggedContext, r: ResponseLine, values: ImapValue[], line: LogicalLine): void {
  if (r.status !== null) DATA.get(r.status)?.(c, r, values, line);
}

type CodeHandler = (s: SessionState, n: number | null, r: ResponseLine) => void;

const CODES: ReadonlyMap<string, CodeHandler> = new Map<string, CodeHandler>([
  ['CAPABILITY', (s, _n, r) => void (s.capabilities = (r.code_data ?? '').split(' ').filter((x) => x !== ''))],
  [
    'UIDVALIDITY',
    (s, n) => {
      if (s.current) s.current.uidvalidity = n;
    },
  ],
  [
    'UIDNEXT',
    (s, n) => {
      if (s.current) s.current.uidnext = n;
    },
  ],
  [
    'UNSEEN',
    (s, n) => {
      if (s.current) s.current.unseen = n;
    },
  ],
  // RFC 7162 §3.2.11: the previous mailbox is closed while a new SELECT is under way.
  ['CLOSED', (s) => s.deselect()],
]);

/** Response codes carried by OK/NO/BAD/PREAUTH/BYE (RFC 3501 §7.1). */
export function responseCode(s: SessionState, r: ResponseLine): void {
  if (r.code === null) return;
  const n = r.code_data !== null && /^\d{1,15}$/.test(r.code_data) ? Number(r.code_data) : null;
  CODES.get(r.code)?.(s, n, r);
}

type ItemHandler = (msg: FetchedMessage, item: FetchItem, c: UntaggedContext, line: LogicalLine) => void;

const bodySection: ItemHandler = (msg, item, c, line) => c.mail.bodySection(msg, item, line.literals);

const ITEMS: ReadonlyMap<string, ItemHandler> = new Map<string, ItemHandler>([
  ['FLAGS', (msg, it) => void (msg.flags = flagList(it.value))],
  ['RFC822.SIZE', (msg, it) => void (msg.size = numberOf(it.value))],
  ['INTERNALDATE', (msg, it) => void (msg.internaldate = textOf(it.value))],
  [
    'ENVELOPE',
    (msg, it) => {
      const env = parseEnvelope(it.value);
      if (!env) return;
      msg.from = env.from;
      msg.to = env.to;
      msg.subject = env.subject;
      msg.date = env.date;
      msg.message_id = env.message_id;
    },
  ],
  ['BODYSTRUCTURE', structureOrSection],
  ['BODY', structureOrSection],
  ['RFC822', bodySection],
  ['RFC822.HEADER', bodySection],
  ['RFC822.TEXT', bodySection],
  ['BINARY', bodySection],
]);

/** `BODY` without a section is the structure (as BODYSTRUCTURE); `BODY[...]` is content. */
function structureOrSection(msg: FetchedMessage, it: FetchItem, c: UntaggedContext, line: LogicalLine): void {
  if (it.section === null && listOf(it.value)) {
    msg.attachments = bodyStructureParts(it.value)
      .filter((p) => p.disposition === 'attachment' || p.name !== null)
      .map((p) => ({ name: p.name ?? `part-${p.part}`, content_type: p.content_type, size: p.size }));
    return;
  }
  bodySection(msg, it, c, line);
}

/** `* seq FETCH (...)`: the message's record, by UID where one is known. */
function fetchData(c: UntaggedContext, seq: number, values: ImapValue[], line: LogicalLine): void {
  const s = c.session;
  const items = parseFetchItems(values);
  if (!items) return;
  const uidItem = items.find((i) => i.name === 'UID');
  const uid = numberOf(uidItem?.value) ?? s.uidOf(seq);
  if (uidItem && uid !== null) s.noteUid(seq, uid);
  const msg = s.message(seq, uid, c.fetching, c.frame);
  if (!msg || !c.itemsRead) return;
  for (const it of items) ITEMS.get(it.name)?.(msg, it, c, line);
}
