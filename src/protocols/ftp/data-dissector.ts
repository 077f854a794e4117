/**
 * FTP data connections (RFC 959 §3.2). The control dissector creates one per expected
 * connection; it counts the bytes, keeps them for export when asked (bounded by
 * `max_object`), and reports back when the stream is over, so the control session can
 * emit `ftp.transfer` once both the data and the transfer's final reply are in.
 */
import { joinChunks } from '../../dissect/bytes.js';
import type { DissectorContext, Position, StreamDissector } from '../../dissect/contract.js';
import type { Direction } from '../../events/event.js';
import type { Timestamp } from '../../events/time.js';

/** What the control session learns about one data connection. */
export class DataFlowState {
  flow: number | null = null;
  bytes = 0;
  missed = 0;
  first: Position | null = null;
  last: Position | null = null;
  opened: Position | null = null;
  /** The sending side closed (FIN) or the flow ended. */
  done = false;
  /** Ended by RST rather than FIN. */
  reset = false;
  readonly chunks: Uint8Array[] = [];
  kept = 0;
  trimmed = false;
  /** Opened under PROT P (RFC 4217): the connection carries a TLS session, not the file's bytes. */
  tls = false;

  duration(): number {
    if (!this.first || !this.last) return 0;
    return Math.max(0, this.last.ts.since(this.first.ts));
  }

  data(): Uint8Array {
    return joinChunks(this.chunks, this.kept);
  }
}

export class FtpDataDissector implements StreamDissector {
  private closed = false;

  constructor(
    private readonly ctx: DissectorContext,
    private readonly state: DataFlowState,
    private readonly onDone: (state: DataFlowState) => void,
  ) {
    state.flow = ctx.flow.id;
    state.opened = this.here();
    ctx.setService('ftp-data');
  }

  data(_dir: Direction, bytes: Uint8Array): void {
    const s = this.state;
    if (bytes.length === 0) return;
    s.first ??= this.here();
    s.last = this.here();
    s.bytes += bytes.length;
    // TLS records are not the file: counted, never kept for export.
    if (!this.ctx.wants_objects || s.tls) return;
    const room = this.ctx.limits.max_object - s.kept;
    if (room <= 0 || bytes.length > room) {
      if (!s.trimmed) this.ctx.anomaly('ftp.object_limit', null, `data over max_object (${this.ctx.limits.max_object} bytes); export is cut`);
      s.trimmed = true;
    }
    if (room > 0) {
      const piece = bytes.slice(0, Math.min(room, bytes.length));
      s.chunks.push(piece);
      s.kept += piece.length;
    }
  }

  gap(dir: Direction, length: number): void {
    this.state.missed += length;
    this.ctx.anomaly('ftp.data_gap', dir, `${length} bytes of the transfer were not captured`);
  }

  end(_dir: Direction, how: 'fin' | 'rst'): void {
    // The sender closes the data connection to mark the end of the file (stream mode).
    if (how === 'rst') this.state.reset = true;
    this.finish();
  }

  close(): void {
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.state.done = true;
    this.state.last ??= this.here();
    this.ctx.setSummary(`${this.state.bytes} bytes${this.state.tls ? ' of TLS (PROT P)' : ''}`);
    this.onDone(this.state);
  }

  private here(): { frame: number; ts: Timestamp } {
    return { frame: this.ctx.frame, ts: this.ctx.ts };
  }
}
