/**
 * tshark as the reference decoder: per frame, the addresses and ports we decode must be the
 * ones tshark shows, on corpus files with VLAN/QinQ, MPLS, Linux SLL/SLL2, NFLOG and IPv6
 * extension headers. Skipped when tshark or the corpus is absent.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ourRows } from './our-rows.js';
import { describeWith, zeek } from '../support/requires.js';

const ZEEK = zeek();

const FILES = [
  'http-qinq-0.pcap',
  'vlan-qinqinq.pcap',
  'linux_dlt_sll2.pcap',
  'linuxsll-arp.pcap',
  'ipv6-hbh-routing0.pcap',
  'mixed-vlan-mpls.pcap',
  'nflog-http.pcap',
  'vlan-pcp-dei.pcapng',
  'http-vlan-0.pcap',
];

function tsharkRows(path: string): string[] {
  const out = execFileSync(
    'tshark',
    ['-r', path, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [s4, d4, s6, d6, ts, td, us, ud] = l.split('|');
      const src = s4 || s6 || '';
      const dst = d4 || d6 || '';
      return `${src} ${dst} ${ts || us || ''} ${td || ud || ''}`.trim();
    });
}

describeWith(['corpus', 'tshark'], 'decoding agrees with tshark', () => {
  for (const f of FILES) {
    it(f, async () => {
      const path = join(ZEEK, f);
      const ours = await ourRows(path);
      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(tsharkRows(path));
    });
  }
});
