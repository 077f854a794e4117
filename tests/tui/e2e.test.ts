import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../support/requires.js';
import { hostileCapture, writeTemp } from './hostile-capture.js';

/**
 * The real `bin/wirelens` in a real terminal (tmux): open a flow, filter, follow the
 * stream, quit. Skipped only when tmux is missing (`scripts/install-test-deps.sh` installs it).
 */
/**
 * A tmux server (socket) per test: `kill-server` returns before the old server has gone, and a
 * new session on the same socket then met it dying ("server exited unexpectedly", seen once
 * in a clean-clone run).
 */
let servers = 0;
let session = '';
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', session);
const keys = (...k: string[]): void => void tmux('send-keys', '-t', session, ...k);

async function waitFor(test: string | RegExp | ((s: string) => boolean), timeoutMs = 20_000): Promise<string> {
  const ok = (s: string) => (typeof test === 'string' ? s.includes(test) : test instanceof RegExp ? test.test(s) : test(s));
  const until = Date.now() + timeoutMs;
  for (;;) {
    let s = '';
    try {
      s = screen();
    } catch {
      s = '(no pane)';
    }
    if (ok(s)) return s;
    if (Date.now() > until) throw new Error(`terminal never showed ${String(test)}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** dist/ must hold the UI as it is in src/ (npm test builds first; a bare vitest run may not). */
function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

function start(command: string): void {
  session = `wirelens-e2e-${process.pid}-${++servers}`;
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '48', command);
}

describeWith(['tmux'], 'terminal UI end to end (tmux)', () => {
  beforeAll(() => {
    const built = 'dist/tui/index.js';
    if (!existsSync(built) || statSync(built).mtimeMs < newestMtime('src/tui')) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    }
  }, 180_000);

  afterEach(() => {
    if (session) spawnSync('tmux', ['-L', session, 'kill-server']);
  });

  it('opens a flow, filters, follows the stream and quits', async () => {
    // `; echo EXIT=$?` shows the exit status once the UI has gone.
    start('bin/wirelens captures/demo.pcap; echo EXIT=$?; sleep 30');
    let s = await waitFor('ftp-data');
    expect(s).toMatch(/id▲ app\s+client\s+server\s+pkts\s+bytes\s+duration state\s+summary/);
    expect(s).toMatch(/3 http\s+127\.0\.0\.1:53736\s+127\.0\.0\.1:80\s+12\s+2\.4 kB/);

    keys('j', 'j', 'Enter');
    s = await waitFor((x) => x.includes('Flow 3 http') && x.includes('GET /demo/index.html → 200 97 B'));
    expect(s).toContain('GET /demo/index.html → 200 97 B');

    keys('Escape');
    await waitFor(/›\s+3 http/);
    keys('/');
    await waitFor('filter /');
    keys('-l', 'app == ftp');
    keys('Enter');
    s = await waitFor('filter: app == ftp (1 of 6 flows)');
    expect(s).not.toMatch(/\d http /);

    keys('/');
    for (let i = 0; i < 'app == ftp'.length; i++) keys('BSpace');
    keys('-l', 'app == (');
    keys('Enter');
    s = await waitFor(/\^ .*column/);
    keys('Escape');
    await waitFor((x) => !x.includes('filter /'));

    keys('Enter');
    await waitFor('Flow 5 ftp');
    keys('l');
    // Wait for the lines checked, not only a header: tmux may show a screen half drawn.
    s = await waitFor((x) => x.includes('client 127.0.0.1:42746') && /── RETR readme\.txt ─+▶│/.test(x));
    expect(s).toMatch(/── RETR readme\.txt ─+▶│/);
    keys('f');
    s = await waitFor((x) => x.includes('> USER ftpuser') && x.includes('> RETR readme.txt'));
    expect(s).toContain('< 220 wirelens test FTP server (vsftpd)');
    expect(s).toContain('> RETR readme.txt');

    keys('q');
    s = await waitFor('EXIT=0');
    // The alternate screen is left: the shell's screen is back, the UI is gone.
    expect(s).not.toContain('Flow 5 ftp');
  });

  it('a hostile capture cannot retitle the window, clear the screen or move the cursor', async () => {
    const file = writeTemp(hostileCapture(), 'hostile.pcap');
    start(`bin/wirelens ${file}; echo EXIT=$?; sleep 30`);
    await waitFor('USER an\\x1b[8mon');
    const title = tmux('display-message', '-p', '-t', session, '#{pane_title}');
    keys('Enter');
    await waitFor('Flow 1 http');
    keys('f');
    let s = await waitFor((x) => x.includes('> Host: www\\x1b]0;pwned\\x07.test') && x.includes('owned\\x1b[?1049l\\x1b[2J!'));
    expect(s).toContain('< X-Title: \\x1b]2;hijacked\\x07');
    expect(s).toContain('owned\\x1b[?1049l\\x1b[2J!');
    keys('Escape');
    await waitFor(/›\s+1 http/);
    keys('j', 'Enter');
    await waitFor('Flow 2 ftp');
    keys('l');
    s = await waitFor('client 10.0.0.1:40001');
    expect(s).toContain('UNIX \\x1b[2J\\x1b[H\\x1b]2;ftp-title\\x07');
    // Nothing the capture carried reached the terminal: same title, whole screen intact.
    expect(tmux('display-message', '-p', '-t', session, '#{pane_title}')).toBe(title);
    expect(s.split('\n')[0]).toMatch(/^wirelens {2}1 Flows 2/);
    keys('q');
    await waitFor('EXIT=0');
  });
});
