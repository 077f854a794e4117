/**
 * Events cross to the main thread by structured clone, which keeps plain data but not
 * classes: Timestamps travel as `{ $ts: [sec, ns] }` and are rebuilt on arrival.
 */
import type { WireEvent } from '../../events/event.js';
import type { JsonValue } from '../../events/json.js';
import { Timestamp } from '../../events/time.js';

type Packed = null | boolean | number | string | Packed[] | { [key: string]: Packed };

export function packEvent(e: WireEvent): Packed {
  return pack(e as JsonValue);
}

export function unpackEvent(p: Packed): WireEvent {
  return unpack(p) as WireEvent;
}

function pack(v: JsonValue | undefined): Packed {
  if (v === null || v === undefined || typeof v !== 'object') return (v ?? null) as Packed;
  if (v instanceof Timestamp) return { $ts: [v.sec, v.ns] };
  if (Array.isArray(v)) return (v as readonly JsonValue[]).map(pack);
  const out: { [key: string]: Packed } = {};
  for (const key in v as object) {
    const x = (v as { [key: string]: JsonValue | undefined })[key];
    if (x !== undefined) out[key] = pack(x);
  }
  return out;
}

function unpack(p: Packed): JsonValue {
  if (p === null || typeof p !== 'object') return p;
  if (Array.isArray(p)) return p.map(unpack);
  const ts = p.$ts;
  if (Array.isArray(ts) && ts.length === 2 && Object.keys(p).length === 1) return new Timestamp(ts[0] as number, ts[1] as number);
  const out: { [key: string]: JsonValue } = {};
  for (const key in p) out[key] = unpack(p[key]!);
  return out;
}
