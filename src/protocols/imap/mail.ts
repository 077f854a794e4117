/**
 * Messages inside IMAP literals: FETCH body sections (BODY[], RFC822, BINARY[]) and APPEND
 * uploads are parsed with the shared mail parser, reported as `imap.message` and offered for
 * export. A header fetched on its own (RFC822.HEADER, BODY[HEADER]) fills the message's
 * fields, and when the same message's text follows (fetchmail fetches the two separately),
 * header and text are joined into the whole message.
 */
import type { DissectorContext } from '../../dissect/contract.js';
import { mailFields } from '../../dissect/mail-message.js';
import { parseMail, type MailMessage } from '../../dissect/mime.js';
import type { Direction } from '../../events/event.js';
import type { AppendedMessage, FetchedMessage, ImapMessageFields } from './events.js';
import { flagList, type FetchItem, type ImapValue, type ResponseLine } from './parser.js';
import type { Literal } from './reader.js';
import type { SessionState } from './session.js';

interface Body {
  bytes: Uint8Array;
  size: number;
  /** Bytes lost in capture gaps (not kept, but not trimmed by a limit either). */
  missed: number;
  incomplete: boolean;
}

interface Where {
  source: 'fetch' | 'append';
  mailbox: string | null;
  seq: number | null;
  uid: number | null;
  section: string | null;
}

export class MailHandler {
  /** The last header fetched on its own, waiting for its text. Only one: memory stays bounded. */
  private header: { entry: FetchedMessage; body: Body } | null = null;
  private appendCount = 0;

  constructor(
    private readonly ctx: DissectorContext,
    private readonly session: SessionState,
  ) {}

  /** One body-section item of a FETCH response. */
  bodySection(entry: FetchedMessage, item: FetchItem, literals: readonly Literal[]): void {
    const body = bodyOf(item.value, literals);
    if (!body) return;
    const section = item.name === 'RFC822' ? '' : item.name === 'RFC822.HEADER' ? 'HEADER' : item.name === 'RFC822.TEXT' ? 'TEXT' : (item.section ?? '');
    const label = item.origin !== null ? `${section}<${item.origin}>` : section;
    entry.sections.push({ section: label, size: body.size });
    const where: Where = { source: 'fetch', mailbox: entry.mailbox, seq: entry.seq, uid: entry.uid, section: label };
    if (item.origin !== null) return; // a partial fetch is a piece, not a message
    if (section === '') {
      const mail = this.message(where, body, 's2c');
      fillEntry(entry, mail, true);
      return;
    }
    if (section === 'HEADER') {
      fillEntry(entry, parseMail(body.bytes, this.ctx.limits), false);
      this.header = { entry, body };
      return;
    }
    if (section.startsWith('HEADER.FIELDS')) {
      fillEntry(entry, parseMail(body.bytes, this.ctx.limits), false);
      return;
    }
    if (section === 'TEXT' && this.header?.entry === entry) {
      const head = this.header.body;
      this.header = null;
      const joined = new Uint8Array(head.bytes.length + body.bytes.length);
      joined.set(head.bytes, 0);
      joined.set(body.bytes, head.bytes.length);
      const whole: Body = { bytes: joined, size: head.size + body.size, missed: head.missed + body.missed, incomplete: head.incomplete || body.incomplete };
      const mail = this.message({ ...where, section: 'HEADER+TEXT' }, whole, 's2c');
      fillEntry(entry, mail, true);
    }
  }

  /**
   * An APPEND command's messages: `mailbox [flags] [date] literal` (RFC 3501 §6.3.11), repeated
   * for MULTIAPPEND (RFC 3502). Parsed at once so no upload is held until the completion.
   */
  appended(mailbox: string | null, args: readonly ImapValue[], literals: readonly Literal[]): AppendedMessage[] {
    const out: AppendedMessage[] = [];
    let flags: string[] = [];
    let date: string | null = null;
    for (const v of args) {
      if (v.kind === 'list') {
        flags = flagList(v);
        continue;
      }
      if (v.kind !== 'string') continue;
      if (v.literal === null) {
        date = v.text;
        continue;
      }
      const lit = literals[v.literal];
      if (!lit || lit.cancelled) continue;
      const body: Body = { bytes: lit.data, size: lit.size, missed: lit.missed, incomplete: lit.trimmed || lit.missed > 0 };
      this.appendCount++;
      const mail = this.message({ source: 'append', mailbox, seq: null, uid: null, section: null }, body, 'c2s');
      const rec: AppendedMessage = {
        mailbox,
        flags,
        date,
        size: lit.size,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        message_id: mail.msg_id,
        attachments: mail.attachments.map((a) => ({ name: a.name, content_type: a.content_type, size: a.size })),
        status: null,
        uid: null,
        frame: this.ctx.frame,
      };
      if (this.session.appended.push(rec)) out.push(rec);
      flags = [];
      date = null;
    }
    return out;
  }

