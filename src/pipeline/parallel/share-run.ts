/**
 * One share of a split capture (split.ts): an engine on the flows of the address pairs
 * hashed to it, its events grouped and keyed so that the main thread can merge every share
 * into one-thread order. Run by a worker thread (share-worker.ts), or by the main thread
 * itself for share 0 when the shares read the file: N shares then cost N - 1 threads, not N
 * threads beside a main thread that only merges (on 2 cores that was 3 busy threads, and an
 * isolate more to start, warm up and collect).
 */
import { performance } from 'node:perf_hooks';
import { CaptureError, readCapture, type CaptureProblem, type CaptureSummary } from '../../capture/index.js';
import { typedEvent, type WireEvent } from '../../events/event.js';
import { Timestamp } from '../../events/time.js';
import { eventPredicate, selectsIdentity } from '../../filter/event-predicate.js';
import { PROTOCOLS } from '../../protocols/index.js';
import { InputDamage } from '../../report/input-damage.js';
import { addCaptureSecrets, runSecrets } from '../analyze.js';
import { Engine } from '../engine.js';
import { Phase } from '../order.js';
import { CaptureStats } from '../stats.js';
import { bucketOfFrame } from './address-pair.js';
import { fileBytes } from './bucket-plan.js';
import { workPlan } from '../work-plan.js';
import { packEvent } from './event-clone.js';
import type { FromShare, ShareInit, ShareRead, ToShare, WholeCapture } from './messages.js';
import { readBatch } from './packet-batch.js';
import { ShareOutput, type HeldEpoch } from './share-output.js';

/** How a share talks to the main thread: a worker's port, or a call on the main thread. */
export type SharePost = (m: FromShare, transfer?: ArrayBuffer[]) => void;

/**
 * Starts a share; returns what takes the main thread's messages. `local`: run by the main
 * thread, whose messages are calls (nothing is cloned, so events are not packed).
 */
