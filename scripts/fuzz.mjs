#!/usr/bin/env node
/**
 * A long fuzzing run: `npm run fuzz -- --iterations 100000 [--seed N] [--findings DIR]`.
 * Runs the same harness as CI (tests/fuzz/pipeline.fuzz.test.ts), only longer; failing
 * inputs are written to the findings directory (default /tmp/wirelens-fuzz).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const env = { FUZZ_KEEP_CURRENT: '1', ...process.env };
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split('=', 2);
  const value = inline ?? args[++i];
  if (value === undefined || !/^--(iterations|seed|findings)$/.test(flag)) {
    process.stderr.write('usage: npm run fuzz -- [--iterations N] [--seed N] [--findings DIR]\n');
    process.exit(2);
  }
  if (flag !== '--findings' && !/^\d+$/.test(value)) {
    process.stderr.write(`fuzz: ${flag} needs a whole number, not ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  env[{ '--iterations': 'FUZZ_ITERATIONS', '--seed': 'FUZZ_SEED', '--findings': 'FUZZ_FINDINGS' }[flag]] = value;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const r = spawnSync(process.execPath, [vitest, 'run', 'tests/fuzz/pipeline.fuzz.test.ts', '-t', 'mutated captures'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
