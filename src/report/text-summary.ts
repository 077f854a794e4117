import type { JsonObject, JsonValue } from '../events/json.js';
import { endpoint, formatBytes, formatSeconds, table } from './format.js';
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

/** A readable summary of a report: what termshark's pass-through gives, for pipes and logs. */
export function textSummary(report: JsonObject): string {
  const cap = (report.capture ?? {}) as Obj;
  const sum = (report.summary ?? {}) as Obj;
  const flows = (report.flows ?? []) as readonly Obj[];
  const out: string[] = [];
  const first = cap.first_ts ? String(cap.first_ts) : '';
  out.push(
    `${str(cap.file)}: ${str(cap.format)}${cap.compressed ? ' (gzip)' : ''}, ${num(cap.packets)} packets, ` +
      `${formatBytes(num(cap.bytes))}, ${formatSeconds(num(cap.duration))}${first ? ` from ${isoOf(first)}` : ''}`,
  );
  out.push('');
  const transports = Object.entries((sum.transports ?? {}) as Obj)
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');
  out.push(`Flows: ${flows.length}${transports ? ` (${transports})` : ''}`);
  if (flows.length) out.push(indent(flowsTable(flows)));
  const sections = Object.entries(report).filter(
    ([, v]) => v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as Obj).records),
  );
  const tx = sections
    .map(([k, v]) => {
      const byType = new Map<string, number>();
      for (const r of (v as Obj).records as readonly Obj[]) {
        const t = String(r.type ?? '').replace(`${k}.`, '');
        byType.set(t, (byType.get(t) ?? 0) + 1);
      }
      return [k, [...byType].map(([t, n]) => `${n} ${t}`).join(', ')] as const;
    })
    .filter(([, text]) => text);
  out.push(`Records:${tx.length ? '' : ' none'}`);
  for (const [k, text] of tx) out.push(`  ${k}: ${text}`);
  const creds = (report.credentials ?? []) as readonly Obj[];
  if (creds.length) {
    out.push(`Credentials: ${creds.length}`);
    for (const c of creds.slice(0, 20)) out.push(`  ${str(c.protocol)} user ${str(c.user)} (frame ${str(c.frame)})`);
  }
  // Expert flags are not anomalies (a retransmission is TCP doing its job), but a capture
  // with retransmissions must say so: one line of counts, Wireshark's names.
  const tcpFlags = Object.entries((sum.tcp_analysis ?? {}) as Obj);
  out.push(`TCP analysis: ${tcpFlags.length ? tcpFlags.map(([k, v]) => `${k.replace(/_/g, ' ')} ×${num(v)}`).join(', ') : 'nothing flagged'}`);
  const anomalies = Object.entries((sum.anomalies ?? {}) as Obj);
  out.push(`Anomalies: ${anomalies.length ? '' : 'none'}`);
  const listed = (report.anomalies ?? []) as readonly Obj[];
  for (const [code, n] of anomalies) {
    const firstOne = listed.find((a) => a.code === code);
    const where = firstOne ? ` (first at frame ${str(firstOne.frame)}${firstOne.flow ? `, flow ${str(firstOne.flow)}` : ''}: ${str(firstOne.detail)})` : '';
    out.push(`  ${code} ×${num(n)}${where}`);
  }
  return out.join('\n') + '\n';
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

function isoOf(ts: string): string {
  const sec = Number(ts.split('.')[0]);
  return Number.isFinite(sec) ? new Date(sec * 1000).toISOString().replace('.000Z', 'Z') : ts;
}
