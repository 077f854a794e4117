/**
 * SOCKS 4/4a/5 (issue 15): the handshake read to `socks.request` in Zeek's socks.log terms,
 * RFC 1929 credentials, and a granted CONNECT handed back to detection with the bytes that
 * followed it. Byte layouts from the SOCKS 4 protocol note, RFC 1928 and RFC 1929;
 * captures/socks-dante-curl.pcap (real curl through Dante) is checked by its golden.
 */
import { describe, expect, it } from 'vitest';
import { socksDescriptor, probeSocks } from '../../src/protocols/socks/index.js';
import { runStream, type Chunk, type Split } from '../support/dissector-harness.js';

const b = (...parts: Array<number[] | string>): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
const HTTP = 'GET / HTTP/1.1\r\nHost: example.org\r\n\r\n';

const SPLITS: Split[] = [{ mode: 'whole' }, { mode: 'bytes' }, { mode: 'at', at: 3 }];

describe('SOCKS 5', () => {
  const chunks: Chunk[] = [
    { dir: 'c2s', bytes: b([5, 2, 0, 2]) },
    { dir: 's2c', bytes: b([5, 2]) },
    { dir: 'c2s', bytes: b([1, 5], 'alice', [6], 'secret') },
    { dir: 's2c', bytes: b([1, 0]) },
    { dir: 'c2s', bytes: b([5, 1, 0, 3, 11], 'example.org', [0, 80]) },
    // The reply, and the server's first bytes in the same segment.
    { dir: 's2c', bytes: b([5, 0, 0, 1, 192, 0, 2, 9, 0x9c, 0x40], 'HTTP/1.1 200 OK\r\n') },
    { dir: 'c2s', bytes: b(HTTP) },
  ];

  it.each(SPLITS)('user/password, CONNECT to a host name, granted: request, credentials, then detection again (%o)', (split) => {
    const rec = runStream(socksDescriptor, chunks, split);
    expect(rec.events.filter((e) => e.type === 'anomaly')).toEqual([]);
    const cred = rec.events.find((e) => e.type === 'credentials')!;
    expect([cred.protocol, cred.user, cred.secret, cred.mechanism, cred.success]).toEqual(['socks', 'alice', 'secret', 'userpass', true]);
    const req = rec.events.find((e) => e.type === 'socks.request')!;
    expect(req).toMatchObject({ frame: 6, version: 5, command: 'connect', request_name: 'example.org', request_p: 80, methods: ['none', 'userpass'], auth_method: 'userpass', user: 'alice', password: 'secret', status: 'succeeded', bound_host: '192.0.2.9', bound_p: 40000, request_frame: 5 });
    expect(req.request_host).toBeUndefined();
    expect(rec.service).toBe('socks');
    expect(rec.switches).toHaveLength(1);
    expect(rec.switches[0]!.protocol).toBeNull();
    // Bytes that came with the reply are handed on (fed one at a time, they come after the switch).
    if (split.mode !== 'bytes') expect(Buffer.from(rec.switches[0]!.pending!.s2c!).toString('latin1')).toBe('HTTP/1.1 200 OK\r\n');
  });

  it('a refused CONNECT to an IPv6 address: reported, not handed on', () => {
    const v6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
    const rec = runStream(socksDescriptor, [
      { dir: 'c2s', bytes: b([5, 1, 0]) },
      { dir: 's2c', bytes: b([5, 0]) },
      { dir: 'c2s', bytes: b([5, 1, 0, 4], v6, [0x01, 0xbb]) },
      { dir: 's2c', bytes: b([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]) },
    ]);
    expect(rec.events.find((e) => e.type === 'socks.request')).toMatchObject({ request_host: '2001:db8::1', request_p: 443, status: 'connection refused', auth_method: 'none' });
    expect(rec.switches).toEqual([]);
  });

  it('no acceptable method: nothing more is read, and no request is invented', () => {
    const rec = runStream(socksDescriptor, [
      { dir: 'c2s', bytes: b([5, 1, 1]) },
      { dir: 's2c', bytes: b([5, 0xff]) },
      { dir: 'c2s', bytes: b([5, 1, 0, 1, 1, 2, 3, 4, 0, 80]) },
    ]);
    expect(rec.events).toEqual([]);
    expect(rec.switches).toEqual([]);
  });

  it('an unknown address type is socks.malformed; a request left unanswered is still reported, with socks.incomplete', () => {
    const bad = runStream(socksDescriptor, [
      { dir: 'c2s', bytes: b([5, 1, 0]) },
      { dir: 's2c', bytes: b([5, 0]) },
      { dir: 'c2s', bytes: b([5, 1, 0, 9, 1, 2, 3, 4, 0, 80]) },
    ]);
    expect(bad.events.map((e) => [e.type, e.code])).toEqual([['anomaly', 'socks.malformed']]);
    expect(bad.events[0]!.detail).toBe('not a SOCKS request: address type 9');
    const cut = runStream(socksDescriptor, [
      { dir: 'c2s', bytes: b([5, 1, 0]) },
      { dir: 's2c', bytes: b([5, 0]) },
      { dir: 'c2s', bytes: b([5, 1, 0, 1, 10, 0, 0, 1, 0x1f, 0x90]) },
    ]);
    expect(cut.events.map((e) => [e.type, e.code ?? e.status ?? null])).toEqual([
      ['anomaly', 'socks.incomplete'],
      ['socks.request', null],
    ]);
    expect(cut.events[1]).toMatchObject({ frame: 3, request_host: '10.0.0.1', request_p: 8080 });
  });
});

