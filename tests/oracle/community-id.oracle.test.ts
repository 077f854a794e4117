/** Oracle: every flow's Community ID equals the one tshark's communityid post-dissector computes. */
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { describeWith } from '../support/requires.js';
import { CORPUS, tsharkFields } from './tshark.js';

const FILES = ['communityid_icmp.pcap', 'communityid_icmp6.pcap', 'communityid_ipv6.pcap', 'http_get.pcap', 'wikipedia.pcap', 'dns_mdns.pcap']
  .map((f) => join(CORPUS, f));

describeWith(['corpus', 'tshark'], 'Community ID agrees with tshark', () => {
  it.each(FILES.map((f) => [basename(f), f]))('%s', async (_name, file) => {
    const ref = new Set(
      tsharkFields(file, ['communityid', 'tcp.stream', 'udp.stream', 'icmp.type', 'icmpv6.type'], ['--enable-protocol', 'communityid'])
        // Flows are TCP, UDP and ICMP; other IP protocols (IGMP...) are counted, not tracked.
        .filter((r) => r[0] && (r[1] || r[2] || r[3] || r[4]))
        .map((r) => r[0]!),
    );
    const { events } = await analyzeFile(file);
    const ours = new Set(events.filter((e) => e.type === 'flow.end').map((e) => String(e.community_id)));
    expect([...ours].sort()).toEqual([...ref].sort());
  });
});
