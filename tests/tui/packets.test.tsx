/**
 * The Packets and Graphs panes of a flow (issue 14), on the real lossy capture
 * (captures/tcp-analysis.pcap, flow 2: a download to a stalled reader with a
 * retransmission at frame 2557 and zero windows after it).
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { loadFlowPackets } from '../../src/packets/flow-packets.js';
import { ENTER, ESC, loadStore, renderApp, type Ui } from './helpers.js';

const TCP = 'captures/tcp-analysis.pcap';
let ui: Ui | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

/** Opens flow 2's Packets pane with the cursor on frame 2557. */
async function atRetransmission(): Promise<Ui> {
  const u = await renderApp(TCP);
  await u.waitFor('medium.bin');
  u.press('j');
  await u.waitFor(/› +2 http/);
  u.press('p');
  await u.waitFor('2546');
  u.press('jjjjjjjjjjj');
  await u.waitFor(/› +2557/);
  return u;
}

describe('Packets pane', () => {
  it("lists the flow's frames: frame, time, direction, flags, relative seq/ack, len, window, analysis, info", async () => {
    ui = await atRetransmission();
    const f = ui.lastFrame();
    expect(f).toMatch(/frame\s+time\s+flag\s+seq\s+ack\s+len\s+win analysis\s+info/);
    // The SYN from the client: relative seq 0, its window, no ACK number.
    expect(f).toMatch(/2546\s+5\.239526 → S\s+0\s+0\s+2920\s+59196 → 8080 \[SYN\]/);
    expect(f).toMatch(/2549\s+5\.239658 → PA\s+1\s+1\s+70\s+2920\s+GET \/files\/medium\.bin/);
    // The retransmission, from the server, at relative seq 3101, with Wireshark's flags.
    expect(f).toMatch(/› +2557\s+5\.269934 ← A\s+3101\s+71\s+1268\s+65536 Retrans,Win/);
    expect(f).toMatch(/2560\s+5\.345996 → A\s+71\s+5817\s+0\s+0 ZeroWin/);
    expect(f).toContain('12/258');
  });

  it('Enter shows the header tree as packets --detail prints it, then the bytes; Esc goes back to the list', async () => {
    ui = await atRetransmission();
    ui.press(ENTER);
    let f = await ui.waitFor('Frame 2557: 1334 bytes on the wire, 1334 captured');
    expect(f).toContain('    number: 2557');
    expect(f).toContain('    src: 10.77.2.1');
    ui.press('jjjjjjjjjjjjjjjjjjjj');
    f = await ui.waitFor('seq_raw');
    expect(f).toMatch(/ {4}seq: 3101\n/);
    ui.press('G');
    f = await ui.waitFor('0530  a0 00 c8 7f d2 10');
    expect(f).toMatch(/0520 {2}a7 92 70 80 75 98 42 77 {2}79 22 1e 82 60 ba ef b5 {2}\.\.p\.u\.Bwy"\.\.`\.\.\./);
    ui.press(ESC);
    f = await ui.waitFor(/› +2557/);
    expect(f).toContain('12/258');
  });

  it('on a wide terminal (140 columns and more) the bytes stand beside the header tree; narrower, below it', async () => {
    ui = await atRetransmission();
    ui.resize(150, 40);
    ui.press(ENTER);
    let f = await ui.waitFor('Frame 2557: 1334 bytes on the wire');
    const rows = f.split('\n');
    // Row for row: the tree on the left, a bar, the bytes on the right, within 150 columns.
    const first = rows.findIndex((l) => l.includes('│ Bytes (1334)'));
    expect(first).toBeGreaterThan(0);
    expect(rows[first]).toMatch(/^ {2}frame +│ Bytes \(1334\)$/);
    expect(rows[first + 1]).toMatch(/^ {4}number: 2557 +│ 0000 {2}([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} .{16}$/);
    for (const l of rows) expect([...l].length).toBeLessThanOrEqual(150);
    // The bar sits in one column on every row that has bytes beside it.
    const bars = new Set(rows.filter((l) => l.includes(' │ 0')).map((l) => [...l].indexOf('│')));
    expect([...bars]).toEqual([150 - 72 - 2]);
    // Narrow again: the bytes go back below the tree.
    ui.resize(120, 40);
    f = await ui.waitFor((s) => !s.includes('│ Bytes'));
    expect(f).toContain('    number: 2557');
    ui.press('G');
    f = await ui.waitFor(/^ {2}0530 {2}a0 00 c8 7f d2 10/m);
  });

  it('/ filters the frames with the filter language of packets --filter; errors inline; empty clears', async () => {
    ui = await atRetransmission();
    ui.press('/');
    await ui.waitFor('packet filter /');
    ui.press(`tcp.analysis.retransmission${ENTER}`);
    let f = await ui.waitFor('packet filter: tcp.analysis.retransmission (3 of 258 frames)');
    const frames = [...f.matchAll(/^[› ]\s+(\d+)\s+\d+\.\d{6} /gm)].map((m) => Number(m[1]));
    expect(frames).toHaveLength(3);
    expect(frames).toContain(2557);
    ui.press(`/${'\b'.repeat(40)}tcp.bogus == 1${ENTER}`);
    f = await ui.waitFor('unknown field "tcp.bogus"');
    expect(f).toContain('packet filter / tcp.bogus == 1');
    ui.press(ESC);
    await ui.waitFor((s) => !s.includes('packet filter /'));
    ui.press(`/${'\b'.repeat(40)}${ENTER}`);
    await ui.waitFor('packet filter cleared');
    f = await ui.waitFor((s) => s.includes('2546') && !s.includes('packet filter:'));
    expect(f).toMatch(/› +2546/);
  });

  it('reads the detail of a frame again when it was not kept, and says how many frames were left out', async () => {
    const store = await loadStore(TCP);
    const app = render(
      <App
        store={store}
        file={TCP}
        refreshMs={10}
        loadStream={() => Promise.reject(new Error('unused'))}
        loadPackets={(id, filter, onProgress) => loadFlowPackets(TCP, id, { filter, onProgress, limits: { max_packet_rows: 20, max_packet_detail_bytes: 0 } })}
      />,
    );
    const wait = async (test: (f: string) => boolean) => {
      for (let i = 0; i < 6000; i++) {
        if (test(app.lastFrame() ?? '')) return app.lastFrame()!;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`never: ${app.lastFrame()}`);
    };
    await wait((f) => f.includes('medium.bin'));
    app.stdin.write('j');
    await wait((f) => /› +2 http/.test(f));
    app.stdin.write('p');
    let f = await wait((f) => f.includes('not kept'));
    expect(f).toContain('Showing the first 20 frames; 238 more not kept');
    app.stdin.write('jjjjjjjjjjj');
    await wait((f) => /› +2557/.test(f));
    app.stdin.write(ENTER);
    f = await wait((f) => f.includes('number: 2557'));
    expect(f).toContain('Frame 2557: 1334 bytes');
    app.unmount();
  });
});

describe('Graphs pane', () => {
  it('draws the time-sequence graph per direction with the retransmissions marked, throughput, SampleRTT and the I/O graph', async () => {
    ui = await atRetransmission();
    ui.press('t');
    let f = await ui.waitFor('Time-sequence graph (Stevens), server 10.77.2.1:8080 → client: 140 segments, 3 retransmitted');
    // Braille dots, and the retransmissions drawn as ×.
    expect(f).toMatch(/[\u2801-\u28ff]/);
    expect((f.match(/×/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(f).toMatch(/197k┤/);
    ui.press('G');
    f = await ui.waitFor('I/O graph: frames per auto');
    ui.press('i');
    f = await ui.waitFor('I/O graph: frames per 1 ms');
    expect(f).toContain('I/O graph interval: 0.001 s');
    ui.press('iii');
    f = await ui.waitFor('I/O graph: frames per 1 s;');
    expect(f).toMatch(/peak \d+/);
  });
});

describe('a hostile capture in the Packets and Graphs panes', () => {
  it('shows escape sequences from the capture as text in Info, the header tree and the hex pane', async () => {
    const { hostileCapture, writeTemp } = await import('./hostile-capture.js');
    ui = await renderApp(writeTemp(hostileCapture(), 'hostile-packets.pcap'));
    await ui.waitFor('1 Flows 2');
    ui.press('p');
    let f = await ui.waitFor((s) => s.includes(' Packets ') && s.includes('HTTP/1.1 200 O'));
    expect(f).toContain('HTTP/1.1 200 O\\x1b[1AK');
    const lines = f.split('\n');
    const get = lines.findIndex((l) => /^[› ]\s+\d+\s+\d+\.\d{6} .*GET \/evil\.txt/.test(l));
    const cur = lines.findIndex((l) => l.startsWith('›'));
    ui.press('j'.repeat(get - cur));
    await ui.waitFor(/› .*GET \/evil\.txt/);
    ui.press(ENTER);
    f = await ui.waitFor(/Frame \d+: \d+ bytes on the wire/);
    expect(f).toContain('GET /evil.txt?q=%1B[2J HTTP/1.1');
    ui.press('G');
    f = await ui.waitFor(/^ {2}00[0-9a-f]0 {2}/m);
    expect(f).toContain('Bytes (');
    ui.press(ESC);
    await ui.waitFor(/› .*GET \/evil\.txt/);
    ui.press('t');
    await ui.waitFor('Time-sequence graph');
    for (const frame of ui.frames) {
      // eslint-disable-next-line no-control-regex
      const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.exec(frame);
      expect(raw, `raw control character ${JSON.stringify(raw?.[0])} in:\n${frame}`).toBeNull();
    }
  });
});
