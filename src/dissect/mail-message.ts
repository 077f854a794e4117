/**
 * Mail messages as SMTP, POP3 and IMAP report them: the event fields of a parsed message,
 * the anomaly catalogue of its issues, the export of the message and its attachments, and
 * the bounded collector of a message's bytes. The parsing itself is mime.ts (pure).
 * It lives in dissect/ because it is shared kit, not a protocol with a descriptor.
 */
import type { DissectorContext } from './contract.js';
import { MAIL_ANOMALY_SUFFIXES, type MailAnomalySuffix, type MailMessage } from './mime.js';

/** The anomaly catalogue entries for one protocol (`smtp.mail_header_limit`...). */
export function mailAnomalies<P extends string>(prefix: P): { readonly [S in MailAnomalySuffix as `${P}.${S}`]: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(MAIL_ANOMALY_SUFFIXES)) out[`${prefix}.${k}`] = v;
  return out as { [S in MailAnomalySuffix as `${P}.${S}`]: string };
}

/** The fields every parsed mail adds to its event (`smtp.message`, `pop3.message`, `imap.message`). */
export interface MailFields {
  from: string | null;
  to: string[];
  cc: string[];
  reply_to: string | null;
  subject: string | null;
  date: string | null;
  msg_id: string | null;
  in_reply_to: string | null;
  /** Top-level media type: a multipart message's kind, since `parts` lists only leaves. */
  content_type: string;
  size: number;
  parts: Array<{ id: string; content_type: string; size: number; name: string | null }>;
  attachments: Array<{ name: string; content_type: string; size: number }>;
}

export function mailFields(m: MailMessage): MailFields {
  return {
    from: m.from,
    to: m.to,
    cc: m.cc,
    reply_to: m.reply_to,
    subject: m.subject,
    date: m.date,
    msg_id: m.msg_id,
    in_reply_to: m.in_reply_to,
    content_type: m.content_type,
    size: m.size,
    parts: m.parts.map((p) => ({ id: p.id, content_type: p.content_type, size: p.size, name: p.name })),
    attachments: m.attachments.map((a) => ({ name: a.name, content_type: a.content_type, size: a.size })),
  };
}

/**
 * Offer a message (`.eml`) and its attachments to the exporter. `base` names the message
 * file when it has no Message-ID.
 */
export function exportMail(
  ctx: DissectorContext,
  protocol: string,
  raw: Uint8Array,
  mail: MailMessage | null,
  base: string,
  incomplete: boolean,
): void {
  if (!ctx.wants_objects) return;
  const id = mail?.msg_id?.replace(/^<|>$/g, '').trim();
  ctx.exportObject({
    protocol,
    name: `${id || base}.eml`,
    content_type: 'message/rfc822',
    frame: ctx.frame,
    data: raw,
    incomplete: incomplete || undefined,
  });
  for (const a of mail?.attachments ?? []) {
    ctx.exportObject({ protocol, name: a.name, content_type: a.content_type, frame: ctx.frame, data: a.data, incomplete: incomplete || undefined });
  }
}

/**
 * Bytes collected from a stream, bounded by a limit, with a count of everything seen.
 * One array grown by doubling (never past the limit), handed out without a copy: a body
 * arrives a line at a time, and one small array per line cost some 150 bytes of bookkeeping
 * each (a 64 MB body of 78-byte lines took 300 MB more than its bytes), and joining blocks
 * at the end would hold the body twice.
 */
export class BoundedBytes {
  private buf: Uint8Array | null = null;
  kept = 0;
  size = 0;
  trimmed = false;

  constructor(private readonly limit: number) {}

  /** Adds `bytes[start, end)` (all of `bytes` by default). */
  push(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const len = end - start;
    if (len <= 0) return;
    this.size += len;
    const room = this.limit - this.kept;
    if (len > room) this.trimmed = true;
    if (room <= 0) return;
    const n = Math.min(room, len);
    const need = this.kept + n;
    if (this.buf === null || need > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(need, 4096, (this.buf?.length ?? 0) * 2)));
      if (this.buf !== null) grown.set(this.buf.subarray(0, this.kept));
      this.buf = grown;
    }
    // A line of a body is copied byte by byte: short, and no view of it is made.
    const buf = this.buf;
    if (n < 128) for (let i = 0, k = this.kept; i < n; i++) buf[k + i] = bytes[start + i]!;
    else buf.set(bytes.subarray(start, start + n), this.kept);
    this.kept = need;
  }

  bytes(): Uint8Array {
    return this.buf === null ? new Uint8Array(0) : this.buf.subarray(0, this.kept);
  }
}
