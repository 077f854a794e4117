/**
 * One POP3 session (RFC 1939): commands paired with +OK/-ERR through a queue (RFC 2449
 * allows pipelining), multi-line responses read dot-terminated and unstuffed, retrieved
 * messages parsed, USER/PASS, APOP and AUTH credentials, STLS.
 */
import type { DissectorContext, Position } from '../../dissect/contract.js';
import type { LineFramer } from '../../dissect/line-framer.js';
import { BoundedBytes, exportMail, mailFields } from '../../dissect/mail-message.js';
import { parseMail } from '../../dissect/mime.js';
import { SaslExchange } from '../../dissect/sasl.js';
import { decodeText } from '../../dissect/text.js';
import { textLines } from '../../dissect/text-lines.js';
import type { Direction } from '../../events/event.js';
import type { Pop3MessageFields, Pop3SessionMessage } from './events.js';
import { StarttlsDissector } from '../tls/handoff.js';
import { isMultiline, messageNumber, parseCommand, parseStatus } from './parser.js';

interface Pending {
  command: string;
  arg: string;
  at: Position;
}

interface Block {
  command: string;
  arg: string;
  body: BoundedBytes;
  missed: number;
  lines: string[];
}

export class Pop3Dissector extends StarttlsDissector {
  protected readonly framers: Record<Direction, LineFramer>;
  private readonly pending: Pending[] = [];
  private block: Block | null = null;
  private greeted = false;
  private user: string | null = null;
  private sasl: SaslExchange | null = null;
  private saslActive = false;
  private readonly listed = new Set<number>();
  private readonly retrieved: number[] = [];
  private readonly deleted: number[] = [];
  private readonly messages: Pop3SessionMessage[] = [];
  private commands = 0;

  constructor(ctx: DissectorContext) {
    super(ctx, 'pop3.starttls_plaintext', 'STLS');
    this.framers = {
      c2s: textLines(ctx, 'c2s', 'pop3.line_too_long', 'command', (line, truncated) => this.clientLine(line, truncated)),
      s2c: textLines(ctx, 's2c', 'pop3.line_too_long', 'status', (line, truncated) => this.serverLine(line, truncated), {
        body: (b, start, end) => this.blockData(b, start, end),
        bodyEnd: () => this.endBlock(false),
        gap: (n, mode) => {
          if (mode === 'dot' && this.block) {
            this.block.missed += n;
            ctx.anomaly('pop3.data_gap', 's2c', `${n} bytes of a ${this.block.command} response were not captured`);
          }
        },
      }),
    };
    ctx.setService('pop3');
  }

  protected saidEncrypted(): void {
    this.ctx.emit('pop3.encrypted', null, { mechanism: 'STLS' });
  }

  protected finish(): void {
    if (this.block) this.endBlock(true);
    this.ctx.emit('pop3.session', null, {
      user: this.user,
      tls: this.encrypted,
      commands: this.commands,
      listed: [...this.listed].sort((a, b) => a - b),
      retrieved: this.retrieved,
      deleted: this.deleted,
      messages: this.messages,
      unanswered: this.pending.map((p) => p.command),
    });
    this.ctx.setSummary(`${this.user ? `USER ${this.user}, ` : ''}${this.retrieved.length} retrieved, ${this.deleted.length} deleted`);
  }

  private here(): Position {
    return { frame: this.ctx.frame, ts: this.ctx.ts };
  }

  private clientLine(line: string, truncated: boolean): void {
    if (this.saslActive && this.sasl) {
      this.sasl.response(line, { frame: this.ctx.frame, ts: this.ctx.ts });
      // tshark files SASL responses as request lines; they are kept as such, flagged.
      this.ctx.emit('pop3.command', 'c2s', { command: line, arg: '', sasl_response: true });
      return;
    }
    if (line === '' && !truncated) return;
    const { command, arg } = parseCommand(line);
    this.commands++;
    this.ctx.emit('pop3.command', 'c2s', truncated ? { command, arg, truncated } : { command, arg });
    if (this.pending.length >= this.ctx.limits.max_pending_transactions) {
      const dropped = this.pending.shift()!;
      this.ctx.anomaly('pop3.pending_limit', 'c2s', `${dropped.command} never answered; dropped`);
    }
    this.pending.push({ command, arg, at: this.here() });
    if (command === 'USER') this.user = arg.trim();
    if (command === 'AUTH' && arg.trim() !== '') {
      const [mech = '', initial] = arg.trim().split(/\s+/);
      this.sasl = new SaslExchange(mech, initial ?? null, { frame: this.ctx.frame, ts: this.ctx.ts });
      this.saslActive = false;
    }
  }

