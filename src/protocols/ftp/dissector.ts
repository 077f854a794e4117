/**
 * The FTP control connection (RFC 959, 2228, 2428, 3659, 4217): commands paired with their
 * replies through a queue (clients may pipeline), multi-line replies, login and current
 * directory, and the data connections announced by PORT/EPRT/227/229, each linked to the
 * transfer command that used it.
 */
import type { DissectorContext, Endpoint, Position, StreamDissector } from '../../dissect/contract.js';
import type { LineFramer } from '../../dissect/line-framer.js';
import { textLines } from '../../dissect/text-lines.js';
import type { Direction } from '../../events/event.js';
import type { FtpDataChannel, FtpTransactionFields } from './events.js';
import { StarttlsDissector } from '../tls/handoff.js';
import { DataFlowState, FtpDataDissector } from './data-dissector.js';
import {
  joinPath,
  parentPath,
  parseCommand,
  parseEprt,
  parseEpsv,
  parseHostPort,
  parseQuotedPath,
  parseReplyLine,
  parseSize,
  transferDirection,
} from './parser.js';

const ANONYMOUS = new Set(['anonymous', 'ftp']);

interface Pending {
  command: string;
  arg: string;
  at: Position;
  /** Data channel a transfer command uses. */
  channel: Channel | null;
  /** Preliminary (1xx) replies seen so far. */
  prelim: number[];
}

interface Channel {
  mode: 'active' | 'passive';
  responder: Endpoint;
  nat: boolean;
  data: DataFlowState;
  /** Set when a transfer command takes this channel. */
  use: { command: string; file: string | null; direction: 'download' | 'upload' | 'listing'; type: string | null; rest: number | null } | null;
  reply: { code: number | null; at: Position } | null;
  emitted: boolean;
}

interface ReplyInProgress {
  code: number;
  lines: string[];
  at: Position;
}

export class FtpDissector extends StarttlsDissector {
  protected readonly framers: Record<Direction, LineFramer>;
  private readonly pending: Pending[] = [];
  private reply: ReplyInProgress | null = null;
  private greeted = false;
  private authTlsPending = false;
  private user: string | null = null;
  private password: string | null = null;
  private loggedIn = false;
  private failedLogins = 0;
  private cwd: string | null = null;
  private readonly cwdHistory: string[] = [];
  private type: string | null = null;
  private mode: string | null = null;
  private stru: string | null = null;
  /** PROT P was asked: data connections carry TLS sessions of their own. */
  private protectData = false;
  private rest: number | null = null;
  private commands = 0;
  private fileSize: number | null = null;
  private readonly channels: Channel[] = [];
  private transfers = 0;

  constructor(ctx: DissectorContext) {
    // The upgrade's name is what the client asked (`AUTH TLS`, `AUTH SSL`...), set at AUTH.
    super(ctx, 'ftp.starttls_plaintext', 'AUTH TLS');
    this.framers = {
      c2s: textLines(ctx, 'c2s', 'ftp.line_too_long', 'command', (line, truncated) => this.commandLine(line, truncated)),
      s2c: textLines(ctx, 's2c', 'ftp.line_too_long', 'reply', (line, truncated) => this.replyLine(line, truncated), {
        gap: () => {
          this.reply = null;
        },
      }),
    };
    ctx.setService('ftp');
  }

  override data(dir: Direction, bytes: Uint8Array): void {
    if (!this.upgradeUndecided && !this.encrypted && dir === 'c2s' && this.authTlsPending && bytes[0] === 0x16 && this.framers.c2s.pending === 0) {
      // A TLS record before the 234 was seen (reply lost or reordered): the channel is TLS now.
      this.goEncrypted();
      return;
    }
    super.data(dir, bytes);
  }

  protected saidEncrypted(): void {
    this.ctx.emit('ftp.encrypted', null, { mechanism: this.upgradeName });
  }

  protected finish(): void {
    if (this.reply) {
      this.ctx.anomaly('ftp.unterminated_reply', 's2c', `reply ${this.reply.code} had no last line`);
      this.finishReply(true);
    }
    for (const p of this.pending) this.transaction(p, null, null, true);
    this.pending.length = 0;
    for (const ch of this.channels) if (ch.use && ch.data.flow !== null) this.emitTransfer(ch, true);
    this.ctx.emit('ftp.session', null, {
      user: this.user,
      anonymous: this.user !== null && ANONYMOUS.has(this.user.toLowerCase()),
      logged_in: this.loggedIn,
      failed_logins: this.failedLogins,
      cwd: this.cwd,
      cwd_history: this.cwdHistory,
      data_type: this.type,
      mode: this.mode,
      stru: this.stru,
      tls: this.encrypted,
      commands: this.commands,
      transfers: this.transfers,
    });
    const who = this.user ? `USER ${this.user}` : 'FTP';
    this.ctx.setSummary(`${who}, ${this.commands} commands, ${this.transfers} transfers${this.encrypted ? ', TLS' : ''}`);
  }

