import { describe, expect, it } from 'vitest';
import { percentDecode } from '../../src/protocols/bittorrent/tracker.js';

/** The version percentDecode replaced (issue 18): a regex and two slices per escape. */
function reference(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else out.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Uint8Array.from(out);
}

describe('percentDecode', () => {
  it('decodes as the regex version did', () => {
    const units = ['%', '%2', '%41', '%fF', '%g1', 'a', 'Z', '9', '~', '\u00e9', '\u07ff', '\u0800', '\u4e2d', '\ud83d', '\ude00', '\uffff', '\u0000', '\u007f'];
    let x = 42;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % 1000;
    };
    const cases = ['', '%', '%%', '%4', '%41', 'info_hash=%12%34%ab%CD', '\ud83d\ude00', '%e9'];
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const len = next() % 12;
      for (let k = 0; k < len; k++) s += units[next() % units.length];
      cases.push(s);
    }
    for (const s of cases) expect(percentDecode(s), JSON.stringify(s)).toEqual(reference(s));
  });
});
