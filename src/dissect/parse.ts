/**
 * The one "need more bytes" contract of the pure parsers (docs/ARCHITECTURE.md, "Parsers").
 * Wherever a parser may be looking at a prefix of what is coming, "cannot tell yet" is
 * spelled `need_more`:
 *
 * - a parser of the next unit of a growing byte stream (a record, frame, head, handshake,
 *   instruction) returns `Parsed<T>`: `done(value, consumed)`, `needMore(need)`, or
 *   `fail(reason, consumed)`;
 * - a judgement of a prefix (a probe, "could a frame start here?") returns a `Verdict`
 *   (`ProbeResult` for probes), whose undecided answer is the same `'need_more'`.
 *
 * A reader of a field inside a unit that is already whole (a varint in a QUIC packet, a name
 * in a DNS message, a DER element) returns its value or `null`: there, running past the end
 * is a malformed unit, never a request for more bytes. Parsers never throw for control flow.
 */
export type Parsed<T> =
  | { readonly kind: 'done'; readonly value: T; readonly consumed: number }
  | NeedMore
  | { readonly kind: 'error'; readonly reason: string; readonly consumed: number };

/** `need` is the least number of extra bytes that could help (1 when unknown). */
export interface NeedMore {
  readonly kind: 'need_more';
  readonly need: number;
}

/**
 * "Need more, how much unknown": one frozen object, so a parser on a hot path (a record or
 * frame header cut by a segment boundary) allocates nothing to say it.
 */
export const NEED_MORE: NeedMore = Object.freeze({ kind: 'need_more', need: 1 });

/** A yes/no judgement of a prefix that may still grow. */
export type Verdict = 'yes' | 'no' | 'need_more';

export const done = <T>(value: T, consumed: number): Parsed<T> => ({ kind: 'done', value, consumed });
export const needMore = (need = 1): NeedMore => (need <= 1 ? NEED_MORE : { kind: 'need_more', need });
export const fail = <T>(reason: string, consumed = 0): Parsed<T> => ({ kind: 'error', reason, consumed });
