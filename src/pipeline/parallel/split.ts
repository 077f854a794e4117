/**
 * `--workers N` on one capture: every worker runs a whole engine on its share, the packets
 * whose address pair hashes to it (address-pair.ts), in epochs of a few thousand packets.
 * Two readers (`splitReader`):
 * - workers (a regular pcap or pcapng file): each worker reads the whole file itself and
 *   skips the other shares' packets after `bucketOf` (its share: 4 buckets of address pairs
 *   per worker, planned by weight in a first pass, bucket-plan.ts; both passes cost about
 *   1% of one thread's CPU per worker on the bench capture); it ticks its engine at every new capture second, and the
 *   worker of share 0 reports the reader's problems and counts the capture summary. The
 *   main thread only numbers flows and merges;
 * - main (standard input, pipes, gzip): the main thread reads and sends each worker its
 *   packets and the second ticks (packet-batch.ts).
 * Output is byte for byte what one thread writes:
 * - order: each worker marks its events with their place (order.ts); the main thread
 *   merges the groups of all workers by that key, an epoch at a time;
 * - flow ids: a worker names a flow by the frame that created it; the main thread
 *   numbers the creations of all workers in frame order and sends each worker its ids
 *   before the worker writes the epoch's events. The round trip is not waited for: a
 *   worker goes on with the next epochs (up to MAX_IN_FLIGHT) and writes an epoch when its
 *   ids come, so the id swap inside the event text stays on the workers, not on the one
 *   main thread that every added worker waits on;
 * - time: each worker expires flows when a new capture second starts, as one engine
 *   would (self-reading workers see every packet's time; otherwise the main thread tells them);
 * - the capture summary adds the workers' protocol hierarchies to the counts of the
 *   thread that read every packet.
 * Limits that bound the whole capture (flows, reassembly memory, expectations, fragments)
 * are divided among the workers; when one is reached, the output may differ from one
 * thread's (see docs/LIMITS.md).
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CaptureError, peekFormat, readCapture, type ReadCaptureOptions } from '../../capture/index.js';
import type { CaptureProblem, CaptureSummary, RawPacket } from '../../capture/types.js';
import type { Limits } from '../../dissect/limits.js';
import { typedEvent, type WireEvent } from '../../events/event.js';
import { Timestamp } from '../../events/time.js';
import { eventPredicate } from '../../filter/event-predicate.js';
import { mayHoldSecrets } from '../work-plan.js';
import { compactJson } from '../../report/ndjson.js';
import type { InputDamage } from '../../report/input-damage.js';
import { addCaptureSecrets, runSecrets, summaryFields } from '../analyze.js';
import { Phase } from '../order.js';
import { CaptureStats } from '../stats.js';
import { unpackEvent } from './event-clone.js';
import type { FromShare, ShareInit, ShareMode, ToShare, WholeCapture } from './messages.js';
import { shardOf } from './address-pair.js';
import { BatchWriter } from './packet-batch.js';
import { planBuckets } from './bucket-plan.js';
import { runShare } from './share-run.js';
import { governHeap, HEAP_BUDGET_MB } from '../heap-governor.js';

/** Packets per epoch: small enough to keep memory flat, large enough that messages are few. */
const EPOCH_PACKETS = 2048;
const EPOCH_BYTES = 8 << 20;
/** Epochs sent but not yet written; the reader waits beyond this. */
const MAX_IN_FLIGHT = 4;

export interface SplitOptions {
  limits: Limits;
  workers: number;
  mode: ShareMode;
  /** False: detection only (`flows --quick`). */
  dissect?: boolean;
  checkChecksums?: boolean;
  /** False: no TCP sequence analysis (runs that read flow records only). */
  tcpAnalysis?: boolean;
  types?: string[];
  filter?: string;
  damage?: InputDamage;
  onProgress?: ReadCaptureOptions['onProgress'];
  stdin?: ReadCaptureOptions['stdin'];
  /** `--keylog` bytes: every worker parses them into its own store. */
  keylog?: Uint8Array;
  /** Filled in for measurements: each self-reading worker's wall time spent waiting for flow ids. */
  stats?: { stalledMs: number[] };
}

