import { gzipSync, deflateRawSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { httpDescriptor, probeHttp } from '../../src/protocols/http/index.js';
import { runStream, type Chunk } from '../support/dissector-harness.js';
import type { WireEvent } from '../../src/events/event.js';

const W = { mode: 'whole' } as const;
const of = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => of(events, 'anomaly').map((e) => e.code);
const c2s = (bytes: string | Uint8Array): Chunk => ({ dir: 'c2s', bytes });
const s2c = (bytes: string | Uint8Array): Chunk => ({ dir: 's2c', bytes });
const bin = (...parts: Array<string | Uint8Array>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('HTTP/1.1 requests and responses', () => {
  it('pairs a simple GET with its Content-Length response, keeping header order and case', () => {
    const r = runStream(httpDescriptor, [
      c2s('GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8\r\nX-Odd-CASE: v\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello'),
    ], W, { wantsObjects: true, tcpRtt: 0.01 });
    const [req] = of(r.events, 'http.request');
    expect(req).toMatchObject({ method: 'GET', uri: '/index.html', version: '1.1', host: 'example.com', user_agent: 'curl/8' });
    expect(req!.headers).toEqual([['Host', 'example.com'], ['User-Agent', 'curl/8'], ['X-Odd-CASE', 'v']]);
    expect(of(r.events, 'http.response')[0]).toMatchObject({ status_code: 200, status_msg: 'OK', version: '1.1' });
    const [tx] = of(r.events, 'http.transaction');
    expect(tx).toMatchObject({
      trans_depth: 1, method: 'GET', host: 'example.com', uri: '/index.html', status_code: 200, response_body_len: 5,
      resp_mime_types: ['text/html'], request_frame: 1, response_frame: 2, response_end_frame: 2, response_segments: 1, tcp_rtt: 0.01,
      conditional: false, not_modified: false,
    });
    expect(tx!.ttfb).toBe(1);
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0]).toMatchObject({ protocol: 'http', name: 'index.html', content_type: 'text/html' });
    expect(Buffer.from(r.objects[0]!.data).toString()).toBe('hello');
    expect(of(r.events, 'http.connection')[0]).toMatchObject({ requests: 1, persistent: true, pipelined: false });
    expect(r.service).toBe('http');
    expect(codes(r.events)).toEqual([]);
  });

  it('decodes chunked bodies with trailers and counts the segments that carried the response', () => {
    const r = runStream(httpDescriptor, [
      c2s('GET /c HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'),
      s2c('6;ext=1\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n'),
    ], W, { wantsObjects: true });
    const [tx] = of(r.events, 'http.transaction');
    expect(tx).toMatchObject({ response_body_len: 11, response_segments: 2, response_frame: 2, response_end_frame: 3, response_trailers: [['X-Checksum', 'abc']] });
    expect(Buffer.from(r.objects[0]!.data).toString()).toBe('hello world');
    expect(codes(r.events)).toEqual([]);
  });

  it('handles 100-continue, and HEAD, 204 and 304 without bodies', () => {
    const r = runStream(httpDescriptor, [
      c2s('POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n'),
      s2c('HTTP/1.1 100 Continue\r\n\r\n'),
      c2s('abc'),
      s2c('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'),
      c2s('HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'),
      c2s('DELETE /y HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 204 No Content\r\n\r\n'),
      c2s('GET /z HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Sat, 01 Jan 2022 00:00:00 GMT\r\nIf-None-Match: "e1"\r\n\r\n'),
      s2c('HTTP/1.1 304 Not Modified\r\nETag: "e1"\r\nLast-Modified: Sat, 01 Jan 2022 00:00:00 GMT\r\n\r\n'),
    ]);
    expect(of(r.events, 'http.response').map((e) => e.status_code)).toEqual([100, 201, 200, 204, 304]);
    const txs = of(r.events, 'http.transaction');
    expect(txs.map((t) => [t.method, t.status_code, t.request_body_len, t.response_body_len])).toEqual([
      ['POST', 201, 3, 0], ['HEAD', 200, 0, 0], ['DELETE', 204, 0, 0], ['GET', 304, 0, 0],
    ]);
    expect(txs[0]).toMatchObject({ info_code: 100, info_msg: 'Continue' });
    expect(txs[3]).toMatchObject({ conditional: true, not_modified: true, etag: '"e1"', if_none_match: '"e1"', last_modified: 'Sat, 01 Jan 2022 00:00:00 GMT' });
    expect(of(r.events, 'http.connection')[0]).toMatchObject({ requests: 4, persistent: true, pipelined: false });
    expect(codes(r.events)).toEqual([]);
  });

  it('pairs pipelined requests with responses in order and marks them', () => {
    const r = runStream(httpDescriptor, [
      c2s('GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nbb'),
      s2c('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nccc'),
    ]);
    const txs = of(r.events, 'http.transaction');
    expect(txs.map((t) => [t.uri, t.status_code, t.response_body_len, t.pipelined ?? false])).toEqual([
      ['/1', 200, 1, false], ['/2', 404, 2, true], ['/3', 200, 3, true],
    ]);
    expect(of(r.events, 'http.connection')[0]).toMatchObject({ pipelined: true, requests: 3 });
  });

  it('ends a close-delimited body at the end of the connection (HTTP/1.0, non-persistent)', () => {
    const r = runStream(httpDescriptor, [
      c2s('GET / HTTP/1.0\r\n\r\n'),
      s2c('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome'),
      s2c(' more'),
    ]);
    const [tx] = of(r.events, 'http.transaction');
    expect(tx).toMatchObject({ response_body_len: 9, version: '1.0' });
    expect(tx!.incomplete).toBeUndefined();
    expect(of(r.events, 'http.connection')[0]).toMatchObject({ persistent: false, requests: 1 });
  });

  it('understands HTTP/0.9 simple requests and raw responses', () => {
    const r = runStream(httpDescriptor, [c2s('GET /old\r\n'), s2c('<html>raw</html>')]);
    expect(of(r.events, 'http.request')[0]).toMatchObject({ method: 'GET', uri: '/old', version: '0.9' });
    expect(of(r.events, 'http.response')).toHaveLength(0);
    expect(of(r.events, 'http.transaction')[0]).toMatchObject({ version: '0.9', response_body_len: 16 });
  });

  it('decodes gzip, raw deflate and br content encodings', () => {
    const body = 'x'.repeat(1000);
    for (const [enc, data] of [['gzip', gzipSync(body)], ['deflate', deflateRawSync(body)], ['br', brotliCompressSync(body)]] as const) {
      const r = runStream(httpDescriptor, [
        c2s('GET /f.txt HTTP/1.1\r\nHost: h\r\n\r\n'),
        s2c(bin(`HTTP/1.1 200 OK\r\nContent-Encoding: ${enc}\r\nContent-Length: ${data.length}\r\n\r\n`, data)),
      ], W, { wantsObjects: true });
      expect(of(r.events, 'http.transaction')[0]).toMatchObject({ response_body_len: data.length, response_decoded_len: 1000, content_encoding: enc });
      expect(Buffer.from(r.objects[0]!.data).toString()).toBe(body);
      expect(codes(r.events)).toEqual([]);
    }
  });

  it('stops at the decompression limits with an anomaly (a bomb does not hang)', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const r = runStream(httpDescriptor, [
      c2s('GET /bomb HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c(bin(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`, bomb)),
    ], W, { limits: { max_decompression_ratio: 100 } });
    expect(codes(r.events)).toEqual(['http.decompression_limit']);
    expect(of(r.events, 'http.transaction')[0]!.decode_status).toBe('limit');
    const bad = runStream(httpDescriptor, [
      c2s('GET /bad HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope'),
    ]);
    expect(codes(bad.events)).toEqual(['http.decompression_failed']);
  });

  it('reports Basic credentials, cookies, Accept-Language and proxies', () => {
    const r = runStream(httpDescriptor, [
      c2s('GET /secret HTTP/1.1\r\nHost: h\r\nAuthorization:  Basic  dXNlcjpwYXNzOndvcmQ= \r\nCookie: a=1; b=2\r\nAccept-Language: fr-CH, fr;q=0.9\r\nVia: 1.1 proxy\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nSet-Cookie: sid=xyz; Path=/; HttpOnly\r\nContent-Length: 0\r\n\r\n'),
    ]);
    expect(of(r.events, 'credentials')[0]).toMatchObject({ protocol: 'http', user: 'user', secret: 'pass:word', mechanism: 'basic' });
    expect(of(r.events, 'http.transaction')[0]).toMatchObject({
      username: 'user', password: 'pass:word', cookies_sent: ['a=1', 'b=2'], cookies_set: ['sid=xyz'], accept_language: 'fr-CH, fr;q=0.9', proxied: ['VIA -> 1.1 proxy'],
    });
  });

  it('reports Digest credentials: user, realm and uri, with the response hash marked as not a password (issue 15)', () => {
    // RFC 7616 §3.9.1, the MD5 example request after the 401 challenge.
    const digest =
      'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
      'qop=auth, response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const r = runStream(httpDescriptor, [
      c2s(`GET /dir/index.html HTTP/1.1\r\nHost: www.example.org\r\nAuthorization: ${digest}\r\n\r\n`),
      s2c('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ]);
    const creds = of(r.events, 'credentials');
    expect(creds).toHaveLength(1);
    expect(creds[0]).toMatchObject({
      protocol: 'http', mechanism: 'digest', header: 'authorization', user: 'Mufasa', realm: 'http-auth@example.org', uri: '/dir/index.html',
      algorithm: 'MD5', qop: 'auth', secret: '8ca523f5e9506fed4657c9700eebdbec', secret_kind: 'digest_response',
    });
    expect(creds[0]!['user_kind']).toBeUndefined();
    const [tx] = of(r.events, 'http.transaction');
    expect(tx!['username']).toBe('Mufasa');
    expect(tx!['password']).toBeUndefined();
    expect(codes(r.events)).toEqual([]);
  });

  it('reads Digest username* (RFC 8187) and marks a userhash (RFC 7616 §3.4.4)', () => {
    const run = (auth: string) =>
      of(runStream(httpDescriptor, [c2s(`GET /doe.json HTTP/1.1\r\nHost: h\r\nProxy-Authorization: ${auth}\r\n\r\n`), s2c('HTTP/1.1 204 No Content\r\n\r\n')]).events, 'credentials');
    // The Unicode user name of RFC 7616 §3.4.4 / §3.9.2 sent as username*.
    expect(run(`Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="api@example.org", uri="/doe.json", response="ab", userhash=false`)[0]).toMatchObject({
      user: 'J\u00e4s\u00f8n Doe', realm: 'api@example.org', header: 'proxy-authorization', secret: 'ab',
    });
    const hashed = run('Digest username="793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b", realm="api@example.org", uri="/doe.json", algorithm=SHA-512-256, userhash=true, response="3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"');
    expect(hashed[0]).toMatchObject({ user: '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b', user_kind: 'userhash', algorithm: 'SHA-512-256' });
    // Not Digest, or Digest with no user: no credentials, no crash.
    expect(run('Digest realm="x", response="y"')).toEqual([]);
    expect(run('Digest')).toEqual([]);
    expect(run('Bearer abc')).toEqual([]);
    expect(run('Digest username="a\\"b", realm=unterminated="')[0]).toMatchObject({ user: 'a"b' });
  });

  it('hands a CONNECT tunnel back to detection with the bytes that follow', () => {
    const r = runStream(httpDescriptor, [
      c2s('CONNECT mail.example:25 HTTP/1.1\r\nHost: mail.example:25\r\n\r\n'),
      s2c('HTTP/1.1 200 Connection established\r\n\r\n220 mail ESMTP\r\n'),
      c2s('EHLO me\r\n'),
    ]);
    expect(of(r.events, 'http.transaction')[0]).toMatchObject({ method: 'CONNECT', status_code: 200, tunnel: true });
    expect(r.switches).toHaveLength(1);
    expect(r.switches[0]!.protocol).toBeNull();
    expect(Buffer.from(r.switches[0]!.pending!.s2c!).toString()).toBe('220 mail ESMTP\r\n');
    expect(of(r.events, 'http.request')).toHaveLength(1);
    expect(of(r.events, 'http.transaction')[0]).toMatchObject({ tunnel_host: 'mail.example', tunnel_port: 25 });
  });

  it('a CONNECT is the tunnel: its target, the proxy user, and a refusal read with its body (issue 15)', () => {
    const r = runStream(httpDescriptor, [
      c2s('CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\nProxy-Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n'),
      // A refusal is not a tunnel: its body is framed as usual (here by the close), then HTTP goes on.
      s2c('HTTP/1.0 407 Proxy Authentication Required\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n'),
      s2c('<html>denied</html>\n'),
    ]);
    const [tx] = of(r.events, 'http.transaction');
    expect(tx).toMatchObject({ method: 'CONNECT', status_code: 407, tunnel_host: '2001:db8::1', tunnel_port: 443, proxy_user: 'alice', response_body_len: 20 });
    expect(tx!['tunnel']).toBeUndefined();
    expect(of(r.events, 'credentials')[0]).toMatchObject({ user: 'alice', secret: 'wonderland', header: 'proxy-authorization' });
    expect(r.switches).toEqual([]);
    expect(codes(r.events)).toEqual([]);
  });

  it('hands h2c upgrades to http2 and marks WebSocket', () => {
    const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
    const r = runStream(httpDescriptor, [
      c2s('GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n'),
      s2c(bin('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n', Buffer.from('000000040000000000', 'hex'))),
      c2s(preface),
    ]);
    expect(r.switches).toHaveLength(1);
    expect(r.switches[0]!.protocol).toBe('http2');
    expect(r.switches[0]!.pending!.s2c!.length).toBe(9);
    expect(of(r.events, 'http.transaction')[0]).toMatchObject({ status_code: 101, upgraded: 'h2c' });
    expect(of(r.events, 'http.connection')).toHaveLength(0); // HTTP/2 reports the connection

    const ws = runStream(httpDescriptor, [
      c2s('GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
      s2c(bin('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', Uint8Array.of(0x81, 0x02, 0x68, 0x69))),
      c2s(Uint8Array.of(0x81, 0x82, 1, 2, 3, 4, 5, 6)),
    ]);
    expect(of(ws.events, 'http.transaction')[0]).toMatchObject({ websocket: true, upgraded: 'websocket' });
    expect(codes(ws.events)).toEqual([]);
    expect(of(ws.events, 'http.request')).toHaveLength(1);
  });

  it('goes on with HTTP/1.1 when an Upgrade is refused', () => {
    const r = runStream(httpDescriptor, [
      c2s('GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    ]);
    expect(of(r.events, 'http.transaction').map((t) => t.uri)).toEqual(['/', '/next']);
    expect(r.switches).toHaveLength(0);
  });
});

describe('HTTP/1 framing anomalies', () => {
  it('flags TE+CL, bad Content-Length, bad chunks and unsolicited responses', () => {
    const r = runStream(httpDescriptor, [
      c2s('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'),
    ]);
    expect(codes(r.events)).toEqual(['http.te_cl_conflict', 'http.bad_content_length']);
    const chunk = runStream(httpDescriptor, [
      c2s('GET / HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nxx'),
    ]);
    expect(codes(chunk.events)).toEqual(['http.bad_chunk']);
    const un = runStream(httpDescriptor, [s2c('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]);
    expect(codes(un.events)).toEqual(['http.unsolicited_response']);
    const unans = runStream(httpDescriptor, [c2s('GET / HTTP/1.1\r\nHost: h\r\n\r\n')]);
    expect(codes(unans.events)).toEqual(['http.unanswered_request']);
    expect(of(unans.events, 'http.transaction')[0]!.incomplete).toBe(true);
  });

  it('trims headers at max_headers and skips heads beyond max_header_bytes', () => {
    const many = Array.from({ length: 10 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    const r = runStream(httpDescriptor, [c2s(`GET / HTTP/1.1\r\n${many}\r\n`)], W, { limits: { max_headers: 4 } });
    expect(of(r.events, 'http.request')[0]!.headers).toHaveLength(4);
    expect(codes(r.events)).toContain('http.header_limit');
    const big = runStream(httpDescriptor, [c2s(`GET / HTTP/1.1\r\nX: ${'a'.repeat(5000)}\r\n\r\nGET /after HTTP/1.1\r\n\r\n`)], W, { limits: { max_header_bytes: 1000 } });
    expect(codes(big.events)[0]).toBe('http.header_limit');
    expect(of(big.events, 'http.request').map((e) => e.uri)).toEqual(['/after']);
  });

  it('never throws on garbage and resynchronises on the next request line', () => {
    const r = runStream(httpDescriptor, [c2s('\x00\x01garbage\r\nmore junk\r\nGET /ok HTTP/1.1\r\nHost: h\r\n\r\n')]);
    expect(codes(r.events)[0]).toBe('http.bad_request_line');
    expect(of(r.events, 'http.request').map((e) => e.uri)).toEqual(['/ok']);
  });
});

describe('HTTP/1 gaps', () => {
  it('subtracts a gap inside a Content-Length body and carries on', () => {
    const rec = runGap([
      ['data', 'c2s', 'GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n'],
      ['data', 's2c', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab'],
      ['gap', 's2c', 5],
      ['data', 's2c', 'cdeHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz'],
    ]);
    const txs = of(rec, 'http.transaction');
    expect(txs.map((t) => [t.uri, t.response_body_len, t.response_missed_bytes])).toEqual([['/a', 5, 5], ['/b', 1, undefined]]);
    expect(codes(rec)).toEqual([]);
  });

  it('resynchronises on the next status line after a gap in chunk framing and reports the loss', () => {
    const rec = runGap([
      ['data', 'c2s', 'GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n'],
      ['data', 's2c', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'],
      ['gap', 's2c', 100],
      ['data', 's2c', 'tail of junk\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz'],
    ]);
    const gaps = of(rec, 'anomaly').filter((e) => e.code === 'http.body_gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.detail).toMatch(/^114 bytes lost/);
    expect(of(rec, 'http.transaction').map((t) => [t.uri, t.status_code, t.incomplete ?? false])).toEqual([['/a', 200, true], ['/b', 200, false]]);
  });
});

describe('HTTP/1 pairing after a lost response (issue 15)', () => {
  const req = (i: number) => `GET /r${i} HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`;
  const resp = (i: number) => `HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: ${String(i).length + 5}\r\n\r\nbody ${i}`;
  type Step = ['data', 'c2s' | 's2c', string] | ['gap', 'c2s' | 's2c', number];

  it('1,000 sequential requests with response 4 dropped: every later pair stays in step, nothing is pipelined', () => {
    const steps: Step[] = [];
    for (let i = 1; i <= 1000; i++) {
      steps.push(['data', 'c2s', req(i)]);
      // The reassembler reports the hole when the next server segment arrives, after the next request.
      if (i === 4) continue;
      if (i === 5) steps.push(['gap', 's2c', resp(4).length]);
      steps.push(['data', 's2c', resp(i)]);
    }
    const rec = runGap(steps);
    const txs = of(rec, 'http.transaction');
    expect(txs).toHaveLength(1000);
    const wrong = txs.filter((t) => t.uri !== '/r4' && t.status_code !== 200 || (t.uri !== '/r4' && t['response_body_len'] !== String(t.uri).length - 2 + 5));
    expect(wrong).toEqual([]);
    expect(txs[3]).toMatchObject({ uri: '/r4', response_lost: true, incomplete: true });
    expect(txs[3]!['status_code']).toBeUndefined();
    // Each pair's response follows its own request: frames are request + 1 (one step per frame, the gap takes one).
    for (const t of txs.slice(4)) expect(Number(t['response_frame']) - Number(t['request_frame'])).toBe(t.uri === '/r5' ? 2 : 1);
    expect(txs.filter((t) => t['pipelined'])).toEqual([]);
    expect(txs.filter((t) => t['unpaired'] || t['unsolicited'])).toEqual([]);
    expect(of(rec, 'http.connection')[0]).toMatchObject({ requests: 1000, responses: 999, pipelined: false });
    expect(codes(rec)).toEqual(['http.body_gap', 'http.responses_lost']);
  });

  it('the same when the gap is reported before the next request is seen', () => {
    const rec = runGap([
      ['data', 'c2s', req(1)], ['data', 's2c', resp(1)],
      ['data', 'c2s', req(2)], ['gap', 's2c', resp(2).length],
      ['data', 'c2s', req(3)], ['data', 's2c', resp(3)],
      ['data', 'c2s', req(4)], ['data', 's2c', resp(4)],
    ]);
    expect(of(rec, 'http.transaction').map((t) => [t.uri, t.status_code ?? null, t.response_body_len, t['response_lost'] ?? false, t['pipelined'] ?? false])).toEqual([
      ['/r1', 200, 6, false, false], ['/r2', null, 0, true, false], ['/r3', 200, 6, false, false], ['/r4', 200, 6, false, false],
    ]);
    expect(codes(rec)).toEqual(['http.body_gap', 'http.responses_lost']);
  });

  it('a gap inside a pipelined run pairs what the byte count proves', () => {
    // Three requests sent at once; response 1 seen whole, response 2 lost (40 bytes cannot hold two), response 3 follows.
    const rec = runGap([
      ['data', 'c2s', req(1) + req(2) + req(3)],
      ['data', 's2c', resp(1)],
      ['gap', 's2c', 40],
      ['data', 's2c', resp(3)],
    ]);
    expect(of(rec, 'http.transaction').map((t) => [t.uri, t.status_code ?? null, t['response_lost'] ?? false, t['pipelined'] ?? false])).toEqual([
      ['/r1', 200, false, false], ['/r2', null, true, true], ['/r3', 200, false, true],
    ]);
    expect(of(rec, 'http.connection')[0]).toMatchObject({ pipelined: true });
  });

  it('says unpaired rather than guess when a pipelined gap could hold one or two responses', () => {
    const rec = runGap([
      ['data', 'c2s', req(1) + req(2) + req(3)],
      ['gap', 's2c', 200],
      ['data', 's2c', resp(2)],
      ['data', 's2c', resp(3)],
      ['data', 'c2s', req(4)],
      ['data', 's2c', resp(4)],
    ]);
    const txs = of(rec, 'http.transaction');
    expect(txs.map((t) => [t.uri ?? null, t.status_code ?? null, t['unpaired'] ?? false])).toEqual([
      ['/r1', null, true], ['/r2', null, true], ['/r3', null, true], [null, 200, true], [null, 200, true], ['/r4', 200, false],
    ]);
    expect(codes(rec)).toEqual(['http.body_gap', 'http.unpaired_response', 'http.unpaired_response']);
  });

  it('a request sent while the previous response had not begun, with no loss, is still pipelined', () => {
    const rec = runGap([['data', 'c2s', req(1)], ['data', 'c2s', req(2)], ['data', 's2c', resp(1)], ['data', 's2c', resp(2)]]);
    expect(of(rec, 'http.transaction').map((t) => t['pipelined'] ?? false)).toEqual([false, true]);
  });
});

import { recordingContext } from '../support/dissector-harness.js';
function runGap(steps: Array<['data', 'c2s' | 's2c', string] | ['gap', 'c2s' | 's2c', number]>): WireEvent[] {
  const rec = recordingContext();
  const d = httpDescriptor.createStream!(rec.ctx);
  steps.forEach((s, i) => {
    rec.at(i + 1);
    if (s[0] === 'data') d.data(s[1], Buffer.from(s[2], 'latin1'));
    else d.gap(s[1], s[2]);
  });
  d.close();
  return rec.events;
}

describe('BitTorrent HTTP tracker link', () => {
  it('emits bittorrent.tracker for an announce answered with bencode', () => {
    const body = Buffer.concat([Buffer.from('d8:intervali1800e5:peers6:'), Buffer.from([10, 0, 0, 1, 0x1a, 0xe1]), Buffer.from('e')]);
    const r = runStream(httpDescriptor, [
      c2s('GET /announce?info_hash=%124Vx%9a%bc%de%f1%23Eg%89%ab%cd%ef%124Vx%9a&peer_id=-TR2940-abcdefghijkl&port=51413&uploaded=0&downloaded=0&left=10&event=started&compact=1 HTTP/1.1\r\nHost: tracker\r\n\r\n'),
      s2c(bin(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`, body)),
    ]);
    const [t] = of(r.events, 'bittorrent.tracker');
    expect(t).toMatchObject({ transport: 'http', action: 'announce', event: 'started', port: 51413, interval: 1800, peers: ['10.0.0.1:6881'], request_frame: 1, response_frame: 2 });
    expect(t!.info_hash).toBe('123456789abcdef123456789abcdef123456789a');
    const plain = runStream(httpDescriptor, [c2s('GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n'), s2c('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nd1:e')]);
    expect(of(plain.events, 'bittorrent.tracker')).toEqual([]);
  });
});

describe('HTTP/1 heads cut short by a gap (snap length, issue 15)', () => {
  /** What a capture with `snap` bytes of payload per segment delivers: the prefix, then a gap for the rest. */
  const cutAt = (dir: 'c2s' | 's2c', seg: string, snap: number): Array<['data', 'c2s' | 's2c', string] | ['gap', 'c2s' | 's2c', number]> =>
    seg.length <= snap ? [['data', dir, seg]] : [['data', dir, seg.slice(0, snap)], ['gap', dir, seg.length - snap]];
  const req = (i: number) => `GET /r${i} HTTP/1.1\r\nHost: h.example\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`;
  const head = (i: number) => `HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 3000\r\n\r\n`;

  it('reports each request and response from its cut head, marked truncated, and keeps a persistent connection in step', () => {
    const steps: Array<['data', 'c2s' | 's2c', string] | ['gap', 'c2s' | 's2c', number]> = [];
    for (let i = 1; i <= 3; i++) {
      steps.push(...cutAt('c2s', req(i), 30));
      // The head and the first body bytes share a segment; the rest of the body comes in two more.
      steps.push(...cutAt('s2c', head(i) + 'x'.repeat(1000), 30));
      steps.push(...cutAt('s2c', 'y'.repeat(1448), 30));
      steps.push(...cutAt('s2c', 'z'.repeat(552), 30));
    }
    const rec = runGap(steps);
    expect(of(rec, 'http.request').map((e) => [e.method, e.uri, e.version, e['truncated']])).toEqual([
      ['GET', '/r1', '1.1', true], ['GET', '/r2', '1.1', true], ['GET', '/r3', '1.1', true],
    ]);
    expect(of(rec, 'http.response').map((e) => [e.status_code, e.status_msg, e['truncated'], e.headers])).toEqual([
      [200, 'OK', true, []], [200, 'OK', true, []], [200, 'OK', true, []],
    ]);
    const txs = of(rec, 'http.transaction');
    expect(txs.map((t) => [t.uri, t.status_code, t['request_head_truncated'], t['response_head_truncated'], t.incomplete])).toEqual([
      ['/r1', 200, true, true, true], ['/r2', 200, true, true, true], ['/r3', 200, true, true, true],
    ]);
    expect(txs.filter((t) => t['pipelined'] || t['unpaired'] || t['response_lost'])).toEqual([]);
    // The request and the response are found at the frames that carried their first bytes.
    expect(txs.map((t) => [t['request_frame'], t['response_frame']])).toEqual([[1, 3], [9, 11], [17, 19]]);
    const cut = of(rec, 'anomaly').filter((e) => e.code === 'http.truncated_head');
    expect(cut).toHaveLength(6);
    expect(cut[0]!.detail).toBe('request head cut short: 30 bytes (start line, no whole header line) read, then 44 bytes lost; reported as read, marked truncated');
  });

  it('keeps the whole header lines read before the cut and drops the cut one; credentials in them count', () => {
    const r = 'GET /private HTTP/1.1\r\nHost: example.com\r\nAuthorization: Basic YWxpY2U6czNjcmV0\r\nUser-Agent: curl/8';
    const rec = runGap([['data', 'c2s', r], ['gap', 'c2s', 40], ['data', 's2c', 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n']]);
    const [rq] = of(rec, 'http.request');
    expect(rq).toMatchObject({ method: 'GET', uri: '/private', host: 'example.com', truncated: true });
    expect(rq!.headers).toEqual([['Host', 'example.com'], ['Authorization', 'Basic YWxpY2U6czNjcmV0']]);
    expect(rq!.user_agent).toBeUndefined();
    expect(of(rec, 'credentials')[0]).toMatchObject({ user: 'alice', secret: 's3cret' });
    // The response after it is whole and paired with it.
    expect(of(rec, 'http.transaction')[0]).toMatchObject({ uri: '/private', status_code: 401, request_head_truncated: true });
    expect(of(rec, 'http.transaction')[0]!['response_head_truncated']).toBeUndefined();
    expect(of(rec, 'http.response')[0]!['truncated']).toBeUndefined();
  });

  it('takes a cut start line as tshark does: the URI as far as it was captured, no version', () => {
    const rec = runGap([
      ['data', 'c2s', 'GET /a/very/lo'], ['gap', 'c2s', 60],
      ['data', 's2c', 'HTTP/1.1 404 No'], ['gap', 's2c', 200],
    ]);
    expect(of(rec, 'http.request').map((e) => [e.method, e.uri, e.version])).toEqual([['GET', '/a/very/lo', '']]);
    expect(of(rec, 'http.response').map((e) => [e.status_code, e.status_msg])).toEqual([[404, 'No']]);
    expect(of(rec, 'http.connection')[0]!['versions']).toEqual(['1.1']);
  });

  it('a status line cut before its code, or bytes that are no start line, are a plain loss', () => {
    const rec = runGap([
      ['data', 'c2s', 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n'],
      ['data', 's2c', 'HTTP/1.1 2'], ['gap', 's2c', 200],
      ['data', 'c2s', 'not http at all'], ['gap', 'c2s', 20],
    ]);
    expect(of(rec, 'http.response')).toEqual([]);
    expect(of(rec, 'anomaly').filter((e) => e.code === 'http.truncated_head')).toEqual([]);
  });

  it('while resynchronising, a cut request line counts only with a known method', () => {
    const rec = runGap([
      ['data', 'c2s', 'GET /1 HTTP/1.1\r\nHost: h\r\n\r\n'], ['gap', 'c2s', 10],
      ['data', 'c2s', 'junk\r\nFROB /xyz'], ['gap', 'c2s', 10],
      ['data', 'c2s', 'junk\r\nPOST /form?a=1'], ['gap', 'c2s', 100],
    ]);
    expect(of(rec, 'http.request').map((e) => [e.method, e.uri, e['truncated'] ?? false])).toEqual([['GET', '/1', false], ['POST', '/form?a=1', true]]);
  });

  it('a cut 101 or CONNECT 200 ends HTTP: where the other protocol starts was lost', () => {
    const rec = runGap([
      ['data', 'c2s', 'GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
      ['data', 's2c', 'HTTP/1.1 101 Switching Protocols\r\nUpg'], ['gap', 's2c', 100],
      ['data', 'c2s', 'GET /not-http-any-more HTTP/1.1\r\n\r\n'],
    ]);
    expect(of(rec, 'http.request')).toHaveLength(1);
    expect(of(rec, 'http.transaction')[0]).toMatchObject({ status_code: 101, upgraded: 'websocket', response_head_truncated: true });
  });
});

describe('HTTP probe on a prefix a gap cut short (issue 15)', () => {
  const b = (s: string) => Buffer.from(s, 'latin1');
  it('a cut request or status line is HTTP once no more bytes can come; not before, and not for bytes that merely start like one', () => {
    expect(probeHttp(b('GET /a/very/lo'), 'c2s')).toBe('need_more');
    expect(probeHttp(b('GET /a/very/lo'), 'c2s', true)).toBe('match');
    expect(probeHttp(b('HTTP/1.1 200 O'), 's2c', true)).toBe('match');
    expect(probeHttp(b('GET /a/very/lo'), 's2c', true)).toBe('match_reversed');
    // An unknown method, a status code cut in two, a target that is no target: still undecided.
    expect(probeHttp(b('FROB /a/very/lo'), 'c2s', true)).toBe('need_more');
    expect(probeHttp(b('HTTP/1.1 2'), 's2c', true)).toBe('need_more');
    expect(probeHttp(b('GET  '), 'c2s', true)).toBe('need_more');
  });
});
