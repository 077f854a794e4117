import { declaredEvent } from './declared.js';
import { BASE_KEYS, compileBuilder, literalKey, type Builder } from './event-literal.js';
import type { EventType, FieldsOf } from './event-map.js';
import type { JsonValue } from './json.js';
import type { LineOut } from './line-out.js';
import type { Timestamp } from './time.js';

/** Client→server or server→client. The client sent the SYN, or else the first packet. */
export type Direction = 'c2s' | 's2c';

export const opposite = (dir: Direction): Direction => (dir === 'c2s' ? 's2c' : 'c2s');

/** What every event carries, first and in this order. */
export interface EventBase {
  /** Dotted, lower-case: `http.request`, `flow`, `anomaly`. */
  type: string;
  /** Wireshark's 1-based frame number of the packet that completed this event. */
  frame: number;
  ts: Timestamp;
  /** Flow id (1-based, order of first packet), or null for events not tied to a flow. */
  flow: number | null;
  dir: Direction | null;
}

/** Any event: the base plus the event's own snake_case fields. */
export interface WireEvent extends EventBase {
  readonly [field: string]: JsonValue | undefined;
}

/** Fields an event adds to the base. */
export type EventFields = { readonly [field: string]: JsonValue | undefined };

/**
 * Something wrong or surprising in the input: data, not an exception. `code` is a stable
 * snake_case identifier whose prefix is the layer (`capture.truncated`, `tcp.gap`).
 */
export interface AnomalyEvent extends WireEvent {
  type: 'anomaly';
  code: string;
  detail: string;
}

export interface EventSink {
  emit(event: WireEvent): void;
  /**
   * Where the emitters may write events of declared types (events/declared.ts) as NDJSON
   * bytes instead of emitting them: set only by a sink that writes every event as NDJSON and
   * reads none (`events` with no filter), or every event the engine builds for the run
   * (`events --types`: the engine builds only the selected types, so an emitter must check
   * `wants` before it writes). Anomalies and undeclared types are always emitted.
   */
  readonly bytes?: LineOut;
}

/**
 * `makeEvent` for a declared event type: the compiler checks the type and its fields.
 * The emitters of the engine use it; dissectors emit through their context. A type whose
 * field order is declared (`declareEvent`, events/declared.ts) is built from that list.
 */
export function typedEvent<K extends EventType>(
  type: K,
  frame: number,
  ts: Timestamp,
  flow: number | null,
  dir: Direction | null,
  fields: FieldsOf<K>,
): WireEvent {
  const d = declaredEvent(type);
  if (d !== undefined) {
    const e = d.build(frame, ts, flow, dir, fields);
    lastEvent = e;
    lastKeys = d.keys;
    return e;
  }
  // Declared field interfaces have no index signature; event-map.ts checks them field by field.
  return makeEvent(type, frame, ts, flow, dir, fields as unknown as EventFields);
}

export function makeEvent(
  type: string,
  frame: number,
  ts: Timestamp,
  flow: number | null,
  dir: Direction | null,
  fields: EventFields,
): WireEvent {
  const known = builders.get(type);
  if (known !== undefined) {
    for (const b of known) if (sameKeys(b.keys, fields)) return built(b, b.build(type, frame, ts, flow, dir, fields));
  }
  const keys = buildableKeys(fields);
  if (keys !== null && compiled < MAX_BUILDERS && (known?.length ?? 0) < SHAPES_PER_TYPE) {
    const b = { keys, build: compileBuilder(keys) };
    compiled++;
    if (known) known.push(b);
    else builders.set(type, [b]);
    return built(b, b.build(type, frame, ts, flow, dir, fields));
  }
  // A field named like a base key must not overwrite it (the base keys keep their first place).
  const e: EventBase & { [field: string]: JsonValue | undefined } = { type, frame, ts, flow, dir };
  for (const key in fields) {
    if (BASE_KEYS.has(key)) continue;
    // Assigning `__proto__` would set the prototype; a field of that name is defined instead.
    if (key === '__proto__') Object.defineProperty(e, key, { value: fields[key], enumerable: true, writable: true, configurable: true });
    else e[key] = fields[key];
  }
  return e;
}

/*
 * Events are the largest allocation of a run. Built by adding fields one by one (or by a
 * spread), an event with thirty fields re-allocates its property store about ten times;
 * the allocation profile showed event objects as 15% of all bytes allocated. So for each
 * field list an event type comes with (a few per type), makeEvent compiles one object
 * literal with every key in order, which V8 allocates at its final size in one step
 * (measured 2.5x faster than key-by-key copying, 3.5x faster than a spread). The keys come
 * from dissector code, and are quoted with JSON.stringify all the same; keys an object
 * literal would treat differently (`__proto__`, array indices) and base keys take the
 * generic path. Output is the same object: same keys, same order, same values.
 */
interface Shape {
  readonly keys: readonly string[];
  readonly build: Builder;
}
const SHAPES_PER_TYPE = 8;
const MAX_BUILDERS = 1024;
const builders = new Map<string, Shape[]>();
let compiled = 0;

/*
 * The event makeEvent built last, and its field list. Sinks serialise an event right after
 * it is made, so the NDJSON writer can use a serializer compiled for that list instead of
 * walking the keys; any other event (kept, rebuilt, or from the generic path) is walked.
 */
let lastEvent: WireEvent | null = null;
let lastKeys: readonly string[] = [];

function built(shape: Shape, e: WireEvent): WireEvent {
  lastEvent = e;
  lastKeys = shape.keys;
  return e;
}

/**
 * The keys after the five base keys, in order, when `e` is the event makeEvent returned
 * last (the same array object for every event of that field list); otherwise null.
 */
export function builtKeys(e: WireEvent): readonly string[] | null {
  return e === lastEvent ? lastKeys : null;
}

function sameKeys(keys: readonly string[], fields: EventFields): boolean {
  let i = 0;
  // Bounded first: a read past the array's end deoptimises the caller ("out of bounds").
  for (const key in fields) {
    if (i === keys.length || keys[i] !== key) return false;
    i++;
  }
  return i === keys.length;
}

/** The keys of `fields` in order, or null if one of them needs the generic path. */
function buildableKeys(fields: EventFields): string[] | null {
  const keys: string[] = [];
  for (const key in fields) {
    if (!literalKey(key) || keys.length >= 256) return null;
    keys.push(key);
  }
  return keys;
}
