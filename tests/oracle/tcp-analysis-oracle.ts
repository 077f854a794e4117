/**
 * Oracle: Wireshark's TCP analysis, frame by frame. For every TCP frame of the project's
 * captures and the shared corpus, wirelens's `tcp.analysis.*` flags, `tcp.analysis.ack_rtt`,
 * `tcp.stream`, relative `tcp.seq`/`tcp.ack` and `tcp.len` equal tshark's, and so does
 * `udp.stream` on every UDP frame. A capture listed in known-differences.md under
 * `tcp-analysis` must still differ (or the list is stale).
 *
 * The captures are cut in parts, one test file each, so vitest runs them on different cores.
 */
import { basename } from 'node:path';
import { expect, it } from 'vitest';
import { describeWith } from '../support/requires.js';
import { isKnown, knownDifferences } from './known.js';
import { compareTcpFrames, ourFrames, tsharkFrames, type TcpDisagreement } from './tcp-analysis.js';
import { oracleCaptures } from './tshark.js';

export function tcpAnalysisOracle(part: number, parts: number): void {
  describeWith(['tshark'], `TCP analysis agrees with tshark per frame (part ${part + 1} of ${parts})`, () => {
    const known = knownDifferences();
    // Every part-th capture, so each part gets a mix of small and large ones.
    const captures = oracleCaptures().filter((_f, i) => i % parts === part);

    it('has its share of the captures', () => {
      expect(captures.length).toBeGreaterThan(30);
    });

    it.each(captures.map((f) => [basename(f), f]))('%s', async (name, file) => {
      const theirs = tsharkFrames(file);
      const ours = await ourFrames(file);
      const diffs = compareTcpFrames(theirs.tcp, ours.tcp, 20);
      for (const [frame, n] of theirs.udp) {
        if (diffs.length >= 40) break;
        const o = ours.udp.get(frame);
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
}
