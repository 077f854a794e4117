import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

const isUi = (url: string): boolean => /\/node_modules\/(ink|react|react-reconciler|yoga-layout)\//.test(url) || /\/dist\/tui\//.test(url);

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
    expect(urls.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(urls.filter(isUi)).toEqual([]);
  });
});
