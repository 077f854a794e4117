import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { constants as vmConstants, Script } from 'node:vm';

/**
 * Runs a CommonJS file of dist/bundle/ with V8's code cache: the bytecode of the functions
 * a run compiled, saved after the first run (and again after a run much longer than
 * the one that made it: `cacheToWrite`) and handed to V8 by the next. Node 20 has no
 * compile cache for modules (`module.enableCompileCache` is Node 22), but `vm.Script` takes
 * `cachedData`. Without it, each start parses the 0.7 MB file and compiles every function
 * it calls (a small capture calls a great many, once each); with it V8 only deserialises.
 *
 * The cache never changes what the program does: it holds V8's bytecode for this exact
 * source, and V8 refuses it (`cachedDataRejected`) when its own version or flags differ.
 * V8 checks the source only by length, so the file name carries a hash of the source's
 * bytes (and node's version, architecture and flags): another build is another file.
 *
 * Where: `$XDG_CACHE_HOME/wirelens/`, else `~/.cache/wirelens/`, created private (0700);
 * `WIRELENS_CODE_CACHE=0` turns it off.
 * Bytecode is code, so a cache is used only from a directory that is the user's own and
 * writable by no one else, and only as a plain file of the user's. Anything that goes wrong
 * with the cache (no home, a read-only disk, a directory of another user's) means running
 * without one, as before; no message, since the output must not depend on it.
 */
export interface ScriptFlags {
  /** V8 flags the script sets when it loads: set before compiling, so that the cache is checked under the flags it was made under. */
  before: readonly string[];
  /** V8 flags a run may move, set back to V8's defaults before the cache is made (at exit: nothing runs after). */
  atExit: readonly string[];
}

