import { describe, expect, it } from 'vitest';
import type { StreamDissector } from '../../src/dissect/contract.js';
import { imapDescriptor as imap, probeImap } from '../../src/protocols/imap/index.js';
import { comparable, recordingContext, runStream, type Chunk } from '../support/dissector-harness.js';

const c = (s: string): Chunk => ({ dir: 'c2s', bytes: s });
const s = (t: string): Chunk => ({ dir: 's2c', bytes: t });
const b64 = (t: string) => Buffer.from(t, 'latin1').toString('base64');
const codes = (events: { type: string; [k: string]: unknown }[]) => events.filter((e) => e.type === 'anomaly').map((e) => e['code']);
const ofType = (events: { type: string; [k: string]: unknown }[], type: string) => events.filter((e) => e.type === type);

const MSG = 'From: Carol <carol@x.test>\r\nTo: a@x.test\r\nSubject: Report\r\nMessage-ID: <m2@x>\r\n\r\nHello {5}\r\n)\r\n';
const UP = 'From: a@x.test\r\nSubject: Draft one\r\n\r\nbody\r\n';
const UP2 = 'Subject: plus\r\n\r\nx\r\n';

/** A session with literals both ways, LITERAL+, AUTHENTICATE with challenges, IDLE, pipelining. */
const SESSION: Chunk[] = [
  s('* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=LOGIN] ready\r\n'),
  c('a1 AUTHENTICATE LOGIN\r\n'),
  s('+ VXNlcm5hbWU6\r\n'),
  c(b64('alice') + '\r\n'),
  s('+ UGFzc3dvcmQ6\r\n'),
  c(b64('s3cret') + '\r\n'),
  s('a1 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] Logged in\r\n'),
  c('a2 SELECT {5}\r\n'),
  s('+ go ahead\r\n'),
  c('INBOX\r\n'),
  s('* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 77] x\r\n* OK [UIDNEXT 9] y\r\na2 OK [READ-WRITE] done\r\n'),
  c('a3 UID FETCH 7 (UID FLAGS RFC822.SIZE BODY[])\r\n'),
  s(`* 2 FETCH (UID 7 FLAGS (\\Seen) RFC822.SIZE ${MSG.length} BODY[] {${MSG.length}}\r\n${MSG})\r\na3 OK fetched\r\n`),
  c(`a4 APPEND Drafts (\\Draft) "15-Nov-2023 09:00:00 +0000" {${UP.length}}\r\n`),
  s('+ OK\r\n'),
  c(`${UP}\r\n`),
  s('a4 OK [APPENDUID 77 12] Append completed\r\n'),
  c(`a5 APPEND INBOX {${UP2.length}+}\r\n${UP2}\r\na6 STORE 2 +FLAGS (\\Deleted)\r\na7 EXPUNGE\r\n`),
  s('* 4 EXISTS\r\na5 OK [APPENDUID 77 13] ok\r\n* 2 FETCH (FLAGS (\\Seen \\Deleted))\r\na6 OK stored\r\n* 2 EXPUNGE\r\na7 OK expunged\r\n'),
  c('a8 IDLE\r\n'),
  s('+ idling\r\n* 4 EXISTS\r\n'),
  c('DONE\r\n'),
  s('a8 OK IDLE terminated\r\n'),
  c('a9 LOGOUT\r\n'),
  s('* BYE bye\r\na9 OK done\r\n'),
];

