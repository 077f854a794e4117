import { describe, expect, it } from 'vitest';
import { toJson } from '../../src/events/json.js';
import { compactJson, eventLine } from '../../src/report/ndjson.js';

describe('control characters in JSON (issue 15)', () => {
  const text = 'a\u0000b\u001bc\u007fd\u0080e\u009b[31mf\u00a0g\u00e9';
  const expected = '"a\\u0000b\\u001bc\\u007fd\\u0080e\\u009b[31mf\u00a0g\u00e9"';
  it('escapes C0, DEL and C1 controls in every writer, and nothing else', () => {
    expect(toJson(text)).toBe(expected);
    expect(toJson({ [text]: [text] }, 2)).toContain(`${expected}: [`);
    expect(compactJson({ k: text })).toBe(`{"k":${expected}}`);
    expect(compactJson({ k: [{ n: text }] })).toBe(`{"k":[{"n":${expected}}]}`);
    expect(compactJson(text)).toBe(toJson(text));
  });
  it('output parses back to the same string', () => {
    expect(JSON.parse(toJson(text))).toBe(text);
  });
  it('an event line escapes C1 in top-level and nested fields', () => {
    const line = eventLine({ type: 'anomaly', frame: 1, ts: null, flow: null, dir: null, code: 'x', detail: '\u0085', list: ['\u0099'] } as unknown as Parameters<typeof eventLine>[0]);
    expect(line).not.toMatch(/[\u007f-\u009f]/);
    expect(line).toContain('\\u0085');
    expect(line).toContain('\\u0099');
  });
});
