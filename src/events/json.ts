import { Timestamp } from './time.js';

/**
 * Values that may appear in events and reports. Timestamps print as exact decimal
 * numbers; everything else is plain JSON. Strings are always well-formed Unicode
 * (bytes that are not text reach here already escaped, see `bytes-text.ts`).
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | Timestamp
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

export type JsonObject = { readonly [key: string]: JsonValue | undefined };

/**
 * Deterministic JSON: keys in insertion order, `undefined` members left out,
 * Timestamps as exact numbers, non-finite numbers as null, lone surrogates escaped
 * (JSON.stringify does that for strings since Node 12), so output is valid UTF-8.
 */
export function toJson(value: JsonValue | undefined, indent = 0): string {
  const out: string[] = [];
  write(value, indent, '', out);
  return out.join('');
}

/**
 * `toJson` of a value that sits `pad` deep inside a larger document (its lines after the
 * first start with `pad`): what `toJson` of the whole document would write for it.
 */
export function toJsonAt(value: JsonValue | undefined, indent: number, pad: string): string {
  const out: string[] = [];
  write(value, indent, pad, out);
  return out.join('');
}

function write(value: JsonValue | undefined, indent: number, pad: string, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      out.push(Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
  }
  if (value instanceof Timestamp) {
    out.push(value.toString());
    return;
  }
  const inner = indent ? pad + ' '.repeat(indent) : '';
  const nl = indent ? '\n' : '';
  const colon = indent ? ': ' : ':';
  if (Array.isArray(value)) {
    const arr = value as readonly JsonValue[];
    if (arr.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[', nl);
    for (let i = 0; i < arr.length; i++) {
      if (i) out.push(',', nl);
      out.push(inner);
      write(arr[i], indent, inner, out);
    }
    out.push(nl, pad, ']');
    return;
  }
  const obj = value as JsonObject;
  let first = true;
  out.push('{');
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined) continue;
    out.push(first ? nl : ',' + nl, inner, JSON.stringify(key), colon);
    first = false;
    write(v, indent, inner, out);
  }
  out.push(first ? '}' : nl + pad + '}');
}
