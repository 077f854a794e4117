import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { Timestamp } from '../../src/events/time.js';
import { eventPredicate, EventTypeError, expandTypes } from '../../src/filter/event-predicate.js';
import { compileFilter, eventSubject, FilterFieldError, FilterSyntaxError, type FlowFacts } from '../../src/filter/index.js';
import { foldPattern } from '../../src/filter/linear-regex.js';
import { MAX_FILTER_DEPTH } from '../../src/filter/parse.js';

const ts = new Timestamp(1, 0);
const flow: FlowFacts = { proto: 'tcp', service: 'http', orig_h: '10.0.0.1', orig_p: 40000, resp_h: '192.168.1.5', resp_p: 80 };
const response: WireEvent = { type: 'http.response', frame: 5, ts, flow: 1, dir: 's2c', status_code: 404, status_msg: 'Not Found', headers: [['Server', 'nginx']] };
const dns: WireEvent = { type: 'dns.message', frame: 2, ts, flow: 2, dir: 'c2s', qname: 'gaia.cs.umass.edu', qtype: 1, response: false, RD: true };

const m = (expr: string, e: WireEvent, f: FlowFacts | null = flow) => compileFilter(expr).matches(eventSubject(e, f));

describe('filter language', () => {
  it('compares protocol fields', () => {
    expect(m('http.status_code >= 400', response)).toBe(true);
    expect(m('http.status_code < 400', response)).toBe(false);
    expect(m('http.status_code == 404 and http.status_msg == "Not Found"', response)).toBe(true);
    expect(m('dns.qname contains "umass"', dns, null)).toBe(true);
    expect(m('dns.qname matches "UMASS\\\\.EDU$"', dns, null)).toBe(true);
    expect(m('dns.RD == true', dns, null)).toBe(true);
  });

  it('reads flow facts: addresses, ports, application', () => {
    expect(m('app == http', response)).toBe(true);
    expect(m('app == ftp', response)).toBe(false);
    expect(m('ip.addr == 10.0.0.1', response)).toBe(true);
    expect(m('ip.addr == 10.0.0.0/8 and tcp.port == 80', response)).toBe(true);
    // ip.src/ip.dst are the packet's: a response goes from the server to the client.
    expect(m('ip.dst == 10.0.0.1', response)).toBe(true);
    expect(m('ip.src == 192.168.1.5', response)).toBe(true);
    expect(m('ip.src == 10.0.0.1', response)).toBe(false);
    // The flow's sides have names of their own.
    expect(m('flow.client == 10.0.0.1 and flow.server == 192.168.1.5', response)).toBe(true);
    expect(m('port in {21 80 443}', response)).toBe(true);
  });

  it('a layered service (decrypted TLS) matches as a whole and by each layer', () => {
    const inTls: FlowFacts = { ...flow, service: 'tls,http' };
    const decrypted: WireEvent = { ...response, tls: true };
    expect(m('service == "tls,http"', decrypted, inTls)).toBe(true);
    expect(m('service == http', decrypted, inTls)).toBe(true);
    expect(m('app == tls', decrypted, inTls)).toBe(true);
    expect(m('service == smtp', decrypted, inTls)).toBe(false);
    expect(m('service != http', decrypted, inTls)).toBe(false);
    expect(m('tls', response, inTls)).toBe(true);
    expect(m('tls == true', decrypted, inTls)).toBe(true);
    expect(m('tls == true', response, inTls)).toBe(false);
    expect(m('ftp', decrypted, inTls)).toBe(false);
    // A name that only contains a layer's name is not that layer.
    expect(m('http', dns, { ...flow, service: 'tls,https-ish' })).toBe(false);
  });

  it('combines with and, or, not and parentheses', () => {
    expect(m('not http.status_code == 200', response)).toBe(true);
    expect(m('dns or http', response)).toBe(true);
    expect(m('!(dns) && (http.status_code == 200 || http.status_code == 404)', response)).toBe(true);
    expect(m('dns', response)).toBe(false);
  });

  it('flattens arrays such as header lists', () => {
    expect(m('http.headers contains "ngin"', response)).toBe(true);
  });

  it('treats a missing field as matching nothing, also for !=', () => {
    expect(m('http.host == "x"', response)).toBe(false);
    expect(m('http.host != "x"', response)).toBe(false);
  });

  it('gives errors with a column, never throws anything else', () => {
    for (const bad of ['http.status_code >=', '(dns', 'a == "x', '== 3', 'dns.qname matches "("', 'a b']) {
      expect(() => compileFilter(bad)).toThrow(FilterSyntaxError);
    }
    expect(() => compileFilter('dns and (')).toThrow(/column 10/);
  });
});

