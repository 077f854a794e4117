/**
 * `wirelens events FILE` skips yargs (src/cli/fast-path.ts): only that exact shape, and with
 * the same output, messages and exit status as the full parser gives it.
 */
import { describe, expect, it } from 'vitest';
import { eventsFastPath } from '../../src/cli/fast-path.js';
import { runCli } from '../support/run-cli.js';

describe('events fast path', () => {
  it('takes `events FILE` and standard input, as typed', () => {
    expect(eventsFastPath(['events', 'captures/demo.pcap'])).toBe('captures/demo.pcap');
    expect(eventsFastPath(['events', '0x10'])).toBe('0x10');
    expect(eventsFastPath(['events', '-'])).toBe('-');
  });

  it('leaves everything else to yargs', () => {
    for (const args of [
      [],
      ['events'],
      ['flows', 'captures/demo.pcap'],
      ['events', 'captures/demo.pcap', '--types', 'dns.message'],
      ['events', '--help'],
      ['events', '-h'],
      ['events', '--'],
      ['events', 'help'],
      ['events', 'completion'],
      ['events', ''],
      ['--color', 'never', 'events'],
      ['captures/demo.pcap', 'events'],
    ]) {
      expect(eventsFastPath(args), JSON.stringify(args)).toBeUndefined();
    }
  });

  // `--workers 1` sends the same command through yargs; on a small capture it is the default.
  it.each([['captures/demo.pcap'], ['no-such-file.pcap'], ['README.md'], ['0x10']])('events %s: the same bytes and status as through yargs', async (file) => {
    const fast = await runCli(['events', file]);
    const full = await runCli(['events', file, '--workers', '1']);
    expect(fast.status).toBe(full.status);
    expect(fast.stderr).toBe(full.stderr);
    expect(fast.stdout.equals(full.stdout)).toBe(true);
  });
});
