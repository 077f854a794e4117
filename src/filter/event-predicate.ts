import type { WireEvent } from '../events/event.js';
import { IDENTITY_TYPES } from '../events/flow-identity.js';
import { compileFilter, type CompiledFilter } from './evaluate.js';
import type { PacketFacts } from './packet-facts.js';
import { EVENT_TYPES, FAMILIES } from './registry.js';
import { eventSubject, type FlowFacts } from './subject.js';
import { closest, didYouMean } from './suggest.js';

/** Decides whether an event is written; `facts` are its flow's, taken when it was emitted; `packet` its frame's, when at hand. */
export type EventPredicate = ((e: WireEvent, facts: FlowFacts | null, packet?: PacketFacts | null) => boolean) & {
  /** The filter reads packet fields: the caller must give each event its frame's facts. */
  readonly needsPacket: boolean;
  /** ... and searches packet bytes: those facts must carry the frame's bytes (`FramePairing`'s `withBytes`). */
  readonly needsBytes: boolean;
  /** The event types `--types` selects, expanded; null when it was not given. */
  readonly types: readonly string[] | null;
};

/** An unknown `--types` entry, or a glob that matches no declared type. */
export class EventTypeError extends Error {
  constructor(
    readonly type: string,
    readonly suggestions: readonly string[],
  ) {
    super(`unknown event type ${JSON.stringify(type)}${type.endsWith('*') ? ' (it matches no event type)' : ''}${didYouMean(suggestions)}`);
  }
}

/** The declared types a `--types` entry selects: an exact type, `family.*`, or `*`. Throws `EventTypeError`. */
export function expandTypes(types: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of types) {
    const star = t.endsWith('*') ? t.slice(0, -1) : null;
    const hits = star === null ? EVENT_TYPES.filter((k) => k === t) : EVENT_TYPES.filter((k) => k.startsWith(star));
    if (!hits.length) {
      const known = [...EVENT_TYPES, ...FAMILIES.filter((f) => EVENT_TYPES.some((k) => k.startsWith(f + '.'))).map((f) => `${f}.*`)];
      throw new EventTypeError(t, closest(t, known));
    }
    for (const h of hits) out.add(h);
  }
  return [...out];
}

/**
 * `--types` (exact, `family.*` or `*`) and `--filter EXPR`, both of which must hold; null
 * when neither is given. Throws `FilterSyntaxError` (an unknown field is a
 * `FilterFieldError`) for a bad filter and `EventTypeError` for an unknown type.
 */
export function eventPredicate(types: readonly string[] | undefined, filter: string | undefined): EventPredicate | null {
  const wanted = types?.length ? new Set(expandTypes(types)) : null;
  const compiled: CompiledFilter | null = filter ? compileFilter(filter, { types: wanted ? [...wanted] : [] }) : null;
  if (!wanted && !compiled) return null;
  const accept = (e: WireEvent, facts: FlowFacts | null, packet: PacketFacts | null = null): boolean => {
    if (wanted && !wanted.has(e.type)) return false;
    return compiled ? compiled.matches(eventSubject(e, facts, packet)) : true;
  };
  return Object.assign(accept, { needsPacket: compiled?.needsPacket ?? false, needsBytes: compiled?.needsBytes ?? false, types: wanted ? [...wanted] : null });
}

/**
 * Whether `--types` selects `flow.start` or `flow.update` (by name, `flow.*` or `*`): only
 * then does `events` print them; otherwise they only tell a filter each event's flow.
 */
export function selectsIdentity(types: readonly string[] | undefined): boolean {
  return types?.length ? expandTypes(types).some((t) => IDENTITY_TYPES.includes(t)) : false;
}