describe('hostile filters (issue 19)', () => {
  it('refuses nesting past the depth limit with a clear error, not a stack overflow', () => {
    const parens = `${'('.repeat(50_000)}dns${')'.repeat(50_000)}`;
    const nots = `${'not '.repeat(30_000)}dns`;
    for (const expr of [parens, nots, `${'!'.repeat(30_000)}dns`]) {
      expect(() => compileFilter(expr)).toThrow(new RegExp(`nests deeper than ${MAX_FILTER_DEPTH}`));
    }
    // At the limit it still works.
    expect(m(`${'('.repeat(MAX_FILTER_DEPTH)}dns${')'.repeat(MAX_FILTER_DEPTH)}`, dns, null)).toBe(true);
    expect(m(`${'not '.repeat(MAX_FILTER_DEPTH)}dns`, dns, null)).toBe(true);
  });

  it('evaluates long and/or chains without one call per term', () => {
    const ands = Array.from({ length: 30_000 }, () => "dns").join(' and ');
    const ors = `${Array.from({ length: 30_000 }, () => "http").join(' || ')} || dns`;
    expect(m(ands, dns, null)).toBe(true);
    expect(m(ors, dns, null)).toBe(true);
  });

  it('runs `matches` in linear time: catastrophic patterns finish at once', () => {
    const e: WireEvent = { ...dns, qname: `${'a'.repeat(41)}!` };
    const long: WireEvent = { ...dns, qname: `${'a'.repeat(200_000)}!` };
    expect(m('dns.qname matches "^(a+)+$"', e, null)).toBe(false);
    expect(m('dns.qname matches "^(a|aa)*$"', long, null)).toBe(false);
    expect(m('dns.qname matches "^(a|aa)*!$"', long, null)).toBe(true);
    expect(m('dns.qname matches "(x+x+)+y"', long, null)).toBe(false);
  });

  it('keeps `matches` case-insensitive, escapes included', () => {
    const e: WireEvent = { ...dns, qname: 'Mail.Example.COM' };
    expect(m('dns.qname matches "^MAIL\\\\.[A-Z]+\\\\.com$"', e, null)).toBe(true);
    expect(m('dns.qname matches "\\\\D+"', e, null)).toBe(true);
    expect(m('dns.qname matches "^\\\\S+$"', e, null)).toBe(true);
    expect(m('dns.qname matches "\\\\W"', e, null)).toBe(true);
    expect(m('dns.qname matches "\\\\d"', e, null)).toBe(false);
    // `\x4A` is the letter J: it folds to j (`\x6a`), as the subject does.
    expect(foldPattern('\\D\\W\\S\\B\\d[A-Z]\\Q\\x4A\\u0047')).toBe('\\D\\W\\S\\B\\d[a-z]q\\x6a\\u0067');
    expect(m('dns.qname matches "^\\\\x4DAIL"', e, null)).toBe(true);
  });

  it('refuses what cannot run in linear time, with the reason', () => {
    for (const bad of ['(a)\\\\1', '(?=a)b', 'a(?!b)', '(?<=a)b']) {
      expect(() => compileFilter(`dns.qname matches "${bad}"`)).toThrow(/linear time/);
    }
  });
});

