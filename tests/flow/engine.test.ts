/**
 * The engine on hand-made packets: flow identity and roles, Zeek's history and
 * conn_state, handshake RTT, reuse of a 5-tuple, idle expiry, the flow limit and gaps.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile, type AnalyzeOptions } from '../../src/pipeline/analyze.js';
import { concat, pcapHeader, pcapRecord, tempFile } from '../capture/builders.js';
import { ipv4, tcp, udp } from '../decode/frames.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;

interface Pkt {
  t: number;
  from: 'c' | 's';
  flags?: number;
  seq?: number;
  ack?: number;
  data?: string;
  udp?: boolean;
  cport?: number;
}

/** Raw-IP pcap (link type 101) of packets between C:cport and S:80 (or S:53 for UDP). */
function capture(pkts: Pkt[]): string {
  const records = pkts.map((p) => {
    const cport = p.cport ?? 40000;
    const sport = p.udp ? 53 : 80;
    const [src, dst, sp, dp] = p.from === 'c' ? [C, S, cport, sport] : [S, C, sport, cport];
    const payload = Buffer.from(p.data ?? '', 'latin1');
    const l4 = p.udp
      ? udp({ sport: sp, dport: dp, payload })
      : tcp({ sport: sp, dport: dp, seq: p.seq ?? 0, ack: p.ack ?? 0, flags: p.flags ?? ACK, payload });
    const ip = ipv4({ src, dst, protocol: p.udp ? 17 : 6, payload: l4 });
    const sec = Math.floor(p.t);
    return pcapRecord('us-le', 1_700_000_000 + sec, Math.round((p.t - sec) * 1e6), ip);
  });
  return tempFile(concat(pcapHeader('us-le', 101), ...records));
}

async function flows(pkts: Pkt[], opts: AnalyzeOptions = {}): Promise<{ flows: WireEvent[]; events: WireEvent[] }> {
  const { events } = await analyzeFile(capture(pkts), { protocols: [], ...opts });
  return { flows: events.filter((e) => e.type === 'flow.end'), events };
}

/** A complete connection: handshake, a request, a response, FIN both ways. */
const connection = (t0: number, isn = 1000, sisn = 5000, cport = 40000): Pkt[] => [
  { t: t0, from: 'c', flags: SYN, seq: isn, cport },
  { t: t0 + 0.01, from: 's', flags: SYN | ACK, seq: sisn, ack: isn + 1, cport },
  { t: t0 + 0.02, from: 'c', flags: ACK, seq: isn + 1, ack: sisn + 1, cport },
  { t: t0 + 0.03, from: 'c', flags: PSH | ACK, seq: isn + 1, ack: sisn + 1, data: 'hello', cport },
  { t: t0 + 0.04, from: 's', flags: PSH | ACK, seq: sisn + 1, ack: isn + 6, data: 'world!!', cport },
  { t: t0 + 0.05, from: 'c', flags: FIN | ACK, seq: isn + 6, ack: sisn + 8, cport },
  { t: t0 + 0.06, from: 's', flags: FIN | ACK, seq: sisn + 8, ack: isn + 7, cport },
  { t: t0 + 0.07, from: 'c', flags: ACK, seq: isn + 7, ack: sisn + 9, cport },
];

