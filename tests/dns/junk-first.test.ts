import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/index.js';
import type { WireEvent } from '../../src/events/event.js';
import { concat, pcapHeader, pcapRecord, tempFile } from '../capture/builders.js';
import { ethernet, ipv4, udp } from '../decode/frames.js';

/** A UDP datagram between 192.0.2.1:40000 and 198.51.100.7:53 in an Ethernet frame. */
const frame = (payload: Uint8Array, fromClient: boolean): Uint8Array => {
  const [sport, dport] = fromClient ? [40000, 53] : [53, 40000];
  const src = fromClient ? [192, 0, 2, 1] : [198, 51, 100, 7];
  const dst = fromClient ? [198, 51, 100, 7] : [192, 0, 2, 1];
  return ethernet(0x0800, ipv4({ protocol: 17, src, dst, payload: udp({ sport, dport, payload }) }));
};

async function run(datagrams: Array<[Uint8Array, boolean]>): Promise<WireEvent[]> {
  const file = tempFile(concat(pcapHeader('us-le', 1), ...datagrams.map(([p, c], i) => pcapRecord('us-le', 1000 + i, 0, frame(p, c)))), 'dns-junk.pcap');
  const events: WireEvent[] = [];
  await analyzeCapture(file, (e) => events.push(e));
  return events;
}

describe('a junk datagram first on a DNS flow (issue 15)', () => {
  it('does not stop DNS dissection of the valid messages after it', async () => {
    const junk = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01]);
    const q = dnsPacket.encode({ type: 'query', id: 4, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'after.junk.test' }] });
    const r = dnsPacket.encode({ type: 'response', id: 4, questions: [{ type: 'A', name: 'after.junk.test' }], answers: [{ type: 'A', name: 'after.junk.test', ttl: 5, data: '192.0.2.44' }] });
    const events = await run([[junk, true], [q, true], [r, false]]);
    const tx = events.filter((e) => e.type === 'dns.transaction');
    expect(tx).toHaveLength(1);
    expect(tx[0]).toMatchObject({ query: 'after.junk.test', answers: ['192.0.2.44'], query_frame: 2, response_frame: 3 });
    // The junk itself is reported, not silently dropped.
    expect(events.filter((e) => e.type === 'anomaly' && e.code === 'dns.malformed')).toHaveLength(1);
    expect(events.find((e) => e.type === 'flow.end')).toMatchObject({ service: 'dns' });
  });
});
