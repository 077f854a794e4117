/**
 * tshark as the reference for tunnels and 802.11 (issue 15): per frame, the innermost
 * network layer we decode (addresses and ports) must be the one tshark shows last, on the
 * project's captures made by scripts/captures/tunnels.sh: a real kernel VXLAN tunnel, one
 * HTTP exchange wrapped in GRE, GRE/TEB, ERSPAN II and III, PPTP, Geneve, IP in IP, 6in4,
 * 4in6, 6in6, GTP-U and PPPoE, and in 802.11 behind no header, radiotap, PPI, Prism and AVS.
 * Skipped when tshark is absent.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DecodeProblem } from '../../src/decode/index.js';
import { ourRows } from './our-rows.js';
import { describeWith, zeek } from '../support/requires.js';

const CAPTURES = join(import.meta.dirname, '..', '..', 'captures');

/** tshark's innermost IPv4 or IPv6 layer, by which comes last in `frame.protocols`. */
function tsharkRows(path: string): string[] {
  const out = execFileSync(
    'tshark',
    ['-r', path, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=l', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [protocols, s4, d4, s6, d6, ts, td, us, ud] = l.split('|') as string[];
      const layers = protocols!.split(':');
      const v4 = layers.lastIndexOf('ip');
      const v6 = layers.lastIndexOf('ipv6');
      if (v4 < 0 && v6 < 0) return '';
      const [src, dst] = v4 > v6 ? [s4, d4] : [s6, d6];
      // The innermost transport: TCP inside a UDP tunnel is the one that counts.
      const ports = layers.includes('tcp') ? `${ts} ${td}` : layers.lastIndexOf('udp') > Math.max(v4, v6) ? `${us} ${ud}` : '';
      return `${src} ${dst} ${ports}`.trim();
    });
}

describeWith(['tshark'], 'tunnels and 802.11 decode as tshark does', () => {
  it('a real VXLAN tunnel: ARP, ICMP, ICMPv6 and HTTP inside', async () => {
    const path = join(CAPTURES, 'tunnel-vxlan.pcap');
    const ours = await ourRows(path);
    expect(ours.length).toBe(34);
    expect(ours).toEqual(tsharkRows(path));
  });

  it('GRE, ERSPAN, PPTP, Geneve, IP in IP, 6in4, 4in6, 6in6, GTP-U, PPPoE; nine nested tunnels stop at max_tunnel_depth', async () => {
    const path = join(CAPTURES, 'tunnels-wrapped.pcap');
    const problems: DecodeProblem[] = [];
    const ours = await ourRows(path, problems);
    const theirs = tsharkRows(path);
    expect(ours.length).toBe(theirs.length);
    // The 9-deep stack (10.80.14.x inside): tshark walks every layer, we stop at the limit and say so.
    const deep = theirs.flatMap((row, i) => (row.startsWith('10.80.14.') ? [i] : []));
    expect(deep).toHaveLength(2);
    for (const i of deep) expect(ours[i]).toMatch(/^198\.18\.14\.\d+ 198\.18\.14\.\d+$/);
    expect(ours.filter((_, i) => !deep.includes(i))).toEqual(theirs.filter((_, i) => !deep.includes(i)));
    expect(problems.map((p) => p.code)).toEqual(['tunnel.depth_limit', 'tunnel.depth_limit']);
    // Every tunnel kind reached its inner HTTP flow.
    for (let k = 1; k <= 13; k++) {
      const inner = k === 9 || k === 11 ? `fd00:80:${k.toString(16)}::1` : `10.80.${k}.1`;
      expect(ours.some((r) => r.startsWith(`${inner} `)), `tunnel ${k}`).toBe(true);
    }
  });

  it('802.11 data frames behind no header, radiotap, PPI, Prism and AVS; management, control and protected frames not IP', async () => {
    const path = join(CAPTURES, 'wlan-wrapped.pcapng');
    const problems: DecodeProblem[] = [];
    const ours = await ourRows(path, problems);
    expect(ours.length).toBe(80);
    expect(ours).toEqual(tsharkRows(path));
    expect(ours.filter((r) => r === '')).toHaveLength(20);
    expect(problems).toEqual([]);
  });
});

describeWith(['corpus', 'tshark'], 'tunnels in the corpus decode as tshark does', () => {
  it('tunnels_vxlan-encapsulated-http.pcap (Zeek trace, VXLAN from another host)', async () => {
    const path = zeek('tunnels_vxlan-encapsulated-http.pcap');
    const ours = await ourRows(path);
    expect(ours.length).toBe(12);
    expect(ours).toEqual(tsharkRows(path));
  });
});
