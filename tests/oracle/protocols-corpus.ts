/**
 * Oracle gate on the shared corpus: message-level agreement with tshark (its own
 * heuristics: mDNS and LLMNR are their own protocols there, as here), per protocol, with every remaining
 * difference explained in known-differences.md. Prints recall and precision per protocol.
 *
 * The corpus is cut in parts, one test file each, so vitest runs them on different cores.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWith } from '../support/requires.js';
import { judge, runFidelity } from './fidelity.js';
import { CORPUS } from './tshark.js';

const FILES = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => join(CORPUS, f)) : [];

export function corpusOracle(part: number, parts: number): void {
  // Every part-th file, so each part gets a mix of small and large captures.
  const files = FILES.filter((_f, i) => i % parts === part);
  describeWith(['corpus', 'tshark', 'fidelity'], `shared corpus agrees with tshark (part ${part + 1} of ${parts})`, () => {
    it('has its share of the corpus', () => {
      expect(files.length).toBeGreaterThan(50);
    });
    // One test per capture, so a failure names its file and the rest still run.
    it.each(files.map((f) => [basename(f), f]))('%s', (_name, file) => {
      const { unexplained } = judge(runFidelity([file]));
      expect(unexplained).toEqual([]);
    });
  });
}
