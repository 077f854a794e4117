/**
 * What a pure parser returns: a value and the bytes it used, a request for more bytes,
 * or an error with how many bytes to skip. Parsers never throw for control flow.
 */
export type Parsed<T> =
  | { readonly kind: 'done'; readonly value: T; readonly consumed: number }
  /** `need` is the least number of extra bytes that could help (1 when unknown). */
  | { readonly kind: 'more'; readonly need: number }
  | { readonly kind: 'error'; readonly reason: string; readonly consumed: number };

export const done = <T>(value: T, consumed: number): Parsed<T> => ({ kind: 'done', value, consumed });
export const more = <T>(need = 1): Parsed<T> => ({ kind: 'more', need });
export const fail = <T>(reason: string, consumed = 0): Parsed<T> => ({ kind: 'error', reason, consumed });
