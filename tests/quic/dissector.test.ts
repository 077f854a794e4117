/**
 * The QUIC dissector on hand-made connections: Initial packets opened with the keys of the
 * client's connection ID, a ClientHello split over two Initial packets (in and out of
 * order, at every split point), coalesced packets, Handshake and 1-RTT opened with key-log
 * secrets, a key update, HTTP/3 over the streams, and damaged or hostile packets reported
 * as anomalies with their frame numbers.
 */
import { describe, expect, it } from 'vitest';
import { MutableSecretStore } from '../../src/dissect/secrets.js';
import type { WireEvent } from '../../src/events/event.js';
import { probeQuic, quicDescriptor } from '../../src/protocols/quic/index.js';
import { TEST_FLOW } from '../support/dissector-harness.js';
import { initialKeys, keysFromSecret, nextKeyPhase, type PacketKeys } from '../../src/protocols/quic/protection.js';
import { versionInfo } from '../../src/protocols/quic/versions.js';
import { cipherSuite } from '../../src/protocols/tls/crypto/suites.js';
import { alpn, clientHello, ext, handshake, keyShare, serverHello, sni, supportedVersions, u16, vec } from '../tls/builders.js';
import { runDatagrams, type Chunk } from '../support/dissector-harness.js';
import { ack, connectionClose, crypto, handshakeDone, join, longPacket, padding, ping, shortPacket, stream, varint } from './builders.js';

const DCID = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];
const CSCID = [0xc1, 0xc2, 0xc3, 0xc4];
const SSCID = [0x5a, 0x5b, 0x5c, 0x5d];
const RANDOM = new Array(32).fill(0x11);
const INITIAL = initialKeys(versionInfo(1), Uint8Array.from(DCID))!;
const SUITE = cipherSuite(0x1301)!;
const secret = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const KEYS = {
  chs: keysFromSecret(SUITE, secret(1), 'quic'),
  shs: keysFromSecret(SUITE, secret(2), 'quic'),
  c0: keysFromSecret(SUITE, secret(3), 'quic'),
  s0: keysFromSecret(SUITE, secret(4), 'quic'),
};

function store(): MutableSecretStore {
  const s = new MutableSecretStore();
  const r = Uint8Array.from(RANDOM);
  s.add('CLIENT_HANDSHAKE_TRAFFIC_SECRET', r, secret(1));
  s.add('SERVER_HANDSHAKE_TRAFFIC_SECRET', r, secret(2));
  s.add('CLIENT_TRAFFIC_SECRET_0', r, secret(3));
  s.add('SERVER_TRAFFIC_SECRET_0', r, secret(4));
  return s;
}

const CH = clientHello({ random: RANDOM, ciphers: [0x1301, 0x1302], extensions: [sni('example.test'), alpn('h3'), supportedVersions(0x0304), keyShare(0x1d)] });
const SH = serverHello({ cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, [...u16(0x1d), ...vec(2, new Array(32).fill(9))])] });
const EE = handshake(8, vec(2, alpn('h3')));

const clientInitial = (pn: number, frames: number[]): Uint8Array =>
  longPacket(INITIAL.c2s, { type: 0, dcid: DCID, scid: CSCID, pn, payload: [...frames, ...padding(Math.max(0, 1160 - frames.length))] });
const serverInitial = (pn: number, frames: number[]): Uint8Array => longPacket(INITIAL.s2c, { type: 0, dcid: CSCID, scid: SSCID, pn, payload: frames });
const serverHandshake = (pn: number, frames: number[]): Uint8Array => longPacket(KEYS.shs, { type: 2, dcid: CSCID, scid: SSCID, pn, payload: frames });
const clientHandshake = (pn: number, frames: number[]): Uint8Array => longPacket(KEYS.chs, { type: 2, dcid: SSCID, scid: CSCID, pn, payload: frames });

