import { StringDecoder } from 'node:string_decoder';
import type { ReportSpec } from '../dissect/contract.js';
import type { EventSink, WireEvent } from '../events/event.js';
import { toJsonAt, type JsonObject, type JsonValue } from '../events/json.js';
import { Timestamp } from '../events/time.js';
import { ListSpool, SortedSpool, SpoolDir, type ReportSink } from './spool.js';
import { SummaryFlows } from './summary-flows.js';
import { textChunks, type TextView } from './text-summary.js';

/** Anomalies listed per code in the report; the rest are counted in the summary. */
const ANOMALIES_PER_CODE = 1000;
/**
 * Records kept for the sections' summaries (page views, resolution chains, swarms), all
 * sections together, measured by `sizeOf` (about their JSON size; as objects they take a few
 * times that). A section whose records pass it is summarized from its first records, and
 * says so (`summary_limit`).
 */
const MAX_SUMMARY_BYTES = 8 << 20;
/** Flows (their ids, addresses, ports and times) kept for the sections' summaries. */
const MAX_SUMMARY_FLOWS = 100_000;
/** Distinct addresses the summary flows share one string of (an internal economy; every address is kept either way). */
const SHARED_ADDRESSES = 65_536;
/** Credentials the text summary lists (the rest are counted). */
const TEXT_CREDENTIALS = 20;

export const REPORT_VERSION = 1;

type Obj = { readonly [k: string]: JsonValue | undefined };

export interface ReportBuilderOptions {
  /** Spaces per level of the JSON written (0: one line), as `toJson`'s `indent`; default 2. */
  indent?: number;
  /** Text a list holds in memory before it goes to disk (default: spool.ts's); tests lower it. */
  spoolMemory?: number;
  /** `MAX_SUMMARY_BYTES` and `MAX_SUMMARY_FLOWS`, lowered by tests. */
  summaryBytes?: number;
  summaryFlows?: number;
}

interface Section {
  readonly name: string;
  readonly specs: ReportSpec[];
  readonly records: ListSpool;
  /** The first records, kept for the summaries while `MAX_SUMMARY_BYTES` allows. */
  readonly kept: WireEvent[];
  cut: boolean;
  /** Records per event type, in order of first appearance (for the text summary). */
  readonly types: Map<string, number>;
}

/**
 * Builds the JSON report from events alone: capture, summary, flows, one section per
 * protocol (its records plus the protocol's cross-flow summary), credentials, statistics
 * and anomalies. Same events in, byte-identical report out.
 *
 * Streamed: each record is rendered to JSON text as it arrives and spooled (`spool.ts`,
 * on disk past a few megabytes), counts are kept as counts, and `write` assembles the
 * document at the end, so memory does not grow with the capture. The summaries of the
 * sections see their first records and flows, up to `MAX_SUMMARY_BYTES` and
 * `MAX_SUMMARY_FLOWS` (far beyond any ordinary capture; past them the section says so).
 * `close()` removes the spool files.
 */
export class ReportBuilder implements EventSink {
  private readonly spool = new SpoolDir();
  private readonly nl: string;
  private readonly colon: string;
  private readonly flows: SortedSpool;
  private readonly anomalies: ListSpool;
  private readonly anomalyCounts = new Map<string, number>();
  private readonly firstAnomalies = new Map<string, Obj>();
  private readonly credentials: ListSpool;
  private readonly firstCredentials: Obj[] = [];
  private readonly sections = new Map<string, Section>();
  private readonly sectionOf = new Map<string, Section>();
  private readonly eventCounts = new Map<string, number>();
  private readonly transports = new Map<string, number>();
  private readonly services = new Map<string, number>();
  private captureSummary: WireEvent | null = null;
  /** TCP analysis: packets per Wireshark flag, the flagged packets (first ANOMALIES_PER_CODE), one record per connection. */
  private readonly tcpFlags = new Map<string, number>();
  private readonly tcpFlagged: ListSpool;
  private readonly tcpConnections: SortedSpool;
  /** What the summaries see of the flows: a few fields of the first MAX_SUMMARY_FLOWS. */
  private readonly summaryFlows: SummaryFlows;
  private summaryBytes = 0;
  /** One string per address among the summary flows' (bounded: past it, addresses are kept as they come). */
  private readonly addresses = new Map<string, string>();
  private readonly sharedAddress = (v: JsonValue | undefined): JsonValue | undefined => {
    if (typeof v !== 'string') return v;
    const known = this.addresses.get(v);
    if (known !== undefined) return known;
    if (this.addresses.size < SHARED_ADDRESSES) this.addresses.set(v, v);
    return v;
  };

  private readonly indent: number;
  private readonly maxSummaryBytes: number;
  private readonly maxSummaryFlows: number;

