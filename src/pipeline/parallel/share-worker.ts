/**
 * Worker thread of `--workers`: runs an engine on its share of one capture (the flows of
 * the address pairs hashed to it) and sends back its events, grouped and keyed so the
 * main thread can merge every share into one-thread order.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureError, readCapture, type CaptureProblem, type CaptureSummary } from '../../capture/index.js';
import { typedEvent, type WireEvent } from '../../events/event.js';
import { Timestamp } from '../../events/time.js';
import { FlowIdentities, isIdentityEvent } from '../../events/flow-identity.js';
import { eventPredicate, selectsIdentity } from '../../filter/event-predicate.js';
import { PROTOCOLS } from '../../protocols/index.js';
import { LineOut } from '../../events/line-out.js';
import { compactJson, writeEvent } from '../../report/ndjson.js';
import { InputDamage } from '../../report/input-damage.js';
import { addCaptureSecrets, runSecrets } from '../analyze.js';
import { Engine } from '../engine.js';
import { governHeap, HEAP_BUDGET_MB } from '../heap-governor.js';
import { Phase } from '../order.js';
import { CaptureStats } from '../stats.js';
import { bucketOf } from './address-pair.js';
import { fileBytes, planBuckets } from './bucket-plan.js';
import { workPlan } from '../work-plan.js';
import { packEvent } from './event-clone.js';
import { FlowIdMap } from './flow-ids.js';
import type { FromShare, ShareInit, ShareRead, ToShare, WholeCapture } from './messages.js';
import { readBatch } from './packet-batch.js';

/**
 * One group's events. Most are written to NDJSON as soon as they are emitted, with the
 * worker's name for their flow in place, and only that number is swapped for the flow's id
 * later: keeping the event objects until the ids arrive would carry them past a young
 * generation collection or two, and the profile showed the promoted garbage doubling GC.
 * Events whose fields name other flows, and every event when a filter (which may test
 * flow ids) or the object mode needs them, are kept whole until the ids are known.
 * A filter reads each event's flow from the `flow.start`/`flow.update` events before it,
 * tracked when the epoch is written, after renaming (so `tcp.stream` is the merged number).
 */
interface Group {
  key: [number, Phase, number, number];
  /** A written line (NDJSON bytes, newline included), or an event kept whole. */
  items: (Uint8Array | WireEvent)[];
  /** For a line: the byte where its flow number starts (-1: no flow). */
  flowAt: number[];
  /** For a line: the worker's name of its flow. */
  flowName: number[];
}

