import { describe, expect, it } from 'vitest';
import { ftpDescriptor as ftp, probeFtp } from '../../src/protocols/ftp/index.js';
import { joinPath, parseEprt, parseEpsv, parseHostPort, parseQuotedPath, parseReplyLine, normalizeIpv6 } from '../../src/protocols/ftp/parser.js';
import { comparable, recordingContext, runStream, type Chunk } from '../support/dissector-harness.js';

const c = (s: string): Chunk => ({ dir: 'c2s', bytes: s });
const s = (t: string): Chunk => ({ dir: 's2c', bytes: t });

const SESSION: Chunk[] = [
  s('220-Welcome\r\n220-to the\r\n220 FTP server\r\n'),
  c('USER anonymous\r\n'),
  s('331 Guest login ok, send your email as password.\r\n'),
  c('PASS guest@example.com\r\n'),
  s('230 Guest login ok.\r\n'),
  c('PWD\r\n'),
  s('257 "/home/ftp" is current directory\r\n'),
  c('CWD pub\r\n'),
  s('250 CWD command successful\r\n'),
  c('TYPE I\r\n'),
  s('200 Type set to I\r\n'),
  c('PASV\r\n'),
  s('227 Entering Passive Mode (10,0,0,2,200,10).\r\n'),
  c('RETR file.bin\r\n'),
  s('150 Opening BINARY mode data connection for file.bin (5 bytes)\r\n'),
  s('226 Transfer complete.\r\n'),
  c('CDUP\r\n'),
  s('250 ok\r\n'),
  c('QUIT\r\n'),
  s('221 Goodbye.\r\n'),
];

