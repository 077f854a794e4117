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
    if (a.some(identity) || b.some(identity)) return walkById(a, b, path, out, max);
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

/**
 * Flows and records are matched by who they are (flow id; event type, frame, flow and
 * direction), not by position, so one record more does not shift every later one.
 */
function identity(item: Json): string | null {
  if (!isObject(item)) return null;
  if (typeof item.type === 'string') return `${item.type}|${item.frame}|${item.flow}|${item.dir}|${item.code ?? ''}`;
  if (typeof item.flow === 'number' && typeof item.proto === 'string') return `flow|${item.flow}`;
  return null;
}

function walkById(a: Json[], b: Json[], path: string[], out: Difference[], max: number): void {
  const keyed = (items: Json[]) => {
    const seen = new Map<string, number>();
    return items.map((item, i) => {
      const id = identity(item) ?? `#${i}`;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return { key: `${id}|${n}`, item, index: i };
    });
  };
  const now = new Map(keyed(b).map((x) => [x.key, x]));
  const matched = new Set<string>();
  for (const g of keyed(a)) {
    if (out.length >= max) return;
    const label = itemLabel(path, g.item, g.index);
    const n = now.get(g.key);
    if (!n) out.push({ where: join([...path, label]), golden: brief(g.item), now: '(absent)' });
    else {
      matched.add(g.key);
      walk(g.item, n.item, [...path, label], out, max);
    }
  }
  for (const n of keyed(b)) {
    if (out.length >= max) return;
    if (!matched.has(n.key)) out.push({ where: join([...path, itemLabel(path, n.item, n.index)]), golden: '(absent)', now: brief(n.item) });
  }
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
