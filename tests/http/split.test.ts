import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { httpDescriptor } from '../../src/protocols/http/index.js';
import { comparable, runStream, type Chunk } from '../support/dissector-harness.js';

const gz = gzipSync('<html>' + 'hello '.repeat(200) + '</html>');
/** A representative conversation: 100-continue POST, pipelined GETs, chunked+gzip with trailers, 304, HEAD, close-delimited end. */
const CONVERSATION: Chunk[] = [
  { dir: 'c2s', bytes: 'POST /form HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 7\r\nAuthorization: Basic YTpi\r\n\r\n' },
  { dir: 's2c', bytes: 'HTTP/1.1 100 Continue\r\n\r\n' },
  { dir: 'c2s', bytes: 'a=1&b=2' },
  { dir: 's2c', bytes: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nSet-Cookie: s=1; Path=/\r\n\r\nok' },
  { dir: 'c2s', bytes: 'GET /page.html HTTP/1.1\r\nHost: h\r\nCookie: s=1\r\n\r\nGET /old.png HTTP/1.1\r\nHost: h\r\nIf-None-Match: "x"\r\n\r\nHEAD /h HTTP/1.1\r\nHost: h\r\n\r\n' },
  {
    dir: 's2c',
    bytes: Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${gz.length.toString(16)};x=y\r\n`),
      gz,
      Buffer.from('\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'),
    ]),
  },
  { dir: 'c2s', bytes: 'GET /last HTTP/1.0\r\n\r\n' },
  { dir: 's2c', bytes: 'HTTP/1.0 200 OK\r\n\r\nuntil the end' },
  { dir: 's2c', bytes: ' of the connection' },
];

describe('HTTP/1 split points', () => {
  const opts = { wantsObjects: true, tcpRtt: 0.01 };
  const whole = runStream(httpDescriptor, CONVERSATION, { mode: 'whole' }, opts);
  const expected = comparable(whole.events);

  it('has a meaningful reference run', () => {
    expect(whole.events.filter((e) => e.type === 'http.transaction').map((e) => e.status_code)).toEqual([200, 200, 304, 200, 200]);
    expect(whole.events.filter((e) => e.type === 'anomaly')).toEqual([]);
  });
  it('byte by byte gives the same events and objects', () => {
    const r = runStream(httpDescriptor, CONVERSATION, { mode: 'bytes' }, opts);
    expect(comparable(r.events)).toEqual(expected);
    expect(r.objects.map((o) => [o.name, o.data.length])).toEqual(whole.objects.map((o) => [o.name, o.data.length]));
  });
  it('every split point gives the same events', () => {
    const longest = Math.max(...CONVERSATION.map((c) => c.bytes.length));
    for (let at = 0; at <= longest; at++) {
      const r = runStream(httpDescriptor, CONVERSATION, { mode: 'at', at }, opts);
      expect({ at, events: comparable(r.events) }).toEqual({ at, events: expected });
    }
  });
  it('HTTP/0.9 is decided the same however the request line is cut', () => {
    const chunks: Chunk[] = [{ dir: 'c2s', bytes: 'GET /HTTP/1.1\r\nHost: x\r\n\r\n' }, { dir: 's2c', bytes: 'HTTP/1.0 403 Forbidden\r\nContent-Length: 0\r\n\r\n' }];
    const ref = comparable(runStream(httpDescriptor, chunks).events);
    for (let at = 0; at < 30; at++) expect(comparable(runStream(httpDescriptor, chunks, { mode: 'at', at }).events)).toEqual(ref);
    expect(comparable(runStream(httpDescriptor, chunks, { mode: 'bytes' }).events)).toEqual(ref);
  });
});
