import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Start-up: commands that draw no UI must not load Ink or React (nor the UI code). Each
 * command runs in a child process with a module hook that logs every module it loads.
 */
const root = resolve(import.meta.dirname, '../..');
const register = join(import.meta.dirname, 'fixtures/register-load-log.mjs');
const dir = mkdtempSync(join(tmpdir(), 'wirelens-startup-'));
let n = 0;

function loadedBy(args: string[], code?: string): { urls: string[]; status: number | null } {
  const log = join(dir, `load-${n++}.log`);
  const argv = code ? ['--import', register, '--input-type=module', '-e', code] : ['--import', register, 'bin/wirelens', ...args];
  const r = spawnSync(process.execPath, argv, { cwd: root, env: { ...process.env, WL_LOAD_LOG: log }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let urls: string[] = [];
  try {
    urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } catch {
    // no module loaded at all: the assertions below fail
  }
  return { urls, status: r.status };
}

/** A chunk of the bundle (dist/bundle/, scripts/bundle.mjs) that imports Ink or React: the UI's. */
const uiChunk = new Map<string, boolean>();
function isUiChunk(url: string): boolean {
  if (!/\/dist\/bundle\/[^/]+\.js$/.test(url)) return false;
  let ui = uiChunk.get(url);
  if (ui === undefined) {
    ui = /\bfrom\s*["'](ink|react)["']/.test(readFileSync(new URL(url), 'utf8'));
    uiChunk.set(url, ui);
  }
  return ui;
}

const isUi = (url: string): boolean => /\/node_modules\/(ink|react|react-reconciler|yoga-layout)\//.test(url) || /\/dist\/tui\//.test(url) || isUiChunk(url);

/** bin/wirelens runs the bundle when it is at least as new as dist/cli/main.js, else dist/. */
function bundleFresh(): boolean {
  try {
    return statSync(join(root, 'dist/bundle/wirelens.js')).mtimeMs >= statSync(join(root, 'dist/cli/main.js')).mtimeMs;
  } catch {
    return false;
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start-up', () => {
  it('the hook sees Ink when it is loaded (control)', () => {
    const { urls } = loadedBy([], "await import('ink');");
    expect(urls.some(isUi)).toBe(true);
  });

  it.each([
    ['--version'],
    ['report', 'captures/demo.pcap'],
    ['report', 'captures/demo.pcap', '--text'],
    ['events', 'captures/demo.pcap'],
    ['flows', 'captures/demo.pcap'],
    // Not a terminal: the text summary, no UI.
    ['captures/demo.pcap'],
  ])('wirelens %s loads no UI module', (...args) => {
    const { urls, status } = loadedBy(args);
    expect(status).toBe(0);
    const entry = bundleFresh() ? '/dist/bundle/wirelens.js' : '/dist/cli/main.js';
    expect(urls.some((u) => u.endsWith(entry))).toBe(true);
    expect(urls.filter(isUi)).toEqual([]);
  });

  it('the bundle keeps the UI in a chunk of its own, which the hook recognises', () => {
    // Skipped in effect when only tsc has run (no bundle): the checks above then cover dist/.
    if (!existsSync(join(root, 'dist/bundle'))) return;
    const chunks = readdirSync(join(root, 'dist/bundle')).map((f) => pathToFileURL(join(root, 'dist/bundle', f)).href);
    expect(chunks.filter(isUiChunk)).toHaveLength(1);
    expect(isUiChunk(pathToFileURL(join(root, 'dist/bundle/wirelens.js')).href)).toBe(false);
  });

  it('a bundled `events` run loads a handful of files, not the ~250 modules of dist/', () => {
    if (!bundleFresh()) return;
    const { urls, status } = loadedBy(['events', 'captures/demo.pcap']);
    expect(status).toBe(0);
    const files = new Set(urls.filter((u) => u.startsWith('file:') && u.includes('/dist/')));
    expect([...files].every((u) => u.includes('/dist/bundle/'))).toBe(true);
    expect(files.size).toBeLessThan(30);
  });
});
