/**
 * The real IMAP captures (dovecot with a scripted client, curl, fetchmail; see
 * captures/PROVENANCE.md) through the whole pipeline.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';

const CAPTURES = join(import.meta.dirname, '..', '..', 'captures');
const run = (name: string) => analyzeFile(join(CAPTURES, name), { wantsObjects: true });
const ofType = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const anomalies = (events: WireEvent[]) => events.filter((e) => e.type === 'anomaly' && String(e['code']).startsWith('imap.'));
const pairs = (events: WireEvent[]) => ofType(events, 'imap.transaction').map((t) => `${t['tag']} ${t['uid'] ? 'UID ' : ''}${t['command']} ${t['status']}`);

describe('IMAP captures', () => {
  it('imap-login-browse: every command paired, FETCH BODY[] literal parsed with its attachment', async () => {
    const { events, objects } = await run('imap-login-browse.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(pairs(events)).toEqual([
      'a001 CAPABILITY OK', 'a002 LOGIN OK', 'a003 CAPABILITY OK', 'a004 LIST OK', 'a005 LSUB OK', 'a006 STATUS OK',
      'a007 SELECT OK', 'a008 SEARCH OK', 'a009 SEARCH OK', 'a010 FETCH OK', 'a011 FETCH OK', 'a012 FETCH OK',
      'a013 FETCH OK', 'a014 UID SEARCH OK', 'a015 UID FETCH OK', 'a016 UID FETCH OK', 'a017 LOGOUT OK',
    ]);
    const tx = ofType(events, 'imap.transaction');
    expect(tx.find((t) => t['tag'] === 'a008')).toMatchObject({ search_results: 4 });
    const msg = ofType(events, 'imap.message');
    expect(msg).toHaveLength(1);
    expect(msg[0]).toMatchObject({ source: 'fetch', mailbox: 'INBOX', seq: 2, uid: 2, subject: 'Quarterly report (attached)', size: 9033 });
    expect(msg[0]!['attachments']).toEqual([{ name: 'report-q3.pdf', content_type: 'application/pdf', size: expect.any(Number) }]);
    expect(objects.map((o) => o.name)).toEqual(['Quarterly report (attached).eml', 'report-q3.pdf']);
    expect(Buffer.from(objects[1]!.data.subarray(0, 5)).toString()).toBe('%PDF-');
    const session = ofType(events, 'imap.session')[0]!;
    expect(session).toMatchObject({ user: 'alice', authenticated: true, tls: false, unanswered: [], bye: 'Logging out' });
    expect((session['listed'] as Array<{ name: string }>).map((l) => l.name)).toEqual(['Drafts', 'Sent', 'Archive', 'INBOX']);
    expect(session['mailboxes']).toEqual([expect.objectContaining({ mailbox: 'INBOX', exists: 4, recent: 4, read_only: false })]);
    const messages = session['messages'] as Array<Record<string, unknown>>;
    expect(messages.map((m) => [m['seq'], m['uid'], m['subject']])).toEqual([
      [1, 1, 'Lunch on Friday?'],
      [2, 2, 'Quarterly report (attached)'],
      [3, 3, 'Newsletter: wirelens 0.1'],
      [4, 4, 'Meeting notes'],
    ]);
    expect(messages[3]!['sections']).toEqual([
      { section: 'HEADER.FIELDS (FROM SUBJECT)', size: 57 },
      { section: 'TEXT<0>', size: 200 },
    ]);
  });

  it('imap-modify: STORE, COPY, APPEND with a synchronizing literal and with LITERAL+, EXPUNGE', async () => {
    const { events, objects } = await run('imap-modify.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(pairs(events)).toHaveLength(14);
    const session = ofType(events, 'imap.session')[0]!;
    expect(session['appended']).toEqual([
      expect.objectContaining({ mailbox: 'Drafts', flags: ['\\Draft'], date: '15-Nov-2023 09:00:00 +0000', subject: 'draft: budget', status: 'OK', uid: 1, size: 186 }),
      expect.objectContaining({ mailbox: 'INBOX', flags: [], subject: 'appended with LITERAL+', status: 'OK', uid: 5, size: 219 }),
    ]);
    expect(session['flags_changed']).toEqual([
      expect.objectContaining({ set: '1', uid: false, operation: '+FLAGS', flags: ['\\Seen', '\\Flagged'], silent: false }),
      expect.objectContaining({ set: '2', uid: true, operation: '+FLAGS', flags: ['\\Answered'], silent: true }),
      expect.objectContaining({ set: '3', operation: '+FLAGS', flags: ['\\Deleted'] }),
    ]);
    expect(session['deleted']).toEqual([{ mailbox: 'INBOX', set: '3', uid: false }]);
    expect(session['expunged']).toEqual([{ mailbox: 'INBOX', seq: 3, uid: null }]);
    expect(session['copied']).toEqual([expect.objectContaining({ set: '1:2', destination: 'Archive', status: 'OK', copyuid: expect.stringMatching(/^\d+ 1:2 1:2$/) })]);
    expect((session['mailboxes'] as Array<Record<string, unknown>>).map((m) => [m['mailbox'], m['read_only'], m['exists']])).toEqual([
      ['INBOX', false, 4],
      ['Archive', true, 2],
    ]);
    const plus = ofType(events, 'imap.response').filter((r) => r['tag'] === '+');
    expect(plus.map((r) => r['purpose'])).toEqual(['literal']);
    expect(objects.map((o) => o.name)).toEqual(['draft: budget.eml', 'appended with LITERAL+.eml']);
  });

  it('imap-idle: IDLE, untagged EXISTS while idling, DONE', async () => {
    const { events } = await run('imap-idle.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(ofType(events, 'imap.done')).toHaveLength(1);
    expect(ofType(events, 'imap.transaction').find((t) => t['command'] === 'IDLE')).toMatchObject({ status: 'OK', idle_done: true, untagged: 2 });
    const session = ofType(events, 'imap.session')[0]!;
    expect(session['mailboxes']).toEqual([expect.objectContaining({ mailbox: 'INBOX', exists: 5, recent: 5 })]);
  });

  it('imap-curl-authenticate: AUTHENTICATE PLAIN with SASL-IR in four sessions, UID FETCH and APPEND', async () => {
    const { events, objects } = await run('imap-curl-authenticate.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(ofType(events, 'credentials').map((c) => [c['user'], c['secret'], c['mechanism'], c['success']])).toEqual(
      Array(4).fill(['alice', 'wonderland', 'plain', true]),
    );
    expect(ofType(events, 'imap.session')).toHaveLength(4);
    expect(ofType(events, 'imap.message').map((m) => [m['source'], m['uid'], m['subject']])).toEqual([
      ['fetch', 1, 'Lunch on Friday?'],
      ['append', null, 'sent copy (curl APPEND)'],
    ]);
    expect(objects.map((o) => o.name)).toEqual(['Lunch on Friday?.eml', 'sent copy (curl APPEND).eml']);
  });

  it('imap-fetchmail-login: quoted LOGIN, header and text fetched apart are joined', async () => {
    const { events } = await run('imap-fetchmail-login.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(ofType(events, 'credentials')).toEqual([expect.objectContaining({ user: 'bob', secret: 'builder', mechanism: 'login', success: true })]);
    const msgs = ofType(events, 'imap.message');
    expect(msgs.map((m) => [m['seq'], m['section']])).toEqual([
      [1, 'HEADER+TEXT'],
      [2, 'HEADER+TEXT'],
      [3, 'HEADER+TEXT'],
      [4, 'HEADER+TEXT'],
    ]);
    expect(msgs[1]!['attachments']).toEqual([expect.objectContaining({ name: 'report-q3.pdf' })]);
    expect(ofType(events, 'imap.session')[0]!['flags_changed']).toHaveLength(4);
  });

  it('imap-failed-login: LOGIN, AUTHENTICATE PLAIN and CRAM-MD5 failures', async () => {
    const { events } = await run('imap-failed-login.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(ofType(events, 'credentials').map((c) => [c['user'], c['mechanism'], c['success']])).toEqual([
      ['alice', 'login', false],
      ['alice', 'plain', false],
      ['alice', 'cram-md5', false],
    ]);
    const sessions = ofType(events, 'imap.session');
    expect(sessions.map((s) => (s['failed_logins'] as unknown[]).length)).toEqual([2, 1]);
    expect(sessions.every((s) => s['authenticated'] === false)).toBe(true);
    const cram = ofType(events, 'imap.transaction').find((t) => t['sasl_mechanism'] === 'CRAM-MD5');
    expect(cram).toMatchObject({ status: 'NO', code: 'AUTHENTICATIONFAILED', sasl_responses: 1 });
  });

  it('imap-port-1143: detected by its greeting on a non-standard port', async () => {
    const { events } = await run('imap-port-1143.pcap');
    expect(anomalies(events)).toEqual([]);
    expect(pairs(events)).toEqual(['a001 LOGIN OK', 'a002 SELECT OK', 'a003 FETCH OK', 'a004 LOGOUT OK']);
    expect(ofType(events, 'imap.message')).toHaveLength(1);
  });
});