// HTTP/3 (RFC 9114) with QPACK static references only (RFC 9204 Appendix A indices).
const h3frame = (type: number, payload: number[]): number[] => [...varint(type), ...varint(payload.length), ...payload];
const str = (s: string): number[] => [s.length, ...Buffer.from(s)];
const CONTROL = [0x00, ...h3frame(0x04, [...varint(0x01), ...varint(0), ...varint(0x07), ...varint(0)])];
/** :method GET (17), :scheme https (23), :authority (name 0) example.test, :path (name 1) /index.html. */
const REQUEST = h3frame(0x01, [0x00, 0x00, 0xc0 | 17, 0xc0 | 23, 0x50, ...str('example.test'), 0x51, ...str('/index.html')]);
/** :status 200 (25), content-type (name 44) text/plain; then DATA "hello". */
const RESPONSE = [...h3frame(0x01, [0x00, 0x00, 0xc0 | 25, 0x5f, 44 - 15, ...str('text/plain')]), ...h3frame(0x00, [...Buffer.from('hello')])];

function handshakeDatagrams(): Chunk[] {
  return [
    { dir: 'c2s', bytes: clientInitial(0, crypto(0, CH)) },
    // Coalesced: the server's Initial (ServerHello) and Handshake (EncryptedExtensions).
    { dir: 's2c', bytes: join(serverInitial(0, [...ack(0), ...crypto(0, SH)]), serverHandshake(0, crypto(0, EE))) },
    { dir: 'c2s', bytes: join(clientInitial(1, ack(0)), clientHandshake(0, ack(0))) },
  ];
}

const ofType = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const anomalies = (events: WireEvent[]) => ofType(events, 'anomaly').map((e) => [e.frame, e['code']]);
const run = (datagrams: Chunk[], keys = false) =>
  runDatagrams(quicDescriptor, datagrams, { flow: { server: { addr: '10.0.0.2', port: 443 } }, ...(keys ? { secrets: store() } : {}) });

