import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { MAX_MIME_PARTS, parseMail } from '../../src/dissect/mime.js';
import { smtpDescriptor as smtp, probeSmtp } from '../../src/protocols/smtp/index.js';
import { parseBdat, parseReplyLine, receivedAddresses } from '../../src/protocols/smtp/parser.js';
import { comparable, recordingContext, runStream, type Chunk } from '../support/dissector-harness.js';

const c = (s: string): Chunk => ({ dir: 'c2s', bytes: s });
const s = (t: string): Chunk => ({ dir: 's2c', bytes: t });

export const MESSAGE = [
  'Received: from client.example ([192.0.2.7]) by mx.example',
  'From: "Alice" <alice@example.com>',
  'To: bob@example.org, "Carol, C." <carol@example.org>',
  'Cc: dave@example.net',
  'Subject: =?UTF-8?B?SGVsbG8g8J+Ukw==?=',
  'Date: Mon, 1 Jan 2024 10:00:00 +0000',
  'Message-ID: <m1@example.com>',
  'User-Agent: Roundcube Webmail/1.6',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XYZ"',
  '',
  'preamble',
  '--XYZ',
  'Content-Type: text/plain; charset=utf-8',
  '',
  '..a line that starts with a dot',
  '--XYZ',
  'Content-Type: application/octet-stream; name="report.bin"',
  'Content-Disposition: attachment; filename*=utf-8\'\'r%C3%A9sum%C3%A9.bin',
  'Content-Transfer-Encoding: base64',
  '',
  'AAECAwQFBgcICQ==',
  '--XYZ--',
  '',
].join('\r\n');

const SESSION: Chunk[] = [
  s('220 mx.example ESMTP Postfix\r\n'),
  c('EHLO client.example\r\n'),
  s('250-mx.example\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n'),
  c('AUTH LOGIN\r\n'),
  s('334 VXNlcm5hbWU6\r\n'),
  c('YWxpY2U=\r\n'),
  s('334 UGFzc3dvcmQ6\r\n'),
  c('c2VjcmV0\r\n'),
  s('235 2.7.0 Authentication successful\r\n'),
  c('MAIL FROM:<bounce@example.com>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<eve@example.org>\r\nDATA\r\n'),
  s('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n'),
  c(MESSAGE + '.\r\n'),
  s('250 2.0.0 Ok: queued as ABC\r\n'),
  c('QUIT\r\n'),
  s('221 2.0.0 Bye\r\n'),
];

describe('SMTP parsers', () => {
  it('reads replies and BDAT arguments', () => {
    expect(parseReplyLine('250-PIPELINING')).toEqual({ ok: true, code: 250, last: false, text: 'PIPELINING' });
    expect(parseReplyLine('354')).toEqual({ ok: true, code: 354, last: true, text: '' });
    expect(parseReplyLine('hello').ok).toBe(false);
    expect(parseBdat('100 LAST')).toEqual({ ok: true, size: 100, last: true });
    expect(parseBdat('0 LAST')).toEqual({ ok: true, size: 0, last: true });
    expect(parseBdat('-5').ok).toBe(false);
    expect(parseBdat('99999999999999999999999').ok).toBe(false);
    expect(parseBdat('10 MORE').ok).toBe(false);
    expect(receivedAddresses('from a ([10.1.2.3]) by b ([IPv6:2001:db8::1])')).toEqual(['10.1.2.3', '2001:db8::1']);
  });
});