  /** `OK [APPENDUID uidvalidity uid-set]` (RFC 4315) names the new messages' UIDs. */
  appendCompleted(list: readonly AppendedMessage[], r: ResponseLine): void {
    const uids = r.code === 'APPENDUID' ? uidSet((r.code_data ?? '').split(' ')[1] ?? '') : [];
    list.forEach((a, i) => {
      a.status = r.status;
      a.uid = uids[i] ?? null;
    });
  }

  flush(): void {
    this.header = null;
  }

  private message(where: Where, body: Body, dir: Direction): MailMessage {
    const ctx = this.ctx;
    const mail = parseMail(body.bytes, ctx.limits);
    for (const issue of mail.issues) ctx.anomaly(`imap.${issue.code}`, dir, issue.detail);
    // Gaps are reported where they happen (imap.data_gap); this is what the limits cut.
    if (body.bytes.length + body.missed < body.size) {
      ctx.anomaly('imap.message_limit', dir, `message of ${body.size} bytes; ${body.bytes.length} kept and parsed`);
    }
    const incomplete = body.incomplete || body.bytes.length < body.size;
    const fields: ImapMessageFields = {
      source: where.source,
      mailbox: where.mailbox,
      seq: where.seq,
      uid: where.uid,
      section: where.section,
      user: this.session.user,
      ...mailFields(mail),
      size: body.size,
      incomplete: incomplete || undefined,
    };
    ctx.emit('imap.message', dir, fields);
    if (ctx.wants_objects) {
      ctx.exportObject({
        protocol: 'imap',
        name: `${objectName(mail.subject, where, this.appendCount)}.eml`,
        content_type: 'message/rfc822',
        frame: ctx.frame,
        data: body.bytes,
        incomplete: incomplete || undefined,
      });
      for (const a of mail.attachments) {
        ctx.exportObject({ protocol: 'imap', name: a.name, content_type: a.content_type, frame: ctx.frame, data: a.data, incomplete: incomplete || undefined });
      }
    }
    return mail;
  }
}

/** The bytes of a body-section value: a literal, a quoted string, or NIL (none). */
function bodyOf(v: ImapValue | undefined, literals: readonly Literal[]): Body | null {
  if (!v || v.kind !== 'string') return null;
  if (v.literal === null) {
    const bytes = new Uint8Array(Buffer.from(v.text, 'utf8'));
    return { bytes, size: bytes.length, missed: 0, incomplete: false };
  }
  const lit = literals[v.literal];
  if (!lit) return null;
  return { bytes: lit.data, size: lit.size, missed: lit.missed, incomplete: lit.trimmed || lit.missed > 0 };
}

/** Export names come from the subject, else the UID (the exporter makes them safe and unique). */
function objectName(subject: string | null, where: Where, appendCount: number): string {
  const s = subject?.replace(/[\\/\x00-\x1f]+/g, '-').trim().slice(0, 100);
  if (s) return s;
  if (where.uid !== null) return `imap-uid-${where.uid}`;
  if (where.seq !== null) return `imap-msg-${where.seq}`;
  return `imap-append-${appendCount}`;
}

function fillEntry(entry: FetchedMessage, mail: MailMessage, whole: boolean): void {
  entry.from = mail.from ?? entry.from;
  if (mail.to.length) entry.to = mail.to;
  entry.subject = mail.subject ?? entry.subject;
  entry.date = mail.date ?? entry.date;
  entry.message_id = mail.msg_id ?? entry.message_id;
  if (whole) {
    entry.size ??= mail.size;
    if (mail.attachments.length) entry.attachments = mail.attachments.map((a) => ({ name: a.name, content_type: a.content_type, size: a.size }));
  }
}

/** `1:3,7` (a uid-set) in order, bounded. */
function uidSet(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let u = Math.min(a, b); u <= Math.max(a, b) && out.length < 1000; u++) out.push(u);
  }
  return out;
}
