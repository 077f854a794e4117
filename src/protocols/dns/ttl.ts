/** TTLs for people: 93784 → "1 day 2 h 3 min 4 s" (zero parts left out; 0 → "0 s"). */
export function ttlText(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  const days = Math.floor(rest / 86400);
  rest -= days * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const min = Math.floor(rest / 60);
  const s = rest - min * 60;
  // Joined as it goes (one per DNS record; an array and its join were the garbage).
  let out = days ? `${days} ${days === 1 ? 'day' : 'days'}` : '';
  if (h) out = out ? `${out} ${h} h` : `${h} h`;
  if (min) out = out ? `${out} ${min} min` : `${min} min`;
  if (s || out === '') out = out ? `${out} ${s} s` : `${s} s`;
  return out;
}