describe("Wireshark's names and operators (issue 14)", () => {
  const req: WireEvent = { type: 'http.request', frame: 4, ts, flow: 1, dir: 'c2s', method: 'GET', uri: '/index.html', host: 'example.com', headers: [['Host', 'example.com'], ['If-Modified-Since', 'Mon, 15 Jan 2024 10:00:00 GMT']] };
  const tx: WireEvent = { type: 'http.transaction', frame: 6, ts, flow: 1, dir: null, method: 'GET', status_code: 200 };
  const v6: FlowFacts = { proto: 'udp', service: 'dns', orig_h: 'fe80::1', orig_p: 5353, resp_h: '2001:db8::53', resp_p: 53 };

  it('knows every field name, and names the closest ones for an unknown one', () => {
    const err = (expr: string) => {
      try {
        compileFilter(expr);
      } catch (e) {
        if (e instanceof FilterFieldError) return e;
      }
      throw new Error(`${expr}: no FilterFieldError`);
    };
    expect(err('htp.request.method == "GET"').suggestions[0]).toBe('http.request.method');
    expect(err('http.response.cod >= 400').suggestions).toContain('http.response.code');
    expect(err('tcp.flags.sin == 1').suggestions).toContain('tcp.flags.syn');
    expect(err('not (dns and zzz.yyy)').column).toBe(13); // 0-based; the message says column 14
    // Below a field of free shape any path exists; below another field none does.
    expect(() => compileFilter('dns.edns.udp_size > 512')).not.toThrow();
    expect(() => compileFilter('http.method.x == 1')).toThrow(FilterFieldError);
    // A packet's own bytes are searched (tests/filter/frame-bytes.test.ts); an application
    // protocol's reassembled bytes are not kept, so searching them is refused, not an empty answer.
    expect(compileFilter('frame contains "GET"').needsBytes).toBe(true);
    expect(() => compileFilter('http matches "x"')).toThrow(/http is a protocol whose reassembled bytes wirelens does not keep: search this frame's bytes with frame/);
    expect(() => compileFilter('tls == true')).not.toThrow(); // the event's `tls` mark is a field
  });

  it('an unknown --types entry or a glob matching nothing is an error with suggestions', () => {
    expect(() => eventPredicate(['htp.*'], undefined)).toThrow(/unknown event type "htp\.\*" \(it matches no event type\) \(did you mean .*http\.\*/);
    expect(() => eventPredicate(['http.requests'], undefined)).toThrow(EventTypeError);
    expect(expandTypes(['http.*'])).toContain('http.transaction');
    expect(expandTypes(['*']).length).toBeGreaterThan(40);
  });

  it("reads Wireshark's message fields from messages only: one GET is one match", () => {
    expect(m('http.request.method == "GET"', req)).toBe(true);
    expect(m('http.request.method == "GET"', tx)).toBe(false);
    expect(m('http.method == GET', tx)).toBe(false);
    expect(m('http.transaction and http.method == GET', tx)).toBe(true);
    expect(compileFilter('http.method == GET', { types: ['http.transaction'] }).matches(eventSubject(tx, flow))).toBe(true);
    expect(m('http.if_modified_since contains "2024"', req)).toBe(true);
    expect(m('http.host == "example.com" && http.request.uri == "/index.html"', req)).toBe(true);
  });

  it('operators: keywords, ===, ~, in with ranges and commas; != needs the field', () => {
    expect(m('http.response.code eq 404 and http.response.code ge 400 and http.response.code lt 500', response)).toBe(true);
    expect(m('http.response.code === 404', response)).toBe(true);
    expect(m('http.response.code in {200, 300..404}', response)).toBe(true);
    expect(m('http.response.code in {200 405..599}', response)).toBe(false);
    expect(m('http.response.phrase ~ "not f"', response)).toBe(true);
    expect(m('http.response.code ne 200', response)).toBe(true);
    // Absent: no comparison holds, != included (tshark: `tcp.port != 80` selects no UDP packet).
    expect(m('http.request.method != "GET"', response)).toBe(false);
    expect(m('!(http.request.method == "GET")', response)).toBe(true);
    expect(m('udp.port != 53', response)).toBe(false);
    expect(m('tcp.port != 53', response)).toBe(true);
  });

  it('addresses: IPv6 in any spelling and by prefix, from the flow when no packet is at hand', () => {
    const q: WireEvent = { ...dns, flow: 3 };
    expect(m('ipv6.addr == 2001:0db8:0:0::53', q, v6)).toBe(true);
    expect(m('ipv6.src == fe80::/10', q, v6)).toBe(true);
    expect(m('ipv6.dst == fe80::/10', q, v6)).toBe(false);
    expect(m('ip.addr == 2001:db8::53', q, v6)).toBe(false);
    expect(m('udp.dstport == 53 && udp.stream', q, { ...v6, udp_stream: 4 })).toBe(true);
    expect(m('udp.stream == 4', q, { ...v6, udp_stream: 4 })).toBe(true);
  });

  it('bare protocol names: tcp, udp, and the application', () => {
    expect(m('tcp && http', response)).toBe(true);
    expect(m('udp', response)).toBe(false);
    expect(m('tcp', { ...dns, flow: 3 }, v6)).toBe(false);
  });
});
