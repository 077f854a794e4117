/**
 * The streams of one HTTP/2 connection and their states (RFC 9113 §5.1), as an observer
 * of both directions sees them: which frame may open a stream, which stream a frame may
 * use, what is a protocol error, and when a stream leaves the table. What travels on the
 * streams (header blocks, bodies, transaction records) is the dissector's.
 *
 * The client is "local": its END_STREAM half-closes a stream (local), the server's
 * (remote); a PUSH_PROMISE reserves an even stream (remote). Ids only grow per side
 * (§5.1.1), so a stream no longer in the table but at or below its side's highest id is
 * closed, and above it idle. Mid-connection (no preface seen) streams opened before the
 * capture began are taken as they come, without the errors a full view would report.
 */
import type { Direction } from '../../events/event.js';

export type StreamState = 'idle' | 'reserved_remote' | 'open' | 'half_closed_local' | 'half_closed_remote' | 'closed';

/** What the table reads of a stream. */
export interface TableStream {
  readonly id: number;
  /** END_STREAM seen, per direction. */
  readonly ended: Record<Direction, boolean>;
  /** Its transaction record is out. */
  emitted: boolean;
}

/** Frames that may open a stream (§5.1: HEADERS; DATA only mid-connection). */
export type OpeningFrame = 'DATA' | 'HEADERS';

/** Whether a frame may use stream `id`: the stream itself, or refused with the protocol error to report. */
export type Admission<S> = { kind: 'use'; stream: S } | { kind: 'refuse'; problem: string } | { kind: 'open'; problem: string | null };

export class StreamTable<S extends TableStream> {
  private readonly live = new Map<number, S>();
  /** Pushed streams whose response HEADERS have not come yet (reserved, remote). */
  private readonly reserved = new Set<number>();
  private lastClient = 0;
  private lastPush = 0;
  private openCount = 0;
  private mostOpen = 0;
  private mid = false;

  /** The capture began mid-connection: streams it did not see open are taken as they come. */
  joinMidStream(): void {
    this.mid = true;
  }

  get midStream(): boolean {
    return this.mid;
  }

  get(id: number): S | undefined {
    return this.live.get(id);
  }

  /** Streams in the table. */
  get size(): number {
    return this.live.size;
  }

  /** Streams in the table by id (what the connection's end closes, in order). */
  byId(): S[] {
    return [...this.live.values()].sort((a, b) => a.id - b.id);
  }

  /** Streams opened and not yet closed, and the most there were at once. */
  get open(): number {
    return this.openCount;
  }

  get maxOpen(): number {
    return this.mostOpen;
  }

  /** The stream a DATA or HEADERS frame in `dir` belongs to, whether it may open one, or why not. */
  admit(dir: Direction, id: number, what: OpeningFrame): Admission<S> {
    const s = this.live.get(id);
    if (s) {
      if (s.emitted && !this.mid) return { kind: 'refuse', problem: `${what} on closed stream ${id}` };
      if (s.ended[dir]) return { kind: 'refuse', problem: `${what} on stream ${id} after its END_STREAM (stream closed)` };
      if (dir === 's2c') this.reserved.delete(id);
      return { kind: 'use', stream: s };
    }
    if (what === 'DATA' && !this.mid) return { kind: 'refuse', problem: `DATA on idle stream ${id}` };
    let problem: string | null = null;
    if (dir === 'c2s') {
      if ((id % 2 === 0 || id <= this.lastClient) && (!this.mid || id % 2 === 0)) problem = `client opens stream ${id}: even or not above ${this.lastClient}`;
      this.lastClient = Math.max(this.lastClient, id);
    } else if (!this.mid) {
      problem = `server sends ${what} on stream ${id} the client never opened`;
    }
    return { kind: 'open', problem };
  }

  /**
   * Puts a stream in the table (open; see `reserve` for a pushed one). Returns the oldest
   * stream when more than `max` are in the table: the caller gives up on it and closes it.
   */
  add(s: S, max: number): S | null {
    this.live.set(s.id, s);
    this.openCount++;
    this.mostOpen = Math.max(this.mostOpen, this.openCount);
    return this.live.size > max ? this.live.values().next().value! : null;
  }

  /** Stream 1 of an h2c upgrade: the client's request went out in HTTP/1.1, so it is half-closed (local). */
  upgraded(): void {
    this.lastClient = 1;
  }

  /** A PUSH_PROMISE for stream `id`: the protocol error to report (odd, reused, not increasing), or null. */
  promise(id: number): string | null {
    const bad = id % 2 !== 0 || id <= this.lastPush || this.live.has(id);
    this.lastPush = Math.max(this.lastPush, id);
    this.reserved.add(id);
    return bad ? `PUSH_PROMISE promises stream ${id}, which is odd, reused or not increasing` : null;
  }

  /** RST_STREAM on a stream not in the table: a protocol error when the stream is idle (§6.4). */
  resetIdle(id: number): boolean {
    return id > Math.max(this.lastClient, this.lastPush) && !this.mid;
  }

  /** END_STREAM in `dir`: the stream half-closes; returns it, or null when it is not open. */
  endStream(dir: Direction, id: number): S | null {
    const s = this.live.get(id);
    if (!s || s.emitted) return null;
    s.ended[dir] = true;
    return s;
  }

  /** The stream's record is out: it leaves the table. */
  close(s: S): void {
    this.openCount--;
    this.reserved.delete(s.id);
    this.live.delete(s.id);
  }

  /** The state of stream `id` (RFC 9113 §5.1). */
  state(id: number): StreamState {
    const s = this.live.get(id);
    if (!s) return id !== 0 && id <= (id % 2 === 0 ? this.lastPush : this.lastClient) ? 'closed' : 'idle';
    if (this.reserved.has(id)) return 'reserved_remote';
    if (s.ended.c2s && s.ended.s2c) return 'closed';
    if (s.ended.c2s) return 'half_closed_local';
    if (s.ended.s2c) return 'half_closed_remote';
    return 'open';
  }
}
