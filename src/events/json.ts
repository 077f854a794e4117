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
/**
 * JSON.stringify escapes the C0 controls but leaves DEL and the C1 controls (U+007F–U+009F)
 * raw; latin1-decoded wire bytes 0x7f–0x9f land there, and a terminal reading the output
 * may act on them (U+009B is CSI). Every JSON writer passes its string text through this,
 * so all control characters come out as escapes, as the README promises.
 */
const C1 = /[\u007f-\u009f]/g;
const HAS_C1 = /[\u007f-\u009f]/;
export function escapeC1(json: string): string {
  return HAS_C1.test(json) ? json.replace(C1, (c) => '\\u00' + c.charCodeAt(0).toString(16)) : json;
}

/** `JSON.stringify(s)` for a string, with DEL and the C1 controls escaped too. */
export const jsonString = (s: string): string => escapeC1(JSON.stringify(s));

/**
 * Compact JSON of an array or object: `JSON.stringify`'s native text (C1 escaped) when it is
 * also ours, `toJson`'s otherwise. Native is several times faster, but it writes a Timestamp
 * as a string (its `toJSON`, counted in `Timestamp.stringified`) and throws on what is no
 * JSON (a cycle, a BigInt); those values are written by `toJson`, which walks them.
 */
export function nestedJson(v: JsonValue): string {
  const before = Timestamp.stringified;
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // Not JSON: walked below.
  }
  return s !== undefined && Timestamp.stringified === before ? escapeC1(s) : toJson(v);
}

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
      out.push(jsonString(value));
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
    out.push(first ? nl : ',' + nl, inner, jsonString(key), colon);
    first = false;
    write(v, indent, inner, out);
  }
  out.push(first ? '}' : nl + pad + '}');
}