describe('QUIC without keys: Initial packets', () => {
  it('opens both Initials and gives the same hello events as TLS over TCP', () => {
    const rec = run(handshakeDatagrams());
    const ch = ofType(rec.events, 'tls.client_hello');
    expect(ch).toHaveLength(1);
    expect(ch[0]).toMatchObject({ frame: 1, server_name: 'example.test', alpn: ['h3'], record_version: null, supported_versions: ['TLSv1.3'] });
    expect(String(ch[0]!['ja4'])).toMatch(/^q13d/);
    expect(ofType(rec.events, 'tls.server_hello')).toMatchObject([{ frame: 2, version_code: 772, cipher_suite: 0x1301 }]);
    const packets = ofType(rec.events, 'quic.packet').map((e) => [e.frame, e['packet_type'], e['coalesced_index'], e['decrypted'], e['packet_number']]);
    expect(packets).toEqual([
      [1, 'initial', 0, true, 0],
      [2, 'initial', 0, true, 0],
      [2, 'handshake', 1, false, null],
      [3, 'initial', 0, true, 1],
      [3, 'handshake', 1, false, null],
    ]);
    expect(anomalies(rec.events)).toEqual([]);
    const conn = ofType(rec.events, 'quic.connection')[0]!;
    expect(conn).toMatchObject({
      version: '1',
      client_initial_dcid: '8394c8f03e515708',
      client_scid: 'c1c2c3c4',
      server_scid: '5a5b5c5d',
      server_name: 'example.test',
      client_protocol: 'h3',
      server_protocol: null,
      history: 'ISishIH',
      decrypted: false,
      undecrypted_packets: 2,
    });
    expect(rec.service).toBe('quic');
  });

  it('a ClientHello over two Initial packets, at every split point, in either order', () => {
    const want = ofType(run(handshakeDatagrams()).events, 'tls.client_hello')[0]!;
    for (let at = 1; at < CH.length; at += 7) {
      for (const reversed of [false, true]) {
        const parts = [clientInitial(0, crypto(0, CH.slice(0, at))), clientInitial(1, crypto(at, CH.slice(at)))];
        if (reversed) parts.reverse();
        const rec = run(parts.map((bytes) => ({ dir: 'c2s' as const, bytes })));
        const ch = ofType(rec.events, 'tls.client_hello');
        expect(ch, `split at ${at}${reversed ? ', reversed' : ''}`).toHaveLength(1);
        expect({ ...ch[0]!, frame: 1, ts: null }).toEqual({ ...want, frame: 1, ts: null });
        expect(ch[0]!.frame).toBe(2);
        expect(anomalies(rec.events)).toEqual([]);
      }
    }
  });

  it('CRYPTO frames repeated and overlapping in one packet are read once', () => {
    const rec = run([{ dir: 'c2s', bytes: clientInitial(0, [...crypto(0, CH.slice(0, 100)), ...crypto(50, CH.slice(50)), ...crypto(0, CH)]) }]);
    expect(ofType(rec.events, 'tls.client_hello')).toHaveLength(1);
    expect(anomalies(rec.events)).toEqual([]);
  });

  it('a damaged Initial is an anomaly with its frame number; the next one is still read', () => {
    const bad = clientInitial(0, crypto(0, CH));
    bad[200]! ^= 0x40;
    const rec = run([{ dir: 'c2s', bytes: bad }, { dir: 'c2s', bytes: clientInitial(1, crypto(0, CH)) }]);
    expect(anomalies(rec.events)).toEqual([[1, 'quic.decrypt_failed']]);
    expect(ofType(rec.events, 'tls.client_hello').map((e) => e.frame)).toEqual([2]);
  });

  it('the fixed bit may be clear in a short header (RFC 9287 greasing): still a packet, not padding', () => {
    const rec = run([...handshakeDatagrams(), { dir: 's2c', bytes: shortPacket(KEYS.s0, CSCID, 0, ping(), { fixedBit: false }) }, { dir: 's2c', bytes: join(shortPacket(KEYS.s0, CSCID, 1, ping()), new Uint8Array(40)) }]);
    expect(anomalies(rec.events)).toEqual([]);
    expect(ofType(rec.events, 'quic.packet').filter((e) => e['packet_type'] === '1rtt').map((e) => e.frame)).toEqual([4, 5]);
  });

  it('a Version Negotiation packet lists the server versions', () => {
    const vn = Uint8Array.from([0x80, 0, 0, 0, 0, 4, ...CSCID, 8, ...DCID, 0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf, 0x1a, 0x2a, 0x3a, 0x4a]);
    const rec = run([{ dir: 'c2s', bytes: longPacket(versionInitial(0xff00001d), { type: 0, version: 0xff00001d, dcid: DCID, scid: CSCID, pn: 0, payload: [...crypto(0, CH), ...padding(1000)] }) }, { dir: 's2c', bytes: vn }]);
    expect(ofType(rec.events, 'quic.packet')[1]).toMatchObject({ packet_type: 'version_negotiation', supported_versions: ['1', 'quicv2', 'reserved (0x1a2a3a4a)'] });
    expect(ofType(rec.events, 'quic.connection')[0]).toMatchObject({ version: 'draft-29', version_negotiation: true, offered_versions: ['1', 'quicv2', 'reserved (0x1a2a3a4a)'] });
    expect(ofType(rec.events, 'tls.client_hello')).toHaveLength(1);
  });
});

function versionInitial(v: number): PacketKeys {
  return initialKeys(versionInfo(v), Uint8Array.from(DCID))!.c2s;
}

