import { describe, expect, it } from 'vitest';
import { LineFramer, type LineHandler } from '../../src/dissect/line-framer.js';

type Out = string[];

/** A handler that records everything and switches modes on markers, like the protocols do. */
function recorder(out: Out): { handler: LineHandler; framer: (max: number) => LineFramer } {
  let framer!: LineFramer;
  const s = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  const handler: LineHandler = {
    line(buf, start, end, info) {
      const text = s(buf.subarray(start, end));
      out.push(`L:${text}${info.truncated ? '~' : ''}/${info.eol}`);
      const lit = /\{(\d+)\}$/.exec(text);
      if (lit) framer.readRaw(Number(lit[1]));
      if (text === 'DATA') framer.readDotted();
    },
    raw: (b) => out.push(`R:${s(b)}`),
    rawEnd: (missed) => out.push(`RE:${missed}`),
    body: (b, start, end) => out.push(`B:${s(b.subarray(start, end))}`),
    bodyEnd: () => out.push('BE'),
    tooLong: (limit) => out.push(`TL:${limit}`),
    gap: (n, mode) => out.push(`G:${n}:${mode}`),
  };
  return { handler, framer: (max) => (framer = new LineFramer(handler, max)) };
}

/** Raw and body pieces depend on how bytes arrive; merge adjacent pieces before comparing. */
function merged(out: Out): Out {
  const res: Out = [];
  for (const o of out) {
    const prev = res[res.length - 1];
    if (prev && o.startsWith('R:') && prev.startsWith('R:')) res[res.length - 1] = prev + o.slice(2);
    else res.push(o);
  }
  return res;
}

function run(input: string, cuts: number[], max = 64): Out {
  const out: Out = [];
  const r = recorder(out);
  const f = r.framer(max);
  let last = 0;
  for (const c of [...cuts, input.length]) {
    const piece = Uint8Array.from(Buffer.from(input.slice(last, c), 'latin1'));
    f.push(piece);
    piece.fill(0x2a); // the framer must not keep views of delivered bytes
    last = c;
  }
  return merged(out);
}

const SAMPLE =
  'A1 LOGIN {5}\r\nalice secret\r\nplain lf\nbare\rcr\r\nDATA\r\nline 1\r\n..stuffed\r\n.\r\nafter\r\n' +
  'x'.repeat(20) + '\r\n{0}\r\nend\r\n';

describe('LineFramer', () => {
  it('cuts lines at CRLF and bare LF, not at a lone CR', () => {
    expect(run('a\r\nb\nc\rd\r\n', [])).toEqual(['L:a/2', 'L:b/1', 'L:c\rd/2']);
  });

  it('delivers raw blocks and dot-unstuffed bodies', () => {
    expect(run(SAMPLE, [], 64)).toEqual([
      'L:A1 LOGIN {5}/2',
      'R:alice',
      'RE:0',
      'L: secret/2',
      'L:plain lf/1',
      'L:bare\rcr/2',
      'L:DATA/2',
      'B:line 1\r\n',
      'B:.stuffed\r\n',
      'BE',
      'L:after/2',
      `L:${'x'.repeat(20)}/2`,
      'L:{0}/2',
      'RE:0',
      'L:end/2',
    ]);
  });

  it('gives the same output at every split point, and byte by byte', () => {
    const whole = run(SAMPLE, []);
    for (let at = 0; at <= SAMPLE.length; at++) expect(run(SAMPLE, [at]), `split at ${at}`).toEqual(whole);
    const every = Array.from({ length: SAMPLE.length }, (_, i) => i);
    expect(run(SAMPLE, every)).toEqual(whole);
  });

  it('trims a line over the limit, reports it once, and skips the rest of it', () => {
    const input = 'short\r\n' + 'y'.repeat(30) + '\r\nnext\r\n';
    const whole = run(input, [], 10);
    expect(whole).toEqual(['L:short/2', 'TL:10', `L:${'y'.repeat(10)}~/0`, 'L:next/2']);
    for (let at = 0; at <= input.length; at++) expect(run(input, [at], 10)).toEqual(whole);
    expect(run(input, Array.from({ length: input.length }, (_, i) => i), 10)).toEqual(whole);
  });

  it('keeps long body lines whole in dot mode (pieces, no trimming)', () => {
    const input = 'DATA\r\n.' + 'z'.repeat(25) + '\r\n.\r\n';
    const out = run(input, [], 10).filter((o) => o.startsWith('B:'));
    expect(out.map((o) => o.slice(2)).join('')).toBe('z'.repeat(25) + '\r\n');
  });

  it('accounts a gap inside a raw block and resynchronises at the next line after a line gap', () => {
    const out: Out = [];
    const r = recorder(out);
    const f = r.framer(64);
    f.push(Buffer.from('x {10}\r\nabc'));
    f.gap(4);
    f.push(Buffer.from('efg'));
    expect(f.current).toBe('line');
    f.push(Buffer.from('half a line'));
    f.gap(3);
    f.push(Buffer.from('rest of it\r\nwhole\r\n'));
    expect(merged(out)).toEqual(['L:x {10}/2', 'R:abc', 'G:4:raw', 'R:efg', 'RE:4', 'G:3:line', 'L:whole/2']);
  });

  it('after a gap that began at a line boundary, the next bytes start a line', () => {
    const out: Out = [];
    const f = recorder(out).framer(64);
    f.push(Buffer.from('one\r\n'));
    f.gap(10);
    f.push(Buffer.from('two\r\n'));
    expect(out).toEqual(['L:one/2', 'G:10:line', 'L:two/2']);
  });

  it('in a CRLF block, a dot ended by a bare LF is content; an LF-only block still ends', () => {
    expect(run('DATA\r\na\r\n.\nb\r\n.\r\n', [])).toEqual(['L:DATA/2', 'B:a\r\n', 'B:\n', 'B:b\r\n', 'BE']);
    expect(run('DATA\na\n.\nnext\n', [])).toEqual(['L:DATA/1', 'B:a\n', 'BE', 'L:next/1']);
  });

  it('a gap running past the end of a raw block skips the partial line after it', () => {
    const out: Out = [];
    const f = recorder(out).framer(64);
    f.push(Buffer.from('x {3}\r\na'));
    f.gap(5);
    f.push(Buffer.from('tail\r\nok\r\n'));
    expect(merged(out)).toEqual(['L:x {3}/2', 'R:a', 'G:5:raw', 'RE:2', 'L:ok/2']);
  });

  it('never holds more than the limit while waiting for an end of line', () => {
    const f = recorder([]).framer(100);
    for (let i = 0; i < 1000; i++) f.push(Buffer.from('q'.repeat(37)));
    expect(f.pending).toBeLessThanOrEqual(100);
  });
});
