import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { KEY_HELP } from '../../src/tui/keys.js';
import { DOWN, ENTER, ESC, loadStore, renderApp, TAB, type Ui } from './helpers.js';

const DEMO = 'captures/demo.pcap';
let ui: Ui | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

/** The flow ids of the rows on screen, top to bottom. */
const ids = (frame: string): number[] =>
  frame
    .split('\n')
    .map((l) => /^[› ]\s+(\d+) /.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));

describe('flows list', () => {
  it('shows every flow: id, app, client, server, packets, bytes, duration, state, summary', async () => {
    ui = await renderApp(DEMO);
    const f = await ui.waitFor('ftp-data');
    expect(f).toMatch(/id▲ app\s+client\s+server\s+pkts\s+bytes\s+duration state\s+summary/);
    expect(ids(f)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(f).toMatch(/4 http\s+127\.0\.0\.1:53742\s+127\.0\.0\.1:80\s+10\s+1\.1 kB\s+419 µs SF\s+GET \/demo\/missin/);
    expect(f).toContain('61 packets');
  });

  it('s cycles the sort column, S reverses it', async () => {
    ui = await renderApp(DEMO);
    ui.press('s');
    await ui.waitFor('app▲');
    ui.press('ssss');
    let f = await ui.waitFor('bytes▲');
    expect(ids(f)).toEqual([1, 2, 6, 4, 5, 3]);
    ui.press('S');
    f = await ui.waitFor('bytes▼');
    expect(ids(f)).toEqual([3, 5, 4, 6, 2, 1]);
    ui.press('s');
    f = await ui.waitFor('duration▼');
    expect(ids(f)[0]).toBe(5);
  });

  it('filters with /, shows an inline error for a bad expression, and clears', async () => {
    ui = await renderApp(DEMO);
    ui.press('/');
    await ui.waitFor('filter /');
    ui.press(`app == ftp${ENTER}`);
    let f = await ui.waitFor('(1 of 6 flows)');
    expect(ids(f)).toEqual([5]);
    ui.press('/');
    await ui.waitFor('filter / app == ftp');
    ui.press('\b'.repeat(10) + `http.status_code >= 400${ENTER}`);
    f = await ui.waitFor('filter: http.status_code >= 400 (1 of 6 flows)');
    expect(ids(f)).toEqual([4]);
    ui.press(`/${'\b'.repeat(30)}dns.qname contains "wirelens" and not ip.addr == 127.0.0.2${ENTER}`);
    f = await ui.waitFor('filter: dns.qname contains "wirelens" and not ip.addr == 127.0.0.2 (1 of 6 flows)');
    expect(ids(f)).toEqual([1]);
    ui.press(`/${'\b'.repeat(80)}app == ftp and (${ENTER}`);
    f = await ui.waitFor(/\^ .*column 17/);
    expect(f).toContain('filter / app == ftp and (');
    ui.press(ESC);
    f = await ui.waitFor((s) => !s.includes('filter /'));
    expect(ids(f)).toEqual([1]);
    ui.press(`/${'\b'.repeat(80)}${ENTER}`);
    f = await ui.waitFor('filter cleared');
    expect(ids(f)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('moves with j/k, arrows, g/G and pages; Esc comes back to the same row', async () => {
    ui = await renderApp(DEMO);
    ui.press('jjj');
    await ui.waitFor(/› +4 http/);
    ui.press('k');
    await ui.waitFor(/› +3 http/);
    ui.press('G');
    await ui.waitFor(/› +6 ftp-data/);
    ui.press('g');
    await ui.waitFor(/› +1 dns/);
    ui.press(DOWN);
    await ui.waitFor(/› +2 dns/);
    ui.press('\x1b[6~');
    await ui.waitFor(/› +6 ftp-data/);
    ui.press('\x1b[5~');
    await ui.waitFor(/› +1 dns/);
    ui.press(`jjjj${ENTER}`);
    await ui.waitFor('Flow 5 ftp');
    ui.press(ESC);
    await ui.waitFor(/› +5 ftp/);
  });
});

describe('a flow', () => {
  it('HTTP: transactions with request and response headers', async () => {
    ui = await renderApp(DEMO);
    ui.press(`jj${ENTER}`);
    let f = await ui.waitFor('Flow 3 http');
    expect(f).toContain('GET /demo/index.html → 200 97 B');
    expect(f).toContain('GET /logo.png → 200 852 B');
    expect(f).toMatch(/▾ http\.request \(2\)/);
    // Cursor to the first transaction, unfold it.
    ui.press(`jjj${ENTER}`);
    f = await ui.waitFor('Request headers (frame 8):');
    expect(f).toContain('User-Agent: curl/7.88.1');
    expect(f).toContain('Response headers (frame 10):');
    expect(f).toContain('Content-Type: text/html');
    ui.press(ENTER);
    f = await ui.waitFor((s) => !s.includes('Request headers'));
  });

  it('Tab goes Transactions → Ladder → Stream; the ladder draws arrows both ways with times', async () => {
    ui = await renderApp(DEMO);
    ui.press(`jj${ENTER}`);
    await ui.waitFor('Flow 3 http');
    ui.press(TAB);
    const f = await ui.waitFor('client 127.0.0.1:53736');
    expect(f).toContain('server 127.0.0.1:80');
    expect(f).toMatch(/\+0\.138 ms │── GET \/demo\/index\.html HTTP\/1\.1 ─+▶│/);
    expect(f).toMatch(/\+0\.254 ms │◀─+ 200 OK \(text\/html\) ──│/);
    ui.press(TAB);
    const s = await ui.waitFor('> GET /demo/index.html HTTP/1.1');
    expect(s).toContain('< HTTP/1.1 200 OK');
  });

  it('stream: hex mode, search with / and n', async () => {
    ui = await renderApp(DEMO);
    ui.press(`jj${ENTER}`);
    await ui.waitFor('Flow 3 http');
    ui.press('f');
    await ui.waitFor('> Host: www.wirelens.test');
    ui.press('x');
    let f = await ui.waitFor('> 00000000  47 45 54 20 2f 64 65 6d 6f 2f 69 6e 64 65 78 2e  GET /demo/index.');
    expect(f).toContain('Stream (hex)');
    ui.press('x');
    await ui.waitFor('Stream (ascii)');
    ui.press(`/logo${ENTER}`);
    f = await ui.waitFor(/GET \/logo\.png/);
    ui.press('/');
    await ui.waitFor('search /');
    ui.press(`${'\b'.repeat(10)}no-such-text${ENTER}`);
    f = await ui.waitFor('not found: no-such-text');
    expect(f).not.toContain('search /');
  });

  it('FTP: commands and replies on the ladder; a UDP flow has no stream', async () => {
    ui = await renderApp(DEMO);
    ui.press(`jjjj${ENTER}`);
    await ui.waitFor('Flow 5 ftp');
    ui.press('l');
    const f = await ui.waitFor('client 127.0.0.1:42746');
    expect(f).toMatch(/── USER ftpuser ─+▶│/);
    expect(f).toMatch(/◀─+ 331 Please specify the password\. ──│/);
    expect(f).toMatch(/── RETR readme\.txt ─+▶│/);
    ui.press(ESC);
    await ui.waitFor('id▲');
    ui.press(`g${ENTER}`);
    await ui.waitFor('Flow 1 dns');
    ui.press('f');
    await ui.waitFor('A UDP flow has no byte stream');
  });

  it('stream: z shows HTTP bodies decoded (de-chunked, gunzipped), z again the bytes as sent', async () => {
    ui = await renderApp('captures/http-chunked-gzip.pcap');
    ui.press(ENTER);
    await ui.waitFor('Flow 1 http');
    ui.press('f');
    await ui.waitFor('Content-Encoding: gzip');
    expect(ui.lastFrame()).not.toContain('header frame frame header');
    ui.press('z');
    const f = await ui.waitFor('header frame frame header');
    expect(f).toContain('Stream (ascii, decoded)');
    expect(f).toContain('HTTP bodies decoded');
    ui.press('z');
    await ui.waitFor((s) => s.includes('Stream (ascii)') && !s.includes('header frame frame header'));
  });

  it('DNS: a transaction unfolds into its answers', async () => {
    ui = await renderApp(DEMO);
    ui.press(`j${ENTER}`);
    await ui.waitFor('Flow 2 dns');
    ui.press(`j${ENTER}`);
    const f = await ui.waitFor('answer_records:');
    expect(f).toMatch(/- www\.wirelens\.test {2}3600 {2}IN {2}A {2}192\.0\.2\.10/);
    expect(f).toMatch(/- wirelens\.test {2}3600 {2}IN {2}NS {2}ns1\.wirelens\.test/);
  });

  it('HTTP/2: streams on the ladder by id, headers from the HEADERS blocks', async () => {
    ui = await renderApp('captures/http2-server-push.pcap');
    ui.press(ENTER);
    await ui.waitFor('Flow 1 http2');
    ui.press('l');
    const f = await ui.waitFor('streams: ');
    expect(f).toMatch(/streams: s2 s3 s4 s5 s7 s9 s11 s13/);
    expect(f).toMatch(/DATA s2 \[END_STREAM\] 1519 B/);
    expect(f).toMatch(/HEADERS s13 GET \/index\.html/);
    expect(f).toMatch(/PUSH_PROMISE → s2 s13 GET \/static\/style\.css/);
    ui.press('d');
    const d = await ui.waitFor('[s2] GET /static/style.css → 200');
    const rows = d.split('\n');
    const steps = rows.findIndex((l) => l.includes('[s2] GET /static/style.css')) - rows.findIndex((l) => l.startsWith('›'));
    expect(steps).toBeGreaterThan(0);
    ui.press('j'.repeat(steps) + ENTER);
    const u = await ui.waitFor('Request headers');
    expect(u).toContain(':path: /static/style.css');
    expect(u).toContain('Response headers');
    expect(u).toContain('content-length: 1519');
  });

  it('SMTP: a message unfolds into envelope, headers and body', async () => {
    ui = await renderApp('captures/smtp-attachment.pcap');
    ui.press(ENTER);
    await ui.waitFor('Flow 1 smtp');
    const rows = ui.lastFrame().split('\n');
    const first = rows.findIndex((l) => l.startsWith('›'));
    const msg = rows.findIndex((l) => l.includes('alice@wirelens.test → bob@wirelens.test "Invoice 2024-117"'));
    expect(msg).toBeGreaterThan(first);
    ui.press('j'.repeat(msg - first) + ENTER);
    const f = await ui.waitFor('Envelope:');
    expect(f).toMatch(/Envelope:\n.*helo: client\.wirelens\.test\n.*mailfrom: alice@wirelens\.test\n.*rcptto: bob@wirelens\.test/);
    expect(f).toMatch(/Headers:\n.*from: alice@wirelens\.test/);
    expect(f).toContain('subject: Invoice 2024-117');
    ui.press('\x1b[6~');
    const body = await ui.waitFor('Body:');
    expect(body).toMatch(/Body:\n.*size: 17510/);
    // Past the body's parts (the flow's title takes two rows when it does not fit one).
    ui.press('jjjjjjjjjjjj');
    const more = await ui.waitFor('- name=invoice-2024-117.bin content_type=application/octet-stream size=12288');
    expect(more).toContain('attachments:');
  });
});

describe('other views', () => {
  it('statistics: hierarchy, conversations, talkers, HTTP status and DNS rcodes, I/O graph', async () => {
    ui = await renderApp(DEMO);
    ui.press('3');
    let f = await ui.waitFor('Protocol hierarchy');
    expect(f).toMatch(/I\/O graph: bytes per 1 s/);
    expect(f).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(f).toMatch(/eth\s+100\.0\s+61\s+100\.0\s+6\.8 kB/);
    // tshark -qz io,phs on demo.pcap: http 6 frames (the ones carrying HTTP), tcp ends 32 (bare ACKs).
    expect(f).toMatch(/ {6}http\s+9\.8\s+6\s+35\.7\s+2\.4 kB\s+6\s+2\.4 kB/);
    expect(f).toMatch(/ {4}tcp\s+93\.4\s+57\s+93\.1\s+6\.3 kB\s+32\s/);
    ui.press('G');
    f = await ui.waitFor('DNS response codes');
    expect(f).toMatch(/HTTP status codes\n\s+200\s+2 /);
    expect(f).toMatch(/404\s+1 /);
    expect(f).toMatch(/NOERROR\s+2 /);
    ui.press('g');
    for (let i = 0; i < 14; i++) ui.press('j');
    f = await ui.waitFor('Conversations');
    expect(f).toMatch(/127\.0\.0\.1 ↔ 127\.0\.0\.1\s+5 flows/);
    expect(f).toMatch(/Top talkers/);
  });

  it('credentials and objects: listed, and Enter jumps to the flow', async () => {
    ui = await renderApp(DEMO);
    ui.press('4');
    let f = await ui.waitFor('ftp ftpuser (user/pass) ok');
    expect(f).toContain('secret: ftp-secret');
    ui.press(ENTER);
    await ui.waitFor('Flow 5 ftp');
    ui.press('5');
    f = await ui.waitFor('proto      size  type');
    expect(f).toContain('readme.txt');
    expect(f).toMatch(/http\s+97 B\s+text\/html\s+index\.html/);
    expect(f).toMatch(/ftp\s+41 B/);
    ui.press(`G${ENTER}`);
    await ui.waitFor(/Flow \d+ ftp/);
  });

  it('anomalies: listed with frame and flow; Enter jumps to the flow', async () => {
    ui = await renderApp('captures/demo.pcap');
    ui.press('2');
    await ui.waitFor('No anomalies.');
  });

  it('? lists every key; Esc closes it; q quits', async () => {
    const store = await loadStore(DEMO);
    const onQuit = vi.fn();
    const app = render(<App store={store} file={DEMO} refreshMs={10} loadStream={() => Promise.reject(new Error('unused'))} onQuit={onQuit} />);
    app.stdin.write('?');
    const until = Date.now() + 60_000;
    while (!(app.lastFrame() ?? '').includes('Keys (')) {
      if (Date.now() > until) throw new Error('no help');
      await new Promise((r) => setTimeout(r, 10));
    }
    const f = app.lastFrame()!;
    for (const [keys] of KEY_HELP) expect(f).toContain(keys);
    app.stdin.write('q');
    for (let i = 0; i < 6000 && !onQuit.mock.calls.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(onQuit).toHaveBeenCalledOnce();
    app.unmount();
  });

  it('re-lays the screen when the terminal is resized', async () => {
    const store = await loadStore(DEMO);
    const app = render(<App store={store} file={DEMO} refreshMs={10} loadStream={() => Promise.reject(new Error('unused'))} />);
    const wait = async (test: (f: string) => boolean) => {
      for (let i = 0; i < 6000; i++) {
        if (test(app.lastFrame() ?? '')) return app.lastFrame()!;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`never: ${app.lastFrame()}`);
    };
    const wide = await wait((f) => f.includes('ftp-data'));
    const widest = (f: string) => Math.max(...f.split('\n').map((l) => [...l].length));
    expect(widest(wide)).toBeLessThanOrEqual(100);
    Object.defineProperty(app.stdout, 'columns', { value: 160, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { value: 12, configurable: true });
    app.stdout.emit('resize');
    const big = await wait((f) => widest(f) > 100);
    expect(big).toContain('GET /demo/index.html → 200 (+1 more)');
    expect(big.split('\n').length).toBeLessThanOrEqual(12);
    app.unmount();
  });
});
