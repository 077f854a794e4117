#!/usr/bin/env node
/**
 * The command line as a few files instead of ~540 modules: `npm run build` runs this after
 * `tsc`, bundling dist/cli/main.js and the three worker entries into dist/bundle/.
 * bin/wirelens runs dist/bundle/wirelens.js when it is at least as new as dist/cli/main.js
 * (a later `tsc` alone makes it stale, and bin falls back to dist/cli/main.js).
 *
 * Why: Node 20 resolves, reads, compiles and links every ES module on its own; for
 * `wirelens events captures/demo.pcap` that was most of the 0.6 s of CPU the command cost.
 * The library (`import 'wirelens'`, dist/index.js) is not bundled: importers have their own
 * bundlers, and dist/ stays one file per source file with its .d.ts.
 *
 * What the bundle keeps as it was:
 * - Ink and React (the terminal UI) stay outside: the UI is its own chunk, loaded only by
 *   the commands that draw it, and they load Ink and React from node_modules as before.
 * - yargs stays outside: main.ts loads its CommonJS build on purpose, and yargs finds its
 *   message translations relative to its own files.
 * - `new URL('…', import.meta.url)` (the worker entries, package.json) is rewritten to the
 *   same file as seen from dist/bundle/: a worker entry is the bundle's own entry of that
 *   name, anything else the file in the package. Any other use of import.meta.url fails
 *   the build rather than pointing somewhere else at run time.
 */
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'bundle');

/** Entry name (file in dist/bundle/) -> built module. Worker entries are found by name. */
const entries = {
  wirelens: join(dist, 'cli', 'main.js'),
  'share-worker': join(dist, 'pipeline', 'parallel', 'share-worker.js'),
  'report-worker': join(dist, 'pipeline', 'parallel', 'report-worker.js'),
  'export-worker': join(dist, 'cli', 'export-worker.js'),
};
/**
 * One-file CommonJS scripts (name -> built module), run by main.ts with V8's code cache
 * (src/cli/code-cache.ts: Node 20 caches no ES module's compilation, but `vm.Script` takes
 * a cache). `events-script` is `wirelens events FILE`, everything it runs in one file.
 * Ink, React and yargs are never reached from it.
 */
const scripts = {
  'events-script': join(dist, 'cli', 'events-script.js'),
};
/** File (as `new URL('./NAME.js', import.meta.url)` names it) -> its file in dist/bundle/. */
const entryByFile = new Map([
  ...Object.entries(entries).map(([name, file]) => [file, `${name}.js`]),
  ...Object.entries(scripts).map(([name, file]) => [file.replace(/\.js$/, '.cjs'), `${name}.cjs`]),
]);

const builtins = new Set(builtinModules);
const external = (id) => id.startsWith('node:') || builtins.has(id) || /^(ink|react|yargs)(\/|$)/.test(id);

const URL_RE = /new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g;

/** Rewrites each module's `new URL(relative, import.meta.url)` for its place in dist/bundle/. */
const relocate = {
  name: 'wirelens-relocate-urls',
  transform(code, id) {
    if (!id.startsWith(dist + sep) || !code.includes('import.meta.url')) return null;
    const rewritten = code.replace(URL_RE, (_all, q, rel) => {
      const target = resolve(dirname(id), rel);
      const entry = entryByFile.get(target);
      let path = entry ?? relative(out, target).split(sep).join('/');
      if (!path.startsWith('.')) path = `./${path}`;
      return `new URL(${q}${path}${q}, import.meta.url)`;
    });
    // main.ts's createRequire(import.meta.url) resolves yargs from node_modules, which is
    // found the same way from dist/bundle/.
    const rest = rewritten.replace(URL_RE, '').replace(/createRequire\(import\.meta\.url\)/g, '');
    if (rest.includes('import.meta.url')) throw new Error(`bundle: ${relative(root, id)} uses import.meta.url in a way this script does not relocate`);
    return { code: rewritten, map: null };
  },
};

rmSync(out, { recursive: true, force: true });
const common = { platform: 'node', external, plugins: [relocate], logLevel: 'warn' };
// Whitespace and comments only: names stay, so stack traces in bug reports stay readable.
const minify = { compress: false, mangle: false, codegen: { removeWhitespace: true } };
// ASCII only: one non-ASCII character (a `µTorrent` or an `RFC 9000 §17.2` in a message) made
// V8 hold the whole 0.75 MB script as a two-byte string, which node decodes from UTF-8, the
// code cache's key hashes and V8's scanner reads at each start (two-byte: slower on all
// three). Escaped (`\u00b5`), the strings are the same at run time; a tagged template's raw
// text keeps its characters (rolldown leaves those quasis alone).
const charset = 'ascii';
await build({
  ...common,
  input: entries,
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', minify, charset },
});
// The scripts: the same modules again, as one CommonJS file each (no chunks: each is one
// `vm.Script`, one cache). `import.meta.url` becomes the file's own URL from `__filename`.
await build({
  ...common,
  input: scripts,
  output: { dir: out, format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false, minify, charset },
});
// runCachedScript (src/cli/code-cache.ts) reads an ASCII script as Latin-1, its fast path:
// fail here rather than let a rolldown without `charset` slow every start unnoticed.
for (const name of Object.keys(scripts)) {
  const text = readFileSync(join(out, `${name}.cjs`));
  const at = text.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`bundle: ${name}.cjs has a non-ASCII byte at ${at}; charset 'ascii' should have escaped it`);
}
