/**
 * Oracle gate on the shared corpus: message-level agreement with tshark (its own
 * heuristics: mDNS and LLMNR are their own protocols there, as here), per protocol, with every remaining
 * difference explained in known-differences.md. Prints recall and precision per protocol.
 *
 * The corpus is cut in parts, one test file each, so vitest runs them on different cores.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasFidelity, judge, runFidelity } from './fidelity.js';
import { CORPUS, hasTshark } from './tshark.js';

const FILES = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => join(CORPUS, f)) : [];

export function corpusOracle(part: number, parts: number): void {
  // Every part-th file, so each part gets a mix of small and large captures.
  const files = FILES.filter((_f, i) => i % parts === part);
  describe.skipIf(!hasTshark || !hasFidelity || !files.length)(`shared corpus agrees with tshark (part ${part + 1} of ${parts})`, () => {
    it(`${files.length} captures`, () => {
      const { unexplained, totals } = judge(runFidelity(files));
      for (const [p, t] of Object.entries(totals)) {
        const recall = t.tshark ? t.matched / t.tshark : 1;
        const precision = t.wirelens ? t.matched / t.wirelens : 1;
        console.log(`${p}: tshark ${t.tshark}, wirelens ${t.wirelens}, matched ${t.matched}, recall ${(recall * 100).toFixed(1)}%, precision ${(precision * 100).toFixed(1)}%`);
      }
      expect(unexplained).toEqual([]);
    });
  });
}
