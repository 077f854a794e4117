/**
 * Oracle: flow count and per-flow packets and bytes agree with tshark's TCP and UDP
 * conversations on every capture of the project and of the shared corpus. Doubles as the
 * corpus test: every file goes through the whole pipeline without an uncaught error.
 */
import { basename } from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { compareConversations, ourConversations, tsharkConversations } from './conversations.js';
import { isKnown, knownDifferences } from './known.js';
import { describeWith } from '../support/requires.js';
import { oracleCaptures } from './tshark.js';

describeWith(['tshark'], 'flows agree with tshark conversations', () => {
  const known = knownDifferences();
  const captures = oracleCaptures();

  it('finds captures to compare', () => {
    expect(captures.length).toBeGreaterThan(0);
  });

  it.each(captures.map((f) => [basename(f), f]))('%s', async (name, file) => {
    const { events } = await analyzeFile(file);
    const diffs = compareConversations(tsharkConversations(file), ourConversations(events));
    if (isKnown(known, 'flows', name)) {
      // A listed difference must still be a difference, or the list is stale.
      expect(diffs, `${name} is listed in known-differences.md but now agrees with tshark`).not.toEqual([]);
    } else {
      expect(diffs).toEqual([]);
    }
  });
});
