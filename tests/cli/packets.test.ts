/**
 * `wirelens packets`: one line per frame whose Source, Destination, Protocol and Length
 * columns agree with `tshark -r` (Protocol where tshark names TCP, UDP or the message
 * protocol wirelens found in that frame), Info naming messages and TCP analysis flags as
 * Wireshark does, and `--json` carrying the header tree.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../oracle/tshark.js';
import { describeWith, has } from '../support/requires.js';
import { runCli } from '../support/run-cli.js';
import { ensureBuilt } from './cli-support.js';

beforeAll(() => ensureBuilt());

const capture = (name: string) => join(REPO, 'captures', name);

interface Row {
  frame: number;
  source: string;
  destination: string;
  protocol: string;
  length: number;
  info: string;
  layers: { tcp?: { len: number } };
}

async function ours(file: string): Promise<Row[]> {
  const r = await runCli(['packets', file, '--json']);
  expect(r.status).toBe(0);
  return r.stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

describe('wirelens packets', () => {
  it('names messages and TCP in the Info column', async () => {
    const text = (await runCli(['packets', capture('demo.pcap')])).stdout.toString('utf8');
    const lines = text.split('\n');
    expect(lines).toHaveLength(62); // 61 frames and the final newline
    expect(lines[1]).toMatch(/^\s+2\s+0\.000247\s+127\.0\.0\.1 → 127\.0\.0\.2\s+DNS\s+88 Standard query 0x02ad A www\.wirelens\.test$/);
    expect(lines[4]).toMatch(/TCP\s+74 53736 → 80 \[SYN\] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=4072649396 TSecr=0 WS=1024$/);
    expect(lines[7]).toMatch(/HTTP\s+162 GET \/demo\/index\.html HTTP\/1\.1$/);
    expect(text).toContain('Standard query response 0x02ad A www.wirelens.test A 192.0.2.10');
  });

  it('puts analysis flags in brackets, as Wireshark', async () => {
    const rows = await ours(capture('tcp-analysis.pcap'));
    expect(rows.some((r) => r.info.startsWith('[TCP Retransmission] '))).toBe(true);
    expect(rows.some((r) => /^\[TCP Dup ACK \d+#\d+\] /.test(r.info))).toBe(true);
    expect(rows.some((r) => r.info.includes('[TCP ZeroWindow]'))).toBe(true);
    expect(rows.some((r) => r.info.startsWith('[TCP Fast Retransmission] '))).toBe(true);
  });

  it('--detail prints the header tree under each line', async () => {
    const text = (await runCli(['packets', capture('http-large-download.pcap'), '--detail'])).stdout.toString('utf8');
    expect(text).toContain('    tcp\n        srcport: 60322\n        dstport: 80\n        stream: 0');
    expect(text).toMatch(/analysis\n\s+flags: \["window_full"\]/);
  });

  it('--keylog: Info names the messages decrypted from TLS, and the handshake in clear', async () => {
    const file = capture('tls13-keyupdate.pcap');
    const keys = join(REPO, 'captures', 'tls13-keyupdate.keys');
    const named = (rows: Row[]) => rows.filter((r) => r.protocol !== 'TCP').map((r) => `${r.frame} ${r.protocol} ${r.info}`);
    const r = await runCli(['packets', file, '--json', '--keylog', keys]);
    expect(r.status, r.stderr.toString()).toBe(0);
    const rows = r.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
    expect(named(rows)).toEqual([
      '4 TLSv1 Client Hello',
      '6 TLSv1.3 Server Hello',
      '9 HTTP GET /small.txt HTTP/1.1',
      '13 HTTP HTTP/1.1 200 OK',
      '19 HTTP GET /index.html HTTP/1.1',
      '22 HTTP HTTP/1.1 200 OK',
      '30 HTTP GET /small.txt HTTP/1.1',
      '32 HTTP HTTP/1.1 200 OK',
    ]);
    // Without the key log only the handshake is named.
    expect(named(await ours(file))).toEqual(['4 TLSv1 Client Hello', '6 TLSv1.3 Server Hello']);
    if (has('tshark')) {
      const theirs = execFileSync('tshark', ['-r', file, '-n', '-o', `tls.keylog_file:${keys}`, '-Y', 'http', '-T', 'fields', '-e', 'frame.number'], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(theirs.split('\n').filter(Boolean).map(Number)).toEqual(rows.filter((x) => x.protocol === 'HTTP').map((x) => x.frame));
    }
  });

  it('--io-interval refuses what is not a number of seconds', async () => {
    const r = await runCli(['packets', capture('demo.pcap'), '--io-interval', '10ms']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad --io-interval');
  });

  describeWith(['tshark'], '--io-interval agrees with tshark -z io,stat', () => {
    it.each([
      ['tcp-analysis.pcap', '0.5', ''],
      ['tcp-analysis.pcap', '0.25', 'tcp.stream == 1'],
      ['demo.pcap', '0.01', ''],
      ['dns-recursive.pcap', '0.05', 'dns.flags.response == 1'],
    ])('%s every %s s %s', async (name, interval, filter) => {
      const file = capture(name);
      const z = execFileSync('tshark', ['-r', file, '-q', '-z', `io,stat,${interval}${filter ? `,${filter}` : ''}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const theirs = [...z.matchAll(/^\|\s*[\d.]+ <> +(?:[\d.]+|Dur)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|(?: *\|)?$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
      const r = await runCli(['packets', file, '--io-interval', interval, '--json', ...(filter ? ['--filter', filter] : [])]);
      expect(r.status).toBe(0);
      const ours = JSON.parse(r.stdout.toString('utf8')) as { frames: number[]; bytes: number[] };
      const mine = ours.frames.map((f, i) => [f, ours.bytes[i]]);
      // tshark lists intervals up to the capture's end; ours stop at the last frame selected.
      expect(theirs.length).toBeGreaterThanOrEqual(mine.length);
      expect(theirs.slice(0, mine.length)).toEqual(mine);
      expect(theirs.slice(mine.length).every(([f]) => f === 0)).toBe(true);
    });
  });

  describeWith(['tshark'], 'columns agree with tshark', () => {
    it.each(['demo.pcap', 'http-large-download.pcap', 'tcp-analysis.pcap', 'dns-recursive.pcap', 'ftp-pasv-retr.pcap', 'smtp-auth-plain.pcap'])('%s', async (name) => {
      const file = capture(name);
      const text = execFileSync('tshark', ['-r', file, '-n', '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.number', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Protocol', '-e', 'frame.len'], {
        encoding: 'latin1',
        maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const theirs = text.split('\n').filter(Boolean).map((l) => l.split('\t'));
      const rows = await ours(file);
      expect(rows.length).toBe(theirs.length);
      for (const [i, t] of theirs.entries()) {
        const o = rows[i]!;
        expect([o.frame, o.source, o.destination, o.length]).toEqual([Number(t[0]), t[1], t[2], Number(t[4])]);
        // tshark names the highest protocol of every frame with payload; wirelens the frame
        // where a message completes (an HTTP message's body included, as tshark's reassembly).
        // Where tshark says TCP or UDP, so must wirelens.
        if (t[3] === 'TCP' || t[3] === 'UDP') expect(o.protocol, `frame ${o.frame}`).toBe(t[3]);
      }
    });
  });
});
