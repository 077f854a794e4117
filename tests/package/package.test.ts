/**
 * The npm package, as a user gets it: `npm pack` (which builds, `prepack`), then the tarball
 * installed with scripts disabled into a temporary global prefix and into a scratch ESM
 * project. The installed `wirelens` must run, the library must import (and type-check), and
 * the tarball must hold what a user runs and nothing else.
 *
 * The pack runs in a copy of the repository's build inputs, so that rebuilding dist/ from
 * scratch and swapping package.json (scripts/pack-manifest.mjs) never touch the checkout
 * that other test files are running from. The installs fetch the runtime dependencies'
 * metadata from the npm registry when the npm cache has none (`--prefer-offline`: after the
 * first run on a machine, the cache answers); their tarballs come from the cache that
 * `npm install` in the clone filled.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, wirelens } from '../cli/cli-support.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  dependencies: Record<string, string>;
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * npm's environment without the variables an `npm test` around this run sets for its own
 * package (npm_package_*, npm_config_local_prefix...), which would make the inner npm act on
 * the repository. Network and cache settings stay.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|http_proxy|noproxy|no_proxy|strict_ssl|cafile|ca)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || keep.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv()): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

let work = '';
let tarball = '';
let packed: PackResult;
let copy = '';
let globalInstall: Promise<string>;
let appInstall: Promise<string>;
const started = Date.now();
const timings: string[] = [];
const timed = async <T>(what: string, p: Promise<T>): Promise<T> => {
  const t = Date.now();
  const v = await p;
  timings.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return v;
};

/** What `npm pack` needs: the build's inputs and the files package.json ships (dist/ is built). */
function copyBuildInputs(to: string): void {
  const inputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts/pack-manifest.mjs', 'scripts/bundle.mjs', 'README.md', 'LICENSE'];
  for (const f of pkg.files) if (!/^dist\/?$/.test(f)) inputs.push(f.replace(/\/$/, ''));
  for (const f of inputs) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(ROOT, f), join(to, f), { recursive: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(to, 'node_modules'));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wirelens-package-'));
  copy = join(work, 'repo');
  copyBuildInputs(copy);
  const { stdout } = await timed('npm pack (with its build)', sh(npm, ['pack', '--json', '--pack-destination', work], copy));
  // Lifecycle output may precede the JSON; the JSON is the array that starts a line.
  const at = stdout.search(/^\[/m);
  packed = (JSON.parse(stdout.slice(at)) as PackResult[])[0]!;
  tarball = join(work, packed.filename);

  const flags = ['--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'];
  const prefix = join(work, 'global');
  globalInstall = timed('global install', sh(npm, ['install', '--global', '--prefix', prefix, ...flags, tarball], work)).then(() => prefix);
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
  appInstall = timed('dependency install', sh(npm, ['install', ...flags, tarball], app)).then(() => app);
  // Both are awaited by the tests; a failure is theirs to report, not an unhandled rejection.
  globalInstall.catch(() => {});
  appInstall.catch(() => {});
  ensureBuilt();
}, 600_000);

