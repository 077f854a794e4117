import { compileFilter, FilterSyntaxError, type CompiledFilter } from '../../filter/index.js';

export type FilterResult = { ok: true; filter: CompiledFilter | null } | { ok: false; error: string; column: number | null };

/** Any field, any value: evaluating against it builds every regular expression once. */
const PROBE = { values: () => ['probe'], isProtocol: () => false };

/**
 * The `/` prompt's expression, compiled; an empty one clears the filter. Errors come back
 * as data for the inline message, never thrown: a bad `matches` pattern is found here
 * too, by evaluating the filter once.
 */
export function compileUiFilter(text: string): FilterResult {
  const source = text.trim();
  if (!source) return { ok: true, filter: null };
  try {
    const filter = compileFilter(source);
    filter.matches(PROBE);
    return { ok: true, filter };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, error: err.message, column: err.column };
    return { ok: false, error: err instanceof Error ? err.message : String(err), column: null };
  }
}