describe('QUIC with keys: Handshake, 1-RTT, key update, HTTP/3', () => {
  const conversation = (): Chunk[] => [
    ...handshakeDatagrams(),
    { dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 0, [...stream(2, 0, CONTROL), ...stream(0, 0, REQUEST, true)]) },
    { dir: 's2c', bytes: shortPacket(KEYS.s0, CSCID, 0, [...handshakeDone(), ...stream(0, 0, RESPONSE, true)]) },
    // Key update: the client's next packet flips the key phase with the next generation of keys.
    { dir: 'c2s', bytes: shortPacket(nextKeyPhase(KEYS.c0), SSCID, 1, ping(), { keyPhase: 1 }) },
    { dir: 'c2s', bytes: shortPacket(nextKeyPhase(KEYS.c0), SSCID, 2, connectionClose(0x100, 'bye', true), { keyPhase: 1 }) },
  ];

  it('decrypts every packet and gives the HTTP/3 transaction', () => {
    const rec = run(conversation(), true);
    expect(anomalies(rec.events)).toEqual([]);
    const tx = ofType(rec.events, 'http.transaction');
    expect(tx).toHaveLength(1);
    expect(tx[0]).toMatchObject({ frame: 5, version: '3', method: 'GET', uri: '/index.html', host: 'example.test', status_code: 200, response_body_len: 5, content_type: 'text/plain', stream_id: 0 });
    expect(ofType(rec.events, 'http3.frame').map((e) => [e.frame, e['stream_id'], e['frame_type']])).toEqual([
      [4, 2, 'SETTINGS'],
      [4, 0, 'HEADERS'],
      [5, 0, 'HEADERS'],
      [5, 0, 'DATA'],
    ]);
    const conn = ofType(rec.events, 'quic.connection')[0]!;
    expect(conn).toMatchObject({ server_protocol: 'h3', decrypted: true, undecrypted_packets: 0, handshake_done: true, established: true, c2s_key_updates: 1, s2c_key_updates: 0 });
    expect(conn['close']).toMatchObject({ sender: 'client', application: true, error_code: 0x100, error_name: 'H3_NO_ERROR', reason: 'bye', frame: 7 });
    expect(ofType(rec.events, 'quic.frame').map((e) => [e.frame, e['frame_type']])).toEqual([
      [5, 'HANDSHAKE_DONE'],
      [7, 'CONNECTION_CLOSE'],
    ]);
    expect(ofType(rec.events, 'quic.packet').filter((e) => e['packet_type'] === '1rtt').map((e) => e['key_phase'])).toEqual([0, 0, 1, 1]);
    expect(rec.service).toBe('quic,http3');
  });

  it('the request stream split over two STREAM frames at every point, in either order', () => {
    const want = ofType(run(conversation(), true).events, 'http.transaction')[0]!;
    const req = [...REQUEST];
    for (let at = 1; at < req.length; at++) {
      for (const reversed of [false, true]) {
        const parts = [
          { dir: 'c2s' as const, bytes: shortPacket(KEYS.c0, SSCID, 0, [...stream(2, 0, CONTROL), ...stream(0, 0, req.slice(0, at))]) },
          { dir: 'c2s' as const, bytes: shortPacket(KEYS.c0, SSCID, 1, stream(0, at, req.slice(at), true)) },
        ];
        if (reversed) parts.reverse();
        const rec = run([...handshakeDatagrams(), ...parts, { dir: 's2c', bytes: shortPacket(KEYS.s0, CSCID, 0, stream(0, 0, RESPONSE, true)) }], true);
        expect(anomalies(rec.events), `split at ${at}`).toEqual([]);
        const tx = ofType(rec.events, 'http.transaction');
        expect(tx.map((t) => [t['method'], t['uri'], t['host'], t['status_code'], t['response_body_len']]), `split at ${at}`).toEqual([
          [want['method'], want['uri'], want['host'], want['status_code'], want['response_body_len']],
        ]);
      }
    }
  });

  it('a segmentation offload batch (two 1-RTT packets in one captured datagram) is split at the repeated connection ID', () => {
    const batch = join(shortPacket(KEYS.s0, CSCID, 0, [...stream(0, 0, RESPONSE.slice(0, 10)), ...padding(60)]), shortPacket(KEYS.s0, CSCID, 1, stream(0, 10, RESPONSE.slice(10), true)));
    const rec = run([...conversation().slice(0, 4), { dir: 's2c', bytes: batch }], true);
    expect(anomalies(rec.events)).toEqual([]);
    expect(ofType(rec.events, 'quic.packet').filter((e) => e.frame === 5).map((e) => [e['packet_number'], e['coalesced_index'], e['decrypted']])).toEqual([
      [0, 0, true],
      [1, 1, true],
    ]);
    expect(ofType(rec.events, 'http.transaction')).toMatchObject([{ status_code: 200, response_body_len: 5 }]);
    expect(ofType(rec.events, 'quic.connection')[0]).toMatchObject({ gso_datagrams: 1 });
  });

  it('a damaged 1-RTT packet is an anomaly with its frame; a key log without the session says so', () => {
    const bad = shortPacket(KEYS.s0, CSCID, 0, stream(0, 0, RESPONSE, true));
    bad[bad.length - 3]! ^= 1;
    const rec = run([...conversation().slice(0, 4), { dir: 's2c', bytes: bad }], true);
    expect(anomalies(rec.events)).toEqual([[5, 'quic.decrypt_failed']]);
    // The request had no response: an incomplete transaction at the end, not a lost one.
    expect(ofType(rec.events, 'http.transaction')).toMatchObject([{ method: 'GET', incomplete: true }]);

    const other = new MutableSecretStore();
    other.add('CLIENT_TRAFFIC_SECRET_0', new Uint8Array(32).fill(0x77), secret(3));
    const rec2 = runDatagrams(quicDescriptor, conversation(), { flow: { server: { addr: '10.0.0.2', port: 443 } }, secrets: other });
    expect(anomalies(rec2.events)).toEqual([[2, 'quic.no_key']]);
    expect(ofType(rec2.events, 'quic.connection')[0]).toMatchObject({ decrypted: false, undecrypted_packets: 6 });
  });
});