describe('IMAP dissector', () => {
  const rec = runStream(imap, SESSION, { mode: 'whole' }, { wantsObjects: true });
  const ev = rec.events;

  it('pairs tagged commands with completions, UID split like tshark', () => {
    expect(ofType(ev, 'imap.command').map((e) => [e['tag'], e['command'], e['uid'] ?? false])).toEqual([
      ['a1', 'AUTHENTICATE', false],
      ['a2', 'SELECT', false],
      ['a3', 'FETCH', true],
      ['a4', 'APPEND', false],
      ['a5', 'APPEND', false],
      ['a6', 'STORE', false],
      ['a7', 'EXPUNGE', false],
      ['a8', 'IDLE', false],
      ['a9', 'LOGOUT', false],
    ]);
    const tx = ofType(ev, 'imap.transaction');
    expect(tx.map((t) => [t['tag'], t['status']])).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'].map((t) => [t, 'OK']));
    expect(tx[1]).toMatchObject({ command: 'SELECT', arg: '{5}', mailbox: 'INBOX', code: 'READ-WRITE', frames: [8, 11], duration: 3, untagged: 5 });
    expect(tx[7]).toMatchObject({ command: 'IDLE', idle_done: true });
    expect(codes(ev)).toEqual([]);
  });

  it('reports untagged data with its keyword and number, and what continuations answer', () => {
    const r = ofType(ev, 'imap.response');
    expect(r.find((e) => e['status'] === 'EXISTS')).toMatchObject({ tag: '*', number: 3, text: '' });
    expect(r.filter((e) => e['tag'] === '+').map((e) => e['purpose'])).toEqual(['authenticate', 'authenticate', 'literal', 'literal', 'idle']);
    expect(ofType(ev, 'imap.done')).toEqual([expect.objectContaining({ tag: 'a8', dir: 'c2s' })]);
    // The SASL responses and DONE are not commands.
    expect(ofType(ev, 'imap.command').some((e) => e['command'] === 'DONE')).toBe(false);
  });

  it('decodes AUTHENTICATE LOGIN into credentials', () => {
    expect(ofType(ev, 'credentials')).toEqual([expect.objectContaining({ protocol: 'imap', user: 'alice', secret: 's3cret', mechanism: 'login', success: true })]);
  });

  it('parses the fetched literal (containing a brace and a parenthesis) and both uploads, and exports them', () => {
    const msgs = ofType(ev, 'imap.message');
    expect(msgs.map((m) => [m['source'], m['mailbox'], m['uid'], m['subject'], m['size']])).toEqual([
      ['fetch', 'INBOX', 7, 'Report', MSG.length],
      ['append', 'Drafts', null, 'Draft one', UP.length],
      ['append', 'INBOX', null, 'plus', UP2.length],
    ]);
    expect(rec.objects.map((o) => [o.name, o.content_type, Buffer.from(o.data).toString()])).toEqual([
      ['Report.eml', 'message/rfc822', MSG],
      ['Draft one.eml', 'message/rfc822', UP],
      ['plus.eml', 'message/rfc822', UP2],
    ]);
  });

  it('keeps the session: mailbox counts, fetched message, flags, appended UIDs, expunge', () => {
    const session = ofType(ev, 'imap.session')[0]!;
    expect(session).toMatchObject({
      user: 'alice',
      mechanism: 'login',
      authenticated: true,
      capabilities: ['IMAP4rev1', 'IDLE', 'UIDPLUS'],
      mailboxes: [{ mailbox: 'INBOX', read_only: false, status: 'OK', uidvalidity: 77, uidnext: 9, flags: ['\\Seen', '\\Deleted'] }],
      messages: [{ mailbox: 'INBOX', seq: 2, uid: 7, subject: 'Report', from: 'Carol <carol@x.test>', message_id: '<m2@x>', size: MSG.length, sections: [{ section: '', size: MSG.length }] }],
      flags_changed: [{ set: '2', operation: '+FLAGS', flags: ['\\Deleted'], status: 'OK' }],
      deleted: [{ mailbox: 'INBOX', set: '2', uid: false }],
      expunged: [{ mailbox: 'INBOX', seq: 2, uid: 7 }],
      appended: [
        { mailbox: 'Drafts', flags: ['\\Draft'], date: '15-Nov-2023 09:00:00 +0000', subject: 'Draft one', status: 'OK', uid: 12 },
        { mailbox: 'INBOX', flags: [], subject: 'plus', status: 'OK', uid: 13 },
      ],
      unanswered: [],
      bye: 'bye',
    });
    // 3 EXISTS, 4 after the append, 3 after the expunge, 4 again while idling.
    expect((session['mailboxes'] as Array<Record<string, unknown>>)[0]!['exists']).toBe(4);
  });

  it('gives the same events whole, byte by byte, and at every split point', () => {
    const whole = comparable(runStream(imap, SESSION).events);
    expect(comparable(runStream(imap, SESSION, { mode: 'bytes' }).events)).toEqual(whole);
    const longest = Math.max(...SESSION.map((x) => x.bytes.length));
    for (let at = 1; at < longest; at++) expect(comparable(runStream(imap, SESSION, { mode: 'at', at }).events)).toEqual(whole);
  });
});

