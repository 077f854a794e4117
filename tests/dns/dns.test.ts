import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { dnsDescriptor } from '../../src/protocols/dns/index.js';
import { parseName } from '../../src/protocols/dns/names.js';
import { ttlText } from '../../src/protocols/dns/ttl.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { comparable, runDatagrams, runStream, type Chunk } from '../support/dissector-harness.js';
import { Timestamp } from '../../src/events/time.js';

const UDP = { flow: { transport: 'udp' as const, client: { addr: '10.0.0.1', port: 40000 }, server: { addr: '10.0.0.53', port: 53 } } };
const TCP = { flow: { transport: 'tcp' as const, client: { addr: '10.0.0.1', port: 40001 }, server: { addr: '10.0.0.53', port: 53 } } };

function query(id: number, name: string, type: string, extra: Partial<dnsPacket.Packet> = {}): Uint8Array {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name }], ...extra });
}

function response(id: number, name: string, type: string, answers: dnsPacket.Answer[], extra: Partial<dnsPacket.Packet> = {}): Uint8Array {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type: type as 'A', name }],
    answers,
    ...extra,
  });
}

const tcpFrame = (m: Uint8Array): Uint8Array => {
  const out = new Uint8Array(m.length + 2);
  out[0] = m.length >> 8;
  out[1] = m.length & 0xff;
  out.set(m, 2);
  return out;
};

const byType = (events: { type: string }[], type: string) => events.filter((e) => e.type === type) as Record<string, unknown>[];

describe('dns names', () => {
  const lim = DEFAULT_LIMITS;
  it('decodes labels and the root', () => {
    const b = Uint8Array.from([3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]);
    expect(parseName(b, 0, lim)).toEqual({ name: 'www.example.com', end: b.length });
    expect(parseName(Uint8Array.from([0]), 0, lim)).toEqual({ name: '.', end: 1 });
  });
  it('escapes dots and unprintable bytes inside labels', () => {
    const b = Uint8Array.from([3, 0x61, 0x2e, 0x01, 0]);
    expect(parseName(b, 0, lim).name).toBe('a\\.\\001');
  });
  it('rejects looping pointers, keeping the in-place end', () => {
    const loop = Uint8Array.from([0, 0, 1, 0x61, 0xc0, 2]);
    const r = parseName(loop, 2, lim);
    expect(r.name).toBeNull();
    expect(r.end).toBe(6);
    expect(r.problem?.code).toBe('dns.bad_pointer');
    const self = Uint8Array.from([0xc0, 0]);
    expect(parseName(self, 0, lim).problem?.code).toBe('dns.bad_pointer');
    // Two forward-and-back pointers that chase each other: a loop, not a depth overflow.
    const pingPong = Uint8Array.from([1, 0x62, 0xc0, 5, 0, 1, 0x61, 0xc0, 0]);
    expect(parseName(pingPong, 0, lim).problem?.reason).toMatch(/loops/);
    expect(parseName(Uint8Array.from([0xc0, 9]), 0, lim).problem?.code).toBe('dns.bad_pointer');
  });
  it('follows a forward pointer, which RFC 1035 allows', () => {
    // "www" then a pointer forward to "example.com" stored later in the message.
    const b = Uint8Array.from([3, ...Buffer.from('www'), 0xc0, 6, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]);
    expect(parseName(b, 0, lim)).toEqual({ name: 'www.example.com', end: 6 });
  });
  it('bounds compression depth', () => {
    // name "a" at 0, then pointers each pointing to the previous pointer
    const b = [1, 0x61, 0];
    for (let i = 0; i < 7; i++) b.push(0xc0, i === 0 ? 0 : 3 + 2 * (i - 1));
    const bytes = Uint8Array.from(b);
    expect(parseName(bytes, 3 + 2 * 4, lim).name).toBe('a'); // 5 hops
    expect(parseName(bytes, 3 + 2 * 5, lim).problem?.code).toBe('dns.bad_pointer'); // 6 hops
  });
  it('enforces name length and label limits', () => {
    const labels: number[] = [];
    for (let i = 0; i < 10; i++) labels.push(1, 0x61);
    labels.push(0);
    expect(parseName(Uint8Array.from(labels), 0, { ...lim, max_dns_labels: 5 }).problem?.code).toBe('dns.name_limit');
    expect(parseName(Uint8Array.from(labels), 0, { ...lim, max_dns_name: 10 }).problem?.code).toBe('dns.name_limit');
    expect(parseName(Uint8Array.from(labels), 0, lim).name).toBe('a.a.a.a.a.a.a.a.a.a');
  });
  it('reports truncation without throwing', () => {
    expect(parseName(Uint8Array.from([5, 0x61]), 0, lim)).toMatchObject({ name: null, end: -1 });
  });
});

