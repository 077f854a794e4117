import type { WireEvent } from '../events/event.js';
import type { FlowFacts } from './evaluate.js';
import { compileFilter, eventSubject } from './index.js';

/** Decides whether an event is written; `facts` are its flow's, taken when it was emitted. */
export type EventPredicate = (e: WireEvent, facts: FlowFacts | null) => boolean;

/**
 * `--types` (exact or `family.*`) and `--filter EXPR`, both of which must hold; null when
 * neither is given. Throws `FilterSyntaxError` for a bad filter.
 */
export function eventPredicate(types: readonly string[] | undefined, filter: string | undefined): EventPredicate | null {
  const wanted = types?.length ? types : null;
  const compiled = filter ? compileFilter(filter) : null;
  if (!wanted && !compiled) return null;
  return (e, facts) => {
    if (wanted && !wanted.some((t) => t === e.type || (t.endsWith('.*') && e.type.startsWith(t.slice(0, -1))))) return false;
    return compiled ? compiled.matches(eventSubject(e, facts)) : true;
  };
}