/** Receives the output in one-thread order: UTF-8 NDJSON (`ndjson` mode) or events (`objects`). */
export interface SplitOutput {
  bytes?(b: Uint8Array): void;
  event?(e: WireEvent): void;
}

type Output = Extract<FromShare, { kind: 'output' }>;

interface Epoch {
  created: (number[] | null)[];
  kinds: (number[] | null)[];
  outputs: (Output | null)[];
  /** The main thread's own groups (capture problems): keys and events. */
  keys: number[];
  events: WireEvent[];
}

/** Limits on the whole capture, divided among `n` workers. */
export function shareLimits(limits: Limits, n: number): Limits {
  const part = (v: number): number => Math.max(1, Math.ceil(v / n));
  return {
    ...limits,
    max_flows: part(limits.max_flows),
    reassembly_total: part(limits.reassembly_total),
    max_expectations: part(limits.max_expectations),
    max_pending_fragments: part(limits.max_pending_fragments),
    max_fragment_bytes: part(limits.max_fragment_bytes),
  };
}

/**
 * Who reads the capture: `workers` (each worker reads the file itself) for a regular,
 * uncompressed pcap or pcapng file; `main` for standard input, pipes, gzip'ed files (each
 * worker would gunzip the whole file) and what is no capture (the main thread's reader
 * words the error as one thread does). `WIRELENS_SPLIT_READER=main` forces the main-thread
 * reader, to compare the two designs (README, Performance).
 */
export function splitReader(source: string): 'main' | 'workers' {
  if (source === '-' || process.env.WIRELENS_SPLIT_READER === 'main') return 'main';
  const kind = peekFormat(source)?.kind;
  return kind === 'pcap' || kind === 'pcapng' ? 'workers' : 'main';
}

