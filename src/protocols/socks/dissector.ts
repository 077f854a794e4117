/**
 * One SOCKS connection: the handshake is read step by step, each step waiting for the
 * side whose turn it is (the client may send ahead; its bytes wait). Once the server
 * grants a CONNECT, the rest of both directions is handed back to detection as a fresh
 * stream (`switchProtocol(null)`), as after HTTP CONNECT: HTTP or TLS inside a SOCKS
 * tunnel is dissected as such, on the same flow.
 */
import type { DissectorContext, Position, StreamDissector } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { SocksRequestFields } from './events.js';
import {
  COMMANDS,
  methodName,
  parseChoice5,
  parseGreeting5,
  parseMessage5,
  parseReply4,
  parseRequest4,
  parseUserPass,
  parseUserPassReply,
  statusName,
} from './parser.js';
import type { Parsed } from '../../dissect/parse.js';

/**
 * Bytes held per direction while the handshake is not over. The longest message is a
 * user/password sub-negotiation, 513 bytes; what is longer without completing is not SOCKS.
 */
const MAX_HANDSHAKE_BYTES = 1024;

type Step = 'greeting' | 'choice' | 'auth' | 'auth_reply' | 'request' | 'reply' | 'request4' | 'reply4' | 'done';

const TURN: Readonly<Record<Exclude<Step, 'done'>, Direction>> = {
  greeting: 'c2s',
  choice: 's2c',
  auth: 'c2s',
  auth_reply: 's2c',
  request: 'c2s',
  reply: 's2c',
  request4: 'c2s',
  reply4: 's2c',
};

export class SocksDissector implements StreamDissector {
  private step: Step;
  private readonly held: Record<Direction, Uint8Array> = { c2s: new Uint8Array(0), s2c: new Uint8Array(0) };
  /** The handshake so far, emitted as `socks.request` when the server answers the request. */
  private record: SocksRequestFields | null = null;
  private methods: string[] | undefined;
  private authMethod: string | undefined;
  private user: string | undefined;
  private password: string | undefined;
  private requestAt: Position | null = null;
  private stopped = false;

  constructor(private readonly ctx: DissectorContext) {
    this.step = 'greeting';
  }

  data(dir: Direction, bytes: Uint8Array): void {
    if (this.stopped) return;
    const held = this.held[dir];
    if (held.length + bytes.length > MAX_HANDSHAKE_BYTES) return this.malformed(dir, `over ${MAX_HANDSHAKE_BYTES} bytes without a complete handshake message`);
    const joined = new Uint8Array(held.length + bytes.length);
    joined.set(held);
    joined.set(bytes, held.length);
    this.held[dir] = joined;
    this.advance();
  }

  gap(dir: Direction, length: number): void {
    if (this.stopped) return;
    this.ctx.anomaly('socks.incomplete', dir, `${length} bytes missing during the SOCKS handshake`);
    this.finish();
  }

  close(): void {
    if (this.stopped) return;
    if (this.step !== 'greeting' || this.held.c2s.length) this.ctx.anomaly('socks.incomplete', null, `the connection ended before the SOCKS handshake was over (waiting for the ${this.step.replace('4', '').replace('_', ' ')})`);
    this.finish();
  }

  /** Reads messages while the side whose turn it is has one complete. */
  private advance(): void {
    while (!this.stopped && this.step !== 'done') {
      const dir = TURN[this.step];
      const buf = this.held[dir];
      if (this.step === 'greeting' && buf.length > 0 && buf[0] === 4) this.step = 'request4';
      const step = this.step;
      const r = this.read(buf);
      if (r === null) return;
      if (typeof r === 'string') return this.malformed(dir, `not a SOCKS ${step.replace('4', '').replace('_', ' ')}: ${r}`);
      this.held[dir] = buf.subarray(r);
    }
    if (this.step === 'done') this.handOver();
  }

