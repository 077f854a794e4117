import type { Direction, EventFields, WireEvent } from './event.js';
import type { EventType, FieldsOf } from './event-map.js';
import { bytesOf, type LineOut } from './line-out.js';
import { compileBuilder, literalKey } from './event-literal.js';
import { jsonString } from './json.js';
import type { Timestamp } from './time.js';

/*
 * Events written as bytes (issue 18). An event type declares its fields once, in order,
 * next to its interface:
 *
 *   export const FTP_REPLY = declareEvent('ftp.reply', ['code', 'msg', 'multiline']);
 *
 * (the compiler rejects a list that misses a field of the interface or names one it does
 * not have), and both ways out are compiled from that one list, so they cannot drift:
 * `build` makes the event object for sinks that read objects (the TUI, `report`, `check`,
 * filters), `write` appends the event's NDJSON line to a `LineOut` straight from its parts,
 * with no event object, no line string and no separate UTF-8 pass (`events` with no filter).
 * The order of the list is the order of the output: undefined fields are left out, as
 * JSON leaves them out. An event of an undeclared type is built by `makeEvent` from its
 * literal's keys, as before.
 */

type KeysOf<K extends EventType> = keyof FieldsOf<K> & string;
type Missing<K extends EventType, L extends readonly string[]> = Exclude<KeysOf<K>, L[number]>;
/** A list that leaves out a declared field does not type-check, and names the field. */
type Complete<K extends EventType, L extends readonly string[]> = [Missing<K, L>] extends [never] ? unknown : { readonly missing: Missing<K, L> };

export interface DeclaredEvent<K extends EventType> {
  readonly type: K;
  /** The fields after the five base keys, in output order (the same array for every event of the type). */
  readonly keys: readonly string[];
  /** The event as an object: the base keys, then every declared field in order. */
  build(frame: number, ts: Timestamp, flow: number | null, dir: Direction | null, fields: FieldsOf<K>): WireEvent;
  /** The event's NDJSON line, newline included, appended to `out`: the bytes `compactJson(build(...))` gives. */
  write(out: LineOut, frame: number, ts: Timestamp, flow: number | null, dir: Direction | null, fields: FieldsOf<K>): void;
}

const declared = new Map<string, DeclaredEvent<EventType>>();

/** The declaration of `type`, if it has one. */
export function declaredEvent(type: string): DeclaredEvent<EventType> | undefined {
  return declared.get(type);
}

/** Every declaration made so far (the modules that declare must have been loaded). */
export function declaredEvents(): DeclaredEvent<EventType>[] {
  return [...declared.values()];
}

export function declareEvent<K extends EventType, const L extends readonly KeysOf<K>[]>(type: K, keys: L & Complete<K, L>): DeclaredEvent<K> {
  const list: readonly string[] = keys;
  const seen = new Set<string>();
  for (const k of list) {
    // A programming error in a declaration, found when the module loads (every run, every test).
    if (seen.has(k) || !literalKey(k)) throw new Error(`declareEvent(${type}): bad or repeated field ${k}`);
    seen.add(k);
  }
  if (declared.has(type)) throw new Error(`declareEvent(${type}): declared twice`);
  const d = lazyDeclaration(type, list);
  declared.set(type, d);
  return d as unknown as DeclaredEvent<K>;
}

type Build = DeclaredEvent<EventType>['build'];
type Write = DeclaredEvent<EventType>['write'];
type Mutable<T> = { -readonly [P in keyof T]: T[P] };

/**
 * The declaration, its `build` and `write` compiled when first called, not when the module
 * loads: every start of the command line declared the 37 types, and `new Function` for both
 * ways out of each (parsed and compiled each time: a code cache holds no such function) was
 * a tenth of its start-up CPU above node's, for types a capture may never emit and, with
 * `events`' bytes path, a `build` it never calls. The first call puts the compiled function
 * in the declaration's place; a stub someone kept still calls the one compiled function.
 */
function lazyDeclaration(type: EventType, keys: readonly string[]): DeclaredEvent<EventType> {
  let build: Build | undefined;
  let write: Write | undefined;
  const d: Mutable<DeclaredEvent<EventType>> = {
    type,
    keys,
    build: (frame, ts, flow, dir, fields) => {
      build ??= compileBuild(type, keys);
      d.build = build;
      return build(frame, ts, flow, dir, fields);
    },
    write: (out, frame, ts, flow, dir, fields) => {
      write ??= compileWrite(type, keys);
      d.write = write;
      write(out, frame, ts, flow, dir, fields);
    },
  };
  return d;
}

/** makeEvent's compiled object literal (event-literal.ts) for this type's one field list. */
function compileBuild(type: string, keys: readonly string[]): Build {
  const build = compileBuilder(keys);
  return (frame, ts, flow, dir, f) => build(type, frame, ts, flow, dir, f as EventFields);
}

/**
 * Straight-line code: the constant head `{"type":"x","frame":`, the base values, then per
 * field one property read and, when defined, its pre-encoded `,"key":` and its value.
 */
function compileWrite(type: string, keys: readonly string[]): Write {
  const consts: Uint8Array[] = [
    bytesOf(`{"type":${jsonString(type)},"frame":`),
    bytesOf(',"ts":'),
    bytesOf(',"flow":null'),
    bytesOf(',"flow":'),
    bytesOf(',"dir":null'),
    bytesOf(',"dir":"c2s"'),
    bytesOf(',"dir":"s2c"'),
    bytesOf(',"dir":'),
    ...keys.map((k) => bytesOf(',' + jsonString(k) + ':')),
  ];
  let body = `return function write(o, frame, ts, flow, dir, f) {
  o.begin(HEAD); o.num(frame); o.raw(TS); o.ts(ts);
  if (flow === null) o.raw(FLOW_NULL); else { o.raw(FLOW); o.num(flow); }
  if (dir === null) o.raw(DIR_NULL); else if (dir === 'c2s') o.raw(DIR_C2S); else if (dir === 's2c') o.raw(DIR_S2C); else { o.raw(DIR); o.str(dir); }
  let v;
`;
  keys.forEach((k, i) => {
    body += `  v = f[${JSON.stringify(k)}]; if (v !== undefined) { o.raw(K${i}); o.value(v); }\n`;
  });
  body += '  o.end();\n};';
  const names = ['HEAD', 'TS', 'FLOW_NULL', 'FLOW', 'DIR_NULL', 'DIR_C2S', 'DIR_S2C', 'DIR', ...keys.map((_, i) => `K${i}`)];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are checked above and quoted; the rest is constant
  return new Function(...names, body)(...consts) as Write;
}
