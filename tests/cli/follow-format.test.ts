/**
 * `follow` formats the stream chunk by chunk (issue 19: joining each chunk onto the run so
 * far was quadratic, 116 s for 20 MB). The output must be what formatting each joined run
 * gives, whatever the chunk boundaries: lines and CRLFs split across chunks, hex rows
 * that span chunks, gaps, direction changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FollowFormatter } from '../../src/cli/follow-format.js';
import type { Direction } from '../../src/events/event.js';
import { visibleLines } from '../../src/report/safe-text.js';

type Piece = { dir: Direction; data: Uint8Array } | { dir: Direction; gap: number };

/** The reference: join runs first, then format each whole run (what `follow` did before). */
function reference(pieces: Piece[], hex: boolean): string {
  const runs: Piece[] = [];
  for (const p of pieces) {
    const last = runs[runs.length - 1];
    if (last && 'data' in last && 'data' in p && last.dir === p.dir) runs[runs.length - 1] = { dir: p.dir, data: Buffer.concat([last.data, p.data]) };
    else runs.push(p);
  }
  const offset = { c2s: 0, s2c: 0 };
  let out = '';
  for (const p of runs) {
    const mark = p.dir === 'c2s' ? '>' : '<';
    if ('gap' in p) {
      out += `${mark} [${p.gap} bytes missing]\n`;
      offset[p.dir] += p.gap;
      continue;
    }
    if (hex) {
      for (let i = 0; i < p.data.length; i += 16) {
        const row = p.data.subarray(i, i + 16);
        const h = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        const a = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
        out += `${mark} ${(offset[p.dir] + i).toString(16).padStart(8, '0')}  ${h.padEnd(47)}  ${a}\n`;
      }
    } else {
      const lines = visibleLines(Buffer.from(p.data).toString('latin1').replace(/\r\n/g, '\n')).split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      out += lines.map((l) => `${mark} ${l}\n`).join('');
    }
    offset[p.dir] += p.data.length;
  }
  return out;
}

function formatted(pieces: Piece[], hex: boolean): string {
  const parts: Buffer[] = [];
  const f = new FollowFormatter(hex, (t) => parts.push(typeof t === 'string' ? Buffer.from(t, 'utf8') : Buffer.from(t)));
  for (const p of pieces) {
    if ('gap' in p) f.gap(p.dir, p.gap);
    else f.data(p.dir, p.data);
  }
  f.finish();
  return Buffer.concat(parts).toString('utf8');
}

const byteArb = fc.constantFrom(0x0d, 0x0a, 0x41, 0x62, 0x20, 0x09, 0x1b, 0x00, 0xe9, 0x7f, 0x9b);
const pieceArb: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ dir: fc.constantFrom<Direction>('c2s', 's2c'), data: fc.uint8Array({ maxLength: 40 }).chain((a) => fc.array(byteArb, { minLength: a.length, maxLength: a.length }).map((b) => Uint8Array.from(b))) }) },
  { weight: 1, arbitrary: fc.record({ dir: fc.constantFrom<Direction>('c2s', 's2c'), gap: fc.integer({ min: 1, max: 100 }) }) },
);

describe('FollowFormatter', () => {
  it('gives what formatting the joined runs gives, for any chunking (text and hex)', () => {
    fc.assert(
      fc.property(fc.array(pieceArb, { maxLength: 30 }), fc.boolean(), (pieces, hex) => {
        expect(formatted(pieces, hex)).toBe(reference(pieces, hex));
      }),
      { numRuns: 500 },
    );
  });

  it('a CRLF split between chunks is one line end; a lone CR at the end of a run is shown', () => {
    const enc = (s: string) => Buffer.from(s, 'latin1');
    expect(formatted([{ dir: 'c2s', data: enc('ab\r') }, { dir: 'c2s', data: enc('\ncd') }], false)).toBe('> ab\n> cd\n');
    expect(formatted([{ dir: 'c2s', data: enc('ab\r') }, { dir: 's2c', data: enc('x\n') }], false)).toBe('> ab\\x0d\n< x\n');
  });

  it('holds only the current line: an 8 MB stream in 1448-byte chunks is formatted once', () => {
    const chunk = Buffer.from('the quick brown fox jumps over the lazy dog\r\n'.repeat(33).slice(0, 1448), 'latin1');
    let bytes = 0;
    const f = new FollowFormatter(false, (t) => {
      bytes += t.length;
    });
    for (let sent = 0; sent < 8 << 20; sent += chunk.length) f.data('c2s', chunk);
    f.finish();
    expect(bytes).toBeGreaterThan(8 << 20);
  });
});
