/**
 * Oracle: flow count and per-flow packets and bytes agree with tshark's TCP and UDP
 * conversations on every capture of the project and of the shared corpus. Doubles as the
 * corpus test: every file goes through the whole pipeline without an uncaught error.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { compareConversations, ourConversations, tsharkConversations } from './conversations.js';
import { hasTshark, oracleCaptures } from './tshark.js';

/** Captures listed under a protocol heading of the known-differences file. */
export function knownDifferences(protocol: string): Map<string, string> {
  const text = readFileSync(join(import.meta.dirname, 'known-differences.md'), 'utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^- ([^|]+?) \| ([^|]+?) \| (.+)$/.exec(line);
    if (m && m[2]!.trim() === protocol) out.set(m[1]!.trim(), m[3]!);
  }
  return out;
}

describe.skipIf(!hasTshark)('flows agree with tshark conversations', () => {
  const known = knownDifferences('flows');
  const captures = oracleCaptures();

  it('finds captures to compare', () => {
    expect(captures.length).toBeGreaterThan(0);
  });

  it.each(captures.map((f) => [basename(f), f]))('%s', async (name, file) => {
    const { events } = await analyzeFile(file);
    const diffs = compareConversations(tsharkConversations(file), ourConversations(events));
    if (known.has(name)) {
      // A listed difference must still be a difference, or the list is stale.
      expect(diffs, `${name} is listed in known-differences.md but now agrees with tshark`).not.toEqual([]);
    } else {
      expect(diffs).toEqual([]);
    }
  });
});