const init = workerData as ShareInit;
governHeap(HEAP_BUDGET_MB / init.shares);
const ndjson = init.mode === 'ndjson';
/** A filter may test flow ids, so it runs once they are known; `--types` alone runs at once. */
const typesOnly = init.filter ? null : eventPredicate(init.types, undefined);
const predicate = init.filter ? eventPredicate(init.types, init.filter) : null;
/** Only the dissectors and events the selected types need, as on one thread. */
const selected = (typesOnly ?? predicate)?.types ?? null;
const plan = selected ? workPlan(PROTOCOLS, selected, { filter: init.filter !== undefined, secrets: init.mayHoldSecrets }) : null;
/** `--types` selects flow.start/flow.update: written; otherwise they only serve the filter. */
const shownIdentity = selectsIdentity(init.types);
const flows = new FlowIdentities();
const damage = new InputDamage();
const ids = new FlowIdMap();
const port = parentPort!;
const post = (m: FromShare, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

let groups: Group[] = [];
let current: Group | null = null;
let created: number[] = [];
/** Per created flow: 0 TCP, 1 UDP, 2 other (the main thread numbers tcp.stream and udp.stream). */
let createdKinds: number[] = [];
/** Epochs processed whose flow ids are not known yet. */
const waiting = new Map<number, { groups: Group[]; created: number[]; end: boolean }>();

const FLOW_KEY = Buffer.from(',"flow":');
/**
 * Lines are written as bytes (`writeEvent`: an event a declaration built by its byte writer,
 * no line string) into chunks that are only referred to, never handed on: each line is kept
 * as a view (`lastLine`) until its flow id is known, then copied once into the output.
 */
const lines = new LineOut(() => {});

function keep(e: WireEvent): void {
  const g = current!;
  damage.observe(e);
  if (typesOnly && !typesOnly(e, null)) return;
  if (!ndjson || predicate || FlowIdMap.namesOtherFlows(e)) {
    g.items.push(e);
    g.flowAt.push(-1);
    g.flowName.push(0);
    return;
  }
  writeEvent(lines, e);
  // A Buffer (LineOut's chunks are), for its indexOf of a byte sequence.
  const line = lines.lastLine() as Buffer;
  g.items.push(line);
  // The first `,"flow":` is the base key's: the type before it is a JSON string, in which `"` is escaped.
  g.flowAt.push(e.flow === null ? -1 : line.indexOf(FLOW_KEY) + FLOW_KEY.length);
  g.flowName.push(e.flow ?? 0);
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
    mark(frame, phase, a, b) {
      current = { key: [frame, phase, a, b], items: [], flowAt: [], flowName: [] };
      groups.push(current);
    },
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
  waiting.set(epoch, { groups: groups.filter((g) => g.items.length), created, end });
  post({ kind: 'created', epoch, frames: created, kinds: createdKinds });
  groups = [];
  current = null;
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
    current = { key: [lastFrame + 1, Phase.Problem, 0, problems++], items: [], flowAt: [], flowName: [] };
    groups.push(current);
    keep(typedEvent('anomaly', p.frame, lastTs(), null, null, { code: p.code, detail: p.detail }));
  };
  const owners = await planBuckets(r.source, init.shares, r.max_dsb_bytes, r.bytes);
  const summary: CaptureSummary = await readCapture(
    r.source,
    {
      packet: (p) => {
        if (p.sec !== lastTick) {
          lastTick = p.sec;
          engine.tickAt(p.frame, p.ts);
        }
        counts?.count(p);
        if (owners[bucketOf(p.link_type, p.data, owners.length)] === r.index) engine.packet(p);
        lastFrame = p.frame;
        lastSec = p.sec;
        lastNs = p.ns;
        epochBytes += p.data.length;
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

/** Writes an epoch's events with their flow ids, as UTF-8 NDJSON or packed events, one group at a time. */
function render(m: Extract<ToShare, { kind: 'ids' }>): void {
  const epoch = waiting.get(m.epoch)!;
  waiting.delete(m.epoch);
  ids.add(epoch.created, m.ids, m.streams);
  const keys: number[] = [];
  const ends: number[] = [];
  const bytes = new ByteSink();
  const events: ReturnType<typeof packEvent>[] = [];
  for (const g of epoch.groups) {
    const before = ndjson ? bytes.length : events.length;
    for (let i = 0; i < g.items.length; i++) {
      const item = g.items[i]!;
      if (item instanceof Uint8Array) {
        const at = g.flowAt[i]!;
        if (at < 0) bytes.put(item, 0, item.length);
        else {
          let end = at;
          while (item[end] !== 0x2c) end++;
          bytes.put(item, 0, at);
          bytes.write(String(ids.id(g.flowName[i]!)));
          bytes.put(item, end, item.length);
        }
        continue;
      }
      ids.rename(item);
      const flow = flows.track(item);
      if (!shownIdentity && isIdentityEvent(item)) continue;
      if (predicate && !predicate(item, flow)) continue;
      if (ndjson) bytes.write(compactJson(item) + '\n');
      else events.push(packEvent(item));
    }
    const after = ndjson ? bytes.length : events.length;
    if (after === before) continue;
    keys.push(...g.key);
    ends.push(after);
  }
  const out: FromShare = { kind: 'output', epoch: m.epoch, keys: Float64Array.from(keys), ends: Uint32Array.from(ends) };
  if (ndjson) out.bytes = bytes.take();
  else out.events = events;
  post(out, out.bytes ? [out.bytes.buffer as ArrayBuffer] : []);
  if (epoch.end) post({ kind: 'done', hierarchy: engine.stats.hierarchyLeaves(), damage: damage.seen(), epochs, whole, stalledMs: init.read ? stalledMs : undefined });
  const go = resume;
  resume = null;
  go?.();
}

/** UTF-8 bytes in one growing buffer, handed over (transferred, not copied) at the end. */
class ByteSink {
  private buf = Buffer.allocUnsafeSlow(1 << 16);
  length = 0;

  /** Appends `text`; returns the end offset. */
  write(text: string): number {
    this.room(text.length * 3);
    this.length += this.buf.write(text, this.length, 'utf8');
    return this.length;
  }

  /** Appends `b[from, to)`. */
  put(b: Uint8Array, from: number, to: number): void {
    this.room(to - from);
    this.buf.set(b.subarray(from, to), this.length);
    this.length += to - from;
  }

  private room(n: number): void {
    const need = this.length + n;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
  }

  take(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length);
  }
}

port.on('message', (m: ToShare) => {
  try {
    if (m.kind === 'batch') processBatch(m);
    else if (m.kind === 'secrets') addCaptureSecrets(secrets, m.data, 0, init.limits); // the main thread reports its problems
    else render(m);
  } catch (err) {
    failed(err);
  }
});

function failed(err: unknown): void {
  if (err instanceof CaptureError) post({ kind: 'error', message: err.message, capture: true });
  else post({ kind: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
}

if (init.read) readShare(init.read).catch(failed);