describe('FTP parsers', () => {
  it('reads reply lines', () => {
    expect(parseReplyLine('220 ready')).toEqual({ kind: 'reply', code: 220, sep: ' ', text: 'ready' });
    expect(parseReplyLine('230-')).toEqual({ kind: 'reply', code: 230, sep: '-', text: '' });
    expect(parseReplyLine('226')).toEqual({ kind: 'reply', code: 226, sep: ' ', text: '' });
    expect(parseReplyLine('99 PASV invalid').kind).toBe('bad_code');
    expect(parseReplyLine('999 nope').kind).toBe('bad_code');
    expect(parseReplyLine('SYST not supported').kind).toBe('none');
  });
  it('reads data channel addresses', () => {
    expect(parseHostPort('Entering Passive Mode (199,233,217,249,221,90)')).toEqual({ addr: '199.233.217.249', port: 221 * 256 + 90 });
    expect(parseHostPort('1,2,3,256,1,1')).toBeNull();
    expect(parseEprt('|1|132.235.1.2|6275|')).toEqual({ addr: '132.235.1.2', port: 6275 });
    expect(parseEprt('|2|1080:0:0:0:8:800:200C:417A|5282|')).toEqual({ addr: '1080::8:800:200c:417a', port: 5282 });
    expect(parseEprt('|3|x|1|')).toBeNull();
    expect(parseEpsv('Entering Extended Passive Mode (|||6446|)')).toBe(6446);
    expect(parseEpsv('(|||99999|)')).toBeNull();
    expect(normalizeIpv6('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
  });
  it('resolves paths as the server does', () => {
    expect(parseQuotedPath('"/a ""b""" is cwd')).toBe('/a "b"');
    expect(joinPath('/home/ftp', 'pub')).toBe('/home/ftp/pub');
    expect(joinPath('/home/ftp', '../x/./y')).toBe('/home/x/y');
    expect(joinPath('/', '..')).toBe('/');
    expect(joinPath(null, 'pub/file')).toBe('pub/file');
    expect(joinPath('/a', '/etc/passwd')).toBe('/etc/passwd');
  });
});

describe('FTP dissector', () => {
  it('pairs commands and replies, tracks login and directory, links the data channel', () => {
    const rec = runStream(ftp, SESSION, { mode: 'whole' }, { wantsObjects: true });
    const types = rec.events.map((e) => e.type);
    expect(types.filter((t) => t === 'ftp.command')).toHaveLength(9);
    expect(types.filter((t) => t === 'ftp.reply')).toHaveLength(11);
    const greeting = rec.events.find((e) => e.type === 'ftp.reply')!;
    expect(greeting).toMatchObject({ code: 220, multiline: true, msg: 'Welcome\nto the\nFTP server' });
    expect(rec.events.find((e) => e.type === 'credentials')).toMatchObject({ protocol: 'ftp', user: 'anonymous', secret: 'guest@example.com', success: true });
    expect(rec.expectations).toHaveLength(1);
    expect(rec.expectations[0]!.responder).toEqual({ addr: '10.0.0.2', port: 200 * 256 + 10 });
    // No data connection came in this run: no transfer is invented.
    expect(types).not.toContain('ftp.transfer');
    const retr = rec.events.find((e) => e.type === 'ftp.transaction' && e['command'] === 'RETR')!;
    expect(retr).toMatchObject({ reply_code: 226, preliminary: [150], cwd: '/home/ftp/pub', file_size: 5 });
    const session = rec.events.find((e) => e.type === 'ftp.session')!;
    expect(session).toMatchObject({ user: 'anonymous', anonymous: true, failed_logins: 0, cwd: '/home/ftp', cwd_history: ['/home/ftp', '/home/ftp/pub', '/home/ftp'] });
  });

  it('gives the same events at every split point and byte by byte', () => {
    const whole = comparable(runStream(ftp, SESSION).events);
    expect(comparable(runStream(ftp, SESSION, { mode: 'bytes' }).events)).toEqual(whole);
    const longest = Math.max(...SESSION.map((x) => x.bytes.length));
    for (let at = 1; at < longest; at++) expect(comparable(runStream(ftp, SESSION, { mode: 'at', at }).events)).toEqual(whole);
  });

  function withData(order: 'data-first' | 'reply-first', active = false) {
    const rec = recordingContext({ wantsObjects: true });
    const d = ftp.createStream!(rec.ctx);
    const feed = (dir: 'c2s' | 's2c', t: string, frame: number) => {
      rec.at(frame);
      d.data(dir, Buffer.from(t));
    };
    feed('c2s', 'USER bob\r\n', 1);
    feed('s2c', '331 pw\r\n', 2);
    feed('c2s', 'PASS wrong\r\n', 3);
    feed('s2c', '530 Login incorrect.\r\n', 4);
    feed('c2s', 'PASS hunter2\r\n', 5);
    feed('s2c', '230 ok\r\n', 6);
    if (active) {
      feed('c2s', 'EPRT |1|10.0.0.1|5000|\r\n', 7);
      feed('s2c', '200 ok\r\n', 8);
    } else {
      feed('c2s', 'PASV\r\n', 7);
      feed('s2c', '227 Entering Passive Mode (192,168,1,9,4,1)\r\n', 8);
    }
    feed('c2s', 'STOR up.txt\r\n', 9);
    feed('s2c', '150 go\r\n', 10);
    const exp = rec.expectations[0]!;
    const dataRec = recordingContext({ flow: { id: 2 }, wantsObjects: true });
    dataRec.at(11);
    const dd = exp.create(dataRec.ctx);
    dd.data('c2s', Buffer.from('hello '));
    dataRec.at(12);
    dd.data('c2s', Buffer.from('world'));
    if (order === 'data-first') {
      dd.end!('c2s', 'fin');
      feed('s2c', '226 done\r\n', 13);
    } else {
      feed('s2c', '226 done\r\n', 13);
      dd.end!('c2s', 'fin');
    }
    d.close();
    dd.close();
    return rec;
  }

  it('emits ftp.transfer when both data and the final reply are in, whichever comes last', () => {
    for (const order of ['data-first', 'reply-first'] as const) {
      const rec = withData(order);
      const t = rec.events.filter((e) => e.type === 'ftp.transfer');
      expect(t, order).toHaveLength(1);
      expect(t[0]).toMatchObject({ command: 'STOR', file: 'up.txt', direction: 'upload', mode: 'passive', data_flow: 2, bytes: 11, complete: true, reply_code: 226, nat: true });
      expect(t[0]!['duration']).toBe(1);
      expect(t[0]!['throughput_bps']).toBe(88);
      expect(rec.objects).toHaveLength(1);
      expect(Buffer.from(rec.objects[0]!.data).toString()).toBe('hello world');
      // NAT: the real server address is expected too.
      expect(rec.expectations.map((e) => e.responder.addr)).toEqual(['192.168.1.9', '10.0.0.2']);
      const session = rec.events.find((e) => e.type === 'ftp.session')!;
      expect(session['failed_logins']).toBe(1);
      const creds = rec.events.filter((e) => e.type === 'credentials');
      expect(creds.map((e) => [e['secret'], e['success']])).toEqual([['wrong', false], ['hunter2', true]]);
    }
  });

  it('active mode expects the client endpoint from EPRT', () => {
    const rec = withData('reply-first', true);
    expect(rec.expectations[0]!.responder).toEqual({ addr: '10.0.0.1', port: 5000 });
    expect(rec.events.find((e) => e.type === 'ftp.transfer')).toMatchObject({ mode: 'active', nat: false });
  });

  it('marks the connection encrypted after AUTH TLS is accepted and ignores the rest', () => {
    const rec = runStream(ftp, [s('220 FTP\r\n'), c('AUTH TLS\r\n'), s('234 go\r\n'), c('\x16\x03\x01\x00\x05hello'), s('\x16\x03\x03garbage\r\n')]);
    expect(rec.events.filter((e) => e.type === 'ftp.encrypted')).toHaveLength(1);
    expect(rec.events.filter((e) => e.type === 'ftp.reply')).toHaveLength(2);
    expect(rec.events.filter((e) => e.type === 'anomaly')).toHaveLength(0);
    expect(rec.events.find((e) => e.type === 'ftp.session')).toMatchObject({ tls: true });
  });

  it('turns bad and missing reply codes into anomalies and keeps pairing', () => {
    const rec = runStream(ftp, [s('220 x\r\n'), c('PASV\r\n'), s('99 PASV invalid\r\n'), c('SYST\r\n'), s('SYST not supported\r\n'), c('QUIT\r\n'), s('221 Bye\r\n')]);
    expect(rec.events.filter((e) => e.type === 'anomaly').map((e) => e['code'])).toEqual(['ftp.bad_reply_code', 'ftp.missing_reply_code']);
    const quit = rec.events.find((e) => e.type === 'ftp.transaction' && e['command'] === 'QUIT')!;
    expect(quit['reply_code']).toBe(221);
    expect(rec.events.filter((e) => e.type === 'ftp.reply').map((e) => e['code'])).toEqual([220, 221]);
  });

  it('pairs pipelined commands in order and flags an unexpected reply', () => {
    const rec = runStream(ftp, [s('220 x\r\n'), c('NOOP\r\nNOOP\r\nSYST\r\n'), s('200 a\r\n200 b\r\n215 UNIX\r\n250 extra\r\n')]);
    const tx = rec.events.filter((e) => e.type === 'ftp.transaction').map((e) => [e['command'], e['reply_code']]);
    expect(tx).toEqual([['NOOP', 200], ['NOOP', 200], ['SYST', 215]]);
    expect(rec.events.filter((e) => e.type === 'anomaly').map((e) => e['code'])).toEqual(['ftp.unexpected_reply']);
  });

  it('counts a gap in a data transfer and marks it incomplete', () => {
    const rec = recordingContext();
    const d = ftp.createStream!(rec.ctx);
    d.data('s2c', Buffer.from('220 x\r\n'));
    d.data('c2s', Buffer.from('PORT 10,0,0,1,1,2\r\n'));
    d.data('s2c', Buffer.from('200 ok\r\n'));
    d.data('c2s', Buffer.from('RETR a\r\n'));
    const dataRec = recordingContext({ flow: { id: 3 } });
    const dd = rec.expectations[0]!.create(dataRec.ctx);
    dd.data('s2c', Buffer.from('abc'));
    dd.gap('s2c', 100);
    dd.data('s2c', Buffer.from('def'));
    dd.close();
    d.data('s2c', Buffer.from('226 ok\r\n'));
    d.close();
    expect(rec.events.find((e) => e.type === 'ftp.transfer')).toMatchObject({ bytes: 6, missed_bytes: 100, complete: false });
    expect(dataRec.events.map((e) => e['code'])).toEqual(['ftp.data_gap']);
  });

  it('emits a transfer whose data flow never finished at close, marked incomplete', () => {
    const rec = recordingContext();
    const d = ftp.createStream!(rec.ctx);
    d.data('c2s', Buffer.from('EPSV\r\n'));
    d.data('s2c', Buffer.from('229 Entering Extended Passive Mode (|||6446|)\r\n'));
    d.data('c2s', Buffer.from('LIST -la\r\n'));
    const dd = rec.expectations[0]!.create(recordingContext({ flow: { id: 4 } }).ctx);
    dd.data('s2c', Buffer.from('drwx ...\r\n'));
    d.close();
    expect(rec.expectations[0]!.responder).toEqual({ addr: '10.0.0.2', port: 6446 });
    expect(rec.events.find((e) => e.type === 'ftp.transfer')).toMatchObject({ direction: 'listing', file: null, complete: false, incomplete: true, reply_code: null });
  });

  it('detects FTP by greeting and by commands, and leaves bare 220 undecided', () => {
    const b = (t: string) => Buffer.from(t);
    expect(probeFtp(b('220 ProFTPD Server ready\r\n'), 's2c')).toBe('match');
    expect(probeFtp(b('220 mail.example.com ESMTP Postfix\r\n'), 's2c')).toBe('no');
    expect(probeFtp(b('220 hello\r\n'), 's2c')).toBe('need_more');
    expect(probeFtp(b('22'), 's2c')).toBe('need_more');
    expect(probeFtp(b('USER bob\r\n'), 'c2s')).toBe('need_more');
    expect(probeFtp(b('USER bob\r\nPASS x\r\nSYST\r\n'), 'c2s')).toBe('match');
    expect(probeFtp(b('FEAT\r\n'), 'c2s')).toBe('match');
    expect(probeFtp(b('EHLO me\r\n'), 'c2s')).toBe('no');
    expect(probeFtp(b('GET / HTTP/1.1\r\n'), 'c2s')).toBe('no');
    expect(probeFtp(b('220 vsFTPd 3.0\r\n'), 'c2s')).toBe('match_reversed');
    expect(probeFtp(b('\x16\x03\x01'), 's2c')).toBe('no');
  });

  it('never throws on hostile input', () => {
    const junk: Chunk[] = [s('220-a\r\n' + '9'.repeat(5000) + '\r\n'), c('PORT 999,1,1\r\nEPRT |9|\r\n\x00\xff\r\n'), s('227 (1,2,3,4,5)\r\n')];
    expect(() => runStream(ftp, junk, { mode: 'bytes' }, { limits: { max_line: 100 } })).not.toThrow();
  });
});
