import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { http2Descriptor, probeHttp2 } from '../../src/protocols/http2/index.js';
import { recordingContext, runStream, type Chunk } from '../support/dissector-harness.js';
import type { HandOver } from '../../src/dissect/contract.js';
import type { WireEvent } from '../../src/events/event.js';
import { PREFACE, conversation, frame, hpack, req, settings } from './frames.js';

const W = { mode: 'whole' } as const;
const of = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => of(events, 'anomaly').map((e) => e.code);
const c2s = (...b: Buffer[]): Chunk => ({ dir: 'c2s', bytes: Buffer.concat(b) });
const s2c = (...b: Buffer[]): Chunk => ({ dir: 's2c', bytes: Buffer.concat(b) });

describe('HTTP/2 dissector', () => {
  it('reports Basic and Digest credentials of HTTP/2 requests as HTTP/1 does (issue 15)', () => {
    const digest = 'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, qop=auth, nc=00000001, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", response="8ca523f5e9506fed4657c9700eebdbec"';
    const r = runStream(http2Descriptor, [
      c2s(PREFACE, settings(), frame(1, 0x5, 1, hpack([...req('/dir/index.html'), ['authorization', digest]])), frame(1, 0x5, 3, hpack([...req('/b'), ['authorization', 'Basic dXNlcjpwYXNz']]))),
      s2c(settings(), frame(1, 0x5, 1, hpack([[':status', '200']])), frame(1, 0x5, 3, hpack([[':status', '200']]))),
    ]);
    expect(of(r.events, 'credentials').map((c) => [c.mechanism, c.user, c.secret, c.secret_kind ?? null, c.realm ?? null])).toEqual([
      ['digest', 'Mufasa', '8ca523f5e9506fed4657c9700eebdbec', 'digest_response', 'http-auth@example.org'],
      ['basic', 'user', 'pass', null, null],
    ]);
    expect(of(r.events, 'http.transaction').map((t) => [t.uri, t.username, t.password ?? null])).toEqual([['/dir/index.html', 'Mufasa', null], ['/b', 'user', 'pass']]);
  });

  it('detects the preface and, mid-stream, three plausible frames', () => {
    expect(probeHttp2(PREFACE)).toBe('match');
    expect(probeHttp2(PREFACE.subarray(0, 10))).toBe('need_more');
    expect(probeHttp2(Buffer.from('GET / HTTP/1.1\r\n'))).toBe('no');
    expect(probeHttp2(Buffer.concat([settings([[3, 100]]), frame(4, 1, 0), frame(8, 0, 0, Buffer.from([0, 0, 1, 0]))]))).toBe('match');
    expect(probeHttp2(Buffer.from('\x13BitTorrent protocol\0\0\0\0\0\0\0\0', 'latin1'))).toBe('no');
  });

  it('reports every frame, decodes header blocks, pairs streams, decodes gzip bodies, shows interleaving', () => {
    const r = runStream(http2Descriptor, conversation(), W, { wantsObjects: true });
    expect(codes(r.events)).toEqual([]);
    const frames = of(r.events, 'http2.frame');
    expect(frames.map((f) => `${f.dir}:${f.frame_type}:${f.stream_id}`)).toEqual([
      'c2s:SETTINGS:0', 'c2s:HEADERS:1', 'c2s:HEADERS:3',
      's2c:SETTINGS:0', 's2c:SETTINGS:0', 's2c:HEADERS:1', 's2c:HEADERS:3',
      's2c:DATA:1', 's2c:DATA:3', 's2c:DATA:1',
      'c2s:SETTINGS:0', 'c2s:WINDOW_UPDATE:0', 's2c:DATA:3', 'c2s:PING:0', 'c2s:GOAWAY:0',
    ]);
    expect(frames[0]!.settings).toEqual([{ id: 1, name: 'HEADER_TABLE_SIZE', value: 4096 }, { id: 4, name: 'INITIAL_WINDOW_SIZE', value: 65535 }]);
    expect(frames[4]).toMatchObject({ ack: true, flag_names: ['ACK'] });
    expect(frames[11]!.window_size_increment).toBe(4096);
    expect(frames[12]).toMatchObject({ pad_length: 3, end_stream: true, flag_names: ['END_STREAM', 'PADDED'] });
    expect(frames[14]).toMatchObject({ error_code: 'NO_ERROR', last_stream_id: 3 });
    const heads = of(r.events, 'http2.headers');
    expect(heads.map((h) => [h.stream_id, h.block])).toEqual([[1, 'request'], [3, 'request'], [1, 'response'], [3, 'response']]);
    expect(heads[1]!.headers).toEqual(req('/b.js'));
    const txs = of(r.events, 'http.transaction');
    expect(txs.map((t) => [t.stream_id, t.method, t.uri, t.status_code, t.response_body_len, t.version])).toEqual([
      [1, 'GET', '/a', 200, 11, '2'], [3, 'GET', '/b.js', 200, gzipSync('b'.repeat(3000)).length, '2'],
    ]);
    expect(txs[1]).toMatchObject({ response_decoded_len: 3000, host: 'example.com', user_agent: 'nghttp2/1.5' });
    expect(r.objects.map((o) => [o.name, o.data.length])).toEqual([['a', 11], ['b.js', 3000]]);
    const conn = of(r.events, 'http.connection')[0]!;
    expect(conn).toMatchObject({ version: '2', requests: 2, multiplexed: true });
    expect(conn.interleaving).toEqual([[1, 1], [3, 1], [1, 1], [3, 1], [1, 1], [3, 1]]);
    expect(r.service).toBe('http2');
  });

  it('assembles CONTINUATION, ties PUSH_PROMISE to the pushed stream, reports RST_STREAM', () => {
    const block = hpack(req('/'), { index: false });
    const promised = Buffer.concat([Buffer.from([0, 0, 0, 2]), hpack(req('/style.css'))]);
    const r = runStream(http2Descriptor, [
      c2s(PREFACE, settings(), frame(1, 0x1, 1, block.subarray(0, 5)), frame(9, 0, 1, block.subarray(5, 9)), frame(9, 0x4, 1, block.subarray(9))),
      s2c(settings(), frame(5, 0x4, 1, promised), frame(1, 0x4, 1, hpack([[':status', '200']])), frame(1, 0x4, 2, hpack([[':status', '200']]))),
      s2c(frame(0, 0x1, 2, 'css'), frame(0, 0x1, 1, 'html')),
      c2s(frame(1, 0x5, 5, hpack(req('/gone'))), frame(3, 0, 5, Buffer.from([0, 0, 0, 8]))),
    ]);
    expect(codes(r.events)).toEqual([]);
    const heads = of(r.events, 'http2.headers');
    expect(heads[0]).toMatchObject({ stream_id: 1, block: 'request', end_stream: true });
    expect(heads[0]!.headers).toEqual(req('/'));
    expect(heads[1]).toMatchObject({ stream_id: 1, block: 'push_promise', promised_stream_id: 2 });
    const txs = of(r.events, 'http.transaction');
    expect(txs.map((t) => [t.stream_id, t.uri, t.status_code, t.pushed ?? false, t.promised_by, t.reset])).toEqual([
      [2, '/style.css', 200, true, 1, undefined], [1, '/', 200, false, undefined, undefined], [5, '/gone', undefined, false, undefined, 'CANCEL by client'],
    ]);
    expect(of(r.events, 'http2.frame').filter((f) => f.frame_type === 'RST_STREAM')[0]!.error_code).toBe('CANCEL');
  });

  it('reports an HPACK desync mid-connection without inventing headers, and keeps reporting frames', () => {
    const r = runStream(http2Descriptor, [
      c2s(frame(1, 0x5, 7, Buffer.concat([Buffer.from([0xbe]), hpack([[':method', 'GET']])])), frame(8, 0, 0, Buffer.from([0, 0, 1, 0])), frame(6, 0, 0, Buffer.alloc(8))),
      s2c(frame(1, 0x4, 7, hpack([[':status', '304']])), frame(0, 0x1, 7, '')),
    ]);
    expect(codes(r.events)).toEqual(['http2.hpack_desync']);
    const h = of(r.events, 'http2.headers')[0]!;
    expect(h).toMatchObject({ undecodable: true, unknown_fields: 1 });
    expect(h.headers).toEqual([[':method', 'GET']]);
    expect(of(r.events, 'http2.frame')).toHaveLength(5);
    expect(of(r.events, 'http.connection')[0]!.mid_stream).toBe(true);
  });

  it('flags malformed frames and state violations', () => {
    const r = runStream(http2Descriptor, [
      c2s(PREFACE, settings(), frame(4, 0, 1, Buffer.alloc(5)), frame(0, 0, 9, 'x'), frame(8, 0, 0, Buffer.from([0, 0, 0, 0])), frame(6, 0, 0, 'short'), frame(0xfa, 0, 0, 'ext')),
      s2c(frame(1, 0x4, 1, hpack([[':status', '200']]))),
    ]);
    expect(codes(r.events)).toEqual(['http2.bad_frame', 'http2.bad_frame', 'http2.protocol_error', 'http2.bad_frame', 'http2.bad_frame', 'http2.bad_preface', 'http2.protocol_error']);
    expect(of(r.events, 'http2.frame').map((f) => f.frame_type)).toContain('UNKNOWN(250)');
  });

  it('takes over after an h2c upgrade: stream 1 is the HTTP/1.1 request', () => {
    const at = { frame: 1, ts: recordingContext().ctx.ts };
    const rec = recordingContext({ handedOver: { kind: 'h2c', method: 'GET', uri: '/up', host: 'h', headers: [['Host', 'h'], ['HTTP2-Settings', 'AAEAAAIA']], request_first: at, request_end: null, request_segments: 1, request_body_len: 0 } as HandOver });
    const d = http2Descriptor.createStream!(rec.ctx);
    rec.at(2);
    d.data('s2c', Buffer.concat([settings(), frame(1, 0x4, 1, hpack([[':status', '200']])), frame(0, 0x1, 1, 'hi')]));
    rec.at(3);
    d.data('c2s', Buffer.concat([PREFACE, settings(), frame(4, 1, 0)]));
    d.close();
    expect(codes(rec.events)).toEqual([]);
    expect(of(rec.events, 'http.transaction')[0]).toMatchObject({ stream_id: 1, method: 'GET', uri: '/up', status_code: 200, upgraded: 'h2c', response_body_len: 2, request_frame: 1 });
    expect(of(rec.events, 'http.connection')[0]).toMatchObject({ upgraded: 'h2c' });
  });

  it('never throws on random bytes after the preface', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
    for (let k = 0; k < 50; k++) {
      const junk = Buffer.from(Array.from({ length: 300 }, rnd));
      expect(() => runStream(http2Descriptor, [c2s(PREFACE, junk), s2c(junk)], { mode: 'bytes' })).not.toThrow();
    }
  });
});

