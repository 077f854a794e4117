import type { Direction, EventFields, WireEvent } from './event.js';
import type { Timestamp } from './time.js';

/**
 * An event object built by one compiled object literal with every key in order: V8 allocates
 * it at its final size in one step (see makeEvent in event.ts for the measurements). Shared by
 * makeEvent's per-shape builders and the declared events' `build` (declared.ts).
 */
export type Builder = (type: string, frame: number, ts: Timestamp, flow: number | null, dir: Direction | null, fields: EventFields) => WireEvent;

/** The keys every event starts with, in this order. */
export const BASE_KEYS: ReadonlySet<string> = new Set(['type', 'frame', 'ts', 'flow', 'dir']);

/** A field key an object literal writes as given: not a base key, not `__proto__`, not an array index. */
export const literalKey = (key: string): boolean => !BASE_KEYS.has(key) && key !== '__proto__' && !/^[0-9]/.test(key);

/** The builder of events whose fields are `keys` (each a `literalKey`), in that order. */
export function compileBuilder(keys: readonly string[]): Builder {
  const props = keys.map((k) => {
    const q = JSON.stringify(k);
    return `, ${q}: f[${q}]`;
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are literalKeys, quoted
  return new Function('type', 'frame', 'ts', 'flow', 'dir', 'f', `return { type, frame, ts, flow, dir${props.join('')} };`) as Builder;
}