describe('mail-message', () => {
  it('parses headers, MIME parts and attachments, and agrees with postal-mime', async () => {
    const body = Buffer.from(MESSAGE.replace('..a line', '.a line'));
    const m = parseMail(body, DEFAULT_LIMITS);
    expect(m.subject).toBe('Hello 🔓'.replace('🔓', '\u{1F513}'));
    expect(m.from_addresses).toEqual(['alice@example.com']);
    expect(m.to).toEqual(['bob@example.org', '"Carol, C." <carol@example.org>']);
    expect(m.parts.map((p) => [p.id, p.content_type, p.size])).toEqual([
      ['1', 'text/plain', 30],
      ['2', 'application/octet-stream', 10],
    ]);
    const pm = await PostalMime.parse(body);
    expect(m.attachments.map((a) => [a.name, a.content_type, a.size])).toEqual(
      pm.attachments.map((a) => [a.filename, a.mimeType, (a.content as ArrayBuffer).byteLength]),
    );
    expect(m.subject).toBe(pm.subject);
    expect(m.msg_id).toBe(pm.messageId);
  });

  it('bounds header fields and survives garbage', () => {
    const many = Array.from({ length: 50 }, (_, i) => `X-H${i}: v`).join('\r\n') + '\r\n\r\nbody';
    const m = parseMail(Buffer.from(many), { ...DEFAULT_LIMITS, max_headers: 10 });
    expect(m.headers).toHaveLength(10);
    expect(m.issues.map((i) => i.code)).toEqual(['mail_header_limit']);
    const bad = parseMail(Buffer.from('Content-Type: multipart/mixed\r\n\r\n--x\r\n'), DEFAULT_LIMITS);
    expect(bad.issues.map((i) => i.code)).toEqual(['mail_missing_boundary']);
    expect(() => parseMail(Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256), DEFAULT_LIMITS)).not.toThrow();
  });

  it('unfolds headers by removing only the CRLF and keeps whitespace outside adjacent encoded-words (issue 15)', () => {
    const mail = (head: string) => parseMail(Buffer.from(`${head}\r\n\r\nbody\r\n`), DEFAULT_LIMITS);
    // The held-out case: four spaces before an encoded word are text, not folding.
    expect(mail('Subject: 4spaces    =?UTF-8?B?w6k=?= end').subject).toBe('4spaces    \u00e9 end');
    // RFC 5322 §2.2.3: a fold is CRLF + WSP; unfolding removes the CRLF and keeps the tab.
    expect(mail('Subject: This\r\n\tis a  test').subject).toBe('This\tis a  test');
    expect(mail('Subject: folded\r\n continued').subject).toBe('folded continued');
    // RFC 2047 §8 examples: whitespace between adjacent encoded-words goes, even across a fold.
    expect(mail('Subject: (=?ISO-8859-1?Q?a?= b)').subject).toBe('(a b)');
    expect(mail('Subject: (=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)').subject).toBe('(ab)');
    expect(mail('Subject: (=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)').subject).toBe('(ab)');
    expect(mail('Subject: (=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)').subject).toBe('(ab)');
    expect(mail('Subject: (=?ISO-8859-1?Q?a_b?=)').subject).toBe('(a b)');
    expect(mail('Subject: (=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)').subject).toBe('(a b)');
    // The space after the colon is not part of the value; a bare-LF message reads the same.
    expect(parseMail(Buffer.from('Subject:\t  x  y\n\nbody\n'), DEFAULT_LIMITS).subject).toBe('x  y');
  });

  it('reports the top-level media type and takes a Content-Type without one as text/plain (issue 15)', () => {
    const multi = parseMail(
      Buffer.from('Content-Type: multipart/alternative;\r\n\tboundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n'),
      DEFAULT_LIMITS,
    );
    expect(multi.content_type).toBe('multipart/alternative');
    expect(multi.parts.map((p) => [p.id, p.content_type, p.size])).toEqual([['1', 'text/plain', 2], ['2', 'text/html', 9]]);
    expect(multi.issues).toEqual([]);
    expect(parseMail(Buffer.from('Subject: x\r\n\r\nhi\r\n'), DEFAULT_LIMITS).content_type).toBe('text/plain');
    // RFC 2045 §5.2: a syntactically invalid Content-Type (here no type/subtype) means text/plain.
    const noType = parseMail(Buffer.from('Content-Type: boundary="x"\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n'), DEFAULT_LIMITS);
    expect(noType.content_type).toBe('text/plain');
    expect(noType.parts.map((p) => p.content_type)).toEqual(['text/plain']);
    expect(noType.issues).toEqual([]);
    expect(parseMail(Buffer.from('Content-Type: text\r\n\r\nhi'), DEFAULT_LIMITS).content_type).toBe('text/plain');
    expect(parseMail(Buffer.from('Content-Type: Multipart/Mixed; boundary=q\r\n\r\n--q\r\n\r\na\r\n--q--\r\n'), DEFAULT_LIMITS).content_type).toBe('multipart/mixed');
  });

  it('lists at most MAX_MIME_PARTS parts and says when it stops (issue 19)', () => {
    const parts = Array.from({ length: MAX_MIME_PARTS + 5 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const m = parseMail(Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`), DEFAULT_LIMITS);
    expect(m.parts).toHaveLength(MAX_MIME_PARTS);
    expect(m.issues).toEqual([{ code: 'mail_mime_parts', detail: `more than ${MAX_MIME_PARTS} MIME parts; part ${MAX_MIME_PARTS + 1} and the rest were not parsed` }]);
    const exact = Array.from({ length: MAX_MIME_PARTS }, (_, i) => `--b\r\n\r\np${i}\r\n`).join('');
    expect(parseMail(Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${exact}--b--\r\n`), DEFAULT_LIMITS).issues).toEqual([]);
  });
});

