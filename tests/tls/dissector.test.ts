/**
 * The TLS dissector on hand-made conversations through the harness: a TLS 1.2 handshake
 * with certificates, TLS 1.3 with a HelloRetryRequest, resumption, alerts, bad input, limits,
 * export, and split-point runs that must give the same events however the bytes are cut.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { Timestamp } from '../../src/events/time.js';
import { tlsDescriptor } from '../../src/protocols/tls/index.js';
import { comparable, recordingContext, runStream, type Chunk } from '../support/dissector-harness.js';
import {
  alpn,
  CA_DER,
  CA_SHA256,
  cat,
  certificateMessage,
  clientHello,
  ext,
  groups,
  handshake,
  HRR_RANDOM,
  keyShare,
  LEAF_DER,
  LEAF_SHA256,
  pointFormats,
  record,
  serverHello,
  sigalgs,
  sni,
  supportedVersions,
  u16,
  vec,
} from './builders.js';

const c = (bytes: Uint8Array): Chunk => ({ dir: 'c2s', bytes });
const s = (bytes: Uint8Array): Chunk => ({ dir: 's2c', bytes });
const ofType = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => ofType(events, 'anomaly').map((e) => e['code']);
const HS = 22;
const opaque = (n: number, fill = 0x5a) => new Array(n).fill(fill);

const SID = opaque(32, 0x33);
const CH12 = clientHello({
  version: 0x0303,
  sessionId: SID,
  ciphers: [0x0a0a, 0xc02f, 0xc030, 0x009c],
  extensions: [ext(0x1a1a, []), sni('www.example.com'), alpn('h2', 'http/1.1'), groups(29, 23), pointFormats(0), sigalgs(0x0804, 0x0403), ext(23, []), ext(35, [])],
});
const SH12 = serverHello({ version: 0x0303, sessionId: opaque(32, 0x44), cipher: 0xc02f, extensions: [alpn('h2'), ext(23, []), ext(0xff01, [0])] });
/** ECDHE ServerKeyExchange: named_curve x25519, a 32-byte point, then a signature we do not read. */
const SKE = handshake(12, [3, ...u16(29), 32, ...opaque(32), ...u16(0x0804), ...vec(2, opaque(64))]);
const SHD = handshake(14, []);

function tls12(): Chunk[] {
  return [
    c(record(HS, CH12, 0x0301)),
    // ServerHello, Certificate, ServerKeyExchange and ServerHelloDone coalesced in one record.
    s(record(HS, [...SH12, ...certificateMessage([LEAF_DER, CA_DER]), ...SKE, ...SHD])),
    c(cat(record(HS, handshake(16, vec(1, opaque(32)))), record(20, [1]), record(HS, opaque(40)))),
    s(cat(record(20, [1]), record(HS, opaque(40)))),
    c(record(23, opaque(100))),
    s(cat(record(23, opaque(300)), record(23, opaque(200)))),
    c(record(21, opaque(26))),
  ];
}

