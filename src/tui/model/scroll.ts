/** Keeps the cursor on screen: the first row to draw for a cursor, given the previous one. */
export function scrollTop(cursor: number, top: number, height: number, count: number): number {
  let t = top;
  if (cursor < t) t = cursor;
  if (cursor >= t + height) t = cursor - height + 1;
  return Math.max(0, Math.min(t, Math.max(0, count - height)));
}
