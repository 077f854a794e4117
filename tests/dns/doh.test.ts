/**
 * DNS over HTTPS in clear (RFC 8484), on the RFC's own example messages: the query of
 * §4.1.1 (www.example.com) and the AAAA response of §4.2.2, over HTTP/1.1 POST and GET and
 * HTTP/2 GET and POST.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import type { WireEvent } from '../../src/events/event.js';
import { base64url } from '../../src/protocols/http/doh-link.js';
import { httpDescriptor } from '../../src/protocols/http/index.js';
import { http2Descriptor } from '../../src/protocols/http2/index.js';
import { frame, hpack, PREFACE, settings } from '../http2/frames.js';
import { runStream, type Chunk } from '../support/dissector-harness.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const of = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => of(events, 'anomaly').map((e) => e.code);

/** RFC 8484 §4.1.1: the query for www.example.com, IN A, id 0, RD. */
const QUERY_A = hex('00 00 01 00 00 01 00 00 00 00 00 00 03 77 77 77 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01');
/** The same query for AAAA (qtype 28), the question §4.2.2's response answers. */
const QUERY_AAAA = Buffer.concat([QUERY_A.subarray(0, QUERY_A.length - 3), hex('1c 00 01')]);
/** RFC 8484 §4.2.2: the response, www.example.com AAAA 2001:db8:abcd:12:1:2:3:4, TTL 3709. */
const RESPONSE = hex(`00 00 81 80 00 01 00 01 00 00 00 00 03 77 77 77 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 1c 00 01
  c0 0c 00 1c 00 01 00 00 0e 7d 00 10 20 01 0d b8 ab cd 00 12 00 01 00 02 00 03 00 04`);
/** RFC 8484 §4.1.1, the GET form of the A query. */
const GET_PATH = '/dns-query?dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB';

const c2s = (...b: Array<Buffer | string>): Chunk => ({ dir: 'c2s', bytes: Buffer.concat(b.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x))) });
const s2c = (...b: Array<Buffer | string>): Chunk => ({ dir: 's2c', bytes: Buffer.concat(b.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x))) });
const h1Response = (body: Buffer) =>
  s2c(`HTTP/1.1 200 OK\r\nContent-Type: application/dns-message\r\nCache-Control: max-age=3709\r\nContent-Length: ${body.length}\r\n\r\n`, body);

describe('DNS over HTTPS in clear (RFC 8484, issue 15)', () => {
  it('decodes base64url without padding, and refuses what is not base64url', () => {
    expect(Buffer.from(base64url('AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB')!)).toEqual(QUERY_A);
    // §4.1.1's large query: its label holds '-' where base64 would have '+'.
    const big = base64url('AAABAAABAAAAAAAAAWE-NjJjaGFyYWN0ZXJsYWJlbC1tYWtlcy1iYXNlNjR1cmwtZGlzdGluY3QtZnJvbS1zdGFuZGFyZC1iYXNlNjQHZXhhbXBsZQNjb20AAAEAAQ')!;
    expect(Buffer.from(big).toString('latin1')).toContain('62characterlabel-makes-base64url-distinct-from-standard-base64');
    expect(base64url('a+b/')).toBeNull();
    expect(base64url('AAAAA')).toBeNull();
  });

  it('HTTP/1.1 POST: the body query and the dns-message response are a DNS transaction linked to the HTTP one', () => {
    const r = runStream(httpDescriptor, [
      c2s(`POST /dns-query HTTP/1.1\r\nHost: dnsserver.example.net\r\nAccept: application/dns-message\r\nContent-Type: application/dns-message\r\nContent-Length: ${QUERY_AAAA.length}\r\n\r\n`, QUERY_AAAA),
      h1Response(RESPONSE),
    ]);
    expect(codes(r.events)).toEqual([]);
    const msgs = of(r.events, 'dns.message');
    expect(msgs.map((m) => [m.frame, m.response, m.qname, m.qtype_name, m.trans_id])).toEqual([[1, false, 'www.example.com', 'AAAA', 0], [2, true, 'www.example.com', 'AAAA', 0]]);
    expect(msgs[0]!['doh']).toEqual({ http_version: '1.1', method: 'POST', trans_depth: 1, stream_id: undefined });
    const [tx] = of(r.events, 'dns.transaction');
    expect(tx).toMatchObject({ query: 'www.example.com', qtype_name: 'AAAA', rcode_name: 'NOERROR', RD: true, RA: true, answers: ['2001:db8:abcd:12:1:2:3:4'], TTLs: [3709], query_frame: 1, response_frame: 2, proto: 'tcp', doh: { method: 'POST', trans_depth: 1 } });
    expect(tx!['rtt']).toBe(1);
    expect(of(r.events, 'http.transaction')[0]).toMatchObject({ method: 'POST', status_code: 200, request_body_len: 33, response_body_len: 61 });
  });

  it('HTTP/1.1 GET ?dns=: the query comes from the URI; two exchanges with id 0 are not confused', () => {
    const aResponse = Buffer.concat([hex('00 00 81 80 00 01 00 01 00 00 00 00'), QUERY_A.subarray(12), hex('c0 0c 00 01 00 01 00 00 0e 10 00 04 5d b8 d8 22')]);
    const r = runStream(httpDescriptor, [
      c2s(`GET ${GET_PATH} HTTP/1.1\r\nHost: dnsserver.example.net\r\nAccept: application/dns-message\r\n\r\n`),
      h1Response(aResponse),
      c2s(`GET /dns-query?dns=${QUERY_AAAA.toString('base64url')} HTTP/1.1\r\nHost: dnsserver.example.net\r\n\r\n`),
      h1Response(RESPONSE),
    ]);
    expect(codes(r.events)).toEqual([]);
    const txs = of(r.events, 'dns.transaction');
    expect(txs.map((t) => [t.qtype_name, t.answers, t.query_frame, t.response_frame, (t['doh'] as { trans_depth: number }).trans_depth])).toEqual([
      ['A', ['93.184.216.34'], 1, 2, 1],
      ['AAAA', ['2001:db8:abcd:12:1:2:3:4'], 3, 4, 2],
    ]);
  });

  it('a DoH request answered with an error page leaves the query unanswered; a bad dns= is an anomaly', () => {
    const r = runStream(httpDescriptor, [
      c2s(`GET ${GET_PATH} HTTP/1.1\r\nHost: h\r\n\r\n`),
      s2c('HTTP/1.1 415 Unsupported Media Type\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nno\n'),
      c2s('GET /dns-query?dns=!!! HTTP/1.1\r\nHost: h\r\n\r\n'),
      s2c('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'),
    ]);
    expect(of(r.events, 'dns.transaction').map((t) => [t.query, t.no_response ?? false])).toEqual([['www.example.com', true]]);
    expect(codes(r.events)).toEqual(['dns.malformed']);
  });

  it('HTTP/2: GET and POST streams carry DNS transactions with their stream ids', () => {
    const get: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'dnsserver.example.net'], [':path', GET_PATH], ['accept', 'application/dns-message']];
    const post: Array<[string, string]> = [[':method', 'POST'], [':scheme', 'https'], [':authority', 'dnsserver.example.net'], [':path', '/dns-query'], ['accept', 'application/dns-message'], ['content-type', 'application/dns-message'], ['content-length', '33']];
    const resp = (len: number): Array<[string, string]> => [[':status', '200'], ['content-type', 'application/dns-message'], ['content-length', String(len)], ['cache-control', 'max-age=3709']];
    const r = runStream(http2Descriptor, [
      c2s(PREFACE, settings(), frame(1, 0x5, 1, hpack(get)), frame(1, 0x4, 3, hpack(post)), frame(0, 0x1, 3, QUERY_AAAA)),
      s2c(settings(), frame(4, 1, 0), frame(1, 0x4, 3, hpack(resp(RESPONSE.length))), frame(0, 0x1, 3, RESPONSE)),
      s2c(frame(1, 0x5, 1, hpack([[':status', '200'], ['content-type', 'application/dns-message'], ['content-length', '0']]))),
    ]);
    expect(codes(r.events)).toEqual([]);
    const txs = of(r.events, 'dns.transaction');
    expect(txs.map((t) => [t.qtype_name, t.no_response ?? false, t['doh']])).toEqual([
      ['AAAA', false, { http_version: '2', method: 'POST', trans_depth: 1, stream_id: 3 }],
      // Stream 1's response carried no message: its query stays unanswered.
      ['A', true, { http_version: '2', method: 'GET', trans_depth: 2, stream_id: 1 }],
    ]);
    expect(txs[0]).toMatchObject({ answers: ['2001:db8:abcd:12:1:2:3:4'], query_frame: 1, response_frame: 2 });
  });
});

