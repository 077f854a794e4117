/**
 * One SMTP session (RFC 5321): commands paired with replies through a queue (PIPELINING,
 * RFC 2920), DATA bodies (dot-terminated, unstuffed) and BDAT chunks (RFC 3030, raw bytes),
 * AUTH exchanges decoded into credentials, STARTTLS. Each message is parsed and reported
 * with its envelope beside its header fields: where they differ is what the report flags.
 */
import type { DissectorContext, Position } from '../../dissect/contract.js';
import type { LineFramer } from '../../dissect/line-framer.js';
import { BoundedBytes, exportMail, mailFields } from '../../dissect/mail-message.js';
import { envelopeAddress, parseMail, type MailMessage } from '../../dissect/mime.js';
import { SaslExchange } from '../../dissect/sasl.js';
import { textLines } from '../../dissect/text-lines.js';
import type { Direction } from '../../events/event.js';
import type { SmtpEnvelopeMismatch, SmtpMessageFields } from './events.js';
import { StarttlsDissector } from '../tls/handoff.js';
import { isWebmail, parseBdat, parseCommand, parseReplyLine, receivedAddresses } from './parser.js';

interface Pending {
  command: string;
  arg: string;
  at: Position;
  /** A `BDAT ... LAST`: its reply ends the message. */
  last?: boolean;
}

interface Message {
  body: BoundedBytes;
  via: 'data' | 'bdat';
  missed: number;
  start: Position;
  ended: boolean;
}

export class SmtpDissector extends StarttlsDissector {
  protected readonly framers: Record<Direction, LineFramer>;
  private readonly pending: Pending[] = [];
  private reply: { code: number; lines: string[]; at: Position } | null = null;
  private greeted = false;
  private helo: string | null = null;
  /** The greeting command the client used (EHLO, HELO or LMTP's LHLO), for the summary. */
  private heloCommand = 'HELO';
  private capabilities: string[] = [];
  private mailfrom: string | null = null;
  private rcptto: string[] = [];
  private rejected: string[] = [];
  private message: Message | null = null;
  /** The message whose end-of-data reply is awaited. */
  private readonly ended: Message[] = [];
  private sasl: SaslExchange | null = null;
  private authUser: string | null = null;
  private commands = 0;
  private messages = 0;
  private lastReply: string | null = null;

  constructor(ctx: DissectorContext) {
    super(ctx, 'smtp.starttls_plaintext', 'STARTTLS');
    this.framers = {
      c2s: textLines(ctx, 'c2s', 'smtp.line_too_long', 'command', (line, truncated) => this.clientLine(line, truncated), {
        body: (b, start, end) => this.message?.body.push(b, start, end),
        bodyEnd: () => this.endMessage(),
        raw: (b) => this.message?.body.push(b),
        rawEnd: (missed) => this.endChunk(missed),
        gap: (n, mode) => this.clientGap(n, mode),
      }),
      s2c: textLines(ctx, 's2c', 'smtp.line_too_long', 'reply', (line, truncated) => this.serverLine(line, truncated), {
        gap: () => {
          this.reply = null;
        },
      }),
    };
    ctx.setService('smtp');
  }

  protected saidEncrypted(): void {
    this.ctx.emit('smtp.encrypted', null, { mechanism: 'STARTTLS' });
  }

  protected finish(): void {
    if (this.message) {
      this.ended.push(this.message);
      this.message = null;
    }
    for (const m of this.ended.splice(0)) this.emitMessage(m, null, true);
    this.ctx.emit('smtp.session', null, {
      helo: this.helo,
      capabilities: this.capabilities,
      auth_user: this.authUser,
      tls: this.encrypted,
      commands: this.commands,
      messages: this.messages,
      unanswered: this.pending.map((p) => p.command),
    });
    this.ctx.setSummary(`${this.helo ? `${this.heloCommand} ${this.helo}, ` : ''}${this.messages} message${this.messages === 1 ? '' : 's'}${this.encrypted ? ', STARTTLS' : ''}`);
  }

  private here(): Position {
    return { frame: this.ctx.frame, ts: this.ctx.ts };
  }

  // ---- client ------------------------------------------------------------------------

