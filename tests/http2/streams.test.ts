/**
 * The HTTP/2 stream table on its own: RFC 9113 §5.1 states and the protocol errors an
 * observer reports (§5.1.1 stream identifiers, §6.4 RST_STREAM on idle, frames after
 * END_STREAM), without a dissector around it.
 */
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../src/events/event.js';
import { StreamTable, type TableStream } from '../../src/protocols/http2/streams.js';

const stream = (id: number): TableStream => ({ id, ended: { c2s: false, s2c: false }, emitted: false });

/** Admits a frame and, when it may open the stream, adds one (as the dissector does). */
function use(t: StreamTable<TableStream>, dir: Direction, id: number, what: 'DATA' | 'HEADERS', max = 100): { stream: TableStream | null; problem: string | null } {
  const a = t.admit(dir, id, what);
  if (a.kind === 'use') return { stream: a.stream, problem: null };
  if (a.kind === 'refuse') return { stream: null, problem: a.problem };
  const s = stream(id);
  t.add(s, max);
  return { stream: s, problem: a.problem };
}

describe('HTTP/2 stream states (RFC 9113 §5.1)', () => {
  it('a client stream: idle, open, half-closed (local), closed', () => {
    const t = new StreamTable<TableStream>();
    expect(t.state(1)).toBe('idle');
    const { stream: s, problem } = use(t, 'c2s', 1, 'HEADERS');
    expect(problem).toBeNull();
    expect(t.state(1)).toBe('open');
    expect(t.endStream('c2s', 1)).toBe(s);
    expect(t.state(1)).toBe('half_closed_local');
    // The client may not send on it any more; the server may.
    expect(t.admit('c2s', 1, 'DATA')).toEqual({ kind: 'refuse', problem: 'DATA on stream 1 after its END_STREAM (stream closed)' });
    expect(t.admit('s2c', 1, 'HEADERS')).toEqual({ kind: 'use', stream: s });
    t.endStream('s2c', 1);
    expect(t.state(1)).toBe('closed');
    t.close(s!);
    expect(t.state(1)).toBe('closed');
    expect(t.state(3)).toBe('idle');
    expect([t.open, t.maxOpen, t.size]).toEqual([0, 1, 0]);
  });

  it('the server ends first: half-closed (remote)', () => {
    const t = new StreamTable<TableStream>();
    use(t, 'c2s', 1, 'HEADERS');
    t.endStream('s2c', 1);
    expect(t.state(1)).toBe('half_closed_remote');
    expect(t.admit('s2c', 1, 'DATA')).toEqual({ kind: 'refuse', problem: 'DATA on stream 1 after its END_STREAM (stream closed)' });
  });

  it('a pushed stream: reserved (remote), then half-closed (local) once the server sends its HEADERS', () => {
    const t = new StreamTable<TableStream>();
    use(t, 'c2s', 1, 'HEADERS');
    expect(t.promise(2)).toBeNull();
    const pushed = stream(2);
    pushed.ended.c2s = true; // the client sends nothing on a pushed stream
    t.add(pushed, 100);
    expect(t.state(2)).toBe('reserved_remote');
    expect(t.admit('s2c', 2, 'HEADERS')).toEqual({ kind: 'use', stream: pushed });
    expect(t.state(2)).toBe('half_closed_local');
    // Promised ids are even and grow.
    expect(t.promise(2)).toBe('PUSH_PROMISE promises stream 2, which is odd, reused or not increasing');
    expect(t.promise(3)).toBe('PUSH_PROMISE promises stream 3, which is odd, reused or not increasing');
    expect(t.promise(6)).toBeNull();
  });

  it('stream identifiers: the client opens odd ids that grow; DATA never opens a stream', () => {
    const t = new StreamTable<TableStream>();
    expect(use(t, 'c2s', 5, 'HEADERS').problem).toBeNull();
    expect(use(t, 'c2s', 3, 'HEADERS').problem).toBe('client opens stream 3: even or not above 5');
    expect(use(t, 'c2s', 4, 'HEADERS').problem).toBe('client opens stream 4: even or not above 5');
    expect(t.admit('c2s', 7, 'DATA')).toEqual({ kind: 'refuse', problem: 'DATA on idle stream 7' });
    expect(use(t, 's2c', 9, 'HEADERS').problem).toBe('server sends HEADERS on stream 9 the client never opened');
  });

  it('RST_STREAM on a stream not in the table is an error only when the stream is idle', () => {
    const t = new StreamTable<TableStream>();
    const { stream: s } = use(t, 'c2s', 1, 'HEADERS');
    t.close(s!);
    expect(t.resetIdle(1)).toBe(false); // closed: a late RST_STREAM is allowed
    expect(t.resetIdle(3)).toBe(true);
  });

  it('mid-connection, streams opened before the capture are taken as they come', () => {
    const t = new StreamTable<TableStream>();
    t.joinMidStream();
    expect(use(t, 's2c', 7, 'DATA')).toMatchObject({ problem: null });
    expect(use(t, 'c2s', 3, 'HEADERS').problem).toBeNull(); // below an id seen: allowed mid-connection
    expect(use(t, 'c2s', 4, 'HEADERS').problem).toBe('client opens stream 4: even or not above 3');
    expect(t.resetIdle(99)).toBe(false);
  });

  it('more streams than the limit: the oldest is handed back to be given up', () => {
    const t = new StreamTable<TableStream>();
    const a = stream(1);
    expect(t.add(a, 2)).toBeNull();
    expect(t.add(stream(3), 2)).toBeNull();
    expect(t.add(stream(5), 2)).toBe(a);
    t.close(a);
    expect(t.byId().map((s) => s.id)).toEqual([3, 5]);
    expect([t.open, t.maxOpen]).toEqual([2, 3]);
  });

  it('an h2c upgrade makes stream 1 the client\'s last', () => {
    const t = new StreamTable<TableStream>();
    t.upgraded();
    expect(use(t, 'c2s', 1, 'HEADERS').problem).toBe('client opens stream 1: even or not above 1');
    expect(use(t, 'c2s', 3, 'HEADERS').problem).toBeNull();
  });
});
