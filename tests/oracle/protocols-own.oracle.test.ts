/**
 * Oracle gate on the project's own captures: every HTTP, HTTP/2, FTP, SMTP, POP3, IMAP, DNS
 * and BitTorrent message tshark sees, wirelens sees, and the other way round, except the
 * differences explained in known-differences.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { describeWith, REPO } from '../support/requires.js';
import { decodeAsFromFlows, judge, runFidelity } from './fidelity.js';

const DIR = join(REPO, 'captures');
const CAPTURES = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

describeWith(['tshark', 'fidelity'], 'own captures agree with tshark', () => {
  it('finds the captures', () => {
    expect(CAPTURES.length).toBeGreaterThan(70);
  });
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
