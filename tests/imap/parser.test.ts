import { describe, expect, it } from 'vitest';
import {
  bodyStructureParts,
  decodeMailboxName,
  literalMarker,
  parseCommandLine,
  parseEnvelope,
  parseFetchItems,
  parseListData,
  parseResponseLine,
  parseStatusData,
  tokenize,
  tokenizeText,
} from '../../src/protocols/imap/parser.js';

const b = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('IMAP command and response lines', () => {
  it('splits tag, command and arguments; UID commands as tshark does', () => {
    expect(parseCommandLine('a001 login alice wonderland')).toEqual({ tag: 'a001', command: 'LOGIN', uid: false, arg: 'alice wonderland' });
    expect(parseCommandLine('A5 UID FETCH 1:* (FLAGS)')).toEqual({ tag: 'A5', command: 'FETCH', uid: true, arg: '1:* (FLAGS)' });
    expect(parseCommandLine('x.1 NOOP')).toEqual({ tag: 'x.1', command: 'NOOP', uid: false, arg: '' });
    // A bare UID is kept as the command (the server will answer BAD).
    expect(parseCommandLine('t UID')).toMatchObject({ command: 'UID', uid: false });
  });

  it('refuses lines that are not tagged commands', () => {
    expect(parseCommandLine('DONE')).toBeNull();
    expect(parseCommandLine('+tag NOOP')).toBeNull();
    expect(parseCommandLine('* OK hi')).toBeNull();
    expect(parseCommandLine('a01 {5}')).toBeNull();
    expect(parseCommandLine('')).toBeNull();
    expect(parseCommandLine('"q" LOGIN')).toBeNull();
  });

  it('classifies tagged, untagged, numbered and continuation responses with response codes', () => {
    expect(parseResponseLine('a1 OK [READ-WRITE] Select completed.')).toEqual({
      tag: 'a1', status: 'OK', number: null, code: 'READ-WRITE', code_data: null, text: 'Select completed.',
    });
    expect(parseResponseLine('* 3 EXISTS')).toMatchObject({ tag: '*', status: 'EXISTS', number: 3, text: '' });
    expect(parseResponseLine('* 12 fetch (FLAGS ())')).toMatchObject({ status: 'FETCH', number: 12, text: '(FLAGS ())' });
    expect(parseResponseLine('* CAPABILITY IMAP4rev1 IDLE')).toMatchObject({ status: 'CAPABILITY', number: null, text: 'IMAP4rev1 IDLE' });
    expect(parseResponseLine('* OK [APPENDUID 38505 3955] done')).toMatchObject({ code: 'APPENDUID', code_data: '38505 3955', text: 'done' });
    expect(parseResponseLine('+ idling')).toEqual({ tag: '+', status: null, number: null, code: null, code_data: null, text: 'idling' });
    expect(parseResponseLine('+')).toMatchObject({ tag: '+', text: '' });
    expect(parseResponseLine('+OK POP3 ready')).toBeNull();
    expect(parseResponseLine('220 smtp ready')).toMatchObject({ tag: '220' }); // tag-shaped; the probe keeps SMTP away
    expect(parseResponseLine(')')).toBeNull();
    expect(parseResponseLine('a1')).toBeNull();
  });

  it('finds literal markers, LITERAL+ and literal8, and rejects absurd sizes', () => {
    expect(literalMarker('a APPEND box {310}')).toEqual({ size: 310, nonSync: false, binary: false });
    expect(literalMarker('a APPEND box {310+}')).toEqual({ size: 310, nonSync: true, binary: false });
    expect(literalMarker('* 1 FETCH (BINARY[] ~{9}')).toEqual({ size: 9, nonSync: false, binary: true });
    expect(literalMarker('a LOGIN "{5}"')).toBeNull();
    expect(literalMarker('a X {99999999999999999999}')).toBe('bad');
    expect(literalMarker('{0}')).toEqual({ size: 0, nonSync: false, binary: false });
  });
});

