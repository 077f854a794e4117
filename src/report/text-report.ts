import type { WireEvent } from '../events/event.js';
import type { JsonObject, JsonValue } from '../events/json.js';
import { labelOf } from './event-label.js';
import { table } from './format.js';
import { visible } from './safe-text.js';
import { graphSection } from './text-graphs.js';
import { hierarchySection, textSummary } from './text-summary.js';

type Obj = { readonly [k: string]: JsonValue | undefined };

/** Rows of one record type printed, and items of one list; the rest are counted. */
const ROWS_SHOWN = 200;
const ITEMS_SHOWN = 20;
/** A nested value printed inline is cut here (the JSON report has it whole). */
const INLINE_MAX = 120;
/** Fields every record has, and fields the tables already show. */
const BASE = new Set(['type', 'ts', 'dir', 'frame', 'flow']);
/** Report keys the summary already prints; every other object is a protocol's section (TCP's too). */
const NOT_SECTIONS = new Set(['tool', 'capture', 'summary', 'statistics']);

/**
 * `report --text`: the whole report for people. The summary (flows, records, credentials,
 * TCP numbers, anomalies), the protocol hierarchy, then each protocol's section: its
 * records in a table per type (frame, flow, direction and the one line the UI shows), and
 * its lab views (DNS chains and recursion, page loads, FTP files, TCP connections), then
 * graphs of the busiest TCP connections and the I/O graph (text-graphs.ts), all
 * strings made visible (a capture cannot move the cursor of the terminal reading this).
 */
export function textReport(report: JsonObject): string {
  const out: string[] = [textSummary(report).trimEnd()];
  const hierarchy = hierarchySection(report);
  if (hierarchy.length) out.push('', ...hierarchy);
  for (const [name, value] of Object.entries(report)) {
    if (!isObj(value) || NOT_SECTIONS.has(name)) continue;
    const records = Array.isArray(value.records) ? value.records.filter(isObj) : [];
    const views = Object.entries(value).filter(([k, v]) => k !== 'records' && !isEmpty(v));
    if (!records.length && !views.length) continue;
    out.push('', `${name.toUpperCase()}`);
    for (const [type, list] of byType(records)) {
      out.push(`  ${visible(type)} (${list.length})`);
      const rows = list.slice(0, ROWS_SHOWN).map((r) => [String(r.frame ?? ''), String(r.flow ?? ''), arrowOf(r.dir), visible(labelOf(r as unknown as WireEvent))]);
      out.push(indent(table(['frame', 'flow', 'dir', 'what'], rows, new Set([0, 1])), 4));
      if (list.length > ROWS_SHOWN) out.push(`    … ${list.length - ROWS_SHOWN} more (see the JSON report)`);
    }
    const mismatches = records.filter((r) => isObj(r.envelope_mismatch));
    if (mismatches.length) {
      out.push('  envelope mismatches (SMTP envelope vs message headers):');
      for (const r of mismatches.slice(0, ITEMS_SHOWN)) out.push(`    frame ${String(r.frame)}: ${inline(r.envelope_mismatch)}`);
    }
    for (const [k, v] of views) view(out, k, v, 2);
  }
  // Last, so the sections above read the same with or without it.
  const graphs = graphSection(report);
  if (graphs.length) out.push('', ...graphs);
  return out.join('\n') + '\n';
}

const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: JsonValue | undefined): boolean => v === undefined || v === null || (Array.isArray(v) && !v.length) || (isObj(v) && Object.values(v).every(isEmpty));
const arrowOf = (dir: JsonValue | undefined): string => (dir === 'c2s' ? '→' : dir === 's2c' ? '←' : '');

function byType(records: readonly Obj[]): Map<string, Obj[]> {
  const m = new Map<string, Obj[]>();
  for (const r of records) {
    const t = String(r.type ?? '?');
    const l = m.get(t);
    if (l) l.push(r);
    else m.set(t, [r]);
  }
  return m;
}

/** A lab view as indented `key: value` lines; lists of objects one line per item. */
function view(out: string[], key: string, v: JsonValue | undefined, depth: number): void {
  const pad = ' '.repeat(depth);
  const k = visible(key.replace(/_/g, ' '));
  if (isEmpty(v)) return;
  if (Array.isArray(v)) {
    if (v.every((x) => !isObj(x) && !Array.isArray(x))) {
      out.push(`${pad}${k}: ${v.slice(0, ITEMS_SHOWN).map(scalar).join(', ')}${v.length > ITEMS_SHOWN ? `, … ${v.length - ITEMS_SHOWN} more` : ''}`);
      return;
    }
    out.push(`${pad}${k} (${v.length}):`);
    for (const item of v.slice(0, ITEMS_SHOWN)) out.push(`${pad}  - ${isObj(item) ? fields(item) : inline(item)}`);
    if (v.length > ITEMS_SHOWN) out.push(`${pad}  … ${v.length - ITEMS_SHOWN} more (see the JSON report)`);
    return;
  }
  if (isObj(v)) {
    out.push(`${pad}${k}:`);
    for (const [kk, vv] of Object.entries(v)) view(out, kk, vv, depth + 2);
    return;
  }
  out.push(`${pad}${k}: ${scalar(v)}`);
}

/** An object's fields on one line, `name=value`, nested values as cut JSON. */
const fields = (o: Obj): string =>
  Object.entries(o)
    // Frame and flow say where; type, time and direction are the same for the whole list.
    .filter(([k, v]) => (k === 'frame' || k === 'flow' || !BASE.has(k)) && !isEmpty(v))
    .map(([k, v]) => `${visible(k)}=${isObj(v) || Array.isArray(v) ? inline(v) : scalar(v)}`)
    .join(' ');

const scalar = (v: JsonValue | undefined): string => (typeof v === 'string' ? visible(v) : v === undefined ? '' : String(v));

function inline(v: JsonValue | undefined): string {
  const text = visible(JSON.stringify(v) ?? '');
  return text.length > INLINE_MAX ? `${text.slice(0, INLINE_MAX - 1)}…` : text;
}

const indent = (s: string, n: number): string =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
