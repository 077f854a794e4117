export { fit, fitRight } from '../plot/text.js';

export { formatBytes, formatSeconds } from '../report/format.js';
export { num, show } from '../report/show.js';
import { show } from '../report/show.js';

export const endpointText = (addr: unknown, port: unknown): string => {
  const a = show(addr);
  return a.includes(':') ? `[${a}]:${show(port)}` : `${a}:${show(port)}`;
};

/** Seconds since the flow began, in the unit that reads best. */
export function relativeTime(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1e3).toFixed(3)} ms`;
  return `${seconds.toFixed(6)} s`;
}

