/**
 * IPv4, TCP and UDP checksums: not verified by default (as Wireshark, since offload leaves
 * them wrong on the capturing host); verified with `checkChecksums`, where they agree with
 * tshark's checksum status on Zeek's checksum traces (skipped without ../shared).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { CORPUS } from '../oracle/tshark.js';

const codes = async (file: string, checkChecksums: boolean) =>
  (await analyzeFile(file, { checkChecksums })).events.filter((e) => e.type === 'anomaly').map((e) => String(e.code)).filter((c) => c.endsWith('bad_checksum'));

describe.skipIf(!existsSync(CORPUS))('checksums', () => {
  const at = (name: string) => join(CORPUS, name);

  it.each([
    ['chksums_ip4-udp-bad-chksum.pcap', ['udp.bad_checksum']],
    ['chksums_ip6-tcp-bad-chksum.pcap', ['tcp.bad_checksum']],
    ['chksums_ip6-udp-bad-chksum.pcap', ['udp.bad_checksum']],
    ['chksums_ip4-tcp-good-chksum.pcap', []],
    ['chksums_ip6-tcp-good-chksum.pcap', []],
    ['chksums_ip6-udp-good-chksum.pcap', []],
  ])('%s with --check-checksums: %j', async (name, expected) => {
    expect(await codes(at(name), true)).toEqual(expected);
  });

  it('reports nothing by default, even where every checksum is wrong', async () => {
    for (const name of ['chksums_ip4-udp-bad-chksum.pcap', 'chksums_ip6-tcp-bad-chksum.pcap', 'chksums_localhost-bad-chksum.pcap']) {
      expect(await codes(at(name), false)).toEqual([]);
    }
    expect((await codes(at('chksums_localhost-bad-chksum.pcap'), true)).length).toBeGreaterThan(0);
  });
});
