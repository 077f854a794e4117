/**
 * The known-differences file, read by the oracle tests: every line `- FILES | PROTOCOLS |
 * difference | reason` accepts disagreements of those protocols in those captures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function knownDifferences(): Map<string, Set<string>> {
  const text = readFileSync(join(import.meta.dirname, 'known-differences.md'), 'utf8');
  const byProtocol = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^- (.+?) \| (.+?) \| /.exec(line);
    if (!m) continue;
    const names = m[1]!.match(/[\w.-]+\.pcap(?:ng)?/g) ?? [];
    for (const p of m[2]!.split(',').map((s) => s.trim())) {
      const set = byProtocol.get(p) ?? new Set<string>();
      for (const n of names) set.add(n);
      byProtocol.set(p, set);
    }
  }
  return byProtocol;
}

export function isKnown(known: Map<string, Set<string>>, protocol: string, file: string): boolean {
  return known.get(protocol)?.has(file) ?? false;
}
