import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureStore } from '../../src/tui/model/store.js';
import { DOWN, ENTER, ESC, renderApp, TAB, type Ui } from './helpers.js';
import { hostileCapture, writeTemp } from './hostile-capture.js';

/**
 * Captured bytes are shown, never obeyed: a capture carrying escape sequences in HTTP
 * headers, a status line, a Basic credential, a body, FTP replies, a user name and a path
 * must not put one raw control character on the screen, in any view.
 */
let file: string;
let ui: Ui;
const seen: string[] = [];

beforeAll(async () => {
  file = writeTemp(hostileCapture(), 'hostile.pcap');
  ui = await renderApp(file);
  await ui.waitFor('1 Flows 2');
});
afterAll(() => ui?.unmount());

/** Every frame drawn so far: no ESC, BEL, C1 or other control character other than newline. */
function assertInert(): void {
  for (const frame of ui.frames) {
    // eslint-disable-next-line no-control-regex
    const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.exec(frame);
    expect(raw, `raw control character ${JSON.stringify(raw?.[0])} in:\n${frame}`).toBeNull();
  }
}

async function visit(keys: string, expectText: string | RegExp): Promise<string> {
  ui.press(keys);
  const f = await ui.waitFor(expectText);
  seen.push(f);
  assertInert();
  return f;
}

describe('escape sequences from a capture render inert', () => {
  it('flows list: the FTP summary with an escape in the user name', async () => {
    const f = ui.lastFrame();
    expect(f).toContain('USER an\\x1b[8mon');
    assertInert();
  });

  it('HTTP transaction: headers and status line shown with visible escapes', async () => {
    await visit(ENTER, 'Flow 1 http');
    // Unfold every entry (the transaction and both messages), one at a time: move the
    // cursor onto the next folded entry, Enter, wait for it to open. Section and group
    // titles fold too, so Enter must not land on them.
    for (let n = 0; n < 20; n++) {
      const lines = ui.lastFrame().split('\n');
      const at = lines.findIndex((l) => /^[› ] *▸ [→←·] #\d+/.test(l));
      if (at < 0) break;
      const cur = lines.findIndex((l) => l.startsWith('›'));
      ui.press((at > cur ? 'j' : 'k').repeat(Math.abs(at - cur)) + ENTER);
      await ui.waitFor((f) => /^›\s*▾/m.test(f) && f.split('\n').findIndex((l) => l.startsWith('›')) === at);
    }
    const f = await ui.waitFor('X-Evil: \\x1b[31mred\\x1b[0m');
    expect(f).toContain('Host: www\\x1b]0;pwned\\x07.test');
    assertInert();
  });

  it('HTTP response headers, unfolded: window-title and cursor-up sequences are text', async () => {
    ui.press('G');
    ui.press(ENTER);
    const f = await ui.waitFor((s) => s.includes('X-Title: \\x1b]2;hijacked\\x07') || s.includes('200 O\\x1b[1AK'));
    expect(f).not.toContain('\x1b');
    assertInert();
  });

  it('ladder: the status line arrow', async () => {
    const f = await visit('l', 'client 10.0.0.1:40000');
    expect(f).toContain('200 O\\x1b[1AK');
  });

  it('stream: ASCII shows the escapes in headers and body, hex shows the bytes', async () => {
    const f = await visit('f', '> GET /evil.txt');
    expect(f).toContain('X-Evil: \\x1b[31mred');
    expect(f).toContain('owned\\x1b[?1049l\\x1b[2J!');
    const hex = await visit('x', /00000000  48 54 54 50/);
    expect(hex).toMatch(/ 1b 5b /);
    expect(hex).toContain('.[1mplai');
    await visit(ESC, 'id▲');
  });

  it('FTP flow: replies, commands and the gap', async () => {
    await visit(`${DOWN}${ENTER}`, 'Flow 2 ftp');
    ui.press('G');
    for (let i = 0; i < 60; i++) ui.press(`k${ENTER}`);
    await ui.waitFor('UNIX \\x1b[2J\\x1b[H\\x1b]2;ftp-title\\x07');
    assertInert();
    const ladder = await visit('l', 'client 10.0.0.1:40001');
    expect(ladder).toContain('USER an\\x1b[8mon');
    expect(ladder).toContain('ok\\x1b[31m go on');
    expect(ladder).toContain('tcp.gap');
    await visit('f', '[40 bytes missing');
    const stream = await visit('x', 'CWD /\\x1b[6n');
    expect(stream).toMatch(/\[40 bytes missing from the client stream\]/);
    await visit(ESC, 'id▲');
  });

  it('anomalies, credentials, objects and statistics views', async () => {
    await visit('2', 'tcp.gap');
    const creds = await visit('4', 'ad\\x1b[5mmin');
    expect(creds).toContain('s3cr\\x1b[8met');
    expect(creds).toContain('an\\x1b[8mon');
    await visit('5', 'evil.txt');
    await visit('3', 'Protocol hierarchy');
    await visit(`${TAB}${TAB}${TAB}`, '1 Flows');
  });

  it('the filter prompt echoes typed control characters as text, never raw', async () => {
    ui.press('/');
    await ui.waitFor('filter /');
    ui.press('http.host contains "pwned"');
    ui.press(ENTER);
    const f = await ui.waitFor('(1 of 2 flows)');
    expect(f).toMatch(/ 1 http /);
    expect(f).not.toMatch(/ 2 ftp /);
    ui.press(`/${'\x01'}x${ENTER}`);
    const bad = await ui.waitFor('column');
    expect(bad).toContain('x');
    assertInert();
    ui.press(ESC);
  });

  it('the store keeps safe display strings for the flow rows', async () => {
    const store = new CaptureStore();
    store.emit({ type: 'flow.end', frame: 1, ts: null as never, flow: 1, dir: null, proto: 'tcp', service: `h\x1b[2Jttp`, orig_h: '10.0.0.1', orig_p: 1, resp_h: `\u202e1.0.0.01`, resp_p: 2, summary: `GET /\x1b]0;x\x07` });
    store.tick();
    const row = store.flow(1)!;
    expect(row.app).toBe('h\\x1b[2Jttp');
    expect(row.server).toBe('\\u202e1.0.0.01:2');
    expect(row.summary).toBe('GET /\\x1b]0;x\\x07');
  });
});
