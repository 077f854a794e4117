import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/events/json.js';
import { hierarchyRows, hierarchyTable } from '../../src/report/hierarchy.js';
import { buildCaptureReport, type ReportTool } from '../../src/pipeline/report-capture.js';

type Node = { path: string; packets: number; bytes: number };
const hierarchyOf = (r: JsonObject): Node[] => (r.statistics as { hierarchy: Node[] }).hierarchy;

const TOOL: ReportTool = { name: 'wirelens', version: 'test' };

describe('protocol hierarchy, counted as Wireshark counts it', () => {
  it('demo.pcap: a frame counts under the highest protocol it carries bytes of (tshark -qz io,phs)', async () => {
    const report = (await buildCaptureReport('captures/demo.pcap', { tool: TOOL })).toObject();
    const h = new Map(hierarchyOf(report).map((n) => [n.path, [n.packets, n.bytes]]));
    // tshark 4.x on the same file: tcp 57/6293, http 6/2409, ftp 18/1601, ftp-data 1/107, dns 4/464.
    expect(h.get('eth:ipv4:tcp')).toEqual([57, 6293]);
    expect(h.get('eth:ipv4:tcp:http')).toEqual([6, 2409]);
    expect(h.get('eth:ipv4:tcp:ftp')).toEqual([18, 1601]);
    expect(h.get('eth:ipv4:tcp:ftp-data')).toEqual([1, 107]);
    expect(h.get('eth:ipv4:udp:dns')).toEqual([4, 464]);
  });

  it('an HTTP download: its ACKs are tcp, only frames with payload are http', async () => {
    const report = (await buildCaptureReport('captures/http-large-download.pcap', { tool: TOOL })).toObject();
    const h = new Map(hierarchyOf(report).map((n) => [n.path, n.packets]));
    const tcp = h.get('eth:ipv4:tcp')!;
    const http = h.get('eth:ipv4:tcp:http')!;
    expect(tcp).toBe(50);
    // 24 segments carry the request and the 1 MB response; the other 26 are handshake, ACKs and FINs.
    expect(http).toBe(24);
  });

  it('rows in tree order with percents and end counts; ftp-data is a sibling of ftp, not its child', () => {
    const rows = hierarchyRows(
      [
        { path: 'eth', packets: 10, bytes: 1000 },
        { path: 'eth:ipv4', packets: 10, bytes: 1000 },
        { path: 'eth:ipv4:tcp', packets: 8, bytes: 900 },
        { path: 'eth:ipv4:tcp:ftp', packets: 3, bytes: 300 },
        { path: 'eth:ipv4:tcp:ftp-data', packets: 1, bytes: 100 },
        { path: 'eth:ipv4:tcp:ftp:x', packets: 1, bytes: 50 },
        { path: 'eth:ipv4:udp', packets: 2, bytes: 100 },
      ],
      10,
      1000,
    );
    expect(rows.map((r) => `${'.'.repeat(r.depth)}${r.name} ${r.pctPackets} ${r.endPackets} ${r.endBytes}`)).toEqual([
      'eth 100 0 0',
      '.ipv4 100 0 0',
      '..tcp 80 4 500',
      '...ftp 30 2 250',
      '....x 10 1 50',
      '...ftp-data 10 1 100',
      '..udp 20 2 100',
    ]);
    expect(hierarchyTable(rows)).toMatch(/^protocol\s+% packets\s+packets\s+% bytes\s+bytes\s+end packets\s+end bytes\n/);
  });
});
