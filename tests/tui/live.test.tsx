import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { isIdentityEvent } from '../../src/events/flow-identity.js';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { followFile } from '../../src/capture/follow.js';
import type { WireEvent } from '../../src/events/event.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { App, type Scheduler } from '../../src/tui/components/App.js';
import { LiveStreams } from '../../src/tui/model/live-streams.js';
import { CaptureStore, STORE_LIMITS } from '../../src/tui/model/store.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { ENTER } from './helpers.js';
import { writeTemp } from './hostile-capture.js';

/**
 * The live UI (`tcpdump -w - | wirelens -`, `--follow-file`): a capture that arrives in
 * pieces, a clock stepped by hand, a file that grows while it is read. Nothing here waits on
 * real time: each step waits until the reader has taken what it was given.
 */

const PAGE = 'captures/http-page-persistent.pcap';
const DEMO = 'captures/demo.pcap';

/** Standard input for a test: chunks pushed by hand, ended by hand. */
function pipe() {
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  let taken = 0;
  return {
    get taken() {
      return taken;
    },
    iterable: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length) {
            const c = queue.shift()!;
            taken += c.length;
            yield c;
          }
          if (ended) return;
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      },
    } as AsyncIterable<Uint8Array>,
    push(b: Uint8Array) {
      queue.push(b);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

/** A clock the test steps: `tick()` runs what the UI scheduled, as one interval would. */
function manualClock(): Scheduler & { tick(): void; armed: number } {
  const fns = new Set<() => void>();
  return {
    every(_ms, fn) {
      fns.add(fn);
      return () => fns.delete(fn);
    },
    tick() {
      for (const fn of fns) fn();
    },
    get armed() {
      return fns.size;
    },
  };
}

/** Lets pending promise callbacks and immediates run (React's commit, Ink's write). */
const settle = async (rounds = 20): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};

