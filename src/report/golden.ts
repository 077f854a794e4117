/**
 * Golden comparison: two reports compared by meaning. Key order does not count, nor do
 * volatile fields (the tool's version, the capture's path). Differences are reported where
 * a person looks for them: which flow, which record, which field, golden versus now.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Fields that change without the capture's meaning changing. */
const VOLATILE: ReadonlyArray<readonly string[]> = [['tool'], ['capture', 'file']];

export interface Difference {
  /** Where, for people: `flow 3 (tcp 10.0.0.1:40000 → 10.0.0.2:80) › conn_state`. */
  where: string;
  golden: string;
  now: string;
}

export function withoutVolatile(report: Json): Json {
  if (!isObject(report)) return report;
  const copy: { [k: string]: Json } = { ...report };
  for (const path of VOLATILE) {
    if (path.length === 1) delete copy[path[0]!];
    else if (isObject(copy[path[0]!])) {
      const inner = { ...(copy[path[0]!] as { [k: string]: Json }) };
      delete inner[path[1]!];
      copy[path[0]!] = inner;
    }
  }
  return copy;
}

export function compareReports(golden: Json, now: Json, max = 200): Difference[] {
  const out: Difference[] = [];
  walk(withoutVolatile(golden), withoutVolatile(now), [], out, max);
  return out;
}

function walk(a: Json | undefined, b: Json | undefined, path: string[], out: Difference[], max: number): void {
  if (out.length >= max) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n && out.length < max; i++) {
      const label = itemLabel(path, a[i] ?? b[i] ?? null, i);
      if (i >= a.length) out.push({ where: join([...path, label]), golden: '(absent)', now: brief(b[i]!) });
      else if (i >= b.length) out.push({ where: join([...path, label]), golden: brief(a[i]!), now: '(absent)' });
      else walk(a[i], b[i], [...path, label], out, max);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], [...path, k], out, max);
    return;
  }
  if (!sameScalar(a, b)) out.push({ where: join(path), golden: brief(a), now: brief(b) });
}

function sameScalar(a: Json | undefined, b: Json | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b)) return false;
  return a === b;
}

/** A readable name for an array element: flows by id and endpoints, records by type and frame. */
function itemLabel(path: string[], item: Json, index: number): string {
  if (isObject(item)) {
    if (path.length === 1 && path[0] === 'flows' && typeof item.flow === 'number') {
      return `flow ${item.flow} (${item.proto} ${item.orig_h}:${item.orig_p} → ${item.resp_h}:${item.resp_p})`;
    }
    if (typeof item.type === 'string') {
      const where = typeof item.frame === 'number' ? ` frame ${item.frame}` : '';
      const flow = typeof item.flow === 'number' ? ` flow ${item.flow}` : '';
      return `#${index + 1} ${item.type === 'anomaly' ? String(item.code) : item.type}${where}${flow}`;
    }
  }
  return `[${index}]`;
}

const join = (path: string[]): string => (path.length ? path.join(' › ') : '(whole report)');

function brief(v: Json | undefined): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 160 ? s.slice(0, 157) + '...' : s;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