describe('IMAP edge cases', () => {
  it('LOGIN with quoted strings and literals gives credentials; failures are counted', () => {
    const rec = runStream(imap, [
      s('* OK hi\r\n'),
      c('1 LOGIN "bob \\"b\\"" {6}\r\n'),
      s('+ ok\r\n'),
      c('p@ss w\r\n'),
      s('1 NO [AUTHENTICATIONFAILED] no\r\n'),
      c('2 LOGIN {3+}\r\nbob "builder"\r\n'),
      s('2 OK yes\r\n'),
    ]);
    expect(ofType(rec.events, 'credentials').map((e) => [e['user'], e['secret'], e['success']])).toEqual([
      ['bob "b"', 'p@ss w', false],
      ['bob', 'builder', true],
    ]);
    expect(ofType(rec.events, 'imap.session')[0]).toMatchObject({ user: 'bob', failed_logins: [{ user: 'bob "b"', mechanism: 'login' }] });
  });

  it('a refused synchronizing literal is not waited for', () => {
    const rec = runStream(imap, [
      s('* OK hi\r\n'),
      c('a APPEND INBOX {999999}\r\n'),
      s('a NO [TOOBIG] too big\r\n'),
      c('b NOOP\r\n'),
      s('b OK\r\n'),
    ]);
    expect(ofType(rec.events, 'imap.transaction').map((t) => [t['tag'], t['status']])).toEqual([
      ['a', 'NO'],
      ['b', 'OK'],
    ]);
    expect(ofType(rec.events, 'imap.message')).toEqual([]);
    expect(codes(rec.events)).toEqual([]);
  });

  it('a literal over max_imap_literal is skipped by its length and the stream resynchronises', () => {
    const body = 'Subject: big\r\n\r\n' + 'x'.repeat(50) + '\r\na9 LOGOUT\r\n'; // ends like a command, but is literal content
    const rec = runStream(
      imap,
      [s('* OK hi\r\n'), c('a1 FETCH 1 BODY[]\r\n'), s(`* 1 FETCH (BODY[] {${body.length}}\r\n${body})\r\na1 OK\r\n`), c('a2 NOOP\r\n'), s('a2 OK\r\n')],
      { mode: 'whole' },
      { limits: { max_imap_literal: 16 } },
    );
    expect(codes(rec.events)).toEqual(['imap.literal_limit', 'imap.message_limit']);
    expect(ofType(rec.events, 'imap.message')[0]).toMatchObject({ subject: 'big', size: body.length, incomplete: true });
    expect(ofType(rec.events, 'imap.transaction').map((t) => t['tag'])).toEqual(['a1', 'a2']);
  });

  it('flags unknown tags, stray continuations and bad lines, and bounds pending commands', () => {
    const rec = runStream(
      imap,
      [s('* OK hi\r\n'), c('a NOOP\r\nb NOOP\r\nc NOOP\r\ngarbage\r\n'), s('+ what\r\nzz OK\r\n)(\r\nc OK\r\n')],
      { mode: 'whole' },
      { limits: { max_pending_transactions: 2 } },
    );
    expect(codes(rec.events)).toEqual(['imap.pending_limit', 'imap.bad_line', 'imap.unexpected_continuation', 'imap.unknown_tag', 'imap.bad_line']);
    const tx = ofType(rec.events, 'imap.transaction');
    expect(tx.map((t) => [t['tag'], t['status'], t['incomplete'] ?? false])).toEqual([
      ['a', null, true],
      ['c', 'OK', false],
      ['b', null, true],
    ]);
    expect(ofType(rec.events, 'imap.session')[0]).toMatchObject({ unanswered: ['NOOP'] });
  });

  it('STARTTLS marks the connection encrypted once and ignores the rest', () => {
    const rec = runStream(imap, [
      s('* OK hi\r\n'),
      c('a STARTTLS\r\n'),
      s('a OK Begin TLS\r\n'),
      c('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'),
      s('\x16\x03\x03\x00\x7a\x02'),
    ]);
    expect(ofType(rec.events, 'imap.encrypted')).toHaveLength(1);
    expect(codes(rec.events)).toEqual([]);
    expect(ofType(rec.events, 'imap.session')[0]).toMatchObject({ tls: true });
  });

  it('a gap inside a literal marks the message incomplete and keeps the stream in step', () => {
    const rec = recordingContext({ wantsObjects: true });
    const d: StreamDissector = imap.createStream!(rec.ctx);
    const feed = (dir: 'c2s' | 's2c', t: string) => d.data(dir, new Uint8Array(Buffer.from(t, 'latin1')));
    feed('s2c', '* OK hi\r\n');
    feed('c2s', 'a1 FETCH 1 BODY[]\r\n');
    feed('s2c', '* 1 FETCH (BODY[] {40}\r\nSubject: gap\r\n\r\n');
    d.gap('s2c', 10);
    feed('s2c', 'x'.repeat(40 - 16 - 10) + ')\r\na1 OK\r\n');
    d.close();
    expect(codes(rec.events)).toEqual(['imap.data_gap']);
    expect(ofType(rec.events, 'imap.message')[0]).toMatchObject({ subject: 'gap', size: 40, incomplete: true });
    expect(ofType(rec.events, 'imap.transaction')[0]).toMatchObject({ tag: 'a1', status: 'OK' });
    expect(rec.objects[0]).toMatchObject({ incomplete: true });
  });

  it('joins a header and a text fetched separately (fetchmail) into one message', () => {
    const head = 'Subject: split\r\nFrom: f@x\r\n\r\n';
    const text = 'the body\r\n';
    const rec = runStream(imap, [
      s('* OK hi\r\n'),
      c('A1 FETCH 1 RFC822.HEADER\r\n'),
      s(`* 1 FETCH (RFC822.HEADER {${head.length}}\r\n${head})\r\nA1 OK\r\n`),
      c('A2 FETCH 1 BODY.PEEK[TEXT]\r\n'),
      s(`* 1 FETCH (BODY[TEXT] {${text.length}}\r\n${text})\r\nA2 OK\r\n`),
    ], { mode: 'whole' }, { wantsObjects: true });
    expect(ofType(rec.events, 'imap.message').map((m) => [m['section'], m['subject'], m['size']])).toEqual([['HEADER+TEXT', 'split', head.length + text.length]]);
    expect(Buffer.from(rec.objects[0]!.data).toString()).toBe(head + text);
  });

  it('hostile input never throws', () => {
    const junk = ['* 99999999999 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n', 'a {99999999999999999999}\r\n', '(((((((\r\n', '* 1 FETCH ((((((((((((((((((((\r\n', '\x00\xff{1}\r\n\r\n'];
    for (const j of junk) {
      expect(() => runStream(imap, [c(j), s(j), c('x UID\r\n'), s('+\r\n')])).not.toThrow();
    }
  });
});