describe('IMAP values', () => {
  it('reads atoms, quoted strings with escapes, NIL and nested lists', () => {
    expect(tokenizeText('INBOX "a \\"b\\" \\\\c" NIL (\\Seen (x y)) 1:*')).toEqual([
      { kind: 'atom', text: 'INBOX' },
      { kind: 'string', text: 'a "b" \\c', literal: null },
      { kind: 'nil' },
      { kind: 'list', items: [{ kind: 'atom', text: '\\Seen' }, { kind: 'list', items: [{ kind: 'atom', text: 'x' }, { kind: 'atom', text: 'y' }] }] },
      { kind: 'atom', text: '1:*' },
    ]);
  });

  it('keeps section specifiers with spaces and parentheses inside one atom', () => {
    const v = tokenizeText('(BODY[HEADER.FIELDS (FROM SUBJECT)]<0> NIL BODY[TEXT]<0.200> x)');
    expect(v[0]).toMatchObject({ kind: 'list' });
    const items = (v[0] as { items: unknown[] }).items;
    expect(items[0]).toEqual({ kind: 'atom', text: 'BODY[HEADER.FIELDS (FROM SUBJECT)]<0>' });
    expect(items[2]).toEqual({ kind: 'atom', text: 'BODY[TEXT]<0.200>' });
  });

  it('reads literals inside nested parentheses across segments', () => {
    // * 4 FETCH (UID 9 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\n<15 bytes> BODY[TEXT] {3}\r\n<3 bytes>)
    const segs = ['(UID 9 BODY[HEADER.FIELDS (SUBJECT)] {15}', ' BODY[TEXT] {3+}', ')'];
    const lits = [b('Subject: hi\r\n\r\n'), b('abc')];
    const { values, error } = tokenize(segs, lits);
    expect(error).toBeNull();
    const items = parseFetchItems(values)!;
    expect(items.map((i) => [i.name, i.section, i.origin])).toEqual([
      ['UID', null, null],
      ['BODY', 'HEADER.FIELDS (SUBJECT)', null],
      ['BODY', 'TEXT', null],
    ]);
    expect(items[1]!.value).toEqual({ kind: 'string', text: 'Subject: hi\r\n\r\n', literal: 0 });
    expect(items[2]!.value).toEqual({ kind: 'string', text: 'abc', literal: 1 });
  });

  it('reports unbalanced input and deep nesting without throwing', () => {
    expect(tokenize(['(a b']).values).toHaveLength(1);
    expect(tokenize(['a ) b']).error).toMatch(/unbalanced/);
    expect(tokenize(['"open']).error).toMatch(/unterminated/);
    expect(tokenize(['('.repeat(500)]).error).toMatch(/nested/);
    expect(() => tokenize(['{', '}'])).not.toThrow();
  });

  it('parses ENVELOPE, with encoded words and groups', () => {
    const env = parseEnvelope(
      tokenizeText(
        '("Wed, 15 Nov 2023 00:13:20 +0000" "=?utf-8?q?Caf=C3=A9?=" (("Carol" NIL "carol" "example.org")) NIL NIL ((NIL NIL "team" NIL)("Al" NIL "al" "x.test")(NIL NIL NIL NIL)) NIL NIL NIL "<m1@x>")',
      )[0],
    );
    expect(env).toEqual({
      date: 'Wed, 15 Nov 2023 00:13:20 +0000',
      subject: 'Café',
      from: 'Carol <carol@example.org>',
      to: ['Al <al@x.test>'],
      cc: [],
      in_reply_to: null,
      message_id: '<m1@x>',
    });
    expect(parseEnvelope(tokenizeText('(a b)')[0])).toBeNull();
  });

  it('lists BODYSTRUCTURE leaf parts with attachment names', () => {
    const bs = tokenizeText(
      '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 63 5 NIL NIL NIL NIL)("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 8342 NIL ("attachment" ("filename" "report-q3.pdf")) NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL)',
    )[0];
    expect(bodyStructureParts(bs)).toEqual([
      { part: '1', content_type: 'text/plain', size: 63, name: null, disposition: null },
      { part: '2', content_type: 'application/pdf', size: 8342, name: 'report-q3.pdf', disposition: 'attachment' },
    ]);
    expect(bodyStructureParts(tokenizeText('("TEXT" "PLAIN" NIL NIL NIL "7BIT" 12 1)')[0])).toEqual([
      { part: '1', content_type: 'text/plain', size: 12, name: null, disposition: null },
    ]);
  });

  it('parses LIST and STATUS data and decodes modified UTF-7 mailbox names', () => {
    expect(parseListData(tokenizeText('(\\HasNoChildren \\Sent) "/" "Sent Items"'))).toEqual({ name: 'Sent Items', flags: ['\\HasNoChildren', '\\Sent'], delimiter: '/' });
    expect(parseListData(tokenizeText('() "." inbox'))).toMatchObject({ name: 'INBOX' });
    expect(parseStatusData(tokenizeText('INBOX (MESSAGES 4 UNSEEN 2)'))).toEqual({ mailbox: 'INBOX', items: { messages: 4, unseen: 2 } });
    expect(decodeMailboxName('Entw&APw-rfe')).toBe('Entwürfe');
    expect(decodeMailboxName('&ZeVnLIqe-')).toBe('日本語');
    expect(decodeMailboxName('A&-B')).toBe('A&B');
    expect(decodeMailboxName('bad&***-')).toBe('bad&***-');
  });
});
