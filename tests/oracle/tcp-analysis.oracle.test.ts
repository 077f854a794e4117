/**
 * Oracle: Wireshark's TCP analysis, frame by frame. For every TCP frame of the project's
 * captures and the shared corpus, wirelens's `tcp.analysis.*` flags, `tcp.analysis.ack_rtt`,
 * `tcp.stream`, relative `tcp.seq`/`tcp.ack` and `tcp.len` equal tshark's, and so does
 * `udp.stream` on every UDP frame. A capture listed in
 * known-differences.md under `tcp-analysis` must still differ (or the list is stale).
 */
import { basename } from 'node:path';
import { expect, it } from 'vitest';
import { isKnown, knownDifferences } from './known.js';
import { compareTcpFrames, ourTcpFrames, tsharkTcpFrames, udpStreams, type TcpDisagreement } from './tcp-analysis.js';
import { oracleCaptures } from './tshark.js';
import { describeWith } from '../support/requires.js';

describeWith(['tshark'], 'TCP analysis agrees with tshark per frame', () => {
  const known = knownDifferences();
  const captures = oracleCaptures();

  it('finds captures with TCP analysis flags to compare', () => {
    expect(captures.length).toBeGreaterThan(0);
  });

  it.each(captures.map((f) => [basename(f), f]))('%s', async (name, file) => {
    const theirs = tsharkTcpFrames(file);
    const ours = await ourTcpFrames(file);
    const diffs = compareTcpFrames(theirs, ours, 20);
    const udp = await udpStreams(file);
    for (const [frame, n] of udp.theirs) {
      if (diffs.length >= 40) break;
      const o = udp.ours.get(frame);
      if (o !== n) diffs.push({ frame, what: 'udp_stream', tshark: String(n), wirelens: String(o ?? '-') } satisfies TcpDisagreement);
    }
    if (process.env.WIRELENS_ORACLE_LOG && diffs.length) console.log(name, JSON.stringify(diffs.slice(0, 6)));
    if (isKnown(known, 'tcp-analysis', name)) {
      expect(diffs, `${name} is listed in known-differences.md but now agrees with tshark`).not.toEqual([]);
    } else {
      expect(diffs).toEqual([]);
    }
  }, 120_000);
});