afterAll(async () => {
  await Promise.allSettled([globalInstall, appInstall]);
  if (work) rmSync(work, { recursive: true, force: true });
  timings.push(`total with clean-up ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`package test: ${timings.join(', ')}\n`);
});

describe('npm pack', () => {
  it('ships the built code, bin/, README, LICENSE, docs/LIMITS.md and the demo capture, and nothing else', () => {
    const paths = packed.files.map((f) => f.path).sort();
    const outside = paths.filter((p) => !p.startsWith('dist/'));
    expect(outside).toEqual(['LICENSE', 'README.md', 'bin/wirelens', 'captures/demo.pcap', 'docs/LIMITS.md', 'man/wirelens.1', 'package.json']);
    for (const p of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/events/event-map.d.ts']) expect(paths).toContain(p);
    // The command line's bundle (scripts/bundle.mjs): its entry and the worker entries.
    for (const p of ['wirelens', 'share-worker', 'report-worker', 'export-worker']) expect(paths).toContain(`dist/bundle/${p}.js`);
    // Compiled output only: no TypeScript source, and every module with its declarations
    // (the bundle's chunks are not modules anyone imports: they have none).
    const dist = paths.filter((p) => p.startsWith('dist/') && !p.startsWith('dist/bundle/'));
    expect(dist.filter((p) => !p.endsWith('.js') && !p.endsWith('.d.ts'))).toEqual([]);
    for (const js of dist.filter((p) => p.endsWith('.js'))) expect(paths).toContain(js.replace(/\.js$/, '.d.ts'));
    expect(packed.entryCount).toBe(paths.length);
  });

  it('built dist/ from scratch and put the repository package.json back', () => {
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(existsSync(join(copy, 'package.json.prepack'))).toBe(false);
    // Every module compiled from the copy's src/, none left over.
    // (src/ also holds ambient `.d.ts` declarations for untyped dependencies: nothing to emit.)
    const sources = listFiles(join(copy, 'src')).filter((p) => /\.tsx?$/.test(p) && !p.endsWith('.d.ts')).map((p) => p.replace(/\.tsx?$/, '.js'));
    const built = packed.files.map((f) => f.path).filter((p) => p.startsWith('dist/') && !p.startsWith('dist/bundle/') && p.endsWith('.js')).map((p) => p.slice('dist/'.length));
    expect(built.sort()).toEqual(sources.sort());
  });

  it('the README states the package size (within 20%)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /\*\*(\d+) files, (\d+) kB packed, (\d+) kB\s+unpacked\*\*/.exec(readme);
    expect(m, 'README: "**N files, N kB packed, N kB unpacked**"').not.toBeNull();
    const [files, packedKb, unpackedKb] = [Number(m![1]), Number(m![2]), Number(m![3])];
    const near = (stated: number, actual: number): boolean => Math.abs(stated - actual) <= 0.2 * actual;
    expect(near(files, packed.entryCount), `files: README ${files}, actual ${packed.entryCount}`).toBe(true);
    expect(near(packedKb, packed.size / 1000), `packed: README ${packedKb} kB, actual ${(packed.size / 1000).toFixed(0)} kB`).toBe(true);
    expect(near(unpackedKb, packed.unpackedSize / 1000), `unpacked: README ${unpackedKb} kB, actual ${(packed.unpackedSize / 1000).toFixed(0)} kB`).toBe(true);
  });
});

// The installs run in the background from beforeAll; a loaded machine may take minutes.
const SLOW = { timeout: 600_000 };

describe('installed with scripts disabled', SLOW, () => {
  it('neither it nor a dependency has an install script: nothing runs or builds on install', async () => {
    const prefix = await globalInstall;
    const installed = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'wirelens', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed.scripts).toBeUndefined();
    expect(installed.dependencies).toEqual(pkg.dependencies);
    // Nor does any runtime dependency, at any depth: no install script, no native build.
    const manifests = listFiles(join(prefix, 'lib', 'node_modules', 'wirelens', 'node_modules')).filter((p) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(`node_modules/${p}`));
    expect(manifests.length).toBeGreaterThan(Object.keys(pkg.dependencies).length);
    const building = manifests.filter((m) => {
      const dep = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'wirelens', 'node_modules', m), 'utf8')) as { scripts?: Record<string, string> };
      const scripts = dep.scripts ?? {};
      return ['preinstall', 'install', 'postinstall'].some((s) => s in scripts) || existsSync(join(prefix, 'lib', 'node_modules', 'wirelens', 'node_modules', dirname(m), 'binding.gyp'));
    });
    expect(building).toEqual([]);
  });

  it('dist/ imports only Node built-ins and the declared runtime dependencies, and uses each of them', async () => {
    const root = join(await globalInstall, 'lib', 'node_modules', 'wirelens');
    const imported = new Set<string>();
    for (const file of listFiles(join(root, 'dist')).filter((p) => p.endsWith('.js'))) {
      const text = readFileSync(join(root, 'dist', file), 'utf8');
      // Static imports and re-exports start a line (or end a multi-line one with `} from`);
      // dynamic ones are `import('...')`.
      const specs = [
        ...text.matchAll(/^(?:import|export|\})[^'"\n]*?\bfrom\s*['"]([^'"\n]+)['"]/gm),
        ...text.matchAll(/^import\s*['"]([^'"\n]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g),
        // yargs' CommonJS build, by createRequire (cli/main.ts).
        ...text.matchAll(/\brequire\(\s*['"]([^'"\n]+)['"]\s*\)/g),
      ];
      for (const m of specs) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('`wirelens --version` and `wirelens flows` on the demo capture, from a global prefix', async () => {
    const prefix = await globalInstall;
    const bin = join(prefix, 'bin', 'wirelens');
    // npm links the command into the prefix; bin/wirelens finds dist/ through the link.
    expect(statSync(bin).isFile()).toBe(true);
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    const version = await sh('wirelens', ['--version'], work, env);
    expect(version.stdout.trim()).toBe(pkg.version);
    const demo = join(prefix, 'lib', 'node_modules', 'wirelens', 'captures', 'demo.pcap');
    const flows = await sh('wirelens', ['flows', demo], work, env);
    // The same table as the checkout's own bin/wirelens prints.
    const expected = wirelens(['flows', demo]);
    expect(expected.status).toBe(0);
    expect(flows.stdout).toBe(expected.stdout.toString('utf8'));
    expect(flows.stdout).toMatch(/\bdns\b[\s\S]*\bhttp\b[\s\S]*\bftp-data\b/);
  });

  it('the installed command runs the bundle, and its worker threads find their entry', async () => {
    const prefix = await globalInstall;
    const demo = join(prefix, 'lib', 'node_modules', 'wirelens', 'captures', 'demo.pcap');
    const log = join(work, 'installed-loads.log');
    const register = join(ROOT, 'tests', 'perf', 'fixtures', 'register-load-log.mjs');
    const env = { ...process.env, WL_LOAD_LOG: log };
    const events = await sh(process.execPath, ['--import', register, join(prefix, 'bin', 'wirelens'), 'events', demo, '--workers', '2'], work, env);
    const urls = readFileSync(log, 'utf8').split('\n');
    expect(urls.some((u) => u.endsWith('/node_modules/wirelens/dist/bundle/wirelens.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(false);
    // Two workers write what one thread of the checkout writes.
    expect(events.stdout).toBe(wirelens(['events', demo, '--workers', '1']).stdout.toString('utf8'));
  });
});

describe('imported as a library', SLOW, () => {
  it("the README's example runs as written in an ESM project", async () => {
    const app = await appInstall;
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /```js\n(import [^\n]*from 'wirelens';\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'README: a ```js block importing from wirelens').toBeDefined();
    expect(example!.trimEnd().split('\n').length).toBeLessThanOrEqual(5);
    cpSync(join(ROOT, 'captures', 'demo.pcap'), join(app, 'capture.pcap'));
    writeFileSync(join(app, 'count-dns.mjs'), example!);
    const { stdout } = await sh(process.execPath, ['count-dns.mjs'], app);
    // The queries `wirelens events` shows for the same file.
    const events = wirelens(['events', join(ROOT, 'captures', 'demo.pcap'), '--types', 'dns.message']).stdout.toString('utf8');
    const queries = events.split('\n').filter((l) => l.includes('"response":false')).length;
    expect(queries).toBeGreaterThan(0);
    expect(stdout).toBe(`${queries} DNS queries\n`);
  });

  it('the library surface: events in order ending with the summary, readCapture, CaptureError, no deep imports', async () => {
    const app = await appInstall;
    writeFileSync(
      join(app, 'surface.mjs'),
      `import * as w from 'wirelens';
const types = [];
await w.analyzeCapture('capture.pcap', (e) => types.push(e.type));
let packets = 0;
const summary = await w.readCapture('capture.pcap', { packet: () => packets++, problem: () => {} });
let error = null;
try { await w.analyzeCapture('missing.pcap', () => {}); } catch (e) { error = e instanceof w.CaptureError ? e.message : 'other: ' + e; }
let deep = null;
try { await import('wirelens/dist/pipeline/engine.js'); } catch (e) { deep = e.code; }
let badLimit = null;
try { await w.analyzeCapture('capture.pcap', () => {}, { limits: { no_such_limit: 1 } }); } catch (e) { badLimit = e.message; }
const quick = [];
await w.analyzeCapture('capture.pcap', (e) => quick.push(e), { detectOnly: true, protocols: ['dns'] });
console.log(JSON.stringify({
  exports: Object.keys(w).sort(),
  last: types.at(-1), flows: types.filter((t) => t === 'flow.end').length,
  packets, format: summary.format, error, deep, badLimit,
  quick: quick.filter((e) => e.type === 'flow.end').map((e) => e.service ?? null),
  json: w.toJson({ type: 'x', frame: 1, ts: new w.Timestamp(1, 5), flow: null, dir: null }),
}));
`,
    );
    cpSync(join(ROOT, 'captures', 'demo.pcap'), join(app, 'capture.pcap'));
    const out = JSON.parse((await sh(process.execPath, ['surface.mjs'], app)).stdout) as Record<string, unknown>;
    expect(out).toEqual({
      exports: ['CaptureError', 'DEFAULT_LIMITS', 'PROTOCOL_NAMES', 'Timestamp', 'analyzeCapture', 'isAnomaly', 'isEvent', 'readCapture', 'toJson'],
      last: 'capture.summary',
      flows: 6,
      packets: 61,
      format: 'pcap',
      error: 'missing.pcap: no such file',
      deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      badLimit: 'wirelens: no limit named "no_such_limit"',
      // Only DNS is asked for: the HTTP and FTP flows stay unnamed.
      quick: ['dns', 'dns', null, null, null, null],
      json: '{"type":"x","frame":1,"ts":1.000000005,"flow":null,"dir":null}',
    });
  });

  it('its .d.ts files type-check a strict TypeScript consumer (no skipLibCheck, no @types)', async () => {
    const app = await appInstall;
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { analyzeCapture, isEvent, readCapture, CaptureError, type WireEvent, type EventOf, type RawPacket } from 'wirelens';
const names: string[] = [];
const ends: EventOf<'flow.end'>[] = [];
const subjects: string[] = [];
await analyzeCapture('capture.pcap', (e: WireEvent) => {
  if (isEvent(e, 'dns.message') && e.qname !== null) names.push(e.qname);
  if (isEvent(e, 'flow.end')) ends.push(e);
  // A protocol's own declaration reaches the library's types too.
  if (isEvent(e, 'smtp.message') && e.subject !== null) subjects.push(e.subject);
  // @ts-expect-error an event's fields are JSON values, not strings, until narrowed
  const s: string = e.qname;
  void s;
});
const bytes: number[] = [];
await readCapture('capture.pcap', { packet: (p: RawPacket) => bytes.push(p.data.length), problem: () => {} });
const port: number = ends[0]!.resp_p;
export const result = [names.length, port, bytes.length, CaptureError.name];
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          // No @types/node, no @types of wirelens's dependencies: the public .d.ts files
          // reach only their own declarations and ES2022.
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? String(e), failed: true }));
    expect(r.stdout).toBe('');
  });
});

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}