describe('ttl text', () => {
  it('reads like a person would say it', () => {
    expect(ttlText(0)).toBe('0 s');
    expect(ttlText(93600)).toBe('1 day 2 h');
    expect(ttlText(3661)).toBe('1 h 1 min 1 s');
    expect(ttlText(2 * 86400)).toBe('2 days');
  });
});

describe('dns over udp', () => {
  it('pairs a query with its response into a transaction with typed answers', () => {
    const rec = runDatagrams(
      dnsDescriptor,
      [
        { dir: 'c2s', bytes: query(0x1234, 'example.com', 'A') },
        {
          dir: 's2c',
          bytes: response(0x1234, 'example.com', 'A', [
            { type: 'CNAME', name: 'example.com', ttl: 93600, data: 'web.example.net' },
            { type: 'A', name: 'web.example.net', ttl: 60, data: '93.184.216.34' },
          ]),
        },
      ],
      UDP,
    );
    const msgs = byType(rec.events, 'dns.message');
    expect(msgs.map((m) => [m.trans_id, m.response, m.qname, m.qtype, m.rcode])).toEqual([
      [0x1234, false, 'example.com', 1, 0],
      [0x1234, true, 'example.com', 1, 0],
    ]);
    const [tx] = byType(rec.events, 'dns.transaction');
    expect(tx).toMatchObject({
      trans_id: 0x1234,
      query: 'example.com',
      qtype_name: 'A',
      qclass_name: 'C_INTERNET',
      rcode_name: 'NOERROR',
      RD: true,
      RA: true,
      AA: false,
      answers: ['web.example.net', '93.184.216.34'],
      TTLs: [93600, 60],
      query_frame: 1,
      response_frame: 2,
      rtt: 1,
      orig_h: '10.0.0.1',
      resp_h: '10.0.0.53',
      proto: 'udp',
    });
    const answers = (msgs[1]!.answers as Record<string, unknown>[]);
    expect(answers[0]).toMatchObject({ type_name: 'CNAME', ttl_text: '1 day 2 h', data: { target: 'web.example.net' } });
    expect(rec.service).toBe('dns');
    // The address that answers the question, and the CNAME chain that led to it (issue 20).
    expect(rec.summary).toBe('A example.com → 93.184.216.34 (via web.example.net)');
    expect(rec.events.filter((e) => e.type === 'anomaly')).toEqual([]);
  });

  it('decodes MX, SOA, TXT, SRV, CAA and AAAA data', () => {
    const rec = runDatagrams(
      dnsDescriptor,
      [
        {
          dir: 's2c',
          bytes: response(7, 'example.com', 'ANY', [
            { type: 'MX', name: 'example.com', ttl: 1, data: { preference: 10, exchange: 'mx.example.com' } },
            { type: 'SOA', name: 'example.com', ttl: 1, data: { mname: 'ns.example.com', rname: 'h.example.com', serial: 2024, refresh: 1, retry: 2, expire: 3, minimum: 4 } },
            { type: 'TXT', name: 'example.com', ttl: 1, data: ['v=spf1 -all', 'two'] },
            { type: 'SRV', name: '_sip._tcp.example.com', ttl: 1, data: { priority: 1, weight: 2, port: 5060, target: 'sip.example.com' } },
            { type: 'CAA', name: 'example.com', ttl: 1, data: { flags: 0, tag: 'issue', value: 'ca.example' } },
            { type: 'AAAA', name: 'example.com', ttl: 1, data: '2001:db8::1' },
          ]),
        },
      ],
      UDP,
    );
    const [m] = byType(rec.events, 'dns.message');
    const data = (m!.answers as Record<string, unknown>[]).map((a) => [a.type_name, a.text]);
    expect(data).toEqual([
      ['MX', '10 mx.example.com'],
      ['SOA', 'ns.example.com h.example.com 2024 1 2 3 4'],
      ['TXT', '"v=spf1 -all" "two"'],
      ['SRV', '1 2 5060 sip.example.com'],
      ['CAA', '0 issue "ca.example"'],
      ['AAAA', '2001:db8::1'],
    ]);
  });

  it('decodes EDNS: UDP size, DO, client subnet, cookie, and the extended rcode', () => {
    const opt: dnsPacket.Answer = {
      type: 'OPT',
      name: '.',
      udpPayloadSize: 1232,
      extendedRcode: 1,
      flags: dnsPacket.DNSSEC_OK,
      options: [
        { code: 'CLIENT_SUBNET', ip: '192.0.2.0', sourcePrefixLength: 24, scopePrefixLength: 0 } as never,
        { code: 10, data: Buffer.from('0102030405060708a1a2a3a4a5a6a7a8', 'hex') } as never,
      ],
    } as unknown as dnsPacket.Answer;
    const rec = runDatagrams(dnsDescriptor, [{ dir: 's2c', bytes: response(9, 'example.com', 'A', [], { additionals: [opt] }) }], UDP);
    const [m] = byType(rec.events, 'dns.message');
    expect(m!.rcode).toBe(0);
    expect(m!.rcode_ext).toBe(16);
    expect(m!.rcode_name).toBe('BADVERS');
    expect(m!.edns).toMatchObject({
      udp_size: 1232,
      do: true,
      ecs: { family: 'IPv4', source_prefix: 24, scope_prefix: 0, address: '192.0.2.0' },
      cookie: { client: '0102030405060708', server: 'a1a2a3a4a5a6a7a8' },
    });
    expect(m!.additionals).toEqual([]);
  });

  it('keeps unknown record types as hex and bad records without losing the message', () => {
    const good = response(3, 'x.test', 'A', [
      { type: 'A', name: 'x.test', ttl: 5, data: '192.0.2.1' },
      { type: 'UNKNOWN_65280' as 'A', name: 'x.test', ttl: 5, data: Buffer.from('cafe', 'hex') as never },
    ]);
    const rec = runDatagrams(dnsDescriptor, [{ dir: 's2c', bytes: good }], UDP);
    const [m] = byType(rec.events, 'dns.message');
    const answers = m!.answers as Record<string, unknown>[];
    expect(answers[1]).toMatchObject({ type: 65280, type_name: 'TYPE65280', data: { hex: 'cafe' }, text: '\\# 2 cafe' });
    // An A record with 3 bytes of data: kept as hex, one anomaly, message still emitted.
    const bad = Buffer.from(response(4, 'x.test', 'A', [{ type: 'A', name: 'x.test', ttl: 5, data: '192.0.2.1' }]));
    const rdlen = bad.length - 6;
    bad.writeUInt16BE(3, rdlen);
    const rec2 = runDatagrams(dnsDescriptor, [{ dir: 's2c', bytes: bad.subarray(0, bad.length - 1) }], UDP);
    const [m2] = byType(rec2.events, 'dns.message');
    expect((m2!.answers as Record<string, unknown>[])[0]).toMatchObject({ data: { hex: 'c00002' }, malformed: 'A: length 3, expected 4' });
    expect(byType(rec2.events, 'anomaly').map((a) => a.code)).toContain('dns.malformed');
  });

  it('emits a message with what was readable when the question is cut short', () => {
    const q = query(0x2222, 'abc.example', 'A');
    const rec = runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: q.subarray(0, 15) }], UDP);
    const [m] = byType(rec.events, 'dns.message');
    expect(m).toMatchObject({ trans_id: 0x2222, response: false, qname: null });
    expect(byType(rec.events, 'anomaly')[0]).toMatchObject({ code: 'dns.malformed' });
    expect(byType(rec.events, 'dns.transaction')[0]).toMatchObject({ no_response: true });
  });

  it('recognises retransmissions, duplicates, late and unmatched responses', () => {
    const q = query(5, 'a.test', 'A');
    const r = response(5, 'a.test', 'A', [{ type: 'A', name: 'a.test', ttl: 5, data: '192.0.2.5' }]);
    const rec = runDatagrams(
      dnsDescriptor,
      [
        { dir: 'c2s', bytes: q },
        { dir: 'c2s', bytes: q },
        { dir: 's2c', bytes: r },
        { dir: 's2c', bytes: r },
        { dir: 's2c', bytes: response(99, 'b.test', 'A', []) },
      ],
      UDP,
    );
    const txs = byType(rec.events, 'dns.transaction');
    expect(txs.map((t) => [t.trans_id, t.retransmissions ?? null, t.duplicate ?? false, t.unsolicited ?? false])).toEqual([
      [5, 1, false, false],
      [5, null, true, false],
      [99, null, false, true],
    ]);
    expect(byType(rec.events, 'anomaly').map((a) => a.code)).toEqual(['dns.duplicate_response', 'dns.unmatched_response']);
  });

  it('marks a response that arrives after the time-out as late', () => {
    const q = query(6, 'slow.test', 'A');
    const r = response(6, 'slow.test', 'A', []);
    const rec = runDatagrams(dnsDescriptor, [], UDP);
    const d = dnsDescriptor.createDatagram!(rec.ctx);
    rec.at(1, new Timestamp(100, 0));
    d.datagram('c2s', q);
    rec.at(2, new Timestamp(125, 0));
    d.datagram('s2c', r);
    d.close();
    const txs = byType(rec.events, 'dns.transaction');
    expect(txs.map((t) => [t.no_response ?? false, t.late ?? false, t.query_frame])).toEqual([
      [true, false, 1],
      [false, true, 1],
    ]);
  });

  it('probes: claims DNS on odd ports only when the header is sane', () => {
    const flow = { ...UDP.flow, id: 1, ip_version: 4 as const, community_id: '', server: { addr: '10.0.0.9', port: 9999 } };
    expect(dnsDescriptor.probe(query(1, 'example.com', 'A'), 'c2s', flow)).toBe('match');
    expect(dnsDescriptor.probe(Uint8Array.from(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), 'c2s', flow)).toBe('no');
    const random = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 11) & 0xff);
    expect(dnsDescriptor.probe(random, 'c2s', flow)).toBe('no');
    const onPort = { ...flow, server: { addr: '10.0.0.9', port: 53 } };
    expect(dnsDescriptor.probe(response(1, 'example.com', 'A', []), 'c2s', onPort)).toBe('match_reversed');
  });

  it('marks mDNS with cache-flush and unicast-response bits and raises no unmatched anomaly', () => {
    const flow = { transport: 'udp' as const, client: { addr: '10.0.0.7', port: 5353 }, server: { addr: '224.0.0.251', port: 5353 } };
    const announce = Buffer.from(
      dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: [{ type: 'A', name: 'host.local', ttl: 120, flush: true, data: '10.0.0.7' }] }),
    );
    const rec = runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: announce }], { flow });
    const [m] = byType(rec.events, 'mdns.message');
    expect(m).toMatchObject({ mdns: true, transport: 'udp' });
    expect((m!.answers as Record<string, unknown>[])[0]).toMatchObject({ class: 1, cache_flush: true });
    expect(byType(rec.events, 'anomaly')).toEqual([]);
    expect(rec.service).toBe('mdns');
  });
});