/** `mkdir` of one level, where it may already be. Not `recursive`: Node 20's recursive `mkdirSync` never returns under /proc. */
function ensureDir(dir: string, mode: number): void {
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** The directory of the cache, or null when there is no safe one. */
function cacheDir(): string | null {
  // The one way to keep wirelens from writing outside what a run was asked to write.
  if (process.env.WIRELENS_CODE_CACHE === '0') return null;
  try {
    // The XDG spec ignores a relative XDG_CACHE_HOME.
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
    ensureDir(base, 0o700);
    const dir = join(base, 'wirelens');
    ensureDir(dir, 0o700);
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return null;
    return dir;
  } catch {
    return null;
  }
}

/** The cache file's bytes when it is a plain file of this user's, else undefined. */
function readCache(file: string): Buffer | undefined {
  try {
    const st = lstatSync(file);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid)) return undefined;
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Caches of one script kept at most: those of other builds (an upgrade) and of other node
 * flags (`node bin/wirelens` has none, the installed command the shebang's) are dropped
 * oldest first, but not at once, so that two ways of running it do not rewrite each other's.
 */
const KEEP = 4;

/** Writes the cache whole or not at all (another run may be reading it), and drops the oldest beyond `KEEP`. */
function writeCache(dir: string, stem: string, name: string, data: Buffer): void {
  const file = join(dir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    const mine = readdirSync(dir)
      .filter((other) => other.startsWith(`${stem}-`) && /^[0-9a-f]{32}\.v8$/.test(other.slice(stem.length + 1)))
      .map((other) => ({ other, mtime: lstatSync(join(dir, other)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime || (a.other < b.other ? -1 : 1));
    for (const { other } of mine.slice(KEEP)) if (other !== name) rmSync(join(dir, other), { force: true });
  } catch {
    rmSync(tmp, { force: true });
  }
}

/**
 * A cache holds only the functions compiled by the run that made it: one made by a run on
 * captures/demo.pcap (0.74 MB) leaves a run on the 20 MB bench capture compiling 827 more
 * functions lazily (about 40 ms), every time; that run's own cache is 1.13 MB and has them.
 * So a run much longer than the one that made the cache makes it again. Making one costs
 * ~16 ms after a long run (serialising the bytecode), too much to spend on every run just to
 * see whether it grew; the file therefore records the CPU time of the run that made it
 * (`TRAILER`), and only a run of at least `REWRITE_MIN_CPU_US` and `REWRITE_CPU_FACTOR` times
 * that makes and writes it. Each write at least doubles the recorded time, so from a demo
 * run (0.2 s) to a 500 MB capture (~40 s) the cache is written eight times at most, and
 * runs of about the same size as the last writer's never write.
 */
export const REWRITE_MIN_CPU_US = 500_000;
export const REWRITE_CPU_FACTOR = 2;

/**
 * The file is V8's cached data followed by this trailer: 4 bytes of magic and the maker's CPU
 * time in milliseconds (uint32 LE). V8 gets its own bytes only. A file without the trailer
 * (an older wirelens) counts as made by a run of no CPU time.
 */
const TRAILER_MAGIC = 0x63636c77; // "wlcc"
const TRAILER = 8;

export interface CacheFile {
  /** V8's cached data. */
  data: Buffer;
  /** CPU time of the run that made it, microseconds (to the millisecond). */
  makerCpuUs: number;
}

/** A cache file's V8 data and maker's CPU time; a file without the trailer is all V8 data (V8 judges it). */
export function decodeCacheFile(file: Buffer): CacheFile {
  if (file.length > TRAILER && file.readUInt32LE(file.length - TRAILER) === TRAILER_MAGIC) {
    return { data: file.subarray(0, file.length - TRAILER), makerCpuUs: file.readUInt32LE(file.length - 4) * 1000 };
  }
  return { data: file, makerCpuUs: 0 };
}

/** The bytes of a cache file: V8's data, then the trailer. */
export function encodeCacheFile(cache: CacheFile): Buffer {
  const trailer = Buffer.alloc(TRAILER);
  trailer.writeUInt32LE(TRAILER_MAGIC, 0);
  trailer.writeUInt32LE(Math.min(0xffffffff, Math.round(cache.makerCpuUs / 1000)), 4);
  return Buffer.concat([cache.data, trailer]);
}

/**
 * The cache file to write at exit, or undefined. `taken` is the cache V8 took, undefined when
 * there was none or V8 refused it (then the run's cache is always written); `cpuUs` the run's
 * CPU time; `make` serialises the run's bytecode. A long run writes the larger of its cache
 * and the one taken (a long run may have flushed the bytecode of functions it ran only at
 * start), with its own CPU time, so that runs like it do not even make one.
 */
export function cacheToWrite(taken: CacheFile | undefined, cpuUs: number, make: () => Buffer): CacheFile | undefined {
  if (taken === undefined) return { data: make(), makerCpuUs: cpuUs };
  if (cpuUs < REWRITE_MIN_CPU_US || cpuUs < REWRITE_CPU_FACTOR * taken.makerCpuUs) return undefined;
  const data = make();
  return { data: data.length >= taken.data.length ? data : taken.data, makerCpuUs: cpuUs };
}

/**
 * Captures of at least this many bytes run with a cache of their own. Deserialising a
 * cache costs by its size: a run on captures/demo.pcap takes ~15-20 ms more CPU (0.245
 * against 0.23 s) with the 1.13 MB cache of a 20 MB run than with its own 0.74 MB one, while
 * the 20 MB run saves ~40-55 ms with its own. Two caches keep both. 4 MB: about 0.5 s of
 * CPU, where `REWRITE_MIN_CPU_US` starts; stdin (size unknown) uses the small one.
 */
export const LARGE_CAPTURE_BYTES = 4 * 1024 * 1024;

/** The cache variant (`runCachedScript`) for a capture of `bytes` (undefined: unknown, as stdin). */
export function cacheVariant(bytes: number | undefined): string {
  return bytes !== undefined && bytes >= LARGE_CAPTURE_BYTES ? '.large' : '';
}

/**
 * The script's text. scripts/bundle.mjs writes the scripts in ASCII (non-ASCII characters
 * escaped), and ASCII bytes are their own Latin-1 string: decoded so, without UTF-8's
 * validation, into the one-byte string V8 compiles fastest (the 0.75 MB events script: about
 * half the time of `'utf8'`). A file with any other byte is read as UTF-8, as before.
 */
export function scriptSource(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Runs the CommonJS file `url` (as Node would run it with `require`, but compiled with the
 * code cache) and returns its exports; undefined when the file is not there (a `tsc` build
 * without the bundle step), for the caller to load its ES module instead.
 */
export function runCachedScript(url: URL, flags: ScriptFlags, variant = ''): Record<string, unknown> | undefined {
  const file = fileURLToPath(url);
  let source: string;
  try {
    source = scriptSource(readFileSync(file));
  } catch {
    return undefined;
  }
  for (const flag of flags.before) setFlagsFromString(flag);
  const dir = cacheDir();
  // A variant is a cache of its own (`.large`: the cache of long runs, see `cacheVariant`).
  const stem = basename(file).replace(/\.c?js$/, '') + variant;
  let name: string | null = null;
  if (dir !== null) {
    // node's flags and those set at run time before compiling: V8 refuses a cache made under other flags.
    const key = createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}\0${process.execArgv.join('\0')}\0\0${flags.before.join('\0')}`).digest('hex').slice(0, 32);
    name = `${stem}-${key}.v8`;
  }
  const stored = dir === null || name === null ? undefined : readCache(join(dir, name));
  const read = stored === undefined ? undefined : decodeCacheFile(stored);
  const cachedData = read?.data;
  // Node's own wrapper for CommonJS, so the file runs as `require` would run it.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, {
    filename: file,
    cachedData,
    // The bundle has no `import()`; should one appear, it resolves as in any module.
    importModuleDynamically: vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (dir !== null && name !== null) {
    const [cache, own] = [dir, name];
    const taken = script.cachedDataRejected === true ? undefined : read;
    process.once('exit', () => {
      const cpu = process.cpuUsage();
      const made = cacheToWrite(taken, cpu.user + cpu.system, () => {
        for (const flag of flags.atExit) setFlagsFromString(flag);
        return script.createCachedData();
      });
      if (made !== undefined) writeCache(cache, stem, own, encodeCacheFile(made));
    });
  }
  const module = { exports: {} as Record<string, unknown> };
  const init = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  init(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