describe('TLS 1.2 handshake in clear', () => {
  const rec = runStream(tlsDescriptor, tls12(), { mode: 'whole' }, { wantsObjects: true });

  it('reports the ClientHello with SNI, ALPN, fingerprints', () => {
    const [ch] = ofType(rec.events, 'tls.client_hello');
    expect(ch).toMatchObject({
      dir: 'c2s',
      record_version: 'TLSv1.0',
      legacy_version: 'TLSv1.2',
      server_name: 'www.example.com',
      alpn: ['h2', 'http/1.1'],
      cipher_suites: [0x0a0a, 0xc02f, 0xc030, 0x009c],
      extensions: [0x1a1a, 0, 16, 10, 11, 13, 23, 35],
      supported_groups: ['x25519', 'secp256r1'],
      signature_algorithms: ['rsa_pss_rsae_sha256', 'ecdsa_secp256r1_sha256'],
      session_ticket: false,
      sslv2: false,
      ja3_string: '771,49199-49200-156,0-16-10-11-13-23-35,29-23,0',
    });
    // JA4 by hand: 3 ciphers and 7 extensions without GREASE; SNI and ALPN left out of the hash.
    const h12 = (x: string) => createHash('sha256').update(x).digest('hex').slice(0, 12);
    expect(ch!['ja4']).toBe(`t12d0307h2_${h12('009c,c02f,c030')}_${h12('000a,000b,000d,0017,0023_0804,0403')}`);
  });

  it('reports the ServerHello with names and numbers', () => {
    expect(ofType(rec.events, 'tls.server_hello')[0]).toMatchObject({
      version: 'TLSv1.2',
      version_code: 771,
      cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      cipher_suite: 0xc02f,
      next_protocol: 'h2',
      resumed: false,
      hello_retry_request: false,
      ja3s_string: '771,49199,16-23-65281',
    });
  });

  it('describes each certificate, leaf first', () => {
    const certs = ofType(rec.events, 'tls.certificate');
    expect(certs.map((x) => [x['index'], x['sha256'], x['sender']])).toEqual([
      [0, LEAF_SHA256, 'server'],
      [1, CA_SHA256, 'server'],
    ]);
    // The harness's clock is 2023: before both certificates' notBefore.
    expect(certs[0]).toMatchObject({ subject: 'CN=test.wirelens,O=Wirelens Test', san_dns: ['test.wirelens', 'alt.wirelens'], expired: false, not_yet_valid: true });
  });

  it('exports each certificate as .der and .pem', () => {
    expect(rec.objects.map((o) => o.name)).toEqual([`${LEAF_SHA256.slice(0, 16)}.der`, `${LEAF_SHA256.slice(0, 16)}.pem`, `${CA_SHA256.slice(0, 16)}.der`, `${CA_SHA256.slice(0, 16)}.pem`]);
    expect(Buffer.from(rec.objects[0]!.data).equals(LEAF_DER)).toBe(true);
    expect(rec.objects.every((o) => o.protocol === 'tls')).toBe(true);
  });

  it('sums the session like ssl.log, and labels the flow', () => {
    expect(ofType(rec.events, 'tls.session')[0]).toMatchObject({
      version: 'TLSv1.2',
      cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      curve: 'x25519',
      server_name: 'www.example.com',
      next_protocol: 'h2',
      established: true,
      resumed: false,
      cert_chain_fps: [LEAF_SHA256, CA_SHA256],
      subject: 'CN=test.wirelens,O=Wirelens Test',
      c2s_handshake: ['client_hello', 'client_key_exchange'],
      s2c_handshake: ['server_hello', 'certificate', 'server_key_exchange', 'server_hello_done'],
      encrypted_handshake_records: 2,
      c2s_app_bytes: 100,
      s2c_app_bytes: 500,
      s2c_app_records: 2,
      incomplete: false,
    });
    expect(ofType(rec.events, 'tls.alert')).toMatchObject([{ dir: 'c2s', encrypted: true, description: null }]);
    expect(codes(rec.events)).toEqual([]);
    expect(rec.service).toBe('tls');
    expect(rec.summary).toBe('TLSv1.2 www.example.com h2');
  });

  it('gives the same events however the bytes are cut', () => {
    const whole = comparable(rec.events);
    expect(comparable(runStream(tlsDescriptor, tls12(), { mode: 'bytes' }, { wantsObjects: true }).events)).toEqual(whole);
    for (const at of [1, 4, 5, 6, 9, 50, 300, 1000, 1500, 2000]) {
      expect(comparable(runStream(tlsDescriptor, tls12(), { mode: 'at', at }, { wantsObjects: true }).events), `cut at ${at}`).toEqual(whole);
    }
  });

  it('a handshake message split over two records is joined', () => {
    const body = Array.from(CH12);
    const chunks = [c(cat(record(HS, body.slice(0, 30)), record(HS, body.slice(30)))), s(record(HS, SH12))];
    const r = runStream(tlsDescriptor, chunks);
    expect(ofType(r.events, 'tls.client_hello')[0]).toMatchObject({ server_name: 'www.example.com' });
    expect(codes(r.events)).toEqual([]);
  });
});

describe('expiry is judged at capture time', () => {
  it('a leaf past notAfter at the packet time is expired, the CA is not', () => {
    const rec = recordingContext();
    const d = tlsDescriptor.createStream!(rec.ctx);
    rec.at(1, new Timestamp(1_900_000_000, 0)); // 2030-03-17
    d.data('c2s', record(HS, CH12));
    d.data('s2c', record(HS, [...SH12, ...certificateMessage([LEAF_DER, CA_DER])]));
    d.close();
    expect(ofType(rec.events, 'tls.certificate').map((e) => [e['expired'], e['not_yet_valid']])).toEqual([
      [true, false],
      [false, false],
    ]);
  });
});