describe('dns opcodes, junk and mDNS (issue 15)', () => {
  const withOpcode = (m: Uint8Array, opcode: number): Uint8Array => {
    const b = Uint8Array.from(m);
    b[2] = (b[2]! & 0x87) | (opcode << 3);
    return b;
  };
  const flow53 = { ...UDP.flow, id: 1, ip_version: 4 as const, community_id: '' };

  it('dissects every opcode as a message with its name, and pairs NOTIFY, UPDATE and unassigned ones', () => {
    const names: Array<[number, string]> = [[1, 'IQUERY'], [2, 'STATUS'], [3, 'OPCODE3'], [4, 'NOTIFY'], [5, 'UPDATE'], [6, 'DSO'], [15, 'OPCODE15']];
    for (const [opcode, name] of names) {
      const q = withOpcode(query(opcode + 10, 'zone.test', 'SOA'), opcode);
      const r = withOpcode(response(opcode + 10, 'zone.test', 'SOA', []), opcode);
      expect(dnsDescriptor.probe(q, 'c2s', flow53)).toBe('match');
      const rec = runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: q }, { dir: 's2c', bytes: r }], UDP);
      const msgs = byType(rec.events, 'dns.message');
      expect(msgs.map((m) => m.opcode_name)).toEqual([name, name]);
      const [t] = byType(rec.events, 'dns.transaction');
      expect(t).toMatchObject({ opcode, query_frame: expect.any(Number), response_frame: expect.any(Number) });
    }
  });

  it('dissects an inverse query, which has answers and no question (RFC 1035 §6.4)', () => {
    const iq = withOpcode(
      dnsPacket.encode({ type: 'query', id: 77, answers: [{ type: 'A', name: '.', ttl: 0, data: '192.0.2.1' }] }),
      1,
    );
    expect(dnsDescriptor.probe(iq, 'c2s', flow53)).toBe('match');
    const rec = runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: iq }], UDP);
    const [m] = byType(rec.events, 'dns.message');
    expect(m).toMatchObject({ opcode: 1, opcode_name: 'IQUERY', qdcount: 0, ancount: 1 });
  });

  it('decodes a message whose question name uses a forward pointer', () => {
    // Question "www" + pointer to an answer owner "example.com" placed after it.
    const q = query(5, 'www.example.com', 'A');
    const msg = response(5, 'www.example.com', 'A', [{ type: 'A', name: 'www.example.com', ttl: 60, data: '192.0.2.5' }]);
    // Header (one question, one answer), then question "www" + pointer forward to offset 22,
    // where the answer's owner "example.com" is written out in full.
    const header = Uint8Array.from(msg).subarray(0, 12);
    const question = [3, ...Buffer.from('www'), 0xc0, 22, 0, 1, 0, 1];
    const owner = [7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0];
    const answer = [...owner, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 5];
    expect(12 + question.length).toBe(22);
    const crafted = Uint8Array.from([...header, ...question, ...answer]);
    const rec = runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: q }, { dir: 's2c', bytes: crafted }], UDP);
    const [, m] = byType(rec.events, 'dns.message');
    expect(m).toMatchObject({ qname: 'www.example.com', malformed: undefined });
    expect(byType(rec.events, 'anomaly')).toEqual([]);
    expect(byType(rec.events, 'dns.transaction')[0]).toMatchObject({ query: 'www.example.com', answers: ['192.0.2.5'] });
  });

  it('asks for the next datagram when the first one on a DNS port is junk', () => {
    expect(dnsDescriptor.probe(Uint8Array.from([1, 2, 3]), 'c2s', flow53)).toBe('need_more');
    const odd = { ...flow53, server: { addr: '10.0.0.9', port: 9999 } };
    expect(dnsDescriptor.probe(Uint8Array.from([1, 2, 3]), 'c2s', odd)).toBe('no');
  });

  it('classifies mDNS by group or by port 5353 on both sides, not a resolver querying from 5353 to port 53', () => {
    const f = (client: [string, number], server: [string, number]) => ({
      transport: 'udp' as const,
      client: { addr: client[0], port: client[1] },
      server: { addr: server[0], port: server[1] },
    });
    const q = query(9, 'host.local', 'A');
    const svc = (flow: ReturnType<typeof f>) => runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: q }], { flow }).service;
    expect(svc(f(['10.0.0.7', 5353], ['10.0.0.53', 53]))).toBe('dns');
    expect(svc(f(['10.0.0.7', 5353], ['224.0.0.251', 5353]))).toBe('mdns');
    expect(svc(f(['fe80::1', 40000], ['ff02::fb', 5353]))).toBe('mdns');
    expect(svc(f(['10.0.0.7', 5353], ['10.0.0.8', 5353]))).toBe('mdns');
  });

  it('does not pair a multicast announcement with the probe before it by id 0 (RFC 6762 §18.1)', () => {
    const flow = { transport: 'udp' as const, client: { addr: '10.0.0.7', port: 5353 }, server: { addr: '224.0.0.251', port: 5353 } };
    const probe = Buffer.from(dnsPacket.encode({ type: 'query', id: 0, questions: [{ type: 'ANY' as 'A', name: 'host.local' }] }));
    const announce = Buffer.from(
      dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: [{ type: 'A', name: 'host.local', ttl: 120, data: '10.0.0.7' }] }),
    );
    const rec = runDatagrams(dnsDescriptor, [{ dir: 'c2s', bytes: probe }, { dir: 'c2s', bytes: announce }], { flow });
    const tx = byType(rec.events, 'dns.transaction');
    expect(tx).toHaveLength(2);
    expect(tx.find((t) => t.unsolicited)).toMatchObject({ query_frame: null, answers: ['10.0.0.7'] });
    expect(tx.find((t) => t.no_response)).toMatchObject({ query: 'host.local', response_frame: null });
    expect(byType(rec.events, 'anomaly')).toEqual([]);
  });
});