  /** The message of the current step at the start of `b`: bytes taken, null for more, or what is wrong. */
  private read(b: Uint8Array): number | null | string {
    switch (this.step) {
      case 'greeting':
        return this.take(parseGreeting5(b), (g) => {
          this.ctx.setService('socks');
          this.methods = g.methods.map(methodName);
          this.step = 'choice';
        });
      case 'choice':
        return this.take(parseChoice5(b), (m) => {
          this.authMethod = methodName(m);
          if (m === 0) this.step = 'request';
          else if (m === 2) this.step = 'auth';
          else {
            // No acceptable method, or one (GSSAPI) whose exchange is not followed: the rest is opaque.
            this.step = 'done';
            this.stopped = true;
          }
        });
      case 'auth':
        return this.take(parseUserPass(b), (c) => {
          this.user = c.user;
          this.password = c.password;
          this.step = 'auth_reply';
        });
      case 'auth_reply':
        return this.take(parseUserPassReply(b), (status) => {
          if (this.user !== undefined) {
            this.ctx.emit('credentials', 'c2s', { protocol: 'socks', user: this.user, secret: this.password ?? '', mechanism: 'userpass', success: status === 0 });
          }
          this.step = status === 0 ? 'request' : 'done';
          if (status !== 0) this.stopped = true;
        });
      case 'request':
        return this.take(parseMessage5(b), (m) => {
          this.requestAt = { frame: this.ctx.frame, ts: this.ctx.ts };
          this.record = this.fields(5, m.code, m.target);
          this.step = 'reply';
        });
      case 'reply':
        return this.take(parseMessage5(b), (m) => this.answered(m.code === 0, statusName(5, m.code), m.target.host ?? m.target.name, m.target.port));
      case 'request4':
        return this.take(parseRequest4(b), (q) => {
          this.ctx.setService('socks');
          this.user = q.user || undefined;
          this.requestAt = { frame: this.ctx.frame, ts: this.ctx.ts };
          this.record = this.fields(4, q.command, q.target);
          this.step = 'reply4';
        });
      case 'reply4':
        return this.take(parseReply4(b), (r) => this.answered(r.status === 90, statusName(4, r.status), r.target.host, r.target.port));
      case 'done':
        return null;
    }
  }

  private take<T>(p: Parsed<T>, then: (value: T) => void): number | null | string {
    if (p.kind === 'need_more') return null;
    if (p.kind === 'error') return p.reason;
    then(p.value);
    return p.consumed;
  }

  private fields(version: 4 | 5, command: number, target: { host: string | undefined; name: string | undefined; port: number }): SocksRequestFields {
    return {
      version,
      command: COMMANDS[command] ?? `command_${command}`,
      request_host: target.host,
      request_name: target.name,
      request_p: target.port,
      methods: this.methods,
      auth_method: this.authMethod,
      user: this.user,
      password: this.password,
      status: undefined,
      bound_host: undefined,
      bound_p: undefined,
      request_frame: this.ctx.frame,
    };
  }

  private answered(ok: boolean, status: string, boundHost: string | undefined, boundPort: number): void {
    const r = this.record!;
    r.status = status;
    r.bound_host = boundHost;
    r.bound_p = boundPort;
    this.ctx.emit('socks.request', null, r);
    this.record = null;
    const target = r.request_name ?? r.request_host ?? '?';
    this.ctx.setSummary(`SOCKS${r.version} ${r.command} ${target}:${r.request_p} → ${status}`);
    this.step = 'done';
    // Only a granted CONNECT carries the client's traffic; BIND and UDP ASSOCIATE are not followed.
    if (!ok || r.command !== 'connect') this.stopped = true;
  }

  private handOver(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ctx.switchProtocol(null, { c2s: this.held.c2s, s2c: this.held.s2c });
  }

  private malformed(dir: Direction, what: string): void {
    this.ctx.anomaly('socks.malformed', dir, what);
    this.finish();
  }

  /** Ends the dissection; a request without an answer is still reported. */
  private finish(): void {
    if (this.record !== null) {
      this.ctx.emit('socks.request', null, this.record, this.requestAt ?? undefined);
      this.record = null;
    }
    this.stopped = true;
    this.held.c2s = this.held.s2c = new Uint8Array(0);
  }
}
