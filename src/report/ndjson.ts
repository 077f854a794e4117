import { declaredEvent } from '../events/declared.js';
import { builtKeys, type EventSink, type WireEvent } from '../events/event.js';
import { jsonString, nestedJson, type JsonValue } from '../events/json.js';
import { LineOut } from '../events/line-out.js';
import { Timestamp } from '../events/time.js';

/**
 * One event per line, encoded straight into 128 KB byte chunks (`LineOut`): the profile
 * showed a 64 KB string of joined lines costing more to flatten and encode at write time
 * than the lines do one by one (11 vs 6 ms per MB of output). On Linux, writes to files,
 * pipes and terminals from Node are synchronous, so memory does not grow with output.
 *
 * A writer that takes every event offers its `LineOut` as `bytes`: the engine then writes
 * events of declared types into it directly (events/declared.ts), with no event object, and
 * emits the rest, which land in the same chunks in the same order. So does a writer whose
 * `accept` takes every event the engine builds except anomalies (`declaredBytes`: an
 * `events --types` run, where the engine builds only the selected types).
 *
 * An event that was built from a declaration (an object a filter had to read) is written by
 * that declaration's `write` from the object's own members: the same bytes as `eventLine`.
 */
export class NdjsonWriter implements EventSink {
  private readonly out: LineOut;
  /** Set when this writer takes every event (no `accept`), or every declared one (`declaredBytes`). */
  readonly bytes: LineOut | undefined;

  constructor(
    write: (bytes: Uint8Array) => void,
    private readonly accept: ((e: WireEvent) => boolean) | undefined = undefined,
    opts: NdjsonWriterOptions = {},
  ) {
    this.out = new LineOut(write);
    this.bytes = accept === undefined || opts.declaredBytes === true ? this.out : undefined;
  }

  emit(e: WireEvent): void {
    if (this.accept === undefined || this.accept(e)) writeEvent(this.out, e);
  }

  flush(): void {
    this.out.flush();
  }
}

export interface NdjsonWriterOptions {
  /**
   * The caller promises that `accept` takes every event of a declared type that the engine
   * would build for this run (the engine builds only the selected types: `AnalyzeOptions.wanted`
   * with no filter, anomalies aside, and anomalies are always emitted): such events may then
   * be written as bytes with no object and no call to `accept`.
   */
  readonly declaredBytes?: boolean;
}

/**
 * `e`'s NDJSON line into `out`. An event a declaration built (`typedEvent`) is written by
 * that declaration's byte writer from the object's members: its base keys are the event's,
 * its declared fields are the object's own, in the declared order, so the bytes are
 * `eventLine(e)`'s with no line string and no UTF-8 pass.
 */
export function writeEvent(out: LineOut, e: WireEvent): void {
  const keys = builtKeys(e);
  const d = keys === null ? undefined : declaredEvent(e.type);
  if (d !== undefined && d.keys === keys) return d.write(out, e.frame, e.ts, e.flow, e.dir, e as never);
  // Another shape makeEvent built (an undeclared type, an anomaly): its compiled serializer.
  out.text(eventLine(e));
}

/**
 * `toJson(value)` (no indent), written for speed: the same bytes, built by string
 * concatenation instead of an array of parts (the profile showed the parts array and
 * its join as the largest cost of `events`). tests/perf/ndjson.test.ts checks equality.
 */
export function compactJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  const scalar = scalarJson(value);
  if (scalar !== undefined) return scalar;
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

/**
 * One event as `compactJson` writes it. An event makeEvent has just built goes through a
 * serializer compiled for its field list: constant keys and direct property reads instead
 * of walking the keys, and nested values through the engine's JSON.stringify. Measured on
 * the 129,803 events of the 100 MB bench capture: 800 -> 530 ms.
 */
export function eventLine(e: WireEvent): string {
  const keys = builtKeys(e);
  if (keys === null) return compactJson(e);
  let write = serializers.get(keys);
  if (write === undefined) {
    write = compileSerializer(keys);
    serializers.set(keys, write);
  }
  return write(e, valueJson);
}

type Serializer = (e: WireEvent, value: (v: JsonValue) => string) => string;
const serializers = new WeakMap<readonly string[], Serializer>();

function compileSerializer(keys: readonly string[]): Serializer {
  let body = 'let s = "{", v;\n';
  for (const k of ['type', 'frame', 'ts', 'flow', 'dir', ...keys]) {
    const q = JSON.stringify(k);
    body += `v = e[${q}]; if (v !== undefined) s += (s.length === 1 ? ${JSON.stringify(q + ':')} : ${JSON.stringify(',' + q + ':')}) + value(v);\n`;
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are quoted with JSON.stringify
  return new Function('e', 'value', body + 'return s + "}";') as Serializer;
}

/** `compactJson(v)` for one field value; objects and arrays without Timestamps by JSON.stringify (the same text, made natively). */
function valueJson(v: JsonValue): string {
  return scalarJson(v) ?? nestedJson(v);
}

/** JSON of null, a string, number, boolean or Timestamp; undefined for arrays and objects. */
function scalarJson(v: JsonValue): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
  }
  return v instanceof Timestamp ? timestampText(v) : undefined;
}

/** The events of one packet share its Timestamp object: its text is made once. */
let lastTs: Timestamp | null = null;
let lastTsText = '';
function timestampText(ts: Timestamp): string {
  if (ts !== lastTs) {
    lastTsText = ts.toString();
    lastTs = ts;
  }
  return lastTsText;
}

/** Field names repeat on every line: quote each once (bounded, names are few). */
const keyCache = new Map<string, string>();
function quotedKey(key: string): string {
  let q = keyCache.get(key);
  if (q === undefined) {
    q = jsonString(key) + ':';
    if (keyCache.size < 4096) keyCache.set(key, q);
  }
  return q;
}
