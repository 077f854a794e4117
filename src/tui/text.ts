import { displayWidth, takeColumns } from './width.js';

export { formatBytes, formatSeconds } from '../report/format.js';
export { num, show } from '../report/show.js';
import { show } from '../report/show.js';

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