  private serverLine(line: string, truncated: boolean): void {
    if (line === '' && !truncated) return;
    const r = parseStatus(line);
    if (r.kind === 'continuation') {
      // A SASL challenge: the client answers with base64 lines until +OK/-ERR.
      if (this.pending[0]?.command === 'AUTH' && this.sasl) {
        this.saslActive = true;
        this.sasl.challenge();
      }
      return;
    }
    if (r.kind === 'other') {
      this.ctx.anomaly('pop3.unexpected_reply', 's2c', `neither +OK nor -ERR: ${line.slice(0, 80)}`);
      return;
    }
    this.ctx.emit('pop3.reply', 's2c', { status: r.status, msg: r.msg });
    const p = this.pending.shift();
    if (!p) {
      if (!this.greeted) this.greeted = true;
      else this.ctx.anomaly('pop3.unexpected_reply', 's2c', `${r.status} with no command waiting`);
      return;
    }
    this.greeted = true;
    this.onReply(p, r.status === '+OK', r.msg);
  }

  private onReply(p: Pending, ok: boolean, msg: string): void {
    const num = messageNumber(p.arg);
    switch (p.command) {
      case 'PASS':
        this.credentials(this.user ?? '', p.arg, 'user/pass', ok, p.at);
        break;
      case 'APOP': {
        const [user = '', digest = ''] = p.arg.trim().split(/\s+/);
        this.user = user;
        this.credentials(user, digest, 'apop', ok, p.at);
        break;
      }
      case 'AUTH': {
        const cred = this.sasl?.credentials();
        if (cred) {
          this.user = cred.user;
          this.credentials(cred.user, cred.secret, cred.mechanism, ok, cred.at ?? p.at);
        }
        this.sasl = null;
        this.saslActive = false;
        break;
      }
      case 'STLS':
        if (ok) {
          this.acceptUpgrade();
          return;
        }
        break;
      case 'DELE':
        if (ok && num !== null) this.deleted.push(num);
        break;
      case 'LIST':
        if (ok && num !== null) this.listed.add(num);
        break;
      case 'RSET':
        if (ok) this.deleted.length = 0;
        break;
    }
    if (ok && isMultiline(p.command, p.arg)) {
      this.block = { command: p.command, arg: p.arg, body: new BoundedBytes(this.ctx.limits.max_object), missed: 0, lines: [] };
      this.framers.s2c.readDotted();
    }
    void msg;
  }

  /** `at`: the frame that carried the secret (PASS, APOP, the SASL response), not the reply's. */
  private credentials(user: string, secret: string, mechanism: string, success: boolean, at: Position): void {
    this.ctx.emit('credentials', 'c2s', { protocol: 'pop3', user, secret, mechanism, success }, at);
  }

  private blockData(b: Uint8Array, start: number, end: number): void {
    const blk = this.block;
    if (!blk) return;
    if (blk.command === 'RETR' || blk.command === 'TOP') {
      blk.body.push(b, start, end);
      return;
    }
    const text = decodeText(b, start, end).replace(/\r?\n$/, '');
    if (this.pending.length > 0 && /^(\+OK|-ERR)(\s|$)/i.test(text)) {
      // A listing never got its "." and the server is already answering the next command.
      this.ctx.anomaly('pop3.unterminated_block', 's2c', `${blk.command} response ended without "."`);
      this.framers.s2c.readLines();
      this.endBlock(true);
      this.serverLine(text, false);
      return;
    }
    if (blk.lines.length < this.ctx.limits.max_pending_transactions * 64) blk.lines.push(text);
  }

  private endBlock(atClose: boolean): void {
    const blk = this.block;
    if (!blk) return;
    this.block = null;
    if (blk.command === 'LIST' || blk.command === 'UIDL') {
      for (const l of blk.lines) {
        const n = messageNumber(l);
        if (n !== null) this.listed.add(n);
      }
      return;
    }
    if (blk.command !== 'RETR' && blk.command !== 'TOP') return;
    const num = messageNumber(blk.arg);
    if (blk.command === 'RETR' && num !== null) this.retrieved.push(num);
    // The summary counts retrievals; what is in them is read by events and the exporter only.
    if (this.ctx.summaryOnly && !this.ctx.wants_objects) return;
    if (blk.body.trimmed) this.ctx.anomaly('pop3.message_limit', 's2c', `message of ${blk.body.size} bytes over max_object`);
    const raw = blk.body.bytes();
    const mail = parseMail(raw, this.ctx.limits);
    for (const issue of mail.issues) this.ctx.anomaly(`pop3.${issue.code}`, 's2c', issue.detail);
    const incomplete = atClose || blk.missed > 0 || blk.body.trimmed;
    const fields: Pop3MessageFields = {
      command: blk.command,
      number: num,
      user: this.user,
      ...mailFields(mail),
      size: blk.body.size,
      headers_only: blk.command === 'TOP' ? true : undefined,
      incomplete: incomplete || undefined,
    };
    this.messages.push({ number: num, subject: mail.subject, from: mail.from, date: mail.date, msg_id: mail.msg_id, size: blk.body.size });
    this.ctx.emit('pop3.message', 's2c', fields);
    if (blk.command === 'RETR') exportMail(this.ctx, 'pop3', raw, mail, `pop3-${this.ctx.flow.id}-${num ?? 'x'}`, incomplete);
  }
}
