import { describe, expect, it } from 'vitest';
import { pop3Descriptor as pop3, probePop3 } from '../../src/protocols/pop3/index.js';
import { isMultiline, parseStatus } from '../../src/protocols/pop3/parser.js';
import { comparable, runStream, type Chunk } from '../support/dissector-harness.js';

const c = (s: string): Chunk => ({ dir: 'c2s', bytes: s });
const s = (t: string): Chunk => ({ dir: 's2c', bytes: t });

const MSG = 'From: a@x\r\nTo: b@y\r\nSubject: hi\r\n\r\n..dot line\r\nbody\r\n';
const SESSION: Chunk[] = [
  s('+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n'),
  c('CAPA\r\n'),
  s('+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n'),
  c('AUTH PLAIN\r\n'),
  s('+ \r\n'),
  c('AGJvYgBzZWNyZXQ=\r\n'),
  s('+OK logged in\r\n'),
  c('STAT\r\nLIST\r\n'),
  s('+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n'),
  c('RETR 1\r\n'),
  s('+OK 120 octets\r\n' + MSG + '.\r\n'),
  c('DELE 1\r\nQUIT\r\n'),
  s('+OK deleted\r\n+OK bye\r\n'),
];

describe('POP3', () => {
  it('parses status lines and knows multi-line commands', () => {
    expect(parseStatus('+OK 2 320')).toEqual({ kind: 'status', status: '+OK', msg: '2 320' });
    expect(parseStatus('-ERR')).toEqual({ kind: 'status', status: '-ERR', msg: '' });
    expect(parseStatus('+ ').kind).toBe('continuation');
    expect(isMultiline('LIST', '')).toBe(true);
    expect(isMultiline('LIST', '1')).toBe(false);
    expect(isMultiline('TOP', '1 10')).toBe(true);
  });

  it('pairs commands, reads multi-line responses, parses retrieved messages, decodes AUTH', () => {
    const rec = runStream(pop3, SESSION, { mode: 'whole' }, { wantsObjects: true });
    expect(rec.events.filter((e) => e.type === 'pop3.reply').map((e) => e['status'])).toEqual(Array(8).fill('+OK'));
    expect(rec.events.find((e) => e.type === 'credentials')).toMatchObject({ protocol: 'pop3', user: 'bob', secret: 'secret', mechanism: 'plain', success: true });
    expect(rec.events.find((e) => e.type === 'pop3.message')).toMatchObject({ number: 1, subject: 'hi', size: MSG.length - 1 });
    expect(rec.events.find((e) => e.type === 'pop3.session')).toMatchObject({ user: 'bob', listed: [1, 2], retrieved: [1], deleted: [1] });
    expect(Buffer.from(rec.objects[0]!.data).toString()).toBe(MSG.replace('..dot', '.dot'));
    expect(rec.events.filter((e) => e.type === 'anomaly')).toEqual([]);
  });

  it('gives the same events at every split point and byte by byte', () => {
    const whole = comparable(runStream(pop3, SESSION).events);
    expect(comparable(runStream(pop3, SESSION, { mode: 'bytes' }).events)).toEqual(whole);
    for (let at = 1; at < 80; at++) expect(comparable(runStream(pop3, SESSION, { mode: 'at', at }).events)).toEqual(whole);
  });

  it('recovers from a listing without its terminating dot', () => {
    const rec = runStream(pop3, [s('+OK\r\n'), c('LIST\r\n'), s('+OK\r\n1 120\r\n'), c('RETR 1\r\n'), s('+OK follows\r\nSubject: x\r\n\r\nb\r\n.\r\n')]);
    expect(rec.events.filter((e) => e.type === 'anomaly').map((e) => e['code'])).toEqual(['pop3.unterminated_block']);
    expect(rec.events.find((e) => e.type === 'pop3.message')).toMatchObject({ subject: 'x' });
  });

  it('APOP credentials, STLS, and detection', () => {
    const rec = runStream(pop3, [s('+OK <x@y>\r\n'), c('APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTLS\r\n'), s('+OK\r\n+OK begin TLS\r\n'), s('\x16\x03\x03junk')]);
    expect(rec.events.find((e) => e.type === 'credentials')).toMatchObject({ user: 'mrose', mechanism: 'apop' });
    expect(rec.events.filter((e) => e.type === 'pop3.encrypted')).toHaveLength(1);
    const b = (t: string) => Buffer.from(t);
    expect(probePop3(b('+OK ready\r\n'), 's2c')).toBe('match');
    expect(probePop3(b('220 ESMTP\r\n'), 's2c')).toBe('no');
    expect(probePop3(b('CAPA\r\n'), 'c2s')).toBe('match');
    expect(probePop3(b('USER bob\r\n'), 'c2s')).toBe('need_more');
    expect(probePop3(b('EHLO x\r\n'), 'c2s')).toBe('no');
  });
});
