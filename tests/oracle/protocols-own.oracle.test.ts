/**
 * Oracle gate on the project's own captures: every HTTP, HTTP/2, FTP, SMTP, POP3, IMAP, DNS
 * and BitTorrent message tshark sees, wirelens sees, and the other way round, except the
 * differences explained in known-differences.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { decodeAsFromFlows, hasFidelity, judge, runFidelity } from './fidelity.js';
import { hasTshark, REPO } from './tshark.js';

const DIR = join(REPO, 'captures');
const CAPTURES = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

describe.skipIf(!hasTshark || !hasFidelity || !CAPTURES.length)('own captures agree with tshark', () => {
  it.each(CAPTURES)('%s', async (name) => {
    const file = join(DIR, name);
    const { events } = await analyzeFile(file);
    const flows = events
      .filter((e) => e.type === 'flow.end')
      .map((e) => ({ proto: String(e.proto), service: typeof e.service === 'string' ? e.service : null, resp_p: Number(e.resp_p) }));
    const { unexplained } = judge(runFidelity([file], decodeAsFromFlows(flows)));
    expect(unexplained).toEqual([]);
  });
});