describe('HTTP/2 gaps', () => {
  it('a gap inside a DATA frame is counted and the stream still completes; a gap in framing resynchronises', () => {
    const rec = recordingContext();
    const d = http2Descriptor.createStream!(rec.ctx);
    const data = frame(0, 0x1, 1, 'x'.repeat(100));
    const steps: Array<() => void> = [
      () => d.data('c2s', Buffer.concat([PREFACE, settings(), frame(1, 0x5, 1, hpack(req('/big')))])),
      () => d.data('s2c', Buffer.concat([settings(), frame(1, 0x4, 1, hpack([[':status', '200']])), data.subarray(0, 30)])),
      () => d.gap('s2c', 50),
      () => d.data('s2c', data.subarray(80)),
      () => d.gap('c2s', 7),
      () => d.data('c2s', Buffer.concat([Buffer.from('tail-of-lost-frame'), frame(8, 0, 0, Buffer.from([0, 0, 1, 0])), frame(6, 0, 0, Buffer.alloc(8))])),
    ];
    steps.forEach((s, i) => {
      rec.at(i + 1);
      s();
    });
    d.close();
    const [tx] = rec.events.filter((e) => e.type === 'http.transaction');
    expect(tx).toMatchObject({ stream_id: 1, status_code: 200, response_body_len: 50, response_missed_bytes: 50 });
    expect(tx!.incomplete).toBeUndefined();
    const gaps = rec.events.filter((e) => e.type === 'anomaly');
    expect(gaps.map((g) => g.code)).toEqual(['http2.gap']);
    expect(gaps[0]!.detail).toMatch(/^25 bytes lost/);
    expect(rec.events.filter((e) => e.type === 'http2.frame' && e.dir === 'c2s').map((f) => f.frame_type)).toEqual(['SETTINGS', 'HEADERS', 'WINDOW_UPDATE', 'PING']);
  });
});