describe('detection', () => {
  const flow = (server: number, client = 50000) => ({ ...TEST_FLOW, transport: 'udp' as const, server: { addr: '10.0.0.2', port: server }, client: { addr: '10.0.0.1', port: client } });
  it('a client Initial on any port; a server Initial or Retry first reverses the flow', () => {
    expect(probeQuic(clientInitial(0, crypto(0, CH)), 'c2s', flow(9999))).toBe('match');
    expect(probeQuic(clientInitial(0, crypto(0, CH)), 's2c', flow(9999))).toBe('match_reversed');
    expect(probeQuic(Uint8Array.from([0xc0, 0, 0, 0, 1, 0]), 'c2s', flow(443))).toBe('no');
  });

  it('short headers only (a capture begun mid-connection) on QUIC ports only, the port side as server', () => {
    const p = shortPacket(KEYS.c0, SSCID, 5, ping());
    expect(probeQuic(p, 'c2s', flow(443))).toBe('match');
    expect(probeQuic(p, 's2c', flow(443))).toBe('match_reversed');
    expect(probeQuic(p, 'c2s', flow(50000, 443))).toBe('match_reversed');
    expect(probeQuic(p, 'c2s', flow(5000))).toBe('no');
    const rec = run([{ dir: 'c2s', bytes: p }, { dir: 's2c', bytes: shortPacket(KEYS.s0, [], 9, ping()) }]);
    expect(anomalies(rec.events)).toEqual([]);
    expect(ofType(rec.events, 'quic.connection')[0]).toMatchObject({ version: null, c2s_short_packets: 1, s2c_short_packets: 1, established: true });
    expect(rec.summary).toBe('QUIC (no handshake seen)');
  });
});

describe('hostile packets', () => {
  it('a truncated long header, a length past the datagram, an unknown frame type: anomalies, no throw', () => {
    const good = clientInitial(0, crypto(0, CH));
    const rec = run([
      { dir: 'c2s', bytes: good },
      { dir: 'c2s', bytes: Uint8Array.from([0xc0, 0, 0, 0, 1, 8, 1, 2]) },
      { dir: 'c2s', bytes: Uint8Array.from([0xc0, 0, 0, 0, 1, 0, 0, 0, 0x7f, 0xff, 1, 2, 3]) },
      { dir: 'c2s', bytes: clientInitial(1, [0x1f, 0x00]) },
      { dir: 'c2s', bytes: clientInitial(2, [0x06, ...varint(0), ...varint(5000), 1, 2, 3]) },
      { dir: 'c2s', bytes: clientInitial(3, [0x06, ...varint(2 ** 50), 4, 1, 2, 3, 4]) },
    ]);
    expect(anomalies(rec.events)).toEqual([
      [2, 'quic.bad_packet'],
      [3, 'quic.bad_packet'],
      [4, 'quic.bad_frame'],
      [5, 'quic.bad_frame'],
      [6, 'quic.stream_offset'],
    ]);
    expect(ofType(rec.events, 'tls.client_hello')).toHaveLength(1);
  });

  it('STREAM data far ahead, past the offset bound or after FIN is dropped with an anomaly', () => {
    const rec = run(
      [
        ...handshakeDatagrams(),
        { dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 0, stream(0, 2 ** 45, [1, 2, 3])) },
        { dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 1, stream(0, 2 ** 30, [1, 2, 3])) },
        { dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 2, [...stream(4, 0, REQUEST, true), ...stream(4, REQUEST.length, [9])]) },
      ],
      true,
    );
    expect(anomalies(rec.events)).toEqual([
      [4, 'quic.stream_offset'],
      [5, 'quic.stream_offset'],
      [6, 'quic.stream_offset'],
    ]);
  });

  it('more streams than max_quic_streams: reported once, counted', () => {
    const frames = Array.from({ length: 6 }, (_, i) => stream(i * 4, 0, [0x00, 0x00])).flat();
    const rec = runDatagrams(quicDescriptor, [...handshakeDatagrams(), { dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 0, frames) }], {
      flow: { server: { addr: '10.0.0.2', port: 443 } },
      secrets: store(),
      limits: { max_quic_streams: 3 },
    });
    expect(anomalies(rec.events)).toEqual([[4, 'quic.stream_limit']]);
    expect(ofType(rec.events, 'quic.connection')[0]).toMatchObject({ streams: 3, stream_bytes: 12 });
  });

  it('random bytes in every position of a datagram never throw', () => {
    const base = handshakeDatagrams();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let i = 0; i < 200; i++) {
      const d = base.map((c) => ({ dir: c.dir, bytes: Uint8Array.from(c.bytes as Uint8Array) }));
      const target = d[i % d.length]!.bytes as Uint8Array;
      for (let k = 0; k < 3; k++) target[rnd() * 7 % target.length]! ^= rnd() | 1;
      expect(() => run(d, true)).not.toThrow();
    }
  });
});