describe('DoH in clear on a real capture (captures/doh-clear.pcap: curl, a Python DoH endpoint, nginx h2c, bind9)', () => {
  it('every DoH exchange is a DNS transaction linked to its HTTP transaction, as the upstream UDP query shows', async () => {
    const { events } = await analyzeFile(join(import.meta.dirname, '../../captures/doh-clear.pcap'));
    const doh = of(events, 'dns.transaction').filter((t) => t['doh']);
    const udp = of(events, 'dns.transaction').filter((t) => t.proto === 'udp');
    const row = (t: WireEvent) => [t.query, t.qtype_name, t.rcode_name, t.answers];
    expect(doh.map((t) => [...row(t), (t['doh'] as { http_version: string; method: string }).http_version, (t['doh'] as { method: string }).method])).toEqual([
      ['www.wirelens.test', 'A', 'NOERROR', ['192.0.2.10'], '1.1', 'GET'],
      ['www.wirelens.test', 'AAAA', 'NOERROR', ['2001:db8::10'], '1.1', 'POST'],
      ['nope.wirelens.test', 'A', 'NXDOMAIN', [], '1.1', 'GET'],
      // nginx's upstream request to the endpoint (HTTP/1.1), then the client's HTTP/2 stream.
      ['wirelens.test', 'MX', 'NOERROR', ['10 mail.wirelens.test', '20 mail2.wirelens.test'], '1.1', 'GET'],
      ['wirelens.test', 'MX', 'NOERROR', ['10 mail.wirelens.test', '20 mail2.wirelens.test'], '2', 'GET'],
      ['www.wirelens.test', 'A', 'NOERROR', ['192.0.2.10'], '1.1', 'POST'],
      ['www.wirelens.test', 'A', 'NOERROR', ['192.0.2.10'], '2', 'POST'],
    ]);
    // Each DoH answer is the bytes bind sent over UDP for the same question.
    expect(udp.map(row)).toEqual(doh.filter((t) => t['doh'] && (t['doh'] as { http_version: string }).http_version === '1.1').map(row));
    expect(doh.every((t) => t.no_response === undefined && typeof t.query_frame === 'number' && Number(t.query_frame) < Number(t.response_frame))).toBe(true);
    // GET ?dns=!!! (a 400 from the endpoint) is one anomaly and no transaction.
    expect(of(events, 'anomaly').map((e) => [e.code, e.detail])).toEqual([['dns.malformed', 'DoH GET dns= parameter is not base64url: !!!']]);
  });
});
