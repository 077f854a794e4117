import { hierarchyRows } from '../../report/hierarchy.js';
import type { JsonValue } from '../../events/json.js';
import { fit, fitRight, formatBytes, formatSeconds, num, show } from '../text.js';
import type { FlowRow } from './flow-row.js';
import { line, type Line } from './lines.js';

const BARS = '▁▂▃▄▅▆▇█';

/** Values resampled into `width` columns (summing bins), drawn as block characters. */
export function sparkline(values: readonly number[], width: number): string {
  if (!values.length || width <= 0) return '';
  const cols: number[] = [];
  const per = values.length / Math.min(width, values.length);
  for (let c = 0; c * per < values.length; c++) {
    let sum = 0;
    for (let i = Math.floor(c * per); i < Math.floor((c + 1) * per) && i < values.length; i++) sum += values[i]!;
    cols.push(sum);
  }
  const max = Math.max(...cols);
  return cols.map((v) => (max === 0 || v === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))]!)).join('');
}

export interface StatsInput {
  stats: { readonly [k: string]: JsonValue | undefined } | null;
  flows: readonly FlowRow[];
  httpStatus: ReadonlyMap<string, number>;
  dnsRcodes: ReadonlyMap<string, number>;
  anomalyCounts: ReadonlyMap<string, number>;
  width: number;
  done: boolean;
}

type Obj = { readonly [k: string]: JsonValue | undefined };

/**
 * The statistics screen as lines: the capture, an I/O graph, the protocol hierarchy
 * (tshark's `io,phs`), flows per application, conversations, top talkers, HTTP status
 * codes, DNS response codes and anomalies by code.
 */
export function buildStatistics(input: StatsInput): Line[] {
  const out: Line[] = [];
  const w = input.width;
  const st = input.stats;
  const title = (t: string) => {
    if (out.length) out.push(line(''));
    out.push(line(t, { bold: true, color: 'cyan' }));
  };
  title(input.done ? 'Capture' : 'Capture (loading: figures so far)');
  if (st) {
    out.push(line(`  ${show(st.file ?? '')} ${show(st.format ?? '')}  ${num(st.packets)} packets  ${formatBytes(num(st.bytes))}  ${formatSeconds(num(st.duration))}`));
    const io = st.io as Obj | undefined;
    const bytes = Array.isArray(io?.bytes) ? (io!.bytes as number[]) : [];
    if (bytes.length) {
      title(`I/O graph: bytes per ${num(io!.bin_seconds)} s (peak ${formatBytes(Math.max(...bytes))}/bin)`);
      out.push(line('  ' + sparkline(bytes, w - 4), { color: 'green' }));
    }
    const hierarchy = Array.isArray(st.hierarchy) ? (st.hierarchy as Obj[]) : [];
    if (hierarchy.length) {
      // Wireshark's Statistics › Protocol Hierarchy: a frame counts under the highest
      // protocol it carries bytes of; "end" is what stops at this protocol.
      title('Protocol hierarchy');
      const name = Math.max(16, Math.min(30, w - 60));
      out.push(line(`  ${fit('protocol', name, true)} ${'% pkts'.padStart(7)} ${'packets'.padStart(9)} ${'% bytes'.padStart(7)} ${'bytes'.padStart(10)} ${'end pkts'.padStart(9)} ${'end bytes'.padStart(10)}`, { dim: true }));
      for (const r of hierarchyRows(hierarchy, num(st.packets), num(st.bytes))) {
        const label = '  '.repeat(r.depth) + show(r.name);
        out.push(
          line(
            `  ${fit(label, name, true)} ${fitRight(r.pctPackets.toFixed(1), 7)} ${fitRight(String(r.packets), 9)} ${fitRight(r.pctBytes.toFixed(1), 7)} ${fitRight(formatBytes(r.bytes), 10)} ${fitRight(String(r.endPackets), 9)} ${fitRight(formatBytes(r.endBytes), 10)}`,
          ),
        );
      }
    }
  } else out.push(line('  nothing read yet', { dim: true }));

  const apps = tally(input.flows, (f) => [[f.app, f.bytes]]);
  if (apps.length) {
    title('Flows by application');
    for (const [k, v] of apps.slice(0, 20)) out.push(line(`  ${fit(k, 24, true)} ${fitRight(String(v.n), 7)} flows ${fitRight(formatBytes(v.bytes), 10)}`));
  }
  const conv = tally(input.flows, (f) => [[[f.facts.orig_h, f.facts.resp_h].sort().map((a) => show(a)).join(' ↔ '), f.bytes]]);
  if (conv.length) {
    title(`Conversations (by bytes, top ${Math.min(15, conv.length)} of ${conv.length})`);
    for (const [k, v] of conv.slice(0, 15)) out.push(line(`  ${fit(k, Math.max(20, w - 36), true)} ${fitRight(String(v.n), 6)} flows ${fitRight(formatBytes(v.bytes), 10)}`));
  }
  const talkers = tally(input.flows, (f) => (f.facts.orig_h === f.facts.resp_h ? [[f.facts.orig_h, f.bytes]] : [[f.facts.orig_h, f.bytes], [f.facts.resp_h, f.bytes]]));
  if (talkers.length) {
    title(`Top talkers (by bytes, top ${Math.min(15, talkers.length)} of ${talkers.length})`);
    for (const [k, v] of talkers.slice(0, 15)) out.push(line(`  ${fit(show(k), 40, true)} ${fitRight(String(v.n), 6)} flows ${fitRight(formatBytes(v.bytes), 10)}`));
  }
  counts(out, title, 'HTTP status codes', input.httpStatus);
  counts(out, title, 'DNS response codes', input.dnsRcodes);
  counts(out, title, 'Anomalies by code', input.anomalyCounts);
  return out;
}

function counts(out: Line[], title: (t: string) => void, name: string, m: ReadonlyMap<string, number>): void {
  if (!m.size) return;
  title(name);
  const total = [...m.values()].reduce((a, b) => a + b, 0);
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [k, n] of rows) {
    const bar = '█'.repeat(Math.max(1, Math.round((n / total) * 20)));
    out.push({ segs: [{ text: `  ${fit(show(k), 24, true)} ${fitRight(String(n), 7)}  ` }, { text: bar, color: 'yellow' }] });
  }
}

/** Flows and bytes per key, biggest first (ties by key, so the order is stable). */
function tally(flows: readonly FlowRow[], keys: (f: FlowRow) => Array<[string, number]>): Array<[string, { n: number; bytes: number }]> {
  const m = new Map<string, { n: number; bytes: number }>();
  for (const f of flows) {
    for (const [k, bytes] of keys(f)) {
      const v = m.get(k);
      if (v) {
        v.n++;
        v.bytes += bytes;
      } else m.set(k, { n: 1, bytes });
    }
  }
  return [...m.entries()].sort((a, b) => b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