describe('dns over tcp', () => {
  const conversation = (): Chunk[] => {
    const q1 = tcpFrame(query(1, 'one.test', 'A'));
    const q2 = tcpFrame(query(2, 'two.test', 'AAAA'));
    const r1 = tcpFrame(response(1, 'one.test', 'A', [{ type: 'A', name: 'one.test', ttl: 1, data: '192.0.2.1' }]));
    const r2 = tcpFrame(response(2, 'two.test', 'AAAA', [{ type: 'AAAA', name: 'two.test', ttl: 1, data: '2001:db8::2' }]));
    return [
      { dir: 'c2s', bytes: Buffer.concat([q1, q2]) },
      { dir: 's2c', bytes: Buffer.concat([r1, r2]) },
    ];
  };

  it('frames several messages per segment', () => {
    const rec = runStream(dnsDescriptor, conversation(), { mode: 'whole' }, TCP);
    expect(byType(rec.events, 'dns.message').map((m) => [m.trans_id, m.response, m.transport])).toEqual([
      [1, false, 'tcp'],
      [2, false, 'tcp'],
      [1, true, 'tcp'],
      [2, true, 'tcp'],
    ]);
    expect(byType(rec.events, 'dns.transaction').map((t) => t.answers)).toEqual([['192.0.2.1'], ['2001:db8::2']]);
  });

  it('gives identical events whole, byte by byte, and at every split point', () => {
    const whole = comparable(runStream(dnsDescriptor, conversation(), { mode: 'whole' }, TCP).events);
    expect(comparable(runStream(dnsDescriptor, conversation(), { mode: 'bytes' }, TCP).events)).toEqual(whole);
    const longest = Math.max(...conversation().map((c) => (c.bytes as Uint8Array).length));
    for (let at = 1; at < longest; at++) {
      expect(comparable(runStream(dnsDescriptor, conversation(), { mode: 'at', at }, TCP).events)).toEqual(whole);
    }
  });

  it('reports a too-short length prefix and a stream that ends inside a message', () => {
    const rec = runStream(dnsDescriptor, [{ dir: 'c2s', bytes: Uint8Array.from([0, 3, 1, 2, 3, 0, 40, 1]) }], { mode: 'whole' }, TCP);
    expect(byType(rec.events, 'anomaly').map((a) => a.code)).toEqual(['dns.tcp_length', 'dns.malformed']);
  });

  it('summarises a zone transfer instead of listing its records', () => {
    const soa = { type: 'SOA' as const, name: 'zone.test', ttl: 60, data: { mname: 'ns.zone.test', rname: 'h.zone.test', serial: 42, refresh: 1, retry: 1, expire: 1, minimum: 1 } };
    const a = (i: number): dnsPacket.Answer => ({ type: 'A', name: `h${i}.zone.test`, ttl: 60, data: `192.0.2.${i}` });
    const part1 = dnsPacket.encode({ type: 'response', id: 77, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ type: 'AXFR', name: 'zone.test' }], answers: [soa, a(1), a(2)] });
    const part2 = dnsPacket.encode({ type: 'response', id: 77, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: [a(3), { type: 'NS', name: 'zone.test', ttl: 60, data: 'ns.zone.test' }, soa] });
    const rec = runStream(
      dnsDescriptor,
      [
        { dir: 'c2s', bytes: tcpFrame(query(77, 'zone.test', 'AXFR')) },
        { dir: 's2c', bytes: tcpFrame(part1) },
        { dir: 's2c', bytes: tcpFrame(part2) },
      ],
      { mode: 'whole' },
      TCP,
    );
    const msgs = byType(rec.events, 'dns.message');
    expect(msgs.map((m) => [m.answers ?? null, m.answer_count ?? null])).toEqual([
      [[], null],
      [null, 3],
      [null, 3],
    ]);
    const [zt] = byType(rec.events, 'dns.zone_transfer');
    expect(zt).toMatchObject({ kind: 'AXFR', zone: 'zone.test', records: 6, records_by_type: { A: 3, NS: 1, SOA: 2 }, soa_serials: [42, 42], complete: true, messages: 2 });
    expect(byType(rec.events, 'dns.transaction')).toHaveLength(1);
    expect(byType(rec.events, 'anomaly')).toEqual([]);
  });
});

