import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `wirelens events FILE` runs dist/bundle/events-script.cjs with V8's code cache
 * (src/cli/code-cache.ts). The cache must never change the output, must be made once and
 * then taken (a cache the next run refuses would be rewritten by every run), and must be
 * skipped where it is not safe or not possible.
 */
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'wirelens-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundled(): boolean {
  try {
    return existsSync(join(root, 'dist/bundle/events-script.cjs')) && statSync(join(root, 'dist/bundle/wirelens.js')).mtimeMs >= statSync(join(root, 'dist/cli/main.js')).mtimeMs;
  } catch {
    return false;
  }
}

function events(cacheHome: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return eventsWith({ XDG_CACHE_HOME: cacheHome }, ...args);
}

function eventsWith(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/wirelens', 'events', 'captures/demo.pcap', ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const caches = (home: string): string[] => (existsSync(join(home, 'wirelens')) ? readdirSync(join(home, 'wirelens')) : []);

describe.skipIf(!bundled())('code cache of the events script', () => {
  // Through yargs (an option), which runs the ES modules: the reference output.
  const reference = bundled() ? events(join(dir, 'unused'), '--workers', '1') : null;

  it('is made by the first run and taken, unchanged, by the next, with the same output', () => {
    const home = join(dir, 'fresh');
    const first = events(home);
    expect(first).toEqual(reference);
    const [file] = caches(home);
    expect(caches(home)).toEqual([expect.stringMatching(/^events-script-[0-9a-f]{32}\.v8$/)]);
    const made = statSync(join(home, 'wirelens', file!));
    expect(made.mode & 0o077).toBe(0);
    expect(events(home)).toEqual(reference);
    // Not rewritten: V8 took it (a refused cache is made again at exit).
    const after = statSync(join(home, 'wirelens', file!));
    expect([after.ino, after.mtimeMs]).toEqual([made.ino, made.mtimeMs]);
  });

  it('a cache made by a run whose warm-up ended (src/cli/tiering.ts) is taken by the next', () => {
    // The warm-up's budget goes back to V8's default after WIRELENS_WARM_MB of capture (here
    // after the first chunk, as in any long run). V8 checks a cache against the flags it was
    // made under, so the run sets the warm budget back before writing it at exit; else every
    // long run would write a cache that the next run refuses.
    const home = join(dir, 'warmed');
    expect(eventsWith({ XDG_CACHE_HOME: home, WIRELENS_WARM_MB: '0.0001' })).toEqual(reference);
    const [file] = caches(home);
    const made = statSync(join(home, 'wirelens', file!));
    expect(events(home)).toEqual(reference);
    const after = statSync(join(home, 'wirelens', file!));
    expect(caches(home)).toEqual([file]);
    expect([after.ino, after.mtimeMs]).toEqual([made.ino, made.mtimeMs]);
  });

  it('a damaged cache is refused by V8 and replaced; the output is the same', () => {
    const home = join(dir, 'damaged');
    events(home);
    const [file] = caches(home);
    writeFileSync(join(home, 'wirelens', file!), Buffer.alloc(4096, 0x5a));
    expect(events(home)).toEqual(reference);
    expect(statSync(join(home, 'wirelens', file!)).size).toBeGreaterThan(4096);
  });

  it('is not used from a directory others may write, nor where none can be made', () => {
    const shared = join(dir, 'shared');
    mkdirSync(join(shared, 'wirelens'), { recursive: true });
    chmodSync(join(shared, 'wirelens'), 0o777);
    expect(events(shared)).toEqual(reference);
    expect(caches(shared)).toEqual([]);
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    expect(events(notADir)).toEqual(reference);
    // Node 20's recursive mkdir never returns under /proc: the cache makes one level at a time.
    if (existsSync('/proc/self')) expect(events('/proc/none')).toEqual(reference);
    // Turned off by its user: nothing is written.
    const off = join(dir, 'off');
    expect(eventsWith({ XDG_CACHE_HOME: off, WIRELENS_CODE_CACHE: '0' })).toEqual(reference);
    expect(existsSync(off)).toBe(false);
  });
});
