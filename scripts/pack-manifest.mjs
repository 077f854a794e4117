#!/usr/bin/env node
/**
 * `npm pack` / `npm publish` hooks (package.json `prepack` and `postpack`).
 *
 *   node scripts/pack-manifest.mjs prepack    build dist/ from scratch, then drop `scripts` from package.json
 *   node scripts/pack-manifest.mjs postpack   put the repository's package.json back
 *
 * Why the manifest inside the package has no scripts: the clone needs `prepare` (so that
 * `npm install && npm start` builds), but a package whose manifest names `prepare` or an
 * install script is one that npm 11 flags ("install scripts not yet covered by
 * allowScripts") on `npm install -g`, and that other installers may try to build. The
 * package already holds the built dist/, so it needs none of the repository's scripts (they
 * name tests, bench and capture scripts that it does not ship either). npm reads the manifest
 * for the tarball after `prepack` has run, and runs `postpack` from the manifest it read
 * before, so the stripped copy exists only while the tarball is made.
 *
 * dist/ is rebuilt from nothing so that no output of a deleted source file ships.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
/** The repository's package.json while the stripped one is in its place (git-ignored, never packed). */
const saved = join(root, 'package.json.prepack');

const mode = process.argv[2];
if (mode === 'prepack') prepack();
else if (mode === 'postpack') restore();
else {
  process.stderr.write('usage: node scripts/pack-manifest.mjs prepack|postpack\n');
  process.exit(64);
}

function prepack() {
  // A pack that failed after stripping left the saved manifest: it is the real one.
  restore();
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  // Built before the manifest changes: a failed build leaves package.json as it was.
  const npm = process.env.npm_execpath;
  if (npm) execFileSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' });
  else execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('pack-manifest: the build left no dist/index.js or dist/cli/main.js');
  }
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts;
  writeFileSync(saved, text);
  writeFileSync(manifest, JSON.stringify(pkg, null, 2) + '\n');
}

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}