describe('DNS answer amplification (issue 19)', () => {
  /** A response whose `count` answers all point (2-byte pointer) at a ~250-byte question name. */
  function amplified(count: number, rtype: 'A' | 'CNAME'): Uint8Array {
    const labels = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(58)];
    const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    const header = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, count >> 8, count & 0xff, 0, 0, 0, 0]);
    const question = Buffer.concat([qname, Buffer.from([0, 1, 0, 1])]);
    const rr =
      rtype === 'A'
        ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1])
        : Buffer.from([0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0x0c]);
    return Buffer.concat([header, question, ...Array.from({ length: count }, () => rr)]);
  }

  it('lists at most max_dns_records records of one message, and says so', () => {
    const rec = runDatagrams(dnsDescriptor, [{ dir: 's2c', bytes: amplified(4000, 'A') }], UDP);
    const [m] = byType(rec.events, 'dns.message');
    expect((m!.answers as unknown[]).length).toBe(DEFAULT_LIMITS.max_dns_records);
    expect(m!.ancount).toBe(4000);
    expect(m!.records_not_listed).toBe(4000 - DEFAULT_LIMITS.max_dns_records);
    const anomalies = byType(rec.events, 'anomaly').filter((a) => a.code === 'dns.record_limit');
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]!.detail).toBe(`id 4660: more than max_dns_records (256) records; ${4000 - 256} not listed`);
    const out = JSON.stringify(rec.events).length;
    expect(out).toBeLessThan(400 * 1024); // 4000 listed would be over 5 MB of events for 64 KB
  });

  it('bounds what few records may expand to through name compression', () => {
    const msg = amplified(200, 'CNAME');
    const rec = runDatagrams(dnsDescriptor, [{ dir: 's2c', bytes: msg }], UDP);
    const [m] = byType(rec.events, 'dns.message');
    const listed = (m!.answers as unknown[]).length;
    expect(listed).toBeLessThan(200);
    expect(listed).toBeGreaterThan(50);
    expect(byType(rec.events, 'anomaly').find((a) => a.code === 'dns.record_limit')!.detail).toMatch(/expand to more than 16 times the \d+-byte message/);
  });

  it('a normal response is untouched', () => {
    const answers = Array.from({ length: 40 }, (_, i) => ({ type: 'A' as const, name: 'many.example.com', ttl: 60, data: `192.0.2.${i}` }));
    const rec = runDatagrams(dnsDescriptor, [{ dir: 's2c', bytes: response(7, 'many.example.com', 'A', answers) }], UDP);
    expect((byType(rec.events, 'dns.message')[0]!.answers as unknown[]).length).toBe(40);
    expect(byType(rec.events, 'anomaly').filter((a) => a.code === 'dns.record_limit')).toEqual([]);
  });
});