export function runShare(init: ShareInit, post: SharePost, local: boolean): (m: ToShare) => void {
  const ndjson = init.mode === 'ndjson';
  /** A filter may test flow ids, so it runs once they are known; `--types` alone runs at once. */
  const typesOnly = init.filter ? null : eventPredicate(init.types, undefined);
  const predicate = init.filter ? eventPredicate(init.types, init.filter) : null;
  /** Only the dissectors and events the selected types need, as on one thread. */
  const selected = (typesOnly ?? predicate)?.types ?? null;
  const plan = selected ? workPlan(PROTOCOLS, selected, { filter: init.filter !== undefined, secrets: init.mayHoldSecrets }) : null;
  /** `--types` selects flow.start/flow.update: written; otherwise they only serve the filter. */
  const shownIdentity = selectsIdentity(init.types);
  const damage = new InputDamage();
  const output = new ShareOutput({ ndjson, predicate, shownIdentity, pack: !local });

  let created: number[] = [];
  /** Per created flow: 0 TCP, 1 UDP, 2 other (the main thread numbers tcp.stream and udp.stream). */
  let createdKinds: number[] = [];
  /** Epochs processed whose flow ids are not known yet. */
  const waiting = new Map<number, { held: HeldEpoch; created: number[]; end: boolean }>();

  function keep(e: WireEvent): void {
    damage.observe(e);
    if (typesOnly && !typesOnly(e, null)) return;
    output.add(e);
  }

  /** This share's secrets: the key log's, then those of the capture's secrets blocks as the main thread reads them. */
  const secrets = runSecrets(init.keylog, init.limits);

  const engine: Engine = new Engine({
    limits: init.limits,
    protocols: PROTOCOLS,
    dissect: init.dissect,
    secrets,
    checkChecksums: init.checkChecksums,
    tcpAnalysis: init.tcpAnalysis && (plan?.tcpAnalysis ?? true),
    plan: plan ?? undefined,
    flowIdentity: shownIdentity || predicate !== null,
    sink: { emit: keep },
    share: {
      mark: (frame, phase, a, b) => output.mark(frame, phase, a, b),
      created: (id, transport) => {
        created.push(id);
        createdKinds.push(transport === 'tcp' ? 0 : transport === 'udp' ? 1 : 2);
      },
    },
  });

  function processBatch(m: Extract<ToShare, { kind: 'batch' }>): void {
    readBatch(m.buffer, m.length, { packet: (p) => engine.packet(p), tick: (frame, ts) => engine.tickAt(frame, ts) });
    if (m.end) engine.endOfCapture({ frame: m.end.frame, ts: new Timestamp(m.end.sec, m.end.ns) });
    closeEpoch(m.epoch, m.end !== null);
  }

  /** Epochs closed so far; the main thread learns the total with `done`. */
  let epochs = 0;

  /** Keeps the epoch's groups until their flow ids come, and tells the main thread which flows it created. */
  function closeEpoch(epoch: number, end: boolean): void {
    epochs = epoch + 1;
    waiting.set(epoch, { held: output.take(), created, end });
    post({ kind: 'created', epoch, frames: created, kinds: createdKinds });
    created = [];
    createdKinds = [];
  }

  /** The capture summary's parts, from the worker that reads share 0 (set before its last epoch closes). */
  let whole: WholeCapture | undefined;
  /** Resumes reading once enough epochs have their ids (see `ShareRead.maxWaiting`). */
  let resume: (() => void) | null = null;
  /** Wall time spent waiting for ids (the cost of the id round trip, bench/split-overhead.mjs). */
  let stalledMs = 0;

  async function stall(): Promise<void> {
    const from = performance.now();
    await new Promise<void>((go) => (resume = go));
    stalledMs += performance.now() - from;
  }

  /**
   * Reads the whole capture and dissects this worker's share of it. Every worker sees every
   * packet's time, so each ticks its own engine where one thread would; a packet of another
   * share costs its record header and the link walk of `bucketOf`. Which buckets of address
   * pairs are this worker's share comes from a first pass over the file (bucket-plan.ts). The worker of share 0 also
   * does what only one may: it reports the reader's problems (as the main thread would, keyed
   * before the next frame) and counts the capture-wide statistics.
   */
  async function readShare(r: ShareRead): Promise<void> {
    const first = r.index === 0;
    const counts = first ? new CaptureStats() : null;
    let epoch = 0;
    let inEpoch = 0;
    let epochBytes = 0;
    let lastTick = -1;
    let lastFrame = 0;
    // The last packet's time as numbers (no Timestamp per packet); `lastTs` makes one.
    let lastSec = 0;
    let lastNs = 0;
    const lastTs = (): Timestamp => new Timestamp(lastSec, lastNs);
    let problems = 0;
    const problem = (p: CaptureProblem): void => {
      if (!first) return;
      output.mark(lastFrame + 1, Phase.Problem, 0, problems++);
      keep(typedEvent('anomaly', p.frame, lastTs(), null, null, { code: p.code, detail: p.detail }));
    };
    const owners = r.owners ?? (await new Promise<Uint16Array>((resolve) => (planned = resolve)));
    const buckets = owners.length;
    const summary: CaptureSummary = await readCapture(
      r.source,
      {
        packet: (p) => {
          if (p.sec !== lastTick) {
            lastTick = p.sec;
            engine.tickAt(p.frame, p.ts);
          }
          counts?.count(p);
          if (owners[bucketOfFrame(p.link_type, p.bytes, p.offset, p.caplen, buckets)] === r.index) engine.packet(p);
          lastFrame = p.frame;
          lastSec = p.sec;
          lastNs = p.ns;
          epochBytes += p.caplen;
          if (++inEpoch >= r.epochPackets || epochBytes >= r.epochBytes) {
            closeEpoch(epoch++, false);
            inEpoch = 0;
            epochBytes = 0;
          }
        },
        // Each worker adds the secrets where it reads them: after the packets before the block.
        secrets: (_kind, data, frame) => {
          for (const p of addCaptureSecrets(secrets, data, frame, init.limits)) problem(p);
        },
        problem,
      },
      {
        max_dsb_bytes: r.max_dsb_bytes,
        input: fileBytes(r.source, r.bytes),
        onProgress: first ? (read) => post({ kind: 'progress', read, total: r.bytes }) : undefined,
        pace: () => (waiting.size > r.maxWaiting ? stall() : undefined),
      },
    );
    engine.endOfCapture({ frame: lastFrame, ts: lastTs() });
    if (counts) {
      const { hierarchy: _h, ...stats } = counts.fields();
      whole = { summary, stats: packEvent(stats as unknown as WireEvent), frame: lastFrame, sec: lastSec, ns: lastNs };
    }
    closeEpoch(epoch, true);
  }

  /** Writes an epoch's events with their flow ids, as UTF-8 NDJSON or packed events. */
  function render(m: Extract<ToShare, { kind: 'ids' }>): void {
    const epoch = waiting.get(m.epoch)!;
    waiting.delete(m.epoch);
    output.ids.add(epoch.created, m.ids, m.streams);
    const r = output.render(epoch.held);
    const out: FromShare = { kind: 'output', epoch: m.epoch, ...r };
    post(out, r.bytes ? [r.bytes.buffer as ArrayBuffer] : []);
    if (epoch.end) post({ kind: 'done', hierarchy: engine.stats.hierarchyLeaves(), damage: damage.seen(), epochs, whole, stalledMs: init.read ? stalledMs : undefined });
    const go = resume;
    resume = null;
    go?.();
  }

  /** The bucket plan, when the main thread sends it (`ShareRead.owners` absent). */
  let planned: ((owners: Uint16Array) => void) | null = null;

  function failed(err: unknown): void {
    if (err instanceof CaptureError) post({ kind: 'error', message: err.message, capture: true });
    else post({ kind: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }

  if (init.read) readShare(init.read).catch(failed);

  return (m: ToShare): void => {
    try {
      if (m.kind === 'batch') processBatch(m);
      else if (m.kind === 'secrets') addCaptureSecrets(secrets, m.data, 0, init.limits); // the main thread reports its problems
      else if (m.kind === 'plan') planned?.(m.owners);
      else render(m);
    } catch (err) {
      failed(err);
    }
  };
}
