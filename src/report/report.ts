import type { ReportSpec } from '../dissect/contract.js';
import type { EventSink, WireEvent } from '../events/event.js';
import type { JsonObject, JsonValue } from '../events/json.js';

/** Anomalies listed per code in the report; the rest are counted in the summary. */
const ANOMALIES_PER_CODE = 1000;

export const REPORT_VERSION = 1;

/**
 * Builds the JSON report from events alone: capture, summary, flows, one section per
 * protocol (its records plus the protocol's cross-flow summary), credentials, statistics
 * and anomalies. Same events in, byte-identical report out.
 */
export class ReportBuilder implements EventSink {
  private readonly flows: WireEvent[] = [];
  private readonly anomalies: WireEvent[] = [];
  private readonly anomalyCounts = new Map<string, number>();
  private readonly credentials: WireEvent[] = [];
  private readonly sectionOf = new Map<string, string>();
  private readonly records = new Map<string, WireEvent[]>();
  private readonly eventCounts = new Map<string, number>();
  private captureSummary: WireEvent | null = null;
  /** TCP analysis: packets per Wireshark flag, the flagged packets (first ANOMALIES_PER_CODE), one record per connection. */
  private readonly tcpFlags = new Map<string, number>();
  private readonly tcpFlagged: WireEvent[] = [];
  private readonly tcpConnections: WireEvent[] = [];

  constructor(
    private readonly specs: readonly ReportSpec[],
    private readonly tool: { name: string; version: string },
  ) {
    for (const spec of specs) {
      this.records.set(spec.section, []);
      for (const type of spec.events) this.sectionOf.set(type, spec.section);
    }
  }

  emit(e: WireEvent): void {
    this.eventCounts.set(e.type, (this.eventCounts.get(e.type) ?? 0) + 1);
    switch (e.type) {
      case 'flow.end':
        this.flows.push(e);
        return;
      case 'anomaly': {
        const code = String(e.code);
        const n = (this.anomalyCounts.get(code) ?? 0) + 1;
        this.anomalyCounts.set(code, n);
        if (n <= ANOMALIES_PER_CODE) this.anomalies.push(e);
        return;
      }
      case 'credentials':
        this.credentials.push(e);
        return;
      case 'capture.summary':
        this.captureSummary = e;
        return;
      case 'tcp.analysis':
        if (Array.isArray(e.flags)) for (const f of e.flags) this.tcpFlags.set(String(f), (this.tcpFlags.get(String(f)) ?? 0) + 1);
        if (this.tcpFlagged.length < ANOMALIES_PER_CODE) this.tcpFlagged.push(e);
        return;
      case 'tcp.connection':
        this.tcpConnections.push(e);
        return;
    }
    const section = this.sectionOf.get(e.type);
    if (section) this.records.get(section)!.push(e);
  }

  build(): JsonObject {
    const flows = [...this.flows].sort((a, b) => (a.flow ?? 0) - (b.flow ?? 0));
    const cs = this.captureSummary ?? ({} as WireEvent);
    const services = countBy(flows, (f) => (typeof f.service === 'string' ? f.service : '-'));
    const sections: Record<string, JsonValue> = {};
    for (const spec of this.specs) {
      // Several protocols may share a section (HTTP/1.x and HTTP/2 both fill `http`).
      const recs = this.records.get(spec.section)!;
      const prev = (sections[spec.section] as JsonObject | undefined) ?? { records: recs };
      const summary = spec.summarize && recs.length ? safeSummary(spec, recs, flows) : {};
      sections[spec.section] = { ...prev, ...summary };
    }
    return {
      report_version: REPORT_VERSION,
      tool: this.tool,
      capture: {
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
      },
      summary: {
        flows: flows.length,
        transports: countBy(flows, (f) => String(f.proto)),
        services,
        anomalies: sortedCounts(this.anomalyCounts),
        anomalies_listed: this.anomalies.length,
        tcp_analysis: sortedCounts(this.tcpFlags),
        events: sortedCounts(this.eventCounts),
      },
      flows,
      ...sections,
      tcp: {
        analysis: sortedCounts(this.tcpFlags),
        connections: [...this.tcpConnections].sort((a, b) => (a.flow ?? 0) - (b.flow ?? 0)),
        flagged: this.tcpFlagged,
      },
      credentials: this.credentials,
      statistics: { hierarchy: cs.hierarchy, io: cs.io },
      anomalies: this.anomalies,
    };
  }
}

/** A summarizer is protocol code: if it fails, the report says so instead of failing. */
function safeSummary(spec: ReportSpec, recs: readonly WireEvent[], flows: readonly WireEvent[]): JsonObject {
  try {
    return spec.summarize!(recs, { flows });
  } catch (err) {
    return { summary_error: err instanceof Error ? err.message : String(err) };
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return sortedCounts(m);
}

function sortedCounts(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}
