/**
 * Flows inside tunnels and packets cut short by the snap length, through the engine
 * (issue 15): tunnels keep flows apart, the outer endpoints are on the flow oriented as
 * it is, and a cut packet is said at its own frame, its captured prefix kept.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { concat, pcapHeader, pcapRecord, tempFile } from '../capture/builders.js';
import { bytes, ethernet, ipv4, tcp, u32, udp } from '../decode/frames.js';

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const VTEP_C = [192, 0, 2, 1];
const VTEP_S = [192, 0, 2, 2];
const SYN = 0x02, ACK = 0x10, PSH = 0x08;

const inner = (fromClient: boolean, flags: number, seq: number, ack: number, data = ''): Uint8Array =>
  ipv4({ src: fromClient ? C : S, dst: fromClient ? S : C, protocol: 6, payload: tcp({ sport: fromClient ? 40000 : 80, dport: fromClient ? 80 : 40000, flags, seq, ack, payload: Buffer.from(data) }) });

/** The inner packet in VXLAN between the two VTEPs (each direction from its own side). */
const vxlan = (vni: number, fromClient: boolean, pkt: Uint8Array): Uint8Array =>
  ipv4({
    protocol: 17,
    src: fromClient ? VTEP_C : VTEP_S,
    dst: fromClient ? VTEP_S : VTEP_C,
    payload: udp({ sport: fromClient ? 50001 : 50002, dport: 4789, payload: bytes(0x08, 0, 0, 0, u32(vni << 8), ethernet(0x0800, pkt)) }),
  });

function file(records: Array<{ data: Uint8Array; orig?: number }>, linkType = 101): string {
  return tempFile(concat(pcapHeader('us-le', linkType), ...records.map((r, i) => pcapRecord('us-le', 1_700_000_000 + i, 0, r.data, r.orig ?? r.data.length))));
}

const of = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);

describe('flows in tunnels', () => {
  it('the same inner 5-tuple in two VXLAN segments is two flows, each with its tunnel oriented as the flow', async () => {
    const records = [1, 2].flatMap((vni) => [
      { data: vxlan(vni, true, inner(true, SYN, 100, 0)) },
      { data: vxlan(vni, false, inner(false, SYN | ACK, 500, 101)) },
      { data: vxlan(vni, true, inner(true, ACK, 101, 501)) },
    ]);
    const { events } = await analyzeFile(file(records), { protocols: [] });
    const flows = of(events, 'flow.end');
    const tcpFlows = flows.filter((f) => f.proto === 'tcp');
    expect(tcpFlows).toHaveLength(2);
    for (const [i, f] of tcpFlows.entries()) {
      expect([f.orig_h, f.resp_h, f.conn_state]).toEqual(['10.0.0.1', '10.0.0.2', 'S1']);
      expect(f.tunnel).toEqual([{ tunnel_type: 'Tunnel::VXLAN', encap: 'vxlan', orig_h: '192.0.2.1', orig_p: 50001, resp_h: '192.0.2.2', resp_p: 4789, vni: i + 1 }]);
    }
    // The VXLAN datagrams themselves: UDP flows whose service is the tunnel (as Zeek's conn.log).
    const carriers = flows.filter((f) => f.proto === 'udp');
    expect(carriers.map((f) => f.service)).toEqual(['vxlan', 'vxlan']);
    const summary = of(events, 'capture.summary')[0]!;
    expect((summary.hierarchy as Array<{ path: string; packets: number }>).find((h) => h.path === 'raw:ipv4:udp:vxlan:eth:ipv4:tcp')?.packets).toBe(6);
  });
});

describe('packets cut short by the snap length', () => {
  it('a TCP segment cut short: its prefix is delivered, the tail is a gap at its own frame, and the next segment is in order', async () => {
    const req = 'GET /index.html HTTP/1.1\r\nHost: example\r\nUser-Agent: test\r\n\r\n';
    const seg = inner(true, PSH | ACK, 101, 501, req);
    const cut = 20 + 20 + 16; // IP and TCP headers, then 16 bytes of the request
    const records = [
      { data: inner(true, SYN, 100, 0) },
      { data: inner(false, SYN | ACK, 500, 101) },
      { data: inner(true, ACK, 101, 501) },
      { data: seg.subarray(0, cut), orig: seg.length },
      { data: inner(true, PSH | ACK, 101 + req.length, 501, 'more') },
    ];
    const { events } = await analyzeFile(file(records), { protocols: [] });
    const gaps = of(events, 'anomaly').filter((e) => e.code === 'tcp.gap');
    expect(gaps.map((g) => [g.frame, g.detail])).toEqual([[4, `${req.length - 16} bytes missing from the stream: the capture's snap length cut the segment: 16 of ${req.length} bytes captured`]]);
    const flow = of(events, 'flow.end')[0]!;
    expect(flow.missed_bytes).toBe(req.length - 16);
    expect(flow.orig_bytes).toBe(req.length + 4);
  });

  it('a flow whose first request line is cut is still found to be HTTP, and its messages read as far as captured (as tshark does)', async () => {
    const req = 'GET /a/very/long/path/index.html HTTP/1.1\r\nHost: example\r\n\r\n';
    const resp = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
    const q = inner(true, PSH | ACK, 101, 501, req);
    const r = inner(false, PSH | ACK, 501, 101 + req.length, resp);
    const records = [
      { data: inner(true, SYN, 100, 0) },
      { data: inner(false, SYN | ACK, 500, 101) },
      { data: inner(true, ACK, 101, 501) },
      { data: q.subarray(0, 40 + 16), orig: q.length },
      { data: r.subarray(0, 40 + 20), orig: r.length },
    ];
    const { events } = await analyzeFile(file(records));
    expect(of(events, 'http.request').map((e) => [e.frame, e.method, e.uri, e.truncated])).toEqual([[4, 'GET', '/a/very/long', true]]);
    expect(of(events, 'http.response').map((e) => [e.frame, e.status_code, e.truncated])).toEqual([[5, 200, true]]);
    expect(of(events, 'flow.end').find((f) => f.proto === 'tcp')!.service).toBe('http');
  });

  it('a segment whose payload was not captured at all is still a gap, not a bare ACK', async () => {
    const seg = inner(true, PSH | ACK, 101, 501, 'hello world');
    const records = [{ data: inner(true, SYN, 100, 0) }, { data: inner(false, SYN | ACK, 500, 101) }, { data: seg.subarray(0, 40), orig: seg.length }];
    const { events } = await analyzeFile(file(records), { protocols: [] });
    expect(of(events, 'anomaly').map((e) => [e.frame, e.code])).toEqual([[3, 'tcp.gap']]);
    expect(of(events, 'flow.end')[0]!.missed_bytes).toBe(11);
  });

  it('a UDP datagram cut short is said, and its prefix still goes to the dissector', async () => {
    const dg = ipv4({ protocol: 17, src: C, dst: S, payload: udp({ sport: 5000, dport: 6000, payload: new Array(100).fill(0x41) }) });
    const { events } = await analyzeFile(file([{ data: dg.subarray(0, 60), orig: dg.length }]), { protocols: [] });
    const a = of(events, 'anomaly');
    expect(a.map((e) => [e.frame, e.code, e.detail])).toEqual([[1, 'udp.payload_truncated', "the capture's snap length cut the datagram: 32 of 100 bytes captured; the prefix is dissected"]]);
    expect(of(events, 'flow.end')[0]!.orig_bytes).toBe(32);
  });
});
