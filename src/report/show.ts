import { Timestamp } from '../events/time.js';
import { visible } from './safe-text.js';

/**
 * Every string that came from a capture goes through `show` before Ink sees it: control
 * characters and bidi overrides become visible escapes (`\x1b`), so captured bytes are
 * displayed, never obeyed by the terminal.
 */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Timestamp) return value.toString();
  if (typeof value === 'object') return visible(JSON.stringify(value) ?? '');
  return visible(String(value));
}

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
