/** Cutting and padding text to terminal columns (the UI's and the text report's). */
import { displayWidth, takeColumns } from './width.js';

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
