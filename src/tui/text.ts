import { Timestamp } from '../events/time.js';
import { visible } from '../report/safe-text.js';
import { displayWidth, takeColumns } from './width.js';

export { formatBytes, formatSeconds } from '../report/format.js';

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

/** Cut to `width` columns, marking the cut with an ellipsis; pad when `pad` is set. */
export function fit(text: string, width: number, pad = false): string {
  if (width <= 0) return '';
  const w = displayWidth(text);
  if (w > width) {
    const [head] = takeColumns(text, width - 1);
    const cut = width > 1 && displayWidth(head) <= width - 1 ? head : '';
    return cut + '…' + (pad ? ' '.repeat(Math.max(0, width - 1 - displayWidth(cut))) : '');
  }
  return pad ? text + ' '.repeat(width - w) : text;
}

/** Right-aligned cell. */
export function fitRight(text: string, width: number): string {
  const cut = fit(text, width);
  return ' '.repeat(Math.max(0, width - displayWidth(cut))) + cut;
}

export const endpointText = (addr: unknown, port: unknown): string => {
  const a = show(addr);
  return a.includes(':') ? `[${a}]:${show(port)}` : `${a}:${show(port)}`;
};

/** Seconds since the flow began, in the unit that reads best. */
export function relativeTime(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1e3).toFixed(3)} ms`;
  return `${seconds.toFixed(6)} s`;
}

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