  private clientLine(line: string, truncated: boolean): void {
    if (this.sasl) {
      // Between a 334 challenge and the final reply the client sends SASL responses, not commands.
      this.sasl.response(line, this.here());
      return;
    }
    if (line === '' && !truncated) return;
    const { command, arg } = parseCommand(line);
    this.commands++;
    this.ctx.emit('smtp.command', 'c2s', truncated ? { command, arg, truncated } : { command, arg });
    const p: Pending = { command, arg, at: this.here() };
    this.enqueue(p);
    switch (command) {
      case 'DATA':
        // The body follows the 354; a client may not send anything else before it, so the
        // body mode starts now (it also works when the server side is missing).
        this.message = { body: new BoundedBytes(this.ctx.limits.max_object), via: 'data', missed: 0, start: this.here(), ended: false };
        this.framers.c2s.readDotted();
        break;
      case 'BDAT': {
        const b = parseBdat(arg);
        if (!b.ok) {
          this.ctx.anomaly('smtp.bad_bdat_size', 'c2s', b.reason);
          break;
        }
        this.message ??= { body: new BoundedBytes(this.ctx.limits.max_object), via: 'bdat', missed: 0, start: this.here(), ended: false };
        if (b.last) {
          this.message.ended = true;
          p.last = true;
        }
        this.framers.c2s.readRaw(b.size);
        break;
      }
      case 'AUTH': {
        const [mech = '', initial] = arg.trim().split(/\s+/);
        this.sasl = null;
        const ex = new SaslExchange(mech, initial ?? null, this.here());
        // The exchange owns the client lines only after a 334; keep it aside until then.
        this.pendingSasl = ex;
        break;
      }
    }
  }

  private pendingSasl: SaslExchange | null = null;

  private enqueue(p: Pending): void {
    if (this.pending.length >= this.ctx.limits.max_pending_transactions) {
      const dropped = this.pending.shift()!;
      this.ctx.anomaly('smtp.pending_limit', 'c2s', `${dropped.command} never answered; dropped`);
    }
    this.pending.push(p);
  }

  /** The dot line ended a DATA body: its reply is awaited like a command's. */
  private endMessage(): void {
    const m = this.message;
    if (!m) return;
    m.ended = true;
    this.message = null;
    this.ended.push(m);
    this.enqueue({ command: '.', arg: '', at: this.here() });
  }

  private endChunk(missed: number): void {
    const m = this.message;
    if (!m) return;
    if (missed > 0) {
      m.missed += missed;
      this.ctx.anomaly('smtp.bdat_gap', 'c2s', `${missed} bytes of a BDAT chunk were not captured`);
    }
    if (m.ended) {
      this.message = null;
      this.ended.push(m);
      // The BDAT ... LAST command already waits in the queue; its reply ends the message.
    }
  }

  private clientGap(length: number, mode: 'line' | 'raw' | 'dot'): void {
    if (mode === 'dot' && this.message) {
      this.message.missed += length;
      this.ctx.anomaly('smtp.data_gap', 'c2s', `${length} bytes of a message body were not captured`);
    }
    // Raw-mode gaps are counted by endChunk.
  }

  // ---- server ------------------------------------------------------------------------

  private serverLine(line: string, truncated: boolean): void {
    if (line === '' && !truncated && !this.reply) return;
    const r = parseReplyLine(line);
    if (!r.ok) {
      this.ctx.anomaly('smtp.bad_reply_code', 's2c', `not a reply line: ${line.slice(0, 80)}`);
      return;
    }
    if (this.reply && this.reply.code === r.code) this.reply.lines.push(r.text);
    else this.reply = { code: r.code, lines: [r.text], at: this.here() };
    if (r.last) this.finishReply();
  }

  private finishReply(): void {
    const { code, lines } = this.reply!;
    this.reply = null;
    const msg = lines.join('\n');
    this.lastReply = `${code} ${lines[lines.length - 1]}`;
    this.ctx.emit('smtp.reply', 's2c', { code, msg });
    if (code === 334) {
      const head = this.pending[0];
      if (head?.command === 'AUTH') {
        this.sasl ??= this.pendingSasl;
        this.sasl?.challenge();
      }
      return;
    }
    if (code === 354 && this.pending[0]?.command !== 'DATA') this.resyncBody();
    const p = this.pending.shift();
    if (!p) {
      if (!this.greeted) this.greeted = true;
      else if (code !== 421) this.ctx.anomaly('smtp.unexpected_reply', 's2c', `${code} with no command waiting`);
      return;
    }
    this.greeted = true;
    this.onReply(p, code, lines);
  }

  /**
   * A 354 with no DATA waiting: the DATA command was lost in a gap, so the client is about to
   * send a body. Read it as one (incomplete) rather than as commands.
   */
  private resyncBody(): void {
    if (this.framers.c2s.current !== 'line') return;
    if (this.message) {
      // A BDAT message broken by the same gap: what follows completes it.
      this.message.via = 'data';
      this.message.missed = Math.max(this.message.missed, 1);
    } else {
      this.message = { body: new BoundedBytes(this.ctx.limits.max_object), via: 'data', missed: 1, start: this.here(), ended: false };
    }
    this.framers.c2s.readDotted();
  }

