/**
 * Real captures from the shared Zeek corpus through the whole engine: malformed DNS gives
 * anomalies and never a dissector failure, and well-formed files decode into the
 * messages, transactions and records Wireshark and Zeek also see.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import type { WireEvent } from '../../src/events/event.js';
import { describeWith, zeek } from '../support/requires.js';

const CORPUS = zeek();
const run = async (name: string): Promise<WireEvent[]> => (await analyzeFile(`${CORPUS}/${name}`)).events;
const of = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) =>
  [...new Set(of(events, 'anomaly').map((e) => String(e.code)).filter((c) => c.startsWith('dns.') || c === 'dissect.error'))].sort();

describeWith(['corpus'], 'DNS on the corpus', () => {
  const malformed: Array<[string, string[]]> = [
    ['dns_dns-invalid-names.pcap', ['dns.bad_pointer', 'dns.malformed']],
    ['dns_dns-edns-bad-length.pcap', ['dns.malformed', 'dns.unmatched_response']],
    ['dns_svcb-alpn-malformed-len-too-short.pcap', ['dns.malformed']],
    ['dns_max-compression-depth.pcap', ['dns.bad_pointer', 'dns.unmatched_response']],
    ['dns-edns-ecs-weirds.pcap', ['dns.malformed']],
    ['dns_conn-count-too-large.pcap', ['dns.question_count']],
    // Zeek's tests for these two concern Zeek's own decoders; the records are well formed.
    ['dns_loc-29-trunc.pcap', []],
    ['dns_sshfp-trunc.pcap', []],
  ];
  for (const [file, expected] of malformed) {
    it(`${file}: anomalies ${expected.join(', ') || 'none'}, every message still emitted`, async () => {
      const events = await run(file);
      expect(codes(events)).toEqual(expected);
      expect(of(events, 'dns.message').length).toBeGreaterThan(0);
    });
  }

  it('invalid names: the header is kept even when the question is not', async () => {
    const msgs = of(await run('dns_dns-invalid-names.pcap'), 'dns.message');
    expect(msgs.map((m) => [m.trans_id, m.qname, m.malformed !== undefined])).toEqual([
      [0x2222, null, true],
      [0x2223, null, true],
      [0x2224, null, true],
    ]);
  });

  it('max compression depth: the first answers decode, the over-deep one is flagged', async () => {
    const [m] = of(await run('dns_max-compression-depth.pcap'), 'dns.message');
    const names = (m!.answers as Array<{ name: string | null }>).map((a) => a.name);
    expect(names).toEqual(['a', 'a', 'a', 'a', 'a', 'a', null]);
  });

  it('malformed SVCB keeps its bytes as hex', async () => {
    const msgs = of(await run('dns_svcb-alpn-malformed-len-too-short.pcap'), 'dns.message');
    const [rr] = msgs[1]!.answers as Array<Record<string, unknown>>;
    expect(rr).toMatchObject({ type_name: 'HTTPS' });
    expect(Object.keys(rr!.data as object)).toEqual(['hex']);
  });

  it('duplicate responses are linked to the first one', async () => {
    const events = await run('dns-two-responses.pcap');
    const txs = of(events, 'dns.transaction');
    expect(txs.map((t) => [t.duplicate ?? false, t.query_frame])).toEqual([
      [false, 1],
      [true, 1],
    ]);
  });

  it('EDNS client subnet and cookies', async () => {
    const cookie = of(await run('dns-edns-cookie.pcap'), 'dns.message').find((m) => (m.edns as { cookie?: unknown } | null)?.cookie);
    expect((cookie!.edns as { cookie: { client: string } }).cookie.client).toMatch(/^[0-9a-f]{16}$/);
    const ecs = of(await run('dns-edns-ecs.pcap'), 'dns.message').find((m) => (m.edns as { ecs?: unknown } | null)?.ecs);
    expect((ecs!.edns as { ecs: { family: string } }).ecs.family).toMatch(/^IPv[46]$/);
  });

  it('HTTPS / SVCB parameters', async () => {
    const msgs = of(await run('dns-https.pcap'), 'dns.message');
    const rr = (msgs[1]!.answers as Array<Record<string, unknown>>)[0]!;
    expect(rr.type_name).toBe('HTTPS');
    expect((rr.data as { params: { alpn?: string[] } }).params.alpn).toContain('h2');
  });

  it('a long-lived UDP flow pairs every query', async () => {
    const events = await run('dns_long-connection.pcap');
    const msgs = of(events, 'dns.message');
    expect(msgs.every((m) => m.transport === 'udp')).toBe(true);
    const txs = of(events, 'dns.transaction');
    expect(txs.filter((t) => t.no_response).length).toBe(0);
    expect(txs.length).toBe(msgs.filter((m) => !m.response).length);
  });

  it('mDNS is its own event type, marked, and multicast announcements raise no anomaly', async () => {
    const events = await run('dns_mdns.pcap');
    expect(of(events, 'dns.message')).toEqual([]);
    const msgs = of(events, 'mdns.message');
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs.every((m) => m.mdns === true)).toBe(true);
    expect(codes(events)).toEqual([]);
  });

  it('NetBIOS name service is not claimed as DNS', async () => {
    const events = await run('wikipedia.pcap');
    const msgs = [...of(events, 'dns.message'), ...of(events, 'llmnr.message'), ...of(events, 'mdns.message')];
    expect(msgs.some((m) => m.qtype === 32)).toBe(false);
    expect(of(events, 'llmnr.message').every((m) => m.llmnr === true)).toBe(true);
    expect(of(events, 'llmnr.message').length).toBeGreaterThan(0);
  });
});

describeWith(['corpus'], 'DNS over TCP in the corpus', () => {
  it('EDNS TCP keepalive over TCP: framed, paired, keepalive decoded', async () => {
    const events = await run('dns-edns-tcp-keepalive.pcap');
    const tcp = of(events, 'dns.message').filter((m) => m.transport === 'tcp');
    expect(tcp.length).toBe(4);
    const txs = of(events, 'dns.transaction').filter((t) => t.proto === 'tcp');
    expect(txs.every((t) => t.response_frame !== null && !t.no_response)).toBe(true);
    const withKeepalive = tcp.filter((m) => m.response && (m.edns as { tcp_keepalive?: unknown } | null)?.tcp_keepalive !== undefined);
    expect(withKeepalive.length).toBeGreaterThan(0);
  });
});

const CAPTURES = new URL('../../captures/', import.meta.url).pathname;

describe('DNS report views on recorded captures', () => {
  it('links a truncated UDP answer to its retry over TCP', async () => {
    const { events } = await analyzeFile(`${CAPTURES}dns-truncated-tcp.pcap`);
    const { summarizeDns } = await import('../../src/protocols/dns/summarize.js');
    const txs = events.filter((e) => e.type === 'dns.transaction');
    const view = summarizeDns(txs, { flows: events.filter((e) => e.type === 'flow.end') });
    const [retry] = view.tcp_retries as Array<{ udp: { flow: number }; tcp: { flow: number } | null }>;
    expect(retry!.tcp).not.toBeNull();
    expect(retry!.tcp!.flow).not.toBe(retry!.udp.flow);
  });

  it('summarises AXFR by record type with the SOA serials', async () => {
    const { events } = await analyzeFile(`${CAPTURES}dns-axfr.pcap`);
    const zt = events.filter((e) => e.type === 'dns.zone_transfer');
    expect(zt[0]).toMatchObject({ kind: 'AXFR', complete: true });
    const serials = zt[0]!.soa_serials as number[];
    expect(serials.length).toBe(2);
    expect(serials[0]).toBe(serials[1]);
    // The records are not repeated one by one in the messages.
    const responses = events.filter((e) => e.type === 'dns.message' && e.response === true && e.qtype === 252);
    expect(responses.every((m) => m.answers === undefined)).toBe(true);
  });
});
