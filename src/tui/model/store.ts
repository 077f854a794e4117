import { typedEvent, type EventSink, type WireEvent } from '../../events/event.js';
import { FlowIdentities, isIdentityEvent, type FlowIdentity } from '../../events/flow-identity.js';
import type { JsonValue } from '../../events/json.js';
import { eventSubject, type CompiledFilter, type FlowFacts } from '../../filter/index.js';
import { show } from '../text.js';
import { compareBy, rowFromRecord, type FlowRow, type SortColumn } from './flow-row.js';
import type { Direction } from '../../events/event.js';
import type { LayerMark } from '../../events/event-map.js';
import type { LiveStreams } from './live-streams.js';
import { isEvent, type CaptureStatsFields, type EventOf, type FlowEndFields } from '../../events/event-map.js';

/**
 * What the UI reads while a capture loads, for its counters only (`AnalyzeOptions.onLive`):
 * open flows' packets and bytes so far, and the statistics so far. Who a flow is comes
 * from the `flow.start`/`flow.update` events.
 */
export interface LiveSource {
  openFlows(): ReadonlyArray<{ readonly id: number; readonly lastFrame: number; record(): FlowEndFields }>;
  readonly stats: { fields(): CaptureStatsFields };
}

/** An exported object as the list shows it; the body itself is never kept. */
export interface ObjectRow {
  protocol: string;
  name: string;
  contentType: string;
  size: number;
  flow: number;
  frame: number;
  incomplete: boolean;
}

/** Bounds on what the UI keeps, so memory does not grow without end on huge captures. */
export const STORE_LIMITS = {
  eventsPerFlow: 20_000,
  eventsTotal: 1_000_000,
  anomalies: 50_000,
  credentials: 10_000,
  objects: 100_000,
};

/**
 * Everything the UI shows, built from events (and, while loading, the engine's open flows).
 * Plain arrays and maps, mutated in place; `version` moves on every change so views
 * recompute what they derive only when something changed.
 */
export class CaptureStore implements EventSink {
  private readonly byId = new Map<number, FlowRow>();
  /** Open flows as `flow.start`/`flow.update` tell (when the run emits them). */
  private readonly identities = new FlowIdentities();
  private readonly flowEvents = new Map<number, WireEvent[]>();
  private readonly droppedEvents = new Map<number, number>();
  private keptEvents = 0;
  readonly anomalies: WireEvent[] = [];
  readonly anomalyCounts = new Map<string, number>();
  readonly credentials: WireEvent[] = [];
  readonly objects: ObjectRow[] = [];
  readonly httpStatus = new Map<string, number>();
  readonly dnsRcodes = new Map<string, number>();
  summary: WireEvent | null = null;
  progress = { read: 0, total: null as number | null };
  done = false;
  error: string | null = null;
  live: LiveSource | null = null;
  version = 0;
  private dirty = true;
  private filter: CompiledFilter | null = null;
  private matched = new Set<number>();
  private sorted: { key: string; rows: FlowRow[] } | null = null;

  /**
   * `streams`: a live capture's streams, kept here because a pipe cannot be read again; the
   * stream pane reads them instead of re-reading the file.
   */
  constructor(
    private readonly limits = STORE_LIMITS,
    readonly streams: LiveStreams | null = null,
  ) {}

  /** The engine's tap, for a live capture: reassembled bytes and gaps of every flow. */
  streamData(flow: number, dir: Direction, data: Uint8Array | number): void {
    if (!this.streams) return;
    this.streams.wire(flow, dir, data);
    this.dirty = true;
  }

  /** The inner tap, for a live capture: decrypted streams. */
  innerStreamData(flow: number, dir: Direction, data: Uint8Array | number, via: LayerMark): void {
    if (!this.streams) return;
    this.streams.inner(flow, dir, data, via);
    this.dirty = true;
  }

  emit(e: WireEvent): void {
    const identity = this.identities.track(e);
    if (isIdentityEvent(e)) return;
    this.dirty = true;
    switch (e.type) {
      case 'flow.end':
        if (isEvent(e, 'flow.end')) this.endFlow(e);
        return;
      case 'capture.summary':
        this.summary = e;
        return;
      case 'anomaly':
        this.anomalyCounts.set(String(e.code), (this.anomalyCounts.get(String(e.code)) ?? 0) + 1);
        if (this.anomalies.length < this.limits.anomalies) this.anomalies.push(e);
        break;
      case 'credentials':
        if (this.credentials.length < this.limits.credentials) this.credentials.push(e);
        break;
      case 'http.transaction':
        count(this.httpStatus, e.status_code === null || e.status_code === undefined ? 'no response' : String(e.status_code));
        break;
      case 'dns.transaction':
        count(this.dnsRcodes, typeof e.rcode_name === 'string' ? e.rcode_name : 'no response');
        break;
    }
    if (e.flow !== null) this.keep(e.flow, e, identity);
  }

  object(o: { protocol: string; name: string; content_type?: string; data: Uint8Array; frame: number; incomplete?: boolean }, flow: number): void {
    if (this.objects.length >= this.limits.objects) return;
    this.dirty = true;
    this.objects.push({
      protocol: show(o.protocol),
      name: show(o.name),
      contentType: show(o.content_type ?? ''),
      size: o.data.length,
      flow,
      frame: o.frame,
      incomplete: o.incomplete ?? false,
    });
  }