  private onReply(p: Pending, code: number, lines: string[]): void {
    const ok = code >= 200 && code < 400;
    switch (p.command) {
      case 'EHLO':
      case 'HELO':
      case 'LHLO':
        this.helo = p.arg.trim();
        this.heloCommand = p.command;
        if (p.command !== 'HELO' && ok) this.capabilities = lines.slice(1).map((l) => l.trim()).filter(Boolean);
        break;
      case 'MAIL':
        if (ok) {
          this.mailfrom = envelopeAddress(p.arg);
          this.rcptto = [];
          this.rejected = [];
        }
        break;
      case 'RCPT':
        (ok ? this.rcptto : this.rejected).push(envelopeAddress(p.arg));
        break;
      case 'DATA':
        if (code !== 354 && this.message && this.message.body.size === 0 && this.message.via === 'data') {
          // Refused: the client goes back to commands.
          this.message = null;
          this.framers.c2s.readLines();
        }
        break;
      case '.':
        this.finishTransaction(code, lines);
        break;
      case 'BDAT':
        if (p.last) this.finishTransaction(code, lines);
        break;
      case 'RSET':
        this.mailfrom = null;
        this.rcptto = [];
        this.rejected = [];
        this.message = null;
        break;
      case 'STARTTLS':
        if (code === 220) this.acceptUpgrade();
        break;
      case 'AUTH': {
        const ex = this.sasl ?? this.pendingSasl;
        this.sasl = null;
        this.pendingSasl = null;
        const cred = ex?.credentials();
        if (cred) {
          this.ctx.emit('credentials', 'c2s', { protocol: 'smtp', user: cred.user, secret: cred.secret, mechanism: cred.mechanism, success: code === 235 }, cred.at ?? p.at);
          if (code === 235) this.authUser = cred.user;
        }
        break;
      }
    }
  }

  private finishTransaction(code: number, lines: string[]): void {
    const m = this.ended.shift();
    if (!m) return;
    this.emitMessage(m, `${code} ${lines[lines.length - 1] ?? ''}`.trim(), false);
    this.mailfrom = null;
    this.rcptto = [];
    this.rejected = [];
  }

  private emitMessage(m: Message, lastReply: string | null, atClose: boolean): void {
    this.messages++;
    // The summary counts messages; what is in them is read by events and the exporter only.
    if (this.ctx.summaryOnly && !this.ctx.wants_objects) return;
    if (m.body.trimmed) this.ctx.anomaly('smtp.message_limit', 'c2s', `message of ${m.body.size} bytes over max_object`);
    if (this.rcptto.length === 0) this.ctx.anomaly('smtp.data_without_recipients', 'c2s', 'message data with no accepted RCPT TO');
    const raw = m.body.bytes();
    const mail = parseMail(raw, this.ctx.limits);
    for (const issue of mail.issues) this.ctx.anomaly(`smtp.${issue.code}`, 'c2s', issue.detail);
    const incomplete = atClose || m.missed > 0 || m.body.trimmed || !m.ended;
    const path = [this.ctx.flow.server.addr, this.ctx.flow.client.addr, ...mail.received.flatMap(receivedAddresses)];
    const fields: SmtpMessageFields = {
      trans_depth: this.messages,
      helo: this.helo,
      mailfrom: this.mailfrom,
      rcptto: this.rcptto,
      rejected_rcptto: this.rejected,
      ...mailFields(mail),
      size: m.body.size,
      x_originating_ip: mail.x_originating_ip,
      first_received: mail.received[0] ?? null,
      second_received: mail.received[1] ?? null,
      last_reply: lastReply ?? this.lastReply,
      path: dedupe(path),
      user_agent: mail.user_agent,
      tls: this.encrypted,
      is_webmail: isWebmail(mail.user_agent),
      fuids: mail.attachments.map((a) => `${this.ctx.flow.id}:${this.messages}:${a.part}`),
      envelope_mismatch: envelopeMismatch(this.mailfrom, this.rcptto, mail),
      bdat: m.via === 'bdat',
      missed_bytes: m.missed,
      incomplete: incomplete || undefined,
    };
    this.ctx.emit('smtp.message', 'c2s', fields);
    exportMail(this.ctx, 'smtp', raw, mail, `smtp-${this.ctx.flow.id}-${this.messages}`, incomplete);
  }
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

/** What differs between the envelope and the header fields, or null when they agree. */
export function envelopeMismatch(mailfrom: string | null, rcptto: readonly string[], mail: MailMessage): SmtpEnvelopeMismatch | null {
  const out: SmtpEnvelopeMismatch = {};
  const env = mailfrom?.toLowerCase() ?? '';
  if (env !== '' && mail.from_addresses.length > 0 && !mail.from_addresses.includes(env)) {
    out.from = { envelope: mailfrom!, header: mail.from_addresses };
  }
  const headerRcpts = new Set([...mail.to_addresses, ...mail.cc_addresses]);
  const rcpts = rcptto.map((r) => r.toLowerCase());
  const notInHeaders = rcpts.filter((r) => !headerRcpts.has(r));
  if (notInHeaders.length) out.rcpt_not_in_headers = notInHeaders;
  const rcptSet = new Set(rcpts);
  const notInRcpt = [...headerRcpts].filter((h) => !rcptSet.has(h));
  if (notInRcpt.length && rcpts.length) out.headers_not_in_rcpt = notInRcpt;
  return Object.keys(out).length ? out : null;
}