describe('TLS 1.3 with a HelloRetryRequest', () => {
  const ch1 = clientHello({ ciphers: [0x1301, 0x1302], sessionId: SID, extensions: [sni('a.test'), supportedVersions(0x0304, 0x0303), groups(29, 23), keyShare(29), sigalgs(0x0403)] });
  const hrr = serverHello({ random: HRR_RANDOM, sessionId: SID, cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, u16(23))] });
  const ch2 = clientHello({ ciphers: [0x1301, 0x1302], sessionId: SID, extensions: [sni('a.test'), supportedVersions(0x0304, 0x0303), groups(29, 23), keyShare(23), sigalgs(0x0403)] });
  const sh = serverHello({ sessionId: SID, cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, [...u16(23), ...vec(2, opaque(65))])] });
  const chunks = [
    c(record(HS, ch1, 0x0301)),
    s(cat(record(HS, hrr), record(20, [1]))),
    c(cat(record(20, [1]), record(HS, ch2))),
    s(cat(record(HS, sh), record(23, opaque(30)), record(23, opaque(900)), record(23, opaque(80)))),
    c(record(23, opaque(53))),
    c(record(23, opaque(120))),
    s(record(23, opaque(700))),
  ];
  const rec = runStream(tlsDescriptor, chunks);

  it('reports both hellos of each side, the first ServerHello as a retry', () => {
    expect(ofType(rec.events, 'tls.client_hello').map((e) => e['key_share_groups'])).toEqual([['x25519'], ['secp256r1']]);
    expect(ofType(rec.events, 'tls.server_hello').map((e) => [e['hello_retry_request'], e['version_code'], e['cipher_suite'], e['curve']])).toEqual([
      [true, 772, 4865, 'secp256r1'],
      [false, 772, 4865, 'secp256r1'],
    ]);
  });

  it('counts the encrypted flight apart from application data', () => {
    expect(ofType(rec.events, 'tls.session')[0]).toMatchObject({
      version: 'TLSv1.3',
      hello_retry_request: true,
      established: true,
      encrypted_handshake_records: 4,
      c2s_app_bytes: 120,
      s2c_app_bytes: 700,
      curve: 'secp256r1',
    });
    expect(codes(rec.events)).toEqual([]);
  });

  it('TLS 1.3 resumption: pre_shared_key in the ServerHello', () => {
    const chPsk = clientHello({ ciphers: [0x1301], extensions: [supportedVersions(0x0304), keyShare(29), ext(45, vec(1, [1])), ext(41, opaque(40))] });
    const shPsk = serverHello({ cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, [...u16(29), ...vec(2, opaque(32))]), ext(41, u16(0))] });
    const r = runStream(tlsDescriptor, [c(record(HS, chPsk)), s(record(HS, shPsk))]);
    expect(ofType(r.events, 'tls.client_hello')[0]).toMatchObject({ psk_offered: true, psk_key_exchange_modes: [1], server_name: null });
    expect(ofType(r.events, 'tls.server_hello')[0]).toMatchObject({ resumed: true });
    expect(ofType(r.events, 'tls.session')[0]).toMatchObject({ resumed: true, established: false, incomplete: true });
  });
});

describe('TLS 1.2 resumption', () => {
  it('an echoed session id and the server changing ciphers first', () => {
    const sh = serverHello({ sessionId: SID, cipher: 0xc02f });
    const r = runStream(tlsDescriptor, [
      c(record(HS, CH12)),
      s(cat(record(HS, sh), record(20, [1]), record(HS, opaque(40)))),
      c(cat(record(20, [1]), record(HS, opaque(40)), record(23, opaque(10)))),
    ]);
    expect(ofType(r.events, 'tls.server_hello')[0]).toMatchObject({ resumed: true });
    expect(ofType(r.events, 'tls.session')[0]).toMatchObject({ resumed: true, established: true, c2s_app_bytes: 10 });
    expect(r.summary).toBe('TLSv1.2 www.example.com resumed');
  });
});

describe('alerts', () => {
  it('a fatal alert in clear, with its name', () => {
    const r = runStream(tlsDescriptor, [c(record(HS, CH12)), s(record(21, [2, 40]))]);
    expect(ofType(r.events, 'tls.alert')[0]).toMatchObject({ dir: 's2c', level: 'fatal', level_code: 2, description: 'handshake_failure', description_code: 40, encrypted: false });
    expect(ofType(r.events, 'tls.session')[0]).toMatchObject({ last_alert: 'handshake_failure', established: false });
  });
  it('an alert record of the wrong size in clear is an anomaly', () => {
    const r = runStream(tlsDescriptor, [c(record(21, [2, 40, 1]))]);
    expect(codes(r.events)).toEqual(['tls.bad_alert']);
  });
});

