import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './cli-support.js';

/** `--follow-file` opens the UI; without a terminal it says what to do instead. */
const BIN = join(ROOT, 'bin', 'wirelens');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('--follow-file on the command line', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('needs a terminal: exit 2 and the pipe to use instead; a file and --follow-file together are a usage error', () => {
    const r = run('--follow-file', 'captures/demo.pcap');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('wirelens: --follow-file opens the terminal UI and needs a terminal; elsewhere read the growing file as a pipe: tail -c +1 -f captures/demo.pcap | wirelens events -\n');
    const both = run('captures/demo.pcap', '--follow-file', 'captures/demo.pcap');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('not both');
    const dash = run('--follow-file', '-');
    expect(dash.status).toBe(2);
    expect(dash.stderr).toContain('for standard input give - alone');
  });
});
