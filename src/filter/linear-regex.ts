import { setFlagsFromString } from 'node:v8';

/**
 * `matches` runs on V8's linear-time regular expression engine (the `l` flag: a
 * breadth-first automaton, the RE2 approach), so no pattern can hang a run: `^(a+)+$`
 * against 41 characters takes as long as against 4, where the default backtracking engine
 * takes forever. The price is RE2's: no backreferences and no lookaround; such a pattern is
 * refused when the filter is parsed, with the reason.
 *
 * Node 20's linear engine has no `i` flag, and `matches` is case-insensitive (as in
 * Wireshark), so the subject is lower-cased and so are the pattern's literal letters;
 * escapes whose case carries meaning (`\D`, `\W`, `\S`, `\B`) are kept.
 */
setFlagsFromString('--enable-experimental-regexp-engine');

export interface LinearRegex {
  test(subject: string): boolean;
}

/** Lower-cases the letters of a pattern that stand for themselves. */
export function foldPattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== '\\' || i + 1 >= pattern.length) {
      out += c.toLowerCase();
      continue;
    }
    const n = pattern[++i]!;
    // `\x47` and `\u0047` are letters too: the subject is lower-cased, so they must be.
    const code = n === 'x' ? /^[0-9a-fA-F]{2}/.exec(pattern.slice(i + 1, i + 3)) : n === 'u' ? /^[0-9a-fA-F]{4}/.exec(pattern.slice(i + 1, i + 5)) : null;
    if (code) {
      const lower = String.fromCharCode(parseInt(code[0], 16)).toLowerCase().charCodeAt(0);
      out += n === 'x' && lower < 0x100 ? `\\x${lower.toString(16).padStart(2, '0')}` : `\\u${lower.toString(16).padStart(4, '0')}`;
      i += code[0].length;
      continue;
    }
    if ('DWSB'.includes(n)) out += `\\${n}`;
    else if (n >= 'A' && n <= 'Z') out += n.toLowerCase(); // `\Q` is the letter Q: fold it as a letter
    else out += `\\${n}`;
  }
  return out;
}

const cache = new Map<string, LinearRegex>();
const CACHE_MAX = 256;

function build(pattern: string): LinearRegex {
  const re = new RegExp(foldPattern(pattern), 'l');
  return { test: (subject) => re.test(subject.toLowerCase()) };
}

/** Why a pattern cannot be used, or null. */
export function linearRegexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (err) {
    return (err as Error).message;
  }
  try {
    build(pattern);
    return null;
  } catch {
    return 'backreferences and lookaround cannot run in linear time and are not supported';
  }
}

/** The compiled pattern (compiled once per filter, not once per value). */
export function linearRegex(pattern: string): LinearRegex {
  let re = cache.get(pattern);
  if (re === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    re = build(pattern);
    cache.set(pattern, re);
  }
  return re;
}