  setProgress(read: number, total: number | null): void {
    this.progress = { read, total };
    this.dirty = true;
  }

  finish(error: string | null = null): void {
    this.done = true;
    this.error = error;
    this.live = null;
    this.dirty = true;
  }

  /**
   * Called on the UI's clock (every 100 ms while loading): folds open flows into the list
   * and bumps `version` if anything changed since the last tick. Returns whether it did.
   */
  tick(): boolean {
    if (this.live) this.refreshOpenFlows(this.live);
    if (!this.dirty) return false;
    this.dirty = false;
    this.version++;
    return true;
  }

  flow(id: number): FlowRow | undefined {
    return this.byId.get(id);
  }

  get flowCount(): number {
    return this.byId.size;
  }

  eventsOf(id: number): readonly WireEvent[] {
    return this.flowEvents.get(id) ?? [];
  }

  droppedOf(id: number): number {
    return this.droppedEvents.get(id) ?? 0;
  }

  /** Protocol hierarchy and I/O graph: final once loaded, live from the engine before. */
  statistics(): { [key: string]: JsonValue | undefined } | null {
    if (this.summary) return this.summary;
    return this.live ? { ...this.live.stats.fields() } : null;
  }

  /** Flows that pass the filter, sorted; cached until the data, filter or order changes. */
  rows(column: SortColumn, descending: boolean): FlowRow[] {
    const key = `${this.version}|${column}|${descending}|${this.filter?.source ?? ''}`;
    if (this.sorted?.key === key) return this.sorted.rows;
    const rows: FlowRow[] = [];
    for (const r of this.byId.values()) if (!this.filter || this.matched.has(r.id)) rows.push(r);
    const cmp = compareBy(column);
    rows.sort(descending ? (a, b) => cmp(b, a) : cmp);
    this.sorted = { key, rows };
    return rows;
  }

  get activeFilter(): CompiledFilter | null {
    return this.filter;
  }

  /** Applies a display filter: a flow passes when its record or any of its events matches. */
  setFilter(filter: CompiledFilter | null): void {
    this.filter = filter;
    this.matched = new Set();
    if (filter) {
      for (const row of this.byId.values()) {
        if (this.matchesRecord(row)) {
          this.matched.add(row.id);
          continue;
        }
        for (const e of this.eventsOf(row.id)) {
          if (safeMatch(filter, e, row.facts)) {
            this.matched.add(row.id);
            break;
          }
        }
      }
    }
    this.dirty = true;
    this.tick();
  }

  /** Whether one event passes the filter (anomalies list, flow detail). */
  passes(e: WireEvent): boolean {
    if (!this.filter) return true;
    const row = e.flow !== null ? this.byId.get(e.flow) : undefined;
    return safeMatch(this.filter, e, row?.facts ?? null);
  }

  /** `identity`: the flow as its events tell, for an event that comes before the flow's first row. */
  private keep(id: number, e: WireEvent, identity: FlowIdentity | null): void {
    if (this.filter && !this.matched.has(id)) {
      const row = this.byId.get(id);
      if (safeMatch(this.filter, e, row?.facts ?? identity)) this.matched.add(id);
    }
    let list = this.flowEvents.get(id);
    if (!list) this.flowEvents.set(id, (list = []));
    if (list.length >= this.limits.eventsPerFlow || this.keptEvents >= this.limits.eventsTotal) {
      this.droppedEvents.set(id, (this.droppedEvents.get(id) ?? 0) + 1);
      return;
    }
    list.push(e);
    this.keptEvents++;
  }

  private endFlow(e: WireEvent & EventOf<'flow.end'>): void {
    const id = e.flow;
    if (id === null) return;
    const row = rowFromRecord(id, e, true, e.frame, e);
    this.byId.set(id, row);
    if (this.filter && !this.matched.has(id) && this.matchesRecord(row)) this.matched.add(id);
  }

  private refreshOpenFlows(live: LiveSource): void {
    for (const f of live.openFlows()) {
      const known = this.byId.get(f.id);
      if (known && (known.ended || known.lastFrame === f.lastFrame)) continue;
      const rec = f.record();
      // A stand-in for the flow.end record to come, so filters on flow fields work while loading.
      const stand = typedEvent('flow.end', f.lastFrame, rec.start, f.id, null, rec);
      const row = rowFromRecord(f.id, rec, false, f.lastFrame, stand);
      this.byId.set(f.id, row);
      this.dirty = true;
      if (this.filter && !this.matched.has(f.id) && this.matchesRecord(row)) this.matched.add(f.id);
    }
  }

  private matchesRecord(row: FlowRow): boolean {
    return this.filter !== null && safeMatch(this.filter, row.record, row.facts);
  }
}

/** A filter is user input: an expression that fails on odd data counts as no match. */
function safeMatch(filter: CompiledFilter, e: WireEvent, facts: FlowFacts | null): boolean {
  try {
    return filter.matches(eventSubject(e, facts));
  } catch {
    return false;
  }
}

function count(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}
