/**
 * Worker thread of `--workers`: runs an engine on its share of one capture (the flows of
 * the address pairs hashed to it) and sends back its events, grouped and keyed so the
 * main thread can merge every share into one-thread order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WireEvent } from '../../events/event.js';
import { Timestamp } from '../../events/time.js';
import type { FlowFacts } from '../../filter/evaluate.js';
import { eventPredicate } from '../../filter/event-predicate.js';
import { PROTOCOLS } from '../../protocols/index.js';
import { compactJson } from '../../report/ndjson.js';
import { InputDamage } from '../../report/input-damage.js';
import { Engine } from '../engine.js';
import type { Phase } from '../order.js';
import { packEvent } from './event-clone.js';
import { FlowIdMap } from './flow-ids.js';
import type { FromShare, ShareInit, ToShare } from './messages.js';
import { readBatch } from './packet-batch.js';

interface Group {
  key: [number, Phase, number, number];
  events: WireEvent[];
  /** The flow's facts when each event was emitted (only with a filter). */
  facts: (FlowFacts | null)[];
}

const init = workerData as ShareInit;
const predicate = eventPredicate(init.types, init.filter);
const wantsFacts = !!init.filter;
const damage = new InputDamage();
const ids = new FlowIdMap();
const port = parentPort!;
const post = (m: FromShare): void => port.postMessage(m);

let groups: Group[] = [];
let current: Group | null = null;
let created: number[] = [];
/** Epochs processed whose flow ids are not known yet. */
const waiting = new Map<number, { groups: Group[]; created: number[]; end: boolean }>();

const engine: Engine = new Engine({
  limits: init.limits,
  protocols: PROTOCOLS,
  sink: {
    emit(e) {
      damage.observe(e);
      current!.events.push(e);
      if (wantsFacts) current!.facts.push(e.flow === null ? null : engine.flowFacts(e.flow));
    },
  },
  share: {
    mark(frame, phase, a, b) {
      current = { key: [frame, phase, a, b], events: [], facts: [] };
      groups.push(current);
    },
    created: (id) => created.push(id),
  },
});

function processBatch(m: Extract<ToShare, { kind: 'batch' }>): void {
  readBatch(m.buffer, m.length, { packet: (p) => engine.packet(p), tick: (frame, ts) => engine.tickAt(frame, ts) });
  if (m.end) engine.endOfCapture({ frame: m.end.frame, ts: new Timestamp(m.end.sec, m.end.ns) });
  waiting.set(m.epoch, { groups: groups.filter((g) => g.events.length), created, end: m.end !== null });
  post({ kind: 'created', epoch: m.epoch, frames: created });
  groups = [];
  current = null;
  created = [];
}

function render(m: Extract<ToShare, { kind: 'ids' }>): void {
  const epoch = waiting.get(m.epoch)!;
  waiting.delete(m.epoch);
  ids.add(epoch.created, m.ids);
  const keys: number[] = [];
  const ends: number[] = [];
  let text = '';
  const events: ReturnType<typeof packEvent>[] = [];
  for (const g of epoch.groups) {
    const before = init.mode === 'ndjson' ? text.length : events.length;
    for (let i = 0; i < g.events.length; i++) {
      const e = g.events[i]!;
      ids.rename(e);
      if (predicate && !predicate(e, g.facts[i] ?? null)) continue;
      if (init.mode === 'ndjson') text += compactJson(e) + '\n';
      else events.push(packEvent(e));
    }
    const after = init.mode === 'ndjson' ? text.length : events.length;
    if (after === before) continue;
    keys.push(...g.key);
    ends.push(after);
  }
  const out: FromShare = { kind: 'output', epoch: m.epoch, keys: Float64Array.from(keys), ends: Uint32Array.from(ends) };
  if (init.mode === 'ndjson') out.text = text;
  else out.events = events;
  post(out);
  if (epoch.end) post({ kind: 'done', hierarchy: engine.stats.hierarchyLeaves(), damage: damage.seen() });
}

port.on('message', (m: ToShare) => {
  try {
    if (m.kind === 'batch') processBatch(m);
    else render(m);
  } catch (err) {
    post({ kind: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }
});