describe('bad input', () => {
  it('garbage after the hello stops that direction only', () => {
    const r = runStream(tlsDescriptor, [c(cat(record(HS, CH12), Uint8Array.from(Buffer.from('GET / HTTP/1.1\r\n\r\n')))), s(record(HS, SH12)), c(record(23, opaque(5)))]);
    expect(codes(r.events)).toEqual(['tls.bad_record']);
    expect(ofType(r.events, 'tls.server_hello')).toHaveLength(1);
    expect(ofType(r.events, 'tls.session')[0]).toMatchObject({ c2s_app_bytes: 0 });
  });

  it('a record over 2^14 + 2048 bytes is reported and still read', () => {
    const r = runStream(tlsDescriptor, [c(record(23, opaque(20000)))]);
    expect(codes(r.events)).toEqual(['tls.record_overflow']);
    expect(ofType(r.events, 'tls.session')[0]).toMatchObject({ c2s_app_bytes: 20000 });
  });

  it('a malformed hello and a malformed extension', () => {
    const r = runStream(tlsDescriptor, [c(record(HS, handshake(1, [3, 3, 1, 2, 3]))), s(record(HS, serverHello({ cipher: 0x2f, extensions: [ext(43, [3])] })))]);
    expect(codes(r.events)).toEqual(['tls.bad_handshake', 'tls.bad_extension']);
  });

  it('a ClientHello from the server is unexpected', () => {
    const r = runStream(tlsDescriptor, [s(record(HS, CH12))]);
    expect(codes(r.events)).toEqual(['tls.unexpected_message']);
  });

  it('after a gap, framing resynchronises on the next record header', () => {
    const rec = recordingContext();
    const d = tlsDescriptor.createStream!(rec.ctx);
    d.data('c2s', record(HS, CH12));
    d.data('s2c', record(23, opaque(100)).subarray(0, 40));
    d.gap('s2c', 1000);
    d.data('s2c', cat(Uint8Array.from(opaque(17, 0)), record(23, opaque(30)), record(23, opaque(20))));
    d.close();
    expect(codes(rec.events)).toEqual(['tls.gap', 'tls.gap']);
    expect(ofType(rec.events, 'anomaly')[1]!['detail']).toContain('skipping 17 bytes');
    expect(ofType(rec.events, 'tls.session')[0]).toMatchObject({ s2c_app_bytes: 50 });
  });

  it('an SSLv2-format ClientHello', () => {
    const specs = [0x00, 0x00, 0x2f, 0x07, 0x00, 0xc0, 0x00, 0x00, 0x35];
    const challenge = opaque(16, 0xab);
    const msg = [1, 0x03, 0x01, ...u16(specs.length), ...u16(0), ...u16(challenge.length), ...specs, ...challenge];
    const r = runStream(tlsDescriptor, [c(Uint8Array.from([0x80 | (msg.length >> 8), msg.length & 0xff, ...msg])), s(record(HS, serverHello({ version: 0x0301, cipher: 0x2f })))]);
    expect(ofType(r.events, 'tls.client_hello')[0]).toMatchObject({ sslv2: true, record_version: 'SSLv2', legacy_version: 'TLSv1.0', cipher_suites: [0x2f, 0x35], ja3: null, random: '00'.repeat(16) + 'ab'.repeat(16) });
    expect(ofType(r.events, 'tls.server_hello')[0]).toMatchObject({ version: 'TLSv1.0' });
    expect(codes(r.events)).toEqual([]);
  });
});

describe('limits', () => {
  const run = (limits: Record<string, number>) => runStream(tlsDescriptor, tls12(), { mode: 'whole' }, { limits });

  it('max_tls_chain: the rest of the chain is counted, not parsed', () => {
    const r = run({ max_tls_chain: 1 });
    expect(codes(r.events)).toEqual(['tls.chain_limit']);
    expect(ofType(r.events, 'tls.certificate')).toHaveLength(1);
  });

  it('max_tls_certificate: hashes only', () => {
    const r = run({ max_tls_certificate: CA_DER.length + 1 });
    expect(codes(r.events)).toEqual(['tls.certificate_limit']);
    expect(ofType(r.events, 'tls.certificate')[0]).toMatchObject({ sha256: LEAF_SHA256, subject: null });
    expect(ofType(r.events, 'tls.certificate')[1]).toMatchObject({ sha256: CA_SHA256, self_signed: true });
  });

  it('max_tls_handshake: the message is skipped, the next one read', () => {
    const r = run({ max_tls_handshake: 200 });
    expect(codes(r.events)).toEqual(['tls.handshake_limit']);
    expect(ofType(r.events, 'tls.certificate')).toHaveLength(0);
    expect(ofType(r.events, 'tls.session')[0]).toMatchObject({ curve: 'x25519', s2c_handshake: ['server_hello', 'server_key_exchange', 'server_hello_done'] });
  });

  it('max_tls_extensions: the rest are not read', () => {
    const r = run({ max_tls_extensions: 3 });
    expect(codes(r.events)).toEqual(['tls.extension_limit']);
    expect(ofType(r.events, 'tls.client_hello')[0]!['extensions']).toEqual([0x1a1a, 0, 16]);
  });
});