  constructor(
    specs: readonly ReportSpec[],
    private readonly tool: { name: string; version: string },
    opts: ReportBuilderOptions = {},
  ) {
    const indent = (this.indent = opts.indent ?? 2);
    this.maxSummaryBytes = opts.summaryBytes ?? MAX_SUMMARY_BYTES;
    this.maxSummaryFlows = opts.summaryFlows ?? MAX_SUMMARY_FLOWS;
    this.summaryFlows = new SummaryFlows(this.maxSummaryFlows);
    this.nl = indent ? '\n' : '';
    this.colon = indent ? ': ' : ':';
    const list = (depth: number) => new ListSpool(this.spool, ',' + this.nl + this.pad(depth), opts.spoolMemory);
    this.flows = new SortedSpool(this.spool, opts.spoolMemory);
    this.anomalies = list(2);
    this.credentials = list(2);
    this.tcpFlagged = list(3);
    this.tcpConnections = new SortedSpool(this.spool, opts.spoolMemory);
    for (const spec of specs) {
      let section = this.sections.get(spec.section);
      if (!section) {
        section = { name: spec.section, specs: [], records: list(3), kept: [], cut: false, types: new Map() };
        this.sections.set(spec.section, section);
      }
      section.specs.push(spec);
      for (const type of spec.events) this.sectionOf.set(type, section);
    }
  }

  private pad(level: number): string {
    return ' '.repeat(this.indent * level);
  }

  private text(e: WireEvent, depth: number): string {
    return toJsonAt(e, this.indent, this.pad(depth));
  }

  emit(e: WireEvent): void {
    this.eventCounts.set(e.type, (this.eventCounts.get(e.type) ?? 0) + 1);
    switch (e.type) {
      case 'flow.end':
        this.flows.add(this.text(e, 2), e.flow ?? 0);
        bump(this.transports, String(e.proto));
        bump(this.services, typeof e.service === 'string' ? e.service : '-');
        if (this.summaryFlows.length < this.maxSummaryFlows) this.summaryFlows.add(e, this.sharedAddress);
        return;
      case 'anomaly': {
        const code = String(e.code);
        const n = bump(this.anomalyCounts, code);
        if (n <= ANOMALIES_PER_CODE) this.anomalies.add(this.text(e, 2));
        if (n === 1) this.firstAnomalies.set(code, { frame: e.frame, flow: e.flow, detail: e.detail });
        return;
      }
      case 'credentials':
        this.credentials.add(this.text(e, 2));
        if (this.firstCredentials.length < TEXT_CREDENTIALS) this.firstCredentials.push({ protocol: e.protocol, user: e.user, frame: e.frame });
        return;
      case 'capture.summary':
        this.captureSummary = e;
        return;
      case 'tcp.analysis':
        if (Array.isArray(e.flags)) for (const f of e.flags) bump(this.tcpFlags, String(f));
        if (this.tcpFlagged.count < ANOMALIES_PER_CODE) this.tcpFlagged.add(this.text(e, 3));
        return;
      case 'tcp.connection':
        this.tcpConnections.add(this.text(e, 3), e.flow ?? 0);
        return;
    }
    const section = this.sectionOf.get(e.type);
    if (!section) return;
    section.records.add(this.text(e, 3));
    bump(section.types, e.type);
    if (!section.cut) {
      const size = sizeOf(e);
      if (this.summaryBytes + size <= this.maxSummaryBytes) {
        this.summaryBytes += size;
        section.kept.push(e);
      } else {
        section.cut = true;
      }
    }
  }

  /** Writes the report (no final newline), then removes the spool files. */
  write(sink: ReportSink): void {
    try {
      this.writeValue(this.document(), 0, sink);
    } finally {
      this.close();
    }
  }

