import type { JsonObject, JsonValue } from '../events/json.js';
import { columnWidths, endpoint, formatBytes, formatSeconds, table, tableLine, widen } from './format.js';
import { hierarchyRows, hierarchyTable } from './hierarchy.js';
import { visible } from './safe-text.js';

type Obj = { readonly [k: string]: JsonValue | undefined };

const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);
const str = (v: JsonValue | undefined): string => (v === undefined || v === null ? '' : visible(String(v)));

/** The flows table's columns, and which are aligned right. */
export const FLOW_COLUMNS = ['id', 'proto', 'app', 'client', 'server', 'pkts', 'bytes', 'duration', 'state', 'summary'];
export const FLOW_COLUMNS_RIGHT: ReadonlySet<number> = new Set([0, 5, 6, 7]);

/** One flow record as the cells of the flows table (every capture string made visible). */
export function flowRow(f: Obj): string[] {
  return [
    str(f.flow),
    str(f.proto),
    str(f.service ?? '-'),
    visible(endpoint(f.orig_h, f.orig_p)),
    visible(endpoint(f.resp_h, f.resp_p)),
    String(num(f.orig_pkts) + num(f.resp_pkts)),
    formatBytes(num(f.orig_frame_bytes) + num(f.resp_frame_bytes)),
    formatSeconds(num(f.duration)),
    str(f.conn_state),
    str(f.summary ?? ''),
  ];
}

/** The flows table: one row per flow, as `wirelens flows` and the text summary print it. */
export function flowsTable(flows: readonly Obj[]): string {
  return table(FLOW_COLUMNS, flows.map(flowRow), FLOW_COLUMNS_RIGHT);
}

/**
 * What the text summary reads of a report: `ReportBuilder` gives it from its counts and
 * spooled flows (a capture of 1M flows prints 1M rows, never held at once); `textSummary`
 * from a report object.
 */
export interface TextView {
  readonly capture: Obj;
  readonly summary: Obj;
  readonly flowCount: number;
  /** The flow records in id order; iterated twice (column widths, then rows). */
  flows(): Iterable<Obj>;
  /** Per report section, its records counted by event type, in order of first appearance. */
  readonly records: readonly (readonly [string, ReadonlyMap<string, number>])[];
  readonly credentialCount: number;
  /** The first credentials (protocol, user, frame), at least as many as are listed. */
  readonly credentials: readonly Obj[];
  /** The first anomaly of a code (frame, flow, detail). */
  firstAnomaly(code: string): Obj | undefined;
}

/** A readable summary of a report: what termshark's pass-through gives, for pipes and logs. */
export function textSummary(report: JsonObject): string {
  const flows = (report.flows ?? []) as readonly Obj[];
  const sections = Object.entries(report)
    .filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as Obj).records))
    .map(([k, v]) => {
      const byType = new Map<string, number>();
      for (const r of (v as Obj).records as readonly Obj[]) byType.set(String(r.type ?? ''), (byType.get(String(r.type ?? '')) ?? 0) + 1);
      return [k, byType] as const;
    });
  const creds = (report.credentials ?? []) as readonly Obj[];
  const listed = (report.anomalies ?? []) as readonly Obj[];
  return [
    ...textChunks({
      capture: (report.capture ?? {}) as Obj,
      summary: (report.summary ?? {}) as Obj,
      flowCount: flows.length,
      flows: () => flows,
      records: sections,
      credentialCount: creds.length,
      credentials: creds,
      firstAnomaly: (code) => listed.find((a) => a.code === code),
    }),
  ].join('');
}

/** The text summary in pieces (lines, or runs of them). */
export function* textChunks(view: TextView): Generator<string> {
  const cap = view.capture;
  const sum = view.summary;
  const first = cap.first_ts ? String(cap.first_ts) : '';
  yield `${str(cap.file)}: ${str(cap.format)}${cap.compressed ? ' (gzip)' : ''}, ${num(cap.packets)} packets, ` +
    `${formatBytes(num(cap.bytes))}, ${formatSeconds(num(cap.duration))}${first ? ` from ${isoOf(first)}` : ''}\n`;
  yield '\n';
  const transports = Object.entries((sum.transports ?? {}) as Obj)
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');
  yield `Flows: ${view.flowCount}${transports ? ` (${transports})` : ''}\n`;
  if (view.flowCount) {
    // The flows table, indented: widths from every row first, then the rows.
    const widths = columnWidths(FLOW_COLUMNS);
    for (const f of view.flows()) widen(widths, flowRow(f));
    yield '  ' + tableLine(FLOW_COLUMNS, widths, FLOW_COLUMNS_RIGHT) + '\n';
    let lines: string[] = [];
    for (const f of view.flows()) {
      lines.push('  ' + tableLine(flowRow(f), widths, FLOW_COLUMNS_RIGHT) + '\n');
      if (lines.length >= 1024) {
        yield lines.join('');
        lines = [];
      }
    }
    if (lines.length) yield lines.join('');
  }
  const tx = view.records
    .map(([k, byType]) => [k, [...byType].map(([t, n]) => `${n} ${t.replace(`${k}.`, '')}`).join(', ')] as const)
    .filter(([, text]) => text);
  const out: string[] = [];
  out.push(`Records:${tx.length ? '' : ' none'}`);
  for (const [k, text] of tx) out.push(`  ${k}: ${text}`);
  if (view.credentialCount) {
    out.push(`Credentials: ${view.credentialCount}`);
    for (const c of view.credentials.slice(0, 20)) out.push(`  ${str(c.protocol)} user ${str(c.user)} (frame ${str(c.frame)})`);
  }
  // Expert flags are not anomalies (a retransmission is TCP doing its job), but a capture
  // with retransmissions must say so: one line of counts, Wireshark's names.
  const tcpFlags = Object.entries((sum.tcp_analysis ?? {}) as Obj);
  out.push(`TCP analysis: ${tcpFlags.length ? tcpFlags.map(([k, v]) => `${k.replace(/_/g, ' ')} ×${num(v)}`).join(', ') : 'nothing flagged'}`);
  const anomalies = Object.entries((sum.anomalies ?? {}) as Obj);
  out.push(`Anomalies: ${anomalies.length ? '' : 'none'}`);
  for (const [code, n] of anomalies) {
    const firstOne = view.firstAnomaly(code);
    const where = firstOne ? ` (first at frame ${str(firstOne.frame)}${firstOne.flow ? `, flow ${str(firstOne.flow)}` : ''}: ${str(firstOne.detail)})` : '';
    out.push(`  ${code} ×${num(n)}${where}`);
  }
  yield out.join('\n') + '\n';
}

function isoOf(ts: string): string {
  const sec = Number(ts.split('.')[0]);
  return Number.isFinite(sec) ? new Date(sec * 1000).toISOString().replace('.000Z', 'Z') : ts;
}
const indent = (s: string): string =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');

/** The protocol hierarchy section, Wireshark's columns; empty when the report has none. */
export function hierarchySection(report: JsonObject): string[] {
  const cap = (report.capture ?? {}) as Obj;
  const st = (report.statistics ?? {}) as Obj;
  const h = Array.isArray(st.hierarchy) ? (st.hierarchy as readonly Obj[]) : [];
  if (!h.length) return [];
  return ['Protocol hierarchy (a frame counts under the highest protocol it carries bytes of):', indent(hierarchyTable(hierarchyRows(h, num(cap.packets), num(cap.bytes))))];
}
