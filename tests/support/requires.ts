/**
 * What some tests need from outside the repository: the shared corpus (`../shared`, which a
 * user's clone does not have), tshark, tmux, python3. Tests ask here instead of spelling the
 * paths themselves, and skip when something is missing, so `npm test` passes on a clean clone.
 *
 * In CI a skip would hide a check that silently stopped running, so `.ci/run` sets
 * `WIRELENS_REQUIRE_EXTERNAL=1`: then a missing requirement is a failing test that names it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'vitest';

/** The repository root. */
export const REPO = join(import.meta.dirname, '..', '..');
/** `../shared` beside the repository: read-only design notes, corpus and tools. */
export const SHARED = join(REPO, '..', 'shared');

/** A path inside the shared corpus: `corpus('zeek', 'http_get.pcap')`. */
export const corpus = (...parts: string[]): string => join(SHARED, 'corpus', ...parts);
/** The Zeek capture corpus, or one file of it. */
export const zeek = (...file: string[]): string => corpus('zeek', ...file);

const runs = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

export type Need = 'corpus' | 'hpack-vectors' | 'fidelity' | 'tshark' | 'tmux' | 'python3';

const checks: Record<Need, () => boolean> = {
  corpus: () => existsSync(zeek()),
  'hpack-vectors': () => existsSync(corpus('hpack-test-case')),
  fidelity: () => existsSync(join(SHARED, 'tools', 'fidelity.py')) && runs('python3', ['--version']),
  tshark: () => runs('tshark', ['--version']),
  tmux: () => runs('tmux', ['-V']),
  python3: () => runs('python3', ['--version']),
};
const known = new Map<Need, boolean>();

/** Whether this machine has what `need` names (checked once per test file). */
export function has(need: Need): boolean {
  let v = known.get(need);
  if (v === undefined) known.set(need, (v = checks[need]()));
  return v;
}

/** True when CI asked that nothing be skipped for lack of something external. */
export const requireExternal = process.env['WIRELENS_REQUIRE_EXTERNAL'] === '1';

function missingOf(needs: readonly Need[]): Need[] {
  return needs.filter((n) => !has(n));
}

function explain(missing: readonly Need[]): string {
  return `needs ${missing.join(', ')}, missing here (${SHARED} or PATH); WIRELENS_REQUIRE_EXTERNAL=1 forbids skipping`;
}

/**
 * `describe` that runs only when every need is met. When one is missing it is replaced by
 * one skipped test that says what is missing, or, under `WIRELENS_REQUIRE_EXTERNAL=1`, by
 * one failing test that says so.
 */
export function describeWith(needs: readonly Need[], name: string, body: () => void): void {
  const missing = missingOf(needs);
  if (!missing.length) describe(name, body);
  else if (requireExternal) describe(name, () => it('has what it needs', () => { throw new Error(explain(missing)); }));
  // The body is not even collected: it may read what is missing.
  else describe(name, () => it.skip(`(skipped: ${explain(missing)})`, () => {}));
}

/** Inside a test: skip it (or, in CI, fail it) because `what` is missing here. */
export function skipOrFail(ctx: TestContext, what: string): never {
  if (requireExternal) throw new Error(`needs ${what}, missing here; WIRELENS_REQUIRE_EXTERNAL=1 forbids skipping`);
  return ctx.skip();
}

/** Inside a test: skip it (or, in CI, fail it) when a file it needs is absent. */
export function skipUnlessPresent(ctx: TestContext, path: string): void {
  if (!existsSync(path)) skipOrFail(ctx, path);
}
