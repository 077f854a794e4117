/**
 * The values a field yields, as the evaluator compares them: strings, numbers and
 * booleans. Arrays are flattened (a repeated field, as in Wireshark, yields each value);
 * a capture time is its seconds; an object is its JSON text (so `contains` can search it).
 */
import type { JsonValue } from '../events/json.js';
import { Timestamp } from '../events/time.js';

export type Scalar = string | number | boolean;

/** Appends the scalars of `v` to `out`. */
export function pushScalars(v: JsonValue | undefined, out: Scalar[]): void {
  if (v === undefined || v === null) return;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(v);
  else if (v instanceof Timestamp) out.push(v.sec + v.ns / 1e9);
  else if (Array.isArray(v)) for (const item of v) pushScalars(item, out);
  else out.push(JSON.stringify(v));
}

/** Values at a dotted path inside an event, arrays flattened at every step. */
export function pathScalars(root: JsonValue | object, path: readonly string[], out: Scalar[]): void {
  walk(root, path, 0, out);
}

function walk(v: unknown, path: readonly string[], i: number, out: Scalar[]): void {
  if (v === undefined || v === null) return;
  if (i === path.length) {
    pushScalars(v as JsonValue, out);
    return;
  }
  if (Array.isArray(v)) {
    for (const item of v) walk(item, path, i, out);
    return;
  }
  if (typeof v !== 'object' || v instanceof Timestamp) return;
  const key = path[i]!;
  if (!Object.prototype.hasOwnProperty.call(v, key)) return;
  walk((v as Record<string, unknown>)[key], path, i + 1, out);
}