describe('SMTP dissector', () => {
  it('reports the envelope beside the headers, rejected recipients, credentials and attachments', () => {
    const rec = runStream(smtp, SESSION, { mode: 'whole' }, { wantsObjects: true });
    const msg = rec.events.find((e) => e.type === 'smtp.message')!;
    expect(msg).toMatchObject({
      helo: 'client.example',
      mailfrom: 'bounce@example.com',
      rcptto: ['bob@example.org', 'eve@example.org'],
      rejected_rcptto: ['nobody@example.org'],
      msg_id: '<m1@example.com>',
      last_reply: '250 2.0.0 Ok: queued as ABC',
      is_webmail: true,
      path: ['10.0.0.2', '10.0.0.1', '192.0.2.7'],
      size: MESSAGE.length - 1,
      content_type: 'multipart/mixed',
      attachments: [{ name: 'résumé.bin', content_type: 'application/octet-stream', size: 10 }],
    });
    expect(msg['envelope_mismatch']).toEqual({
      from: { envelope: 'bounce@example.com', header: ['alice@example.com'] },
      rcpt_not_in_headers: ['eve@example.org'],
      headers_not_in_rcpt: ['carol@example.org', 'dave@example.net'],
    });
    expect(rec.events.find((e) => e.type === 'credentials')).toMatchObject({ protocol: 'smtp', user: 'alice', secret: 'secret', mechanism: 'login', success: true });
    // SASL lines are not commands; the body is not commands either.
    expect(rec.events.filter((e) => e.type === 'smtp.command').map((e) => e['command'])).toEqual(['EHLO', 'AUTH', 'MAIL', 'RCPT', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
    expect(rec.events.filter((e) => e.type === 'smtp.reply').map((e) => e['code'])).toEqual([220, 250, 334, 334, 235, 250, 250, 550, 250, 354, 250, 221]);
    expect(rec.objects.map((o) => o.name)).toEqual(['m1@example.com.eml', 'résumé.bin']);
    expect(Buffer.from(rec.objects[0]!.data).toString('latin1')).toBe(MESSAGE.replace('..a line', '.a line'));
    expect(rec.events.filter((e) => e.type === 'anomaly')).toEqual([]);
    // The summary names the greeting the client used (issue 20: an EHLO session read "HELO …").
    expect(rec.summary).toBe('EHLO client.example, 1 message');
  });

  it('gives the same events at every split point and byte by byte', () => {
    const whole = comparable(runStream(smtp, SESSION).events);
    expect(comparable(runStream(smtp, SESSION, { mode: 'bytes' }).events)).toEqual(whole);
    for (let at = 1; at < MESSAGE.length + 3; at += 1) expect(comparable(runStream(smtp, SESSION, { mode: 'at', at }).events)).toEqual(whole);
  });

  it('reads pipelined BDAT chunks with LAST, and CRAM-MD5 / PLAIN credentials', () => {
    const rec = runStream(smtp, [
      s('220 mx ESMTP\r\n'),
      c('EHLO x\r\nAUTH PLAIN AGJvYgBwdw==\r\n'),
      s('250 mx\r\n235 ok\r\n'),
      c('AUTH CRAM-MD5\r\n'),
      s('334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n'),
      c('dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n'),
      s('235 ok\r\n'),
      c('MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 19\r\nSubject: hi\r\n\r\nbodyBDAT 7 LAST\r\n more\r\n'),
      s('250 ok\r\n250 ok\r\n250 20 octets\r\n250 done\r\n'),
    ]);
    const creds = rec.events.filter((e) => e.type === 'credentials').map((e) => [e['user'], e['secret'], e['mechanism']]);
    expect(creds).toEqual([['bob', 'pw', 'plain'], ['tim', 'b913a602c7eda7a495b4e6e7334d3890', 'cram-md5']]);
    const msg = rec.events.find((e) => e.type === 'smtp.message')!;
    expect(msg).toMatchObject({ subject: 'hi', size: 26, bdat: true, last_reply: '250 done' });
    expect(rec.events.filter((e) => e.type === 'smtp.command').map((e) => e['command'])).toEqual(['EHLO', 'AUTH', 'AUTH', 'MAIL', 'RCPT', 'BDAT', 'BDAT']);
  });

  it('turns bad BDAT sizes into anomalies, not crashes', () => {
    for (const arg of ['-1 LAST', '18446744073709551616 LAST', 'x']) {
      const rec = runStream(smtp, [s('220 mx ESMTP\r\n'), c(`MAIL FROM:<a@b>\r\nBDAT ${arg}\r\nQUIT\r\n`), s('250 ok\r\n501 bad\r\n221 bye\r\n')]);
      expect(rec.events.filter((e) => e.type === 'anomaly').map((e) => e['code'])).toEqual(['smtp.bad_bdat_size']);
      expect(rec.events.filter((e) => e.type === 'smtp.command').map((e) => e['command'])).toEqual(['MAIL', 'BDAT', 'QUIT']);
    }
  });

  it('marks the rest encrypted after STARTTLS and resets on RSET', () => {
    const rec = runStream(smtp, [s('220 mx ESMTP\r\n'), c('MAIL FROM:<a@b>\r\nRSET\r\nSTARTTLS\r\n'), s('250 ok\r\n250 ok\r\n220 go\r\n'), c('\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00'), s('\x16\x03\x03x')]);
    expect(rec.events.filter((e) => e.type === 'smtp.encrypted')).toHaveLength(1);
    expect(rec.switches.map((w) => w.protocol)).toEqual(['tls']);
    expect(rec.events.filter((e) => e.type === 'anomaly')).toEqual([]);
  });

  it('a gap in a DATA body marks the message incomplete and resynchronises', () => {
    const rec = recordingContext();
    const d = smtp.createStream!(rec.ctx);
    d.data('s2c', Buffer.from('220 mx ESMTP\r\n'));
    d.data('c2s', Buffer.from('MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\nab'));
    d.data('s2c', Buffer.from('250 ok\r\n250 ok\r\n354 go\r\n'));
    d.gap('c2s', 500);
    d.data('c2s', Buffer.from('cd\r\nlast line\r\n.\r\nQUIT\r\n'));
    d.data('s2c', Buffer.from('250 queued\r\n221 bye\r\n'));
    d.close();
    expect(rec.events.find((e) => e.type === 'smtp.message')).toMatchObject({ incomplete: true, subject: 'x', missed_bytes: 500, last_reply: '250 queued' });
    expect(rec.events.filter((e) => e.type === 'smtp.command').map((e) => e['command'])).toEqual(['MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(rec.events.filter((e) => e.type === 'anomaly').map((e) => e['code'])).toEqual(['smtp.data_gap']);
  });

  it('detects SMTP by greeting and by commands', () => {
    const b = (t: string) => Buffer.from(t);
    expect(probeSmtp(b('220 mx.example.com ESMTP Postfix\r\n'), 's2c')).toBe('match');
    expect(probeSmtp(b('220 ProFTPD ready\r\n'), 's2c')).toBe('no');
    expect(probeSmtp(b('220 hello\r\n'), 's2c')).toBe('need_more');
    expect(probeSmtp(b('EHLO me\r\n'), 'c2s')).toBe('match');
    expect(probeSmtp(b('USER bob\r\n'), 'c2s')).toBe('no');
    expect(probeSmtp(b('+OK POP3 ready\r\n'), 's2c')).toBe('no');
  });
});
