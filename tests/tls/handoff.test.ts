/**
 * STARTTLS (SMTP, IMAP), STLS (POP3) and AUTH TLS / AUTH SSL (FTP): the flow goes to TLS once
 * the server agreed and the client's next bytes are a TLS record, with every held byte; if
 * the client goes on in clear instead, the text protocol keeps dissecting and says so.
 */
import { describe, expect, it } from 'vitest';
import type { ProtocolDescriptor } from '../../src/dissect/contract.js';
import type { WireEvent } from '../../src/events/event.js';
import { ftpDescriptor as ftp } from '../../src/protocols/ftp/index.js';
import { imapDescriptor as imap } from '../../src/protocols/imap/index.js';
import { pop3Descriptor as pop3 } from '../../src/protocols/pop3/index.js';
import { smtpDescriptor as smtp } from '../../src/protocols/smtp/index.js';
import { recordingContext, runStream, type Chunk } from '../support/dissector-harness.js';
import { clientHello, record, sni } from './builders.js';

const c = (bytes: Uint8Array | string): Chunk => ({ dir: 'c2s', bytes });
const s = (bytes: Uint8Array | string): Chunk => ({ dir: 's2c', bytes });
const HELLO = record(22, clientHello({ ciphers: [0x1301], extensions: [sni('mail.test')] }), 0x0301);
const codes = (events: WireEvent[]) => events.filter((e) => e.type === 'anomaly').map((e) => e['code']);

interface Case {
  name: string;
  proto: ProtocolDescriptor;
  upgrade: Chunk[];
  /** A command in clear after the upgrade, and the event type that shows it was parsed. */
  after: string;
  parsed: (events: WireEvent[]) => boolean;
  encrypted: string;
  session: string;
}

const CASES: Case[] = [
  {
    name: 'SMTP STARTTLS',
    proto: smtp,
    upgrade: [s('220 mx ESMTP\r\n'), c('EHLO me\r\n'), s('250-mx\r\n250 STARTTLS\r\n'), c('STARTTLS\r\n'), s('220 2.0.0 Ready to start TLS\r\n')],
    after: 'MAIL FROM:<a@b>\r\n',
    parsed: (ev) => ev.some((e) => e.type === 'smtp.command' && e['command'] === 'MAIL'),
    encrypted: 'smtp.encrypted',
    session: 'smtp.session',
  },
  {
    name: 'POP3 STLS',
    proto: pop3,
    upgrade: [s('+OK ready\r\n'), c('STLS\r\n'), s('+OK begin TLS\r\n')],
    after: 'USER bob\r\n',
    parsed: (ev) => ev.some((e) => e.type === 'pop3.command' && e['command'] === 'USER'),
    encrypted: 'pop3.encrypted',
    session: 'pop3.session',
  },
  {
    name: 'IMAP STARTTLS',
    proto: imap,
    upgrade: [s('* OK ready\r\n'), c('a1 STARTTLS\r\n'), s('a1 OK Begin TLS negotiation now\r\n')],
    after: 'a2 LOGIN bob secret\r\n',
    parsed: (ev) => ev.some((e) => e.type === 'imap.command' && e['command'] === 'LOGIN'),
    encrypted: 'imap.encrypted',
    session: 'imap.session',
  },
  {
    name: 'FTP AUTH TLS',
    proto: ftp,
    upgrade: [s('220 FTP\r\n'), c('AUTH TLS\r\n'), s('234 Proceed with negotiation.\r\n')],
    after: 'USER bob\r\n',
    parsed: (ev) => ev.some((e) => e.type === 'ftp.command' && e['command'] === 'USER'),
    encrypted: 'ftp.encrypted',
    session: 'ftp.session',
  },
  {
    name: 'FTP AUTH SSL (curl)',
    proto: ftp,
    upgrade: [s('220 FTP\r\n'), c('AUTH SSL\r\n'), s('234 Proceed with negotiation.\r\n')],
    after: 'USER bob\r\n',
    parsed: (ev) => ev.some((e) => e.type === 'ftp.command' && e['command'] === 'USER'),
    encrypted: 'ftp.encrypted',
    session: 'ftp.session',
  },
];

describe('hand-over to TLS', () => {
  for (const k of CASES) {
    it(`${k.name}: a ClientHello after the server agreed goes to TLS, bytes and all`, () => {
      for (const split of [{ mode: 'whole' as const }, { mode: 'bytes' as const }]) {
        const rec = runStream(k.proto, [...k.upgrade, c(HELLO), s(record(22, [2, 0, 0, 0]))], split);
        expect(rec.switches.map((w) => w.protocol)).toEqual(['tls']);
        // Byte by byte, the hand-over happens at the 6th byte (record header and handshake type);
        // the engine feeds what follows to TLS, the harness to the old dissector, which ignores it.
        const held = split.mode === 'whole' ? HELLO : HELLO.subarray(0, 6);
        expect(Buffer.from(rec.switches[0]!.pending!.c2s!).equals(Buffer.from(held))).toBe(true);
        expect(rec.switches[0]!.pending!.s2c).toBeUndefined();
        expect(rec.events.filter((e) => e.type === k.encrypted)).toHaveLength(1);
        // The session record is written before the hand-over (the engine does not close a dissector it replaces).
        expect(rec.events.filter((e) => e.type === k.session)).toMatchObject([{ tls: true }]);
        expect(codes(rec.events)).toEqual([]);
      }
    });

    it(`${k.name}: the client going on in clear is an anomaly, and dissection goes on`, () => {
      const rec = runStream(k.proto, [...k.upgrade, c(k.after)]);
      expect(rec.switches).toEqual([]);
      expect(codes(rec.events)).toContain(`${k.proto.name}.starttls_plaintext`);
      expect(k.parsed(rec.events)).toBe(true);
      expect(rec.events.filter((e) => e.type === k.encrypted)).toHaveLength(0);
    });

    it(`${k.name}: a gap right after the agreement counts as encrypted, said once, and what follows is not read`, () => {
      const rec = recordingContext();
      const d = k.proto.createStream!(rec.ctx);
      k.upgrade.forEach((ch, i) => {
        rec.at(i + 1);
        d.data(ch.dir, Buffer.from(ch.bytes));
      });
      d.gap('c2s', 517);
      d.data('c2s', Buffer.from(k.after));
      d.close();
      expect(rec.switches).toEqual([]);
      expect(rec.events.filter((e) => e.type === k.encrypted)).toHaveLength(1);
      expect(rec.events.filter((e) => e.type === k.session)).toMatchObject([{ tls: true }]);
      expect(k.parsed(rec.events)).toBe(false);
      expect(codes(rec.events)).toEqual([]);
    });
  }

  it('a refused STARTTLS hands nothing over', () => {
    const rec = runStream(smtp, [s('220 mx\r\n'), c('STARTTLS\r\n'), s('454 TLS not available\r\n'), c('QUIT\r\n')]);
    expect(rec.switches).toEqual([]);
    expect(codes(rec.events)).toEqual([]);
  });

  it('nothing after the agreement: the session still says TLS', () => {
    const rec = runStream(smtp, [s('220 mx\r\n'), c('STARTTLS\r\n'), s('220 go\r\n')]);
    expect(rec.events.filter((e) => e.type === 'smtp.session')).toMatchObject([{ tls: true }]);
  });
});