describe('engine: TCP flows', () => {
  it('records a complete connection as Zeek would', async () => {
    const { flows: [f] } = await flows(connection(0));
    expect(f).toMatchObject({
      proto: 'tcp',
      orig_h: '10.0.0.1',
      orig_p: 40000,
      resp_h: '10.0.0.2',
      resp_p: 80,
      conn_state: 'SF',
      history: 'ShADdFf',
      orig_pkts: 5,
      resp_pkts: 3,
      orig_bytes: 5,
      resp_bytes: 7,
      missed_bytes: 0,
      tcp_rtt: 0.02,
      first_frame: 1,
      last_frame: 8,
    });
    expect(f!.community_id).toMatch(/^1:/);
  });

  it('knows refused, unanswered and mid-stream connections', async () => {
    const rej = await flows([{ t: 0, from: 'c', flags: SYN, seq: 1 }, { t: 0.1, from: 's', flags: RST | ACK, seq: 0, ack: 2 }]);
    expect(rej.flows[0]).toMatchObject({ conn_state: 'REJ', history: 'Sr' });
    const s0 = await flows([{ t: 0, from: 'c', flags: SYN, seq: 1 }]);
    expect(s0.flows[0]).toMatchObject({ conn_state: 'S0', history: 'S' });
    const mid = await flows([
      { t: 0, from: 'c', seq: 100, ack: 7, data: 'abc' },
      { t: 0.1, from: 's', seq: 7, ack: 103, data: 'de' },
    ]);
    expect(mid.flows[0]).toMatchObject({ conn_state: 'OTH', orig_h: '10.0.0.1', orig_bytes: 3, resp_bytes: 2 });
  });

  it('makes the receiver of a first SYN-ACK the client, marking the flip', async () => {
    const { flows: [f] } = await flows(connection(0).slice(1));
    expect(f).toMatchObject({ orig_h: '10.0.0.1', resp_h: '10.0.0.2', resp_p: 80 });
    expect(String(f!.history).startsWith('^')).toBe(true);
  });

  it('starts a new flow for a new SYN on a closed 5-tuple, ids in order of first packet', async () => {
    const { flows: fs } = await flows([...connection(0, 1000), ...connection(1, 900000)]);
    expect(fs.map((f) => [f.flow, f.conn_state, f.first_frame])).toEqual([
      [1, 'SF', 1],
      [2, 'SF', 9],
    ]);
  });

  it('counts a gap the peer acknowledged and hands it on as missed bytes', async () => {
    const pkts: Pkt[] = [
      ...connection(0).slice(0, 3),
      { t: 0.03, from: 'c', seq: 1001, ack: 5001, data: 'a'.repeat(100) },
      { t: 0.04, from: 'c', seq: 1201, ack: 5001, data: 'c'.repeat(100) },
      { t: 0.05, from: 's', seq: 5001, ack: 1301 },
    ];
    const { flows: [f], events } = await flows(pkts);
    expect(f).toMatchObject({ missed_bytes: 100, orig_bytes: 300 });
    expect(String(f!.history)).toContain('G');
    expect(events.filter((e) => e.type === 'anomaly').map((e) => [e.code, e.frame, e.dir])).toEqual([['tcp.gap', 6, 'c2s']]);
  });

  it('notes a retransmission that carries different bytes', async () => {
    const pkts: Pkt[] = [
      ...connection(0).slice(0, 3),
      { t: 0.03, from: 'c', seq: 1001, ack: 5001, data: 'GET /a' },
      { t: 0.04, from: 'c', seq: 1001, ack: 5001, data: 'GET /b' },
    ];
    const { flows: [f], events } = await flows(pkts);
    expect(String(f!.history)).toMatch(/T.*I|I.*T/);
    expect(events.some((e) => e.code === 'tcp.retransmission_inconsistent' && e.frame === 5)).toBe(true);
  });
});

describe('engine: UDP flows, expiry and limits', () => {
  it('pairs a query and its answer, and splits a 5-tuple silent for longer than the UDP time-out', async () => {
    const { flows: fs } = await flows([
      { t: 0, from: 'c', udp: true, data: 'q1' },
      { t: 0.001, from: 's', udp: true, data: 'a1' },
      { t: 100, from: 'c', udp: true, data: 'q2' },
    ]);
    expect(fs.map((f) => [f.flow, f.conn_state, f.orig_pkts, f.resp_pkts, f.end_reason])).toEqual([
      [1, 'SF', 1, 1, 'idle'],
      [2, 'S0', 1, 0, 'end_of_capture'],
    ]);
  });

  it('ends the least recently active flow beyond max_flows, once noted as an anomaly', async () => {
    const pkts: Pkt[] = [1, 2, 3, 4].map((i) => ({ t: i, from: 'c' as const, udp: true, data: 'x', cport: 1000 + i }));
    const { flows: fs, events } = await flows(pkts, { limits: { max_flows: 2 } });
    expect(fs).toHaveLength(4);
    expect(fs[0]).toMatchObject({ flow: 1, end_reason: 'evicted' });
    expect(events.filter((e) => e.code === 'flow.limit')).toHaveLength(1);
  });

  it('gives byte-identical events for the same capture', async () => {
    const file = capture([...connection(0), { t: 1, from: 'c', udp: true, data: 'q' }]);
    const a = await analyzeFile(file);
    const b = await analyzeFile(file);
    const { toJson } = await import('../../src/events/json.js');
    expect(a.events.map((e) => toJson(e)).join('\n')).toBe(b.events.map((e) => toJson(e)).join('\n'));
  });
});