describe('IMAP detection', () => {
  const p = (t: string, dir: 'c2s' | 's2c', port = 40000) =>
    probeImap(new Uint8Array(Buffer.from(t)), dir, { id: 1, transport: 'tcp', client: { addr: 'a', port: 5 }, server: { addr: 'b', port }, ip_version: 4, community_id: '' });

  it('recognises the greeting and tagged commands on any port', () => {
    expect(p('* OK [CAPABILITY IMAP4rev1] ready\r\n', 's2c')).toBe('match');
    expect(p('* PREAUTH hi\r\n', 's2c')).toBe('match');
    expect(p('* OK', 's2c')).toBe('need_more');
    expect(p('* PRE', 's2c')).toBe('need_more');
    expect(p('a001 LOGIN bob x\r\n', 'c2s')).toBe('match');
    expect(p('a001 LOG', 'c2s')).toBe('need_more');
    expect(p('* OK hi\r\n', 'c2s')).toBe('match_reversed');
    expect(p('a001 XYZZY\r\n', 'c2s', 143)).toBe('match');
    expect(p('a001 XYZZY\r\n', 'c2s')).toBe('no');
  });

  it('leaves POP3, SMTP, FTP and HTTP alone', () => {
    expect(p('+OK POP3 ready\r\n', 's2c')).toBe('no');
    expect(p('220 mail ESMTP\r\n', 's2c')).toBe('no');
    expect(p('220 FTP ready\r\n', 's2c')).toBe('no');
    expect(p('USER bob\r\n', 'c2s')).toBe('no');
    expect(p('EHLO x\r\n', 'c2s')).toBe('no');
    expect(p('GET / HTTP/1.1\r\n', 'c2s')).toBe('no');
    expect(p('\x13BitTorrent protocol', 'c2s')).toBe('no');
  });
});
