import { describe, expect, it } from 'vitest';
import { parseReplyLine as ftpReply } from '../../src/protocols/ftp/parser.js';
import { parseReplyLine as smtpReply } from '../../src/protocols/smtp/parser.js';

/** The regex parsers the hand-written ones replaced (issue 18): the same result on every line. */
function ftpReference(line: string): ReturnType<typeof ftpReply> {
  const m = /^(\d{3})(?:([ -])(.*)|$)/.exec(line);
  if (!m) {
    if (/^\d/.test(line)) return { kind: 'bad_code', text: line };
    return { kind: 'none', text: line };
  }
  const code = Number(m[1]);
  if (code < 100 || code >= 600) return { kind: 'bad_code', text: line };
  return { kind: 'reply', code, sep: (m[2] as ' ' | '-' | undefined) ?? ' ', text: m[3] ?? '' };
}

function smtpReference(line: string): ReturnType<typeof smtpReply> {
  const m = /^([2-5]\d\d)(?:([ -])(.*)|$)/.exec(line);
  if (!m) return { ok: false, text: line };
  return { ok: true, code: Number(m[1]), last: m[2] !== '-', text: m[3] ?? '' };
}

describe('reply lines of FTP and SMTP', () => {
  it('parse as the regexes did', () => {
    const pieces = ['2', '5', '0', '9', '1', '6', ' ', '-', 'a', 'OK', '\r', '\n', '\u2028', '\u2029', '\t', 'é', '.'];
    let x = 7;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % 1000;
    };
    const lines = ['', '250', '250 ', '250-', '250 OK', '250-first', '220 a\rb', '220 a\u2028b', '099 x', '600 x', '1234', '12', 'abc', '550\r'];
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const len = next() % 9;
      for (let k = 0; k < len; k++) s += pieces[next() % pieces.length];
      lines.push(s);
    }
    for (const line of lines) {
      expect(ftpReply(line), JSON.stringify(line)).toEqual(ftpReference(line));
      expect(smtpReply(line), JSON.stringify(line)).toEqual(smtpReference(line));
    }
  });
});