describe('SOCKS 4 and 4a', () => {
  it.each(SPLITS)('4a: user id and host name; granted, then detection again (%o)', (split) => {
    const rec = runStream(
      socksDescriptor,
      [
        { dir: 'c2s', bytes: b([4, 1, 0, 80, 0, 0, 0, 1], 'bob', [0], 'example.org', [0]) },
        { dir: 's2c', bytes: b([0, 90, 0, 0, 0, 0, 0, 0]) },
        { dir: 'c2s', bytes: b(HTTP) },
      ],
      split,
    );
    expect(rec.events.find((e) => e.type === 'socks.request')).toMatchObject({ version: 4, command: 'connect', request_name: 'example.org', request_p: 80, user: 'bob', status: 'succeeded' });
    expect(rec.switches).toHaveLength(1);
  });

  it('4 rejected: status named', () => {
    const rec = runStream(socksDescriptor, [
      { dir: 'c2s', bytes: b([4, 1, 0x1f, 0x90, 10, 0, 0, 2, 0]) },
      { dir: 's2c', bytes: b([0, 91, 0, 0, 0, 0, 0, 0]) },
    ]);
    expect(rec.events.find((e) => e.type === 'socks.request')).toMatchObject({ version: 4, request_host: '10.0.0.2', request_p: 8080, user: undefined, status: 'rejected or failed' });
    expect(rec.switches).toEqual([]);
  });
});

describe('detection', () => {
  it('matches SOCKS 5 greetings and SOCKS 4 requests, and nothing else', () => {
    expect(probeSocks(b([5, 1, 0]), 'c2s')).toBe('match');
    expect(probeSocks(b([5, 2, 0, 2]), 'c2s')).toBe('match');
    expect(probeSocks(b([5, 2, 0]), 'c2s')).toBe('need_more');
    expect(probeSocks(b([5, 0]), 'c2s')).toBe('no');
    expect(probeSocks(b([5, 1, 0xff]), 'c2s')).toBe('no');
    expect(probeSocks(b([5, 1, 0], 'GET / HTTP/1.1'), 'c2s')).toBe('no');
    expect(probeSocks(b([4, 1, 0, 80, 1, 2, 3, 4], 'u'), 'c2s')).toBe('need_more');
    expect(probeSocks(b([4, 1, 0, 80, 1, 2, 3, 4], 'u', [0]), 'c2s')).toBe('match');
    expect(probeSocks(b([4, 7, 0, 80, 1, 2, 3, 4, 0]), 'c2s')).toBe('no');
    expect(probeSocks(b('GET / HTTP/1.1\r\n'), 'c2s')).toBe('no');
    expect(probeSocks(b([5, 0]), 's2c')).toBe('no');
  });
});