  private here(): Position {
    return { frame: this.ctx.frame, ts: this.ctx.ts };
  }

  // ---- client side -------------------------------------------------------------------

  private commandLine(line: string, truncated: boolean): void {
    if (line === '' && !truncated) return;
    const { command, arg } = parseCommand(line);
    this.commands++;
    this.ctx.emit('ftp.command', 'c2s', truncated ? { command, arg, truncated } : { command, arg });
    const p: Pending = { command, arg, at: this.here(), channel: null, prelim: [] };
    if (this.pending.length >= this.ctx.limits.max_pending_transactions) {
      const dropped = this.pending.shift()!;
      this.ctx.anomaly('ftp.pending_limit', 'c2s', `${dropped.command} never answered; dropped`);
      this.transaction(dropped, null, null, true);
    }
    this.pending.push(p);
    switch (command) {
      case 'USER':
        this.user = arg;
        this.password = null;
        break;
      case 'PASS':
        this.password = arg;
        break;
      case 'PORT': {
        const ep = parseHostPort(arg);
        if (ep) this.openChannel('active', ep);
        else this.ctx.anomaly('ftp.bad_port', 'c2s', `PORT ${arg}`);
        break;
      }
      case 'EPRT': {
        const ep = parseEprt(arg);
        if (ep) this.openChannel('active', ep);
        else this.ctx.anomaly('ftp.bad_port', 'c2s', `EPRT ${arg}`);
        break;
      }
      case 'AUTH':
        if (/^(TLS|SSL|TLS-C|TLS-P)\b/i.test(arg.trim())) {
          this.authTlsPending = true;
          this.upgradeName = `AUTH ${arg.trim().toUpperCase()}`;
        }
        break;
      case 'PROT':
        // RFC 4217 §9: P protects the data connections opened from now on with TLS, C clears them.
        this.protectData = arg.trim().toUpperCase() === 'P';
        break;
      case 'TYPE':
        this.type = arg.trim().toUpperCase().startsWith('I') ? 'binary' : arg.trim().toUpperCase().startsWith('A') ? 'ascii' : arg.trim();
        break;
      case 'MODE':
        this.mode = arg.trim().toUpperCase();
        break;
      case 'STRU':
        this.stru = arg.trim().toUpperCase();
        break;
      case 'REST':
        this.rest = /^\d+$/.test(arg.trim()) ? Number(arg.trim()) : null;
        break;
      default: {
        const direction = transferDirection(command);
        if (direction) this.useChannel(p, direction);
      }
    }
  }

  private openChannel(mode: 'active' | 'passive', responder: Endpoint, nat = false): void {
    const ch: Channel = { mode, responder, nat, data: new DataFlowState(), use: null, reply: null, emitted: false };
    ch.data.tls = this.protectData;
    // Bound the list: channels that were never used nor connected are forgotten first.
    if (this.channels.length >= this.ctx.limits.max_pending_transactions) {
      const idx = this.channels.findIndex((c) => c.emitted || (c.use === null && c.data.flow === null));
      this.channels.splice(idx >= 0 ? idx : 0, 1);
    }
    this.channels.push(ch);
    const create = (dctx: DissectorContext): StreamDissector => {
      if (ch.data.flow !== null) return new FtpDataDissector(dctx, new DataFlowState(), () => undefined);
      return new FtpDataDissector(dctx, ch.data, () => this.maybeEmit(ch));
    };
    this.ctx.expect({ responder, service: 'ftp-data', create });
    if (nat) {
      // The client may reach the server at its real address rather than the advertised one.
      this.ctx.expect({ responder: { addr: this.ctx.flow.server.addr, port: responder.port }, service: 'ftp-data', create });
    }
  }

