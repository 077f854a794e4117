import { compileFilter, EMPTY_SUBJECT, FilterSyntaxError, type CompiledFilter } from '../../filter/index.js';

export type FilterResult = { ok: true; filter: CompiledFilter | null } | { ok: false; error: string; column: number | null };

/**
 * The `/` prompt's expression, compiled; an empty one clears the filter. Errors come back
 * as data for the inline message, never thrown: an unknown field (with the names it is
 * closest to) and a bad `matches` pattern come back the same way.
 */
export function compileUiFilter(text: string): FilterResult {
  const source = text.trim();
  if (!source) return { ok: true, filter: null };
  try {
    // The UI matches a flow by its record too: flow.end answers packet fields from the flow.
    const filter = compileFilter(source, { types: ['flow.end'] });
    // Flows are matched by their events, and the UI keeps no packets to search.
    if (filter.needsBytes) return { ok: false, error: "a flow filter cannot search packet bytes (frame contains ...): use it in the Packets pane's / filter, which reads each frame", column: null };
    filter.matches(EMPTY_SUBJECT);
    return { ok: true, filter };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, error: err.message, column: err.column };
    return { ok: false, error: err instanceof Error ? err.message : String(err), column: null };
  }
}

/**
 * The Packets pane's `/`: a frame filter, as `packets --filter` and `tshark -Y` evaluate it
 * (packet fields read the frame, message fields the messages that frame completes).
 */
export function compilePacketFilter(text: string): FilterResult {
  const source = text.trim();
  if (!source) return { ok: true, filter: null };
  try {
    const filter = compileFilter(source);
    filter.matches(EMPTY_SUBJECT);
    return { ok: true, filter };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, error: err.message, column: err.column };
    return { ok: false, error: err instanceof Error ? err.message : String(err), column: null };
  }
}
