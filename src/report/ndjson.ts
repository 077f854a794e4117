import type { EventSink, WireEvent } from '../events/event.js';
import type { JsonValue } from '../events/json.js';
import { Timestamp } from '../events/time.js';

const FLUSH_AT = 64 * 1024;

/**
 * One event per line. Lines are batched into large writes; on Linux, writes to files,
 * pipes and terminals from Node are synchronous, so memory does not grow with output.
 */
export class NdjsonWriter implements EventSink {
  private pending = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly accept: (e: WireEvent) => boolean = () => true,
  ) {}

  emit(e: WireEvent): void {
    if (!this.accept(e)) return;
    this.pending += compactJson(e) + '\n';
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (!this.pending.length) return;
    this.write(this.pending);
    this.pending = '';
  }
}

/**
 * `toJson(value)` (no indent), written for speed: the same bytes, built by string
 * concatenation instead of an array of parts (the profile showed the parts array and
 * its join as the largest cost of `events`). tests/report/ndjson.test.ts checks equality.
 */
export function compactJson(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof Timestamp) return value.toString();
  if (Array.isArray(value)) {
    const arr = value as readonly JsonValue[];
    if (arr.length === 0) return '[]';
    let s = '[' + compactJson(arr[0]);
    for (let i = 1; i < arr.length; i++) s += ',' + compactJson(arr[i]);
    return s + ']';
  }
  const obj = value as { readonly [key: string]: JsonValue | undefined };
  let s = '{';
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined) continue;
    s += (s.length === 1 ? '' : ',') + quotedKey(key) + compactJson(v);
  }
  return s + '}';
}

/** Field names repeat on every line: quote each once (bounded, names are few). */
const keyCache = new Map<string, string>();
function quotedKey(key: string): string {
  let q = keyCache.get(key);
  if (q === undefined) {
    q = JSON.stringify(key) + ':';
    if (keyCache.size < 4096) keyCache.set(key, q);
  }
  return q;
}