  private useChannel(p: Pending, direction: 'download' | 'upload' | 'listing'): void {
    for (let i = this.channels.length - 1; i >= 0; i--) {
      const ch = this.channels[i]!;
      if (ch.use) break;
      if (ch.emitted) continue;
      let target = p.arg.trim();
      if (direction === 'listing') target = target.replace(/^(-\S+\s*)+/, '');
      const file = target === '' ? (direction === 'listing' ? this.cwd : null) : joinPath(this.cwd, target);
      ch.use = { command: p.command, file, direction, type: this.type, rest: this.rest };
      this.rest = null;
      p.channel = ch;
      return;
    }
  }

  // ---- server side -------------------------------------------------------------------

  private replyLine(line: string, truncated: boolean): void {
    if (this.reply) {
      this.reply.lines.push(line);
      const end = parseReplyLine(line);
      // RFC 959 §4.2: a multi-line reply ends with a line starting with the same code and a space.
      if (end.kind === 'reply' && end.code === this.reply.code && end.sep === ' ') this.finishReply(true);
      return;
    }
    if (line === '' && !truncated) return;
    const r = parseReplyLine(line);
    if (r.kind !== 'reply') {
      this.ctx.anomaly(
        r.kind === 'bad_code' ? 'ftp.bad_reply_code' : 'ftp.missing_reply_code',
        's2c',
        `reply line without a valid code: ${line.slice(0, 80)}`,
      );
      // It still answers the oldest command, so later replies pair correctly.
      const p = this.pending.shift();
      if (p) this.transaction(p, null, r.text, false);
      return;
    }
    this.reply = { code: r.code, lines: [r.text], at: this.here() };
    if (r.sep === ' ') this.finishReply(false);
  }

  private finishReply(multiline: boolean): void {
    const reply = this.reply!;
    this.reply = null;
    const code = reply.code;
    const msg = multiline ? joinMultiline(reply.lines, code) : reply.lines[0]!;
    this.ctx.emit('ftp.reply', 's2c', { code, msg, multiline }, multiline ? undefined : reply.at);
    const p = this.pending[0];
    if (!p) {
      if (!this.greeted && (code === 220 || code === 120 || code >= 400)) this.greeted = true;
      else if (code !== 421) this.ctx.anomaly('ftp.unexpected_reply', 's2c', `${code} with no command waiting`);
      return;
    }
    this.greeted = true;
    if (code < 200) {
      p.prelim.push(code);
      const size = parseSize(code, msg);
      if (size !== null) this.fileSize = size;
      return;
    }
    this.pending.shift();
    this.onFinalReply(p, code, msg);
    this.transaction(p, code, msg, false);
  }

  private onFinalReply(p: Pending, code: number, msg: string): void {
    const ok = code >= 200 && code < 300;
    switch (p.command) {
      case 'USER':
        if (code === 230) this.loggedIn = true;
        else if (code === 530) this.failedLogins++;
        break;
      case 'PASS':
        this.ctx.emit('credentials', 'c2s', {
          protocol: 'ftp',
          user: this.user ?? '',
          secret: p.arg,
          mechanism: 'user/pass',
          success: ok,
        }, p.at); // the PASS command's frame, where the secret was, not the reply's
        if (code === 230 || code === 202) this.loggedIn = true;
        else if (code >= 500) this.failedLogins++;
        break;
      case 'AUTH':
        // curl asks AUTH SSL first, lftp AUTH TLS: both are TLS from the next byte on (RFC 4217 §4).
        if (code === 234 && this.authTlsPending) this.acceptUpgrade();
        this.authTlsPending = false;
        break;
      case 'CWD':
      case 'XCWD':
        if (ok) this.changeDir(joinPath(this.cwd, p.arg.trim()));
        break;
      case 'CDUP':
      case 'XCUP':
        if (ok) this.changeDir(parentPath(this.cwd) ?? '/');
        break;
      case 'PWD':
      case 'XPWD':
        if (code === 257) {
          const path = parseQuotedPath(msg);
          if (path !== null && path !== this.cwd) this.changeDir(path);
        }
        break;
      case 'SIZE':
        if (code === 213) this.fileSize = parseSize(code, msg);
        break;
      case 'PASV':
        if (code === 227) {
          const ep = parseHostPort(msg);
          if (ep) this.openChannel('passive', ep, ep.addr !== this.ctx.flow.server.addr);
          else this.ctx.anomaly('ftp.bad_port', 's2c', `227 ${msg}`);
        }
        break;
      case 'EPSV':
        if (code === 229) {
          const port = parseEpsv(msg);
          if (port !== null) this.openChannel('passive', { addr: this.ctx.flow.server.addr, port });
          else this.ctx.anomaly('ftp.bad_port', 's2c', `229 ${msg}`);
        }
        break;
    }
    if (p.channel) {
      p.channel.reply = { code, at: this.here() };
      this.maybeEmit(p.channel);
    }
  }