  /** The report as one string (for `check`, which compares it as a whole). */
  toText(): string {
    const parts: string[] = [];
    // A decoder: a chunk copied from a spool file may end inside a UTF-8 character.
    const utf8 = new StringDecoder('utf8');
    this.write((c) => parts.push(typeof c === 'string' ? utf8.end() + c : utf8.write(Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
    parts.push(utf8.end());
    return parts.join('');
  }

  /**
   * The report as one object, for views that lay out whole sections (`report --text`); it
   * holds everything in memory, which the streamed JSON output does not.
   */
  toObject(): JsonObject {
    return JSON.parse(this.toText()) as JsonObject;
  }

  /** The text summary for people (`report --text`), in pieces; then removes the spool files. */
  *textSummary(): Generator<string> {
    try {
      yield* textChunks(this.textView());
    } finally {
      this.close();
    }
  }

  close(): void {
    this.spool.close();
  }

  /** The directory the records were spilled to, if they were (removed by `close`); for tests. */
  get spilledTo(): string | null {
    return this.spool.made;
  }

  private captureObject(): JsonObject {
    const cs = this.captureSummary ?? ({} as WireEvent);
    return {
      file: cs.file,
      format: cs.format,
      compressed: cs.compressed,
      interfaces: cs.interfaces,
      interface_count: cs.interface_count,
      link_types: cs.link_types,
      packets: cs.packets,
      bytes: cs.bytes,
      captured_bytes: cs.captured_bytes,
      first_ts: cs.first_ts,
      last_ts: cs.last_ts,
      duration: cs.duration,
    };
  }

  private summaryObject(): JsonObject {
    return {
      flows: this.flows.count,
      transports: sortedCounts(this.transports),
      services: sortedCounts(this.services),
      anomalies: sortedCounts(this.anomalyCounts),
      anomalies_listed: this.anomalies.count,
      tcp_analysis: sortedCounts(this.tcpFlags),
      events: sortedCounts(this.eventCounts),
    };
  }

  private document(): Doc {
    const cs = this.captureSummary ?? ({} as WireEvent);
    const flows = this.summaryFlows.all().sort((a, b) => (a.flow ?? 0) - (b.flow ?? 0));
    const flowsCut = this.flows.count > flows.length;
    const members = new Map<string, DocValue>([
      ['report_version', REPORT_VERSION],
      ['tool', this.tool],
      ['capture', this.captureObject()],
      ['summary', this.summaryObject()],
      ['flows', this.flows],
    ]);
    for (const section of this.sections.values()) {
      const body = new Map<string, DocValue>([['records', section.records]]);
      for (const spec of section.specs) {
        if (!spec.summarize || !section.records.count) continue;
        const summary = safeSummary(spec, section.kept, flows);
        for (const k in summary) body.set(k, summary[k]);
      }
      if (section.specs.some((s) => s.summarize) && section.records.count && (section.cut || flowsCut)) {
        body.set('summary_limit', {
          records: section.records.count,
          records_summarized: section.kept.length,
          flows: this.flows.count,
          flows_summarized: flows.length,
        });
      }
      members.set(section.name, new Doc(body));
    }
    members.set(
      'tcp',
      new Doc(
        new Map<string, DocValue>([
          ['analysis', sortedCounts(this.tcpFlags)],
          ['connections', this.tcpConnections],
          ['flagged', this.tcpFlagged],
        ]),
      ),
    );
    members.set('credentials', this.credentials);
    members.set('statistics', { hierarchy: cs.hierarchy, io: cs.io });
    members.set('anomalies', this.anomalies);
    return new Doc(members);
  }

  /** What `toJson` writes for the same value, with spooled lists copied from their spools. */
  private writeValue(value: DocValue, level: number, sink: ReportSink): void {
    const pad = this.pad(level);
    const inner = this.pad(level + 1);
    if (value instanceof ListSpool || value instanceof SortedSpool) {
      if (!value.count) {
        sink('[]');
        return;
      }
      sink('[' + this.nl + inner);
      if (value instanceof ListSpool) {
        for (const chunk of value.chunks()) sink(chunk);
      } else {
        let first = true;
        for (const text of value.sorted()) {
          sink(first ? text : ',' + this.nl + inner + text);
          first = false;
        }
      }
      sink(this.nl + pad + ']');
      return;
    }
    if (value instanceof Doc) {
      let first = true;
      sink('{');
      for (const [key, v] of value.members) {
        if (v === undefined) continue;
        sink((first ? this.nl : ',' + this.nl) + inner + JSON.stringify(key) + this.colon);
        first = false;
        this.writeValue(v, level + 1, sink);
      }
      sink(first ? '}' : this.nl + pad + '}');
      return;
    }
    sink(toJsonAt(value, this.indent, pad));
  }

  private textView(): TextView {
    const flows = this.flows;
    const firstAnomalies = this.firstAnomalies;
    return {
      capture: this.captureObject(),
      summary: this.summaryObject(),
      flowCount: flows.count,
      flows: function* () {
        for (const text of flows.sorted()) yield JSON.parse(text) as Obj;
      },
      records: [...this.sections.values()].map((s) => [s.name, s.types] as const),
      credentialCount: this.credentials.count,
      credentials: this.firstCredentials,
      firstAnomaly: (code) => firstAnomalies.get(code),
    };
  }
}

type DocValue = JsonValue | undefined | ListSpool | SortedSpool | Doc;

/** An object of the document whose members may be spooled lists. */
class Doc {
  constructor(readonly members: ReadonlyMap<string, DocValue>) {}
}

/**
 * About the bytes a value takes as JSON, without its layout: the measure of the summaries'
 * budget, the same for `--compact` and indented output (so both summarize the same records).
 */
function sizeOf(v: JsonValue | undefined): number {
  if (v === null || v === undefined) return 4;
  switch (typeof v) {
    case 'string':
      return v.length + 2;
    case 'number':
    case 'boolean':
      return 8;
  }
  if (v instanceof Timestamp) return 20;
  let n = 2;
  if (Array.isArray(v)) {
    for (const x of v as readonly JsonValue[]) n += sizeOf(x) + 1;
    return n;
  }
  const o = v as JsonObject;
  // A key whose value is undefined is not written (JSON drops it): it costs nothing.
  for (const k in o) if (o[k] !== undefined) n += k.length + 4 + sizeOf(o[k]);
  return n;
}

/** A summarizer is protocol code: if it fails, the report says so instead of failing. */
function safeSummary(spec: ReportSpec, recs: readonly WireEvent[], flows: readonly WireEvent[]): JsonObject {
  try {
    return spec.summarize!(recs, { flows });
  } catch (err) {
    return { summary_error: err instanceof Error ? err.message : String(err) };
  }
}

function bump(m: Map<string, number>, key: string): number {
  const n = (m.get(key) ?? 0) + 1;
  m.set(key, n);
  return n;
}

function sortedCounts(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}