export async function analyzeSplit(source: string, opts: SplitOptions, output: SplitOutput): Promise<void> {
  const n = Math.max(2, opts.workers);
  const init: ShareInit = { limits: shareLimits(opts.limits, n), shares: n, dissect: opts.dissect ?? true, checkChecksums: opts.checkChecksums ?? false, tcpAnalysis: opts.tcpAnalysis ?? true, mode: opts.mode, types: opts.types, filter: opts.filter, keylog: opts.keylog, mayHoldSecrets: mayHoldSecrets(source, opts.keylog) };
  const accept = eventPredicate(opts.types, opts.filter);
  const selfRead = splitReader(source) === 'workers';
  const bytes = selfRead ? statSync(source).size : 0;
  const readInit = (index: number, owners?: Uint16Array): ShareInit => ({ ...init, read: { source, bytes, index, epochPackets: EPOCH_PACKETS, epochBytes: EPOCH_BYTES * n, maxWaiting: MAX_IN_FLIGHT, max_dsb_bytes: opts.limits.max_dsb_bytes, owners } });
  // Shares that read the file: the main thread runs share 0 itself (share-run.ts) and
  // workers the others; the main thread's reader feeds n workers.
  const local = selfRead ? 1 : 0;
  const workers = Array.from({ length: n - local }, (_, i) => new Worker(new URL('./share-worker.js', import.meta.url), { workerData: selfRead ? readInit(i + local) : init }));
  /** What takes the messages of share i: its worker's port, or share 0's own on this thread (set once planned). */
  let localShare: ((m: ToShare) => void) | null = null;
  const toShare = (i: number, m: ToShare, transfer: ArrayBuffer[] = []): void => {
    if (i < local) localShare!(m);
    else workers[i - local]!.postMessage(m, transfer);
  };
  const writers = workers.map(() => new BatchWriter());
  const stats = new CaptureStats();
  const epochs = new Map<number, Epoch>();
  let sent = 0;
  let written = 0;
  let done = 0;
  let nextId = 1;
  /** tcp.stream and udp.stream numbers, handed out in creation order like flow ids. */
  let nextTcp = 0;
  let nextUdp = 0;
  let lastTick = -1;
  let lastFrame = 0;
  // The last packet's time as numbers (no Timestamp per packet); `lastTs` makes one.
  let lastSec = 0;
  let lastNs = 0;
  const lastTs = (): Timestamp => new Timestamp(lastSec, lastNs);
  let epochPackets = 0;
  let problems = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const fail = (err: Error): void => {
    failure ??= err;
    notify();
  };

  const newEpoch = (): Epoch => ({ created: new Array(n).fill(null), kinds: new Array(n).fill(null), outputs: new Array(n).fill(null), keys: [], events: [] });
  epochs.set(0, newEpoch());
  /** Workers that read for themselves open epochs as they go. */
  const epochOf = (k: number): Epoch => {
    let e = epochs.get(k);
    if (!e) epochs.set(k, (e = newEpoch()));
    return e;
  };
  /** Self-reading workers: how many epochs there were (from `done`), and the summary's parts. */
  let total = -1;
  let whole: WholeCapture | null = null;

  const flush = (last: boolean): void => {
    const epoch = sent++;
    const end = last ? { frame: lastFrame, sec: lastSec, ns: lastNs } : null;
    workers.forEach((w, i) => {
      const { buffer, length } = writers[i]!.take();
      const m: ToShare = { kind: 'batch', epoch, buffer, length, end };
      w.postMessage(m, [buffer]);
    });
    epochs.set(sent, newEpoch());
    epochPackets = 0;
  };

  const assignIds = (epoch: number, e: Epoch): void => {
    const lists = e.created as number[][];
    const pos = new Array<number>(n).fill(0);
    const kinds = e.kinds as number[][];
    const out = lists.map((l) => new Uint32Array(l.length));
    const streams = lists.map((l) => new Uint32Array(l.length));
    for (;;) {
      let best = -1;
      for (let i = 0; i < n; i++) if (pos[i]! < lists[i]!.length && (best < 0 || lists[i]![pos[i]!]! < lists[best]![pos[best]!]!)) best = i;
      if (best < 0) break;
      const at = pos[best]!++;
      out[best]![at] = nextId++;
      const kind = kinds[best]![at];
      streams[best]![at] = kind === 0 ? nextTcp++ : kind === 1 ? nextUdp++ : 0xffffffff;
    }
    const send = (): void => {
      for (let i = 0; i < n; i++) toShare(i, { kind: 'ids', epoch, ids: out[i]!, streams: streams[i]! }, [out[i]!.buffer, streams[i]!.buffer]);
    };
    // Workers that read for themselves stop when their epochs wait for ids: holding the ids
    // back keeps them within MAX_IN_FLIGHT epochs of what is written, as the main-thread
    // reader's `pace` does.
    if (selfRead && epoch > written + MAX_IN_FLIGHT) heldIds.push({ epoch, send });
    else send();
  };
  const heldIds: { epoch: number; send: () => void }[] = [];

  const writeReady = (): void => {
    for (;;) {
      const e = epochs.get(written);
      if (!e || (!selfRead && written >= sent) || e.outputs.some((o) => o === null)) return;
      writeEpoch(e);
      epochs.delete(written++);
      while (heldIds.length && heldIds[0]!.epoch <= written + MAX_IN_FLIGHT) heldIds.shift()!.send();
      notify();
    }
  };

  /**
   * Merges the groups of every share and the main thread by key. Consecutive groups of one
   * share are contiguous in its bytes, so a run of them is one piece (most runs are long:
   * a share's packets come in bursts of its flows).
   */
  const writeEpoch = (e: Epoch): void => {
    const sources = [...(e.outputs as Output[]).map((o) => ({ keys: o.keys, ends: o.ends, bytes: o.bytes, events: o.events })), mainSource(e)];
    const at = new Array<number>(sources.length).fill(0);
    const pieces: Uint8Array[] = [];
    let run = -1;
    let runFrom = 0;
    let runTo = 0;
    const endRun = (): void => {
      if (run < 0 || runTo === runFrom) return;
      const src = sources[run]!;
      if (src.bytes) pieces.push(runFrom === 0 && runTo === src.bytes.length ? src.bytes : src.bytes.subarray(runFrom, runTo));
      else for (let i = runFrom; i < runTo; i++) output.event?.(src.events![i] as WireEvent);
    };
    for (;;) {
      let best = -1;
      for (let s = 0; s < sources.length; s++) {
        if (at[s]! < sources[s]!.ends.length && (best < 0 || keyLess(sources[s]!.keys, at[s]!, sources[best]!.keys, at[best]!))) best = s;
      }
      if (best < 0) break;
      const src = sources[best]!;
      const g = at[best]!++;
      if (best !== run) {
        endRun();
        run = best;
        runFrom = g ? src.ends[g - 1]! : 0;
      }
      runTo = src.ends[g]!;
    }
    endRun();
    if (pieces.length === 1) output.bytes?.(pieces[0]!);
    else if (pieces.length) output.bytes?.(Buffer.concat(pieces));
  };

  /** The main thread's problem events as a source like a worker's (already filtered). */
  const mainSource = (e: Epoch) => {
    const ndjson = opts.mode === 'ndjson';
    const lines = ndjson ? e.events.map((ev) => Buffer.from(compactJson(ev) + '\n')) : [];
    let end = 0;
    const ends = ndjson ? lines.map((l) => (end += l.length)) : e.events.map((_, i) => i + 1);
    return { keys: Float64Array.from(e.keys), ends: Uint32Array.from(ends), bytes: ndjson ? Buffer.concat(lines) : undefined, events: ndjson ? undefined : e.events };
  };

  const onMessage = (i: number, m: FromShare): void => {
    if (m.kind === 'error') return fail(m.capture ? new CaptureError(m.message) : new Error(`worker ${i}: ${m.message}`));
    if (m.kind === 'progress') return opts.onProgress?.(m.read, m.total);
    if (m.kind === 'done') {
      stats.addHierarchy(m.hierarchy);
      opts.damage?.absorb(m.damage);
      // Self-reading workers read the same bytes and so close the same epochs; a file cut
      // shorter while it was read could break that: an error, never a wait for an epoch
      // that will not come.
      if (total >= 0 && m.epochs !== total) return fail(new CaptureError(`${source}: the file changed while it was read`));
      total = m.epochs;
      for (const [k, e] of epochs) if (k >= total && e.created.some((c) => c !== null)) return fail(new CaptureError(`${source}: the file changed while it was read`));
      whole ??= m.whole ?? null;
      if (m.stalledMs !== undefined) opts.stats?.stalledMs.push(Math.round(m.stalledMs));
      done++;
      return notify();
    }
    if (total >= 0 && m.epoch >= total) return fail(new CaptureError(`${source}: the file changed while it was read`));
    const e = epochOf(m.epoch);
    if (m.kind === 'created') {
      e.created[i] = m.frames;
      e.kinds[i] = m.kinds;
      if (e.created.every((c) => c !== null)) assignIds(m.epoch, e);
    } else {
      // The main thread's own share hands its events over as they are (nothing was cloned).
      if (m.events && i >= local) m.events = m.events.map((p) => unpackEvent(p) as never);
      e.outputs[i] = m;
      writeReady();
    }
  };
  workers.forEach((w, k) => {
    const i = k + local;
    w.on('message', (m: FromShare) => onMessage(i, m));
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => {
      if (done < n) fail(new Error(`worker ${i} exited with code ${code}`));
    });
  });

  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready() && !failure) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
  };

  /** A reader problem, as a group of the main thread's own in the current epoch. */
  const problem = (p: CaptureProblem): void => {
    const ev = typedEvent('anomaly', p.frame, lastTs(), null, null, { code: p.code, detail: p.detail });
    opts.damage?.observe(ev);
    if (accept && !accept(ev, null)) return;
    const e = epochs.get(sent)!;
    e.keys.push(lastFrame + 1, Phase.Problem, 0, problems++);
    e.events.push(ev);
  };
  const endSummary = (summary: CaptureSummary, fields: ReturnType<CaptureStats['fields']>, frame: number, ts: Timestamp): void => {
    const end = typedEvent('capture.summary', frame, ts, null, null, { ...summaryFields(source, summary), ...fields });
    if (!accept || accept(end, null)) {
      if (opts.mode === 'ndjson') output.bytes?.(Buffer.from(compactJson(end) + '\n'));
      else output.event?.(end);
    }
  };
  /** The secrets one thread would hold, kept to report what the capture's secrets blocks bring as one thread would. */
  const mainSecrets = selfRead ? null : runSecrets(opts.keylog, opts.limits);

  try {
    if (selfRead) {
      // Planned once, here, while the workers start (each used to weigh the file itself).
      const owners = await planBuckets(source, n, opts.limits.max_dsb_bytes, bytes);
      for (let i = local; i < n; i++) toShare(i, { kind: 'plan', owners });
      governHeap(HEAP_BUDGET_MB / n, 0);
      localShare = runShare(readInit(0, owners), (m) => onMessage(0, m), true);
      await until(() => done === n && written === total);
      const w = whole!;
      const c = unpackEvent(w.stats) as unknown as ReturnType<CaptureStats['fields']>;
      // The members in CaptureStats.fields' order, the hierarchy from every worker.
      const fields = { packets: c.packets, bytes: c.bytes, captured_bytes: c.captured_bytes, first_ts: c.first_ts, last_ts: c.last_ts, duration: c.duration, link_types: c.link_types, hierarchy: stats.fields().hierarchy, io: c.io };
      endSummary(w.summary, fields, w.frame, new Timestamp(w.sec, w.ns));
      return;
    }
    const summary = await readCapture(
      source,
      {
        packet: (p: RawPacket) => {
          if (p.sec !== lastTick) {
            lastTick = p.sec;
            for (const w of writers) w.addTick(p.frame, p.ts);
          }
          stats.count(p);
          const w = writers[shardOf(p.link_type, p.data, n)]!;
          w.addPacket(p);
          lastFrame = p.frame;
          lastSec = p.sec;
          lastNs = p.ns;
          if (++epochPackets >= EPOCH_PACKETS || w.length >= EPOCH_BYTES) flush(false);
        },
        secrets: (_kind, data, frame) => {
          // The packets read so far go out first, so every worker adds the secrets where one
          // thread would: after those packets, before the next.
          if (epochPackets) flush(false);
          const m: ToShare = { kind: 'secrets', data: data.slice() };
          for (const w of workers) w.postMessage(m);
          for (const p of addCaptureSecrets(mainSecrets!, data, frame, opts.limits)) problem(p);
        },
        problem: (p: CaptureProblem) => problem(p),
      },
      { onProgress: opts.onProgress, stdin: opts.stdin, max_dsb_bytes: opts.limits.max_dsb_bytes, pace: () => (sent - written > MAX_IN_FLIGHT ? until(() => sent - written <= MAX_IN_FLIGHT) : undefined) },
    );
    flush(true);
    await until(() => written === sent && done === n);
    endSummary(summary, stats.fields(), lastFrame, lastTs());
  } finally {
    done = n; // exits from here on are ours
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function keyLess(a: Float64Array, i: number, b: Float64Array, j: number): boolean {
  for (let k = 0; k < 4; k++) {
    const x = a[4 * i + k]!;
    const y = b[4 * j + k]!;
    if (x !== y) return x < y;
  }
  return false;
}