  private changeDir(path: string): void {
    this.cwd = path;
    this.cwdHistory.push(path);
  }

  private transaction(p: Pending, code: number | null, msg: string | null, incomplete: boolean): void {
    const ch = p.channel;
    const dataChannel = this.channelFor(p);
    const fields: FtpTransactionFields = {
      user: this.user,
      password: this.password,
      command: p.command,
      arg: p.arg,
      cwd: this.cwd,
      file_size: transferDirection(p.command) ? this.fileSize : null,
      reply_code: code,
      reply_msg: msg,
      preliminary: p.prelim.length ? p.prelim : undefined,
      data_channel: dataChannel,
      fuid: ch?.data.flow ?? null,
      incomplete: incomplete || undefined,
    };
    if (transferDirection(p.command)) this.fileSize = null;
    this.ctx.emit('ftp.transaction', null, fields);
  }

  /** Zeek's data_channel record, on the PORT/EPRT/PASV/EPSV transaction that set it up. */
  private channelFor(p: Pending): FtpDataChannel | null {
    if (!['PORT', 'EPRT', 'PASV', 'EPSV'].includes(p.command)) return null;
    const ch = this.channels[this.channels.length - 1];
    if (!ch || ch.use) return null;
    const passive = ch.mode === 'passive';
    return {
      passive,
      orig_h: passive ? this.ctx.flow.client.addr : this.ctx.flow.server.addr,
      resp_h: ch.responder.addr,
      resp_p: ch.responder.port,
    };
  }

  // ---- transfers ---------------------------------------------------------------------

  /** Emit `ftp.transfer` once both the data connection and the final reply are in. */
  private maybeEmit(ch: Channel): void {
    if (ch.emitted || !ch.use || !ch.reply || !ch.data.done || this.closed) return;
    this.emitTransfer(ch, false);
  }

  private emitTransfer(ch: Channel, atClose: boolean): void {
    if (ch.emitted || !ch.use) return;
    ch.emitted = true;
    this.transfers++;
    const d = ch.data;
    const duration = d.duration();
    const replyOk = ch.reply !== null && ch.reply.code !== null && ch.reply.code >= 200 && ch.reply.code < 300;
    const complete = replyOk && d.done && d.missed === 0 && !d.reset;
    const at = laterOf(ch.reply?.at ?? null, d.last);
    this.ctx.emit(
      'ftp.transfer',
      null,
      {
        command: ch.use.command,
        file: ch.use.file,
        direction: ch.use.direction,
        mode: ch.mode,
        data_flow: d.flow,
        bytes: d.bytes,
        missed_bytes: d.missed,
        duration,
        throughput_bps: duration > 0 ? Math.round((d.bytes * 8) / duration) : null,
        complete,
        reply_code: ch.reply?.code ?? null,
        nat: ch.nat,
        data_type: ch.use.type,
        rest: ch.use.rest,
        advertised_h: ch.responder.addr,
        advertised_p: ch.responder.port,
        incomplete: atClose && !complete ? true : undefined,
        data_tls: d.tls ? true : undefined,
      },
      atClose ? undefined : at ?? undefined,
    );
    if (this.ctx.wants_objects && ch.use.direction !== 'listing' && d.kept > 0) {
      this.ctx.exportObject({
        protocol: 'ftp',
        name: ch.use.file ?? `ftp-data-${d.flow}`,
        frame: d.last?.frame ?? this.ctx.frame,
        data: d.data(),
        incomplete: !complete || d.trimmed || undefined,
      });
    }
    d.chunks.length = 0;
  }
}

function laterOf(a: Position | null, b: Position | null): Position | null {
  if (!a) return b;
  if (!b) return a;
  return a.frame >= b.frame ? a : b;
}

/** Multi-line reply text: the first line's text, then the rest with the `NNN-`/`NNN ` prefixes removed. */
function joinMultiline(lines: string[], code: number): string {
  const prefix = String(code);
  return lines
    .map((l, i) => (i === 0 ? l : l.startsWith(prefix + '-') || l.startsWith(prefix + ' ') ? l.slice(4) : l))
    .join('\n');
}
