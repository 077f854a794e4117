/**
 * "Did you mean": the known names closest to an unknown one, by edit distance (a
 * transposition counts as one edit, as in Damerau's distance), ties broken by name.
 */

/** Optimal string alignment distance, cut off above `max` (returns max + 1 then). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `count` known names near `name`: close in spelling, or the same last part under another prefix. */
export function closest(name: string, known: Iterable<string>, count = 3): string[] {
  const lower = name.toLowerCase();
  const max = Math.max(2, Math.floor(lower.length / 4));
  const leaf = lower.slice(lower.lastIndexOf('.') + 1);
  const scored: Array<[number, string]> = [];
  for (const k of known) {
    const kl = k.toLowerCase();
    let d = editDistance(lower, kl, max);
    // `http.status` for `http.status_code`, `method` for `http.request.method`.
    if (d > max && (kl.startsWith(lower + '_') || kl.startsWith(lower + '.') || (leaf.length >= 4 && kl.endsWith('.' + leaf)))) d = max;
    if (d <= max) scored.push([d, k]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return scored.slice(0, count).map(([, k]) => k);
}

/** `"did you mean a, b or c?"`, or an empty string. */
export function didYouMean(names: readonly string[]): string {
  if (!names.length) return '';
  const last = names[names.length - 1]!;
  return ` (did you mean ${names.length === 1 ? last : `${names.slice(0, -1).join(', ')} or ${last}`}?)`;
}