/** Waits (by turns of the event loop, never by time) until `test` holds. */
async function until(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    if (test()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never: ${what}`);
}

const liveStore = (perFlow = DEFAULT_LIMITS.live_stream_per_flow, total = DEFAULT_LIMITS.live_stream_total) => new CaptureStore(STORE_LIMITS, new LiveStreams(perFlow, total));

/** Reads `source` into a live store as openUi does (taps and all). */
function feedLive(store: CaptureStore, opts: { stdin?: AsyncIterable<Uint8Array>; input?: AsyncIterable<Uint8Array>; file?: string }): Promise<void> {
  return analyze(opts.file ?? '-', store, {
    stdin: opts.stdin,
    input: opts.input,
    wantsObjects: true,
    onObject: (o, flow) => store.object(o, flow),
    onProgress: (read, total) => store.setProgress(read, total),
    flowIdentity: true,
    onLive: (view) => (store.live = view),
    tap: (flow, dir, data) => store.streamData(flow, dir, data),
    innerTap: (flow, dir, data, via) => store.innerStreamData(flow, dir, data, via),
  }).then(
    () => store.finish(),
    (err: unknown) => store.finish(String(err)),
  );
}

/** Offsets just after each pcap record, and the record starts, of a classic pcap file. */
function recordEnds(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ends: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    at += 16 + dv.getUint32(at + 8, true);
    ends.push(at);
  }
  return ends;
}

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

describe('live streams kept in memory (the stream pane of a pipe)', () => {
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

  it('joins contiguous chunks of one direction and keeps gaps, in order', () => {
    const s = new LiveStreams(1 << 20, 1 << 24);
    s.wire(1, 'c2s', new TextEncoder().encode('GET / HTT'));
    s.wire(1, 'c2s', new TextEncoder().encode('P/1.1\r\n\r\n'));
    s.wire(1, 's2c', 5);
    s.wire(1, 's2c', new TextEncoder().encode('body'));
    const snap = s.snapshot(1)!;
    expect(snap.pieces.map((p) => ('data' in p ? [p.dir, p.offset, new TextDecoder().decode(p.data)] : [p.dir, p.offset, p.gap]))).toEqual([
      ['c2s', 0, 'GET / HTTP/1.1\r\n\r\n'],
      ['s2c', 0, 5],
      ['s2c', 5, 'body'],
    ]);
    expect(snap.dropped).toBe(0);
    expect(s.snapshot(2)).toBeNull();
  });

  it('keeps the newest bytes of a flow within the per-flow bound and counts the rest as dropped', () => {
    const perFlow = 64 * 1024;
    const s = new LiveStreams(perFlow, 1 << 24);
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      s.wire(7, i % 2 ? 's2c' : 'c2s', bytes(1000 + i, i & 0xff));
      sent += 1000 + i;
      expect(s.bytesHeld).toBeLessThanOrEqual(perFlow);
    }
    const snap = s.snapshot(7)!;
    const kept = snap.pieces.reduce((n, p) => n + ('data' in p ? p.data.length : 0), 0);
    expect(kept).toBe(snap.kept);
    expect(snap.kept + snap.dropped).toBe(sent);
    expect(snap.dropped).toBeGreaterThan(0);
    // The last chunk is whole and last: the newest bytes are the ones kept.
    const last = snap.pieces.at(-1)!;
    expect('data' in last && last.data.length === 1399 && last.data[0] === 399 % 256).toBe(true);
  });

  it('a flood of one-byte segments is bounded too (each chunk costs its overhead)', () => {
    const s = new LiveStreams(16 * 1024, 1 << 24);
    for (let i = 0; i < 100_000; i++) s.wire(1, i % 2 ? 's2c' : 'c2s', bytes(1, 0x41));
    expect(s.bytesHeld).toBeLessThanOrEqual(16 * 1024);
    const snap = s.snapshot(1)!;
    expect(snap.kept + snap.dropped).toBe(100_000);
  });

  it('the total bound gives up the least recently active flows first, and says so for them', () => {
    const s = new LiveStreams(32 * 1024, 100 * 1024);
    for (let flow = 1; flow <= 10; flow++) for (let i = 0; i < 10; i++) s.wire(flow, 'c2s', bytes(2000, flow));
    // Flow 1 is active again: it is now the most recent.
    s.wire(1, 'c2s', bytes(10, 1));
    for (let i = 0; i < 5; i++) s.wire(11, 's2c', bytes(2000, 11));
    expect(s.bytesHeld).toBeLessThanOrEqual(100 * 1024);
    const early = s.snapshot(2)!;
    expect(early.pieces).toEqual([]);
    expect(early.dropped).toBe(20_000);
    expect(s.snapshot(1)!.kept).toBeGreaterThan(0);
    expect(s.snapshot(11)!.kept).toBe(10_000);
  });

  it('a decrypted inner stream replaces the bytes on the wire, which are then ignored', () => {
    const s = new LiveStreams(1 << 20, 1 << 24);
    s.wire(3, 'c2s', bytes(100, 0x16));
    s.inner(3, 'c2s', new TextEncoder().encode('GET /'), 'tls');
    s.wire(3, 'c2s', bytes(100, 0x17));
    const snap = s.snapshot(3)!;
    expect(snap.layer).toBe('tls');
    expect(snap.kept).toBe(5);
  });
});

describe('redraws on a fixed clock, not per packet', () => {
  it('a whole capture arriving between two ticks costs one redraw, and nothing is drawn before the tick', async () => {
    const store = liveStore();
    const clock = manualClock();
    const app = render(<App store={store} file="<stdin>" scheduler={clock} loadStream={() => Promise.reject(new Error('a live capture is not read twice'))} />);
    unmount = app.unmount;
    await settle();
    expect(clock.armed).toBe(1);
    const before = app.frames.length;
    expect(app.lastFrame()).toContain('Reading…');

    // 61 packets, 6 flows and their events arrive at once: no redraw without the clock.
    const input = pipe();
    const done = feedLive(store, { stdin: input.iterable });
    input.push(readFileSync(DEMO));
    await until(() => store.progress.read === readFileSync(DEMO).length, 'the capture read');
    await settle();
    expect(app.frames.length).toBe(before);
    expect(app.lastFrame()).toContain('Reading…');

    clock.tick();
    await settle();
    expect(app.frames.length).toBe(before + 1);
    const frame = app.lastFrame()!;
    expect(frame).toContain('● live: <stdin>');
    expect(frame).toContain('ftp-data');
    expect(frame).toMatch(/6 flows/);

    // A tick with nothing new draws nothing.
    clock.tick();
    await settle();
    expect(app.frames.length).toBe(before + 1);

    input.end();
    await done;
    clock.tick();
    await settle();
    expect(app.lastFrame()).toContain('<stdin>: 61 packets');
  });
});

describe('live on a pipe: flows, transactions, ladder and stream fill in as packets arrive', () => {
  it('shows the first requests, then the rest after more packets and a tick; the stream pane reads from memory', async () => {
    const bytes = readFileSync(PAGE);
    const ends = recordEnds(bytes);
    // Up to the end of frame 10 (the second response is on its way), cut inside frame 11's header.
    const cut = ends[9]! + 7;
    const store = liveStore();
    const clock = manualClock();
    let reReads = 0;
    const app = render(<App store={store} file="<stdin>" scheduler={clock} loadStream={() => (reReads++, Promise.reject(new Error('no')))} />);
    unmount = app.unmount;
    const input = pipe();
    const done = feedLive(store, { stdin: input.iterable });
    input.push(bytes.subarray(0, cut));
    await until(() => input.taken === cut && store.progress.read === cut, 'first part read');
    await settle();
    clock.tick();
    await settle();
    expect(app.lastFrame()).toMatch(/1 http\s+127\.0\.0\.1:35702/);
    // The flow is open: its packets so far.
    expect(app.lastFrame()).toMatch(/127\.0\.0\.1:80\s+10\s/);

    app.stdin.write(ENTER);
    await settle();
    let f = app.lastFrame()!;
    expect(f).toContain('GET /page/index.html → 200');
    expect(f).not.toContain('img4.png');

    app.stdin.write('l');
    await settle();
    const ladderBefore = app.lastFrame()!;
    expect(ladderBefore).toContain('index.html');
    expect(ladderBefore).not.toContain('img4.png');

    app.stdin.write('f');
    await settle();
    f = app.lastFrame()!;
    expect(f).toContain('> GET /page/index.html HTTP/1.1');
    expect(f).toContain('1/44');

    input.push(bytes.subarray(cut));
    await until(() => store.progress.read === bytes.length, 'the rest read');
    await settle();
    // Not drawn until the clock says so.
    expect(app.lastFrame()).not.toContain('GET /page/img4.png');
    clock.tick();
    await settle();
    // The stream grew under the open pane: its last request is there to find.
    expect(app.lastFrame()).not.toContain('1/44');
    app.stdin.write('/');
    await settle();
    app.stdin.write('GET /page/img4');
    await settle();
    app.stdin.write(ENTER);
    await settle();
    expect(app.lastFrame()).toContain('> GET /page/img4.png HTTP/1.1');

    app.stdin.write('l');
    await settle();
    expect(app.lastFrame()).toContain('img4.png');
    app.stdin.write('d');
    await settle();
    expect(app.lastFrame()).toContain('GET /page/img4.png → 200');

    input.end();
    await done;
    expect(reReads).toBe(0);
    expect(store.anomalies.filter((e: WireEvent) => String(e.code).startsWith('capture.'))).toEqual([]);
  });

  it('says how much of a stream was dropped to stay within live_stream_per_flow', async () => {
    const store = liveStore(4096, 1 << 20);
    const clock = manualClock();
    const app = render(<App store={store} file="<stdin>" scheduler={clock} loadStream={() => Promise.reject(new Error('no'))} />);
    unmount = app.unmount;
    await feedLive(store, { file: PAGE });
    clock.tick();
    await settle();
    app.stdin.write('f');
    await settle();
    const f = app.lastFrame()!;
    expect(f).toMatch(/Live: first [\d.]+ kB dropped, newest [\d.]+ kB kept \(live_stream_\* limits\)/);
    expect(f).not.toContain('GET /page/index.html HTTP/1.1');
  });
});

describe('--follow-file: a capture file read while it is still being written', () => {
  /** Writes `bytes` to a new file in the given pieces, following it as it grows; returns the store and the events seen. */
  async function followInPieces(name: string, bytes: Uint8Array, cuts: number[]): Promise<{ store: CaptureStore; events: WireEvent[]; seenAt: number[] }> {
    const path = writeTemp(bytes.subarray(0, cuts[0]), name);
    const stop = new AbortController();
    const waits: Array<() => void> = [];
    const events: WireEvent[] = [];
    const store = liveStore();
    // The UI's run asks for flow.start/flow.update (its store keeps flows by them); the file read whole does not.
    const tee = { emit: (e: WireEvent) => (isIdentityEvent(e) || events.push(e), store.emit(e)) };
    const done = analyze(path, tee, {
      input: followFile(path, { signal: stop.signal, wait: () => new Promise<void>((r) => waits.push(r)) }),
      flowIdentity: true,
      onLive: (view) => (store.live = view),
      tap: (flow, dir, data) => store.streamData(flow, dir, data),
    });
    const seenAt: number[] = [];
    for (let i = 1; i <= cuts.length; i++) {
      // The reader is at the end of what is there, waiting.
      await until(() => waits.length === 1, `waiting at piece ${i}`);
      store.tick();
      seenAt.push(store.flowCount);
      if (i < cuts.length) appendFileSync(path, bytes.subarray(cuts[i - 1], cuts[i]));
      else appendFileSync(path, bytes.subarray(cuts[i - 1]));
      waits.shift()!();
    }
    await until(() => waits.length === 1, 'waiting at the end');
    stop.abort();
    waits.shift()!();
    await done;
    return { store, events, seenAt };
  }

  const json = (events: WireEvent[]) => events.filter((e) => e.type !== 'capture.summary').map((e) => JSON.stringify(e));

  it('pcap: records cut at the end of the file are waited for, not called damaged; the events are those of the whole file', async () => {
    const bytes = readFileSync(DEMO);
    const ends = recordEnds(bytes);
    // Inside the file header, inside a record header, inside a packet, on a record boundary.
    const cuts = [10, ends[3]! + 5, ends[20]! + 40, ends[40]!, bytes.length - 3];
    const whole: WireEvent[] = [];
    await analyze(DEMO, { emit: (e) => whole.push(e) });
    const { events, seenAt } = await followInPieces('grow.pcap', bytes, cuts);
    expect(events.some((e) => e.type === 'anomaly' && String(e.code).startsWith('capture.'))).toBe(false);
    expect(json(events)).toEqual(json(whole));
    // Flows appeared while the file grew, not only at the end.
    expect(seenAt[0]).toBe(0);
    expect(seenAt.at(-1)).toBeGreaterThan(0);
    expect(seenAt.at(-1)).toBeLessThanOrEqual(6);
  });

  it('pcapng: blocks cut at the end are waited for too', async () => {
    const file = 'captures/wlan-wrapped.pcapng';
    const bytes = readFileSync(file);
    const cuts = [3, 30, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2) + 1, bytes.length - 1];
    const whole: WireEvent[] = [];
    await analyze(file, { emit: (e) => whole.push(e) });
    const { events } = await followInPieces('grow.pcapng', bytes, cuts);
    expect(events.some((e) => e.type === 'anomaly' && String(e.code).startsWith('capture.'))).toBe(false);
    expect(json(events)).toEqual(json(whole));
  });

  it('a file that gets shorter (a new tcpdump run) stops following with a clear error', async () => {
    const bytes = readFileSync(DEMO);
    const path = writeTemp(bytes, 'shrink.pcap');
    const stop = new AbortController();
    const waits: Array<() => void> = [];
    const done = analyze(path, { emit: () => {} }, { input: followFile(path, { signal: stop.signal, wait: () => new Promise<void>((r) => waits.push(r)) }) });
    await until(() => waits.length === 1, 'at the end');
    writeFileSync(path, bytes.subarray(0, 100));
    waits.shift()!();
    await expect(done).rejects.toThrow(/got shorter while being followed/);
  });
});
