// What the bench scripts share: the project root, the node flags users run with, and one
// timed run under GNU time.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The node flags `bin/wirelens` starts with (its `#!/usr/bin/env -S node ...` line), so every run is what users run. */
export const NODE_FLAGS = (() => {
  const first = readFileSync(join(ROOT, 'bin', 'wirelens'), 'utf8').split('\n')[0];
  const m = /^#!\S*env -S node\s*(.*)$/.exec(first);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
})();

/**
 * Runs `cmd args` under GNU time (%e %U %S %M) with stdout to `stdout`; resolves wall and CPU
 * (user+sys) seconds, peak RSS in MB and the command's stderr (less time's line), rejects on a
 * non-zero exit.
 */
export function timed(cmd, args, { stdout = '/dev/null', env = process.env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const out = openSync(stdout, 'w');
    const child = spawn('/usr/bin/time', ['-f', 'WLTIME %e %U %S %M', cmd, ...args], { cwd: ROOT, env, stdio: ['ignore', out, 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(out);
      const m = /WLTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-500)}`));
      resolvePromise({ wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMB: Number(m[4]) / 1024, stderr: err });
    });
  });
}
