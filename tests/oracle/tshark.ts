/** Running tshark as the reference dissector. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, zeek } from '../support/requires.js';

export { REPO } from '../support/requires.js';
export const CORPUS = zeek();

/** The project's captures and (when present) the shared corpus. */
export function oracleCaptures(): string[] {
  const own = join(REPO, 'captures');
  const files = existsSync(own)
    ? readdirSync(own).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort().map((f) => join(own, f))
    : [];
  const corpus = existsSync(CORPUS)
    ? readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort().map((f) => join(CORPUS, f))
    : [];
  return [...files, ...corpus];
}

/** tshark -T fields output as rows of columns. */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f', ...extra];
  for (const f of fields) args.push('-e', f);
  const text = execFileSync('tshark', args, { encoding: 'latin1', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  return text
    .split('\n')
    .filter((l) => l.length)
    .map((l) => l.split('\t'));
}