describe('stream state', () => {
  it('finished streams are freed and their retransmissions ignored, so max_quic_streams bounds open streams only', () => {
    // Ten requests one after another, each finished both ways; at most two open at once.
    const datagrams: Chunk[] = [...handshakeDatagrams(), { dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 0, stream(2, 0, CONTROL)) }];
    for (let i = 0; i < 10; i++) {
      datagrams.push({ dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 1 + 2 * i, stream(i * 4, 0, REQUEST, true)) });
      datagrams.push({ dir: 's2c', bytes: shortPacket(KEYS.s0, CSCID, i, stream(i * 4, 0, RESPONSE, true)) });
      // A late copy of the request: the stream is finished, nothing new may come of it.
      datagrams.push({ dir: 'c2s', bytes: shortPacket(KEYS.c0, SSCID, 2 + 2 * i, stream(i * 4, 0, REQUEST, true)) });
    }
    const rec = runDatagrams(quicDescriptor, datagrams, { flow: { server: { addr: '10.0.0.2', port: 443 } }, secrets: store(), limits: { max_quic_streams: 2 } });
    expect(anomalies(rec.events)).toEqual([]);
    expect(ofType(rec.events, 'http.transaction')).toHaveLength(10);
    expect(ofType(rec.events, 'http3.headers')).toHaveLength(20);
    expect(ofType(rec.events, 'quic.connection')[0]).toMatchObject({ streams: 11 });
  });
});

describe('RetiredStreams', () => {
  it('a watermark per stream type, out-of-order IDs held until the hole closes, bounded', async () => {
    const { RetiredStreams, MAX_RETIRED_STREAMS } = await import('../../src/protocols/quic/retired.js');
    const r = new RetiredStreams();
    r.add(4);
    r.add(2);
    expect([r.has(0), r.has(4), r.has(2), r.has(8)]).toEqual([false, true, true, false]);
    r.add(0);
    expect([r.has(0), r.has(4), r.has(8)]).toEqual([true, true, false]);
    const many = new RetiredStreams();
    // Every other client bidi stream: the holes never close.
    for (let i = 1; i <= MAX_RETIRED_STREAMS + 10; i++) many.add(i * 8);
    expect(many.has(8)).toBe(true);
    expect(many.has(12)).toBe(true); // below the watermark that jumped: taken as retired
    expect(many.has((MAX_RETIRED_STREAMS + 10) * 8)).toBe(true);
    // Bounded work: a million more out-of-order IDs take well under the test time-out.
    for (let i = 0; i < 1_000_000; i++) many.add(2 ** 30 + i * 8);
    expect(many.has(2 ** 30)).toBe(true);
    expect(many.has(2 ** 31)).toBe(false);
  });
});
