/** JUnit XML, which CI systems read: one test case per capture. */
import { visible, visibleLines } from './safe-text.js';

export interface CaseResult {
  name: string;
  file: string;
  seconds: number;
  failures: string[];
  /** Set when the capture could not be checked at all. */
  error: string | null;
}

const hex4 = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text for an XML attribute or element. Capture text is first made terminal-safe, as on
 * every other output (a CI log shows this file): controls, C1 and bidi overrides become
 * visible escapes, which also keeps out the characters XML 1.0 cannot carry at all. Lone
 * surrogates and U+FFFE/U+FFFF, also not XML characters, are escaped the same way.
 */
const escWith = (safe: (s: string) => string) => (s: string): string =>
  safe(s)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, hex4)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
const esc = escWith(visible);
/** Element text keeps its line breaks. */
const escText = escWith(visibleLines);

export function junitXml(suite: string, results: readonly CaseResult[]): string {
  const failures = results.filter((r) => r.failures.length).length;
  const errors = results.filter((r) => r.error).length;
  const time = results.reduce((s, r) => s + r.seconds, 0);
  const cases = results.map((r) => {
    const head = `  <testcase classname="${esc(suite)}" name="${esc(r.name)}" file="${esc(r.file)}" time="${r.seconds.toFixed(3)}"`;
    if (r.error) return `${head}>\n    <error message="${esc(r.error)}"/>\n  </testcase>`;
    if (!r.failures.length) return `${head}/>`;
    return `${head}>\n    <failure message="${esc(`${r.failures.length} difference(s)`)}">${escText(r.failures.join('\n'))}</failure>\n  </testcase>`;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuite name="${esc(suite)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">\n` +
    `${cases.join('\n')}\n</testsuite>\n`
  );
}
