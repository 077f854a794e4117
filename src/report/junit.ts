/** JUnit XML, which CI systems read: one test case per capture. */
export interface CaseResult {
  name: string;
  file: string;
  seconds: number;
  failures: string[];
  /** Set when the capture could not be checked at all. */
  error: string | null;
}

const esc = (s: string): string =>
  s
    // XML 1.0 cannot carry most control characters at all, even escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function junitXml(suite: string, results: readonly CaseResult[]): string {
  const failures = results.filter((r) => r.failures.length).length;
  const errors = results.filter((r) => r.error).length;
  const time = results.reduce((s, r) => s + r.seconds, 0);
  const cases = results.map((r) => {
    const head = `  <testcase classname="${esc(suite)}" name="${esc(r.name)}" file="${esc(r.file)}" time="${r.seconds.toFixed(3)}"`;
    if (r.error) return `${head}>\n    <error message="${esc(r.error)}"/>\n  </testcase>`;
    if (!r.failures.length) return `${head}/>`;
    return `${head}>\n    <failure message="${esc(`${r.failures.length} difference(s)`)}">${esc(r.failures.join('\n'))}</failure>\n  </testcase>`;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuite name="${esc(suite)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">\n` +
    `${cases.join('\n')}\n</testsuite>\n`
  );
}
