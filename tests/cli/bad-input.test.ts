/**
 * Bad files get clear answers, from the command line (run in-process by runCli, the same
 * code as `bin/wirelens`; standard input in a real one): one line on stderr naming the
 * problem, never a stack trace; exit 2 when nothing could be read, 0 (with the problem
 * among the anomalies) when part of it could.
 */
import { mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { block, concat, epb, idb, pcapHeader, pcapRecord, shb } from '../capture/builders.js';
import { ethernet, ipv4, tcp } from '../decode/frames.js';
import { runCli } from '../support/run-cli.js';
import { ensureBuilt, pcapOf, tcpConversation, tempFile, tempPath, type CliResult } from './cli-support.js';

beforeAll(() => ensureBuilt());

const stderrLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l !== '');

function expectOneClearLine(r: CliResult, names: RegExp): void {
  const lines = stderrLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^wirelens: /);
  expect(lines[0]).toMatch(names);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
}

function anomalyCodes(r: CliResult): string[] {
  return r.stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; code?: string })
    .filter((e) => e.type === 'anomaly')
    .map((e) => e.code!);
}

const http = tcpConversation([
  { dir: 'c2s', data: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' },
  { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' },
]);
const GOOD = pcapOf(http);

describe('nothing could be read: exit 2 and one line', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['an empty file', () => tempFile(new Uint8Array(0), 'empty.pcap'), /empty file/],
    ['a zip archive', () => tempFile(Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'), Buffer.alloc(40)]), 'a.zip'), /not a capture file.*zip/i],
    ['an ELF executable', () => tempFile(Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'), Buffer.alloc(56)]), 'a.out'), /not a capture file.*ELF/i],
    ['a PDF', () => tempFile('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'a.pdf'), /not a capture file.*PDF/i],
    ['a PNG image', () => tempFile(Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 'latin1'), Buffer.alloc(20)]), 'a.png'), /not a capture file.*PNG/i],
    ['a text file', () => tempFile('GET / HTTP/1.1\nthis is a note, not a capture\n', 'notes.txt'), /not a capture file.*text/i],
    ['a missing file', () => tempPath('missing.pcap'), /no such file/],
    ['a directory', () => {
      const d = tempPath('dir.pcap');
      mkdirSync(d);
      return d;
    }, /directory/],
    ['a truncated pcap file header', () => tempFile(GOOD.subarray(0, 10), 'short-header.pcap'), /header cut short|too short/],
    ['a pcapng file cut inside its section header', () => tempFile(shb(true).subarray(0, 20), 'short-shb.pcapng'), /cut short|too short/],
    ['a gzip file cut before any capture byte', () => tempFile(gzipSync(GOOD).subarray(0, 12), 'cut.pcap.gz'), /gzip/],
    ['gzip of a text file', () => tempFile(gzipSync(Buffer.from('just some text\n')), 'notes.gz'), /gzip.*not a capture/],
  ];
  for (const [what, make, names] of cases) {
    it(`${what}`, async () => {
      const path = make();
      for (const command of [['events'], ['report'], []]) {
        const r = await runCli([...command, path]);
        expect(r.status, `${command.join(' ')}: ${r.stderr}`).toBe(2);
        expectOneClearLine(r, names);
        expect(r.stderr).toContain(path);
        expect(r.stdout.length).toBe(0);
      }
    });
  }

  it('every command says the same for a file that is not a capture', async () => {
    const path = tempFile('plain text\n', 'plain.txt');
    for (const command of [['flows', path], ['follow', path, '--flow', '1'], ['export', path, '--out', tempPath('out')]]) {
      const r = await runCli(command);
      expect(r.status, command[0]).toBe(2);
      expectOneClearLine(r, /not a capture file/);
    }
    // `check` reports each capture in its own result list, on stdout, for CI logs.
    const check = await runCli(['check', path, '--golden', tempPath('g.json')]);
    expect(check.status).toBe(2);
    expect(check.stdout.toString()).toMatch(/not a capture file/);
    expect(check.stderr).not.toMatch(/\n\s+at /);
  });

  it('empty standard input', async () => {
    const r = await runCli(['events', '-'], { input: new Uint8Array(0) });
    expect(r.status).toBe(2);
    expectOneClearLine(r, /stdin.*empty/);
  });
});

describe('part could be read: exit 0, the problem among the anomalies, one line on stderr', () => {
  /** Runs `events` and checks the outcome; returns the events' anomaly codes. */
  async function partial(bytes: Uint8Array, name: string, code: string, names: RegExp): Promise<string[]> {
    const path = tempFile(bytes, name);
    const r = await runCli(['events', path]);
    expect(r.status, r.stderr).toBe(0);
    const codes = anomalyCodes(r);
    expect(codes).toContain(code);
    expectOneClearLine(r, names);
    // The text summary names it too, as an anomaly.
    const text = await runCli(['report', '--text', path]);
    expect(text.status).toBe(0);
    expect(text.stdout.toString()).toContain(code);
    return codes;
  }

  it('a truncated packet record', async () => {
    await partial(GOOD.subarray(0, GOOD.length - 7), 'cut-record.pcap', 'capture.truncated', /cut short|ends in the middle|truncated/);
  });

  it('a record header cut in the middle', async () => {
    const cut = pcapOf(http.slice(0, 3));
    await partial(concat(cut, new Uint8Array(9)), 'cut-record-header.pcap', 'capture.truncated', /cut short|ends in the middle|truncated/);
  });

  it('a caplen larger than the snaplen', async () => {
    const file = concat(pcapHeader('us-le', 1, 64), ...http.map((f, i) => pcapRecord('us-le', 1_700_000_000 + i, 0, f)));
    await partial(file, 'over-snaplen.pcap', 'capture.snaplen_exceeded', /snaplen/);
  });

  it('a caplen larger than 256 MB', async () => {
    const file = concat(pcapOf(http.slice(0, 2)), pcapRecord('us-le', 1_700_000_009, 0, new Uint8Array(8), 300 * 1024 * 1024, 300 * 1024 * 1024));
    await partial(file, 'huge-record.pcap', 'capture.packet_too_large', /256 MB|too large|claims/);
  });

  it('a pcapng block whose length fields disagree', async () => {
    const frame = http[0]!;
    const good = epb(true, 0, 1_700_000_000_000_000n, frame);
    const body = good.subarray(8, good.length - 4);
    const liar = block(true, 6, body, { tail: good.length + 8 });
    const file = concat(shb(true), idb(true, 1, 65535), good, liar, epb(true, 0, 1_700_000_001_000_000n, http[1]!));
    await partial(file, 'lengths-disagree.pcapng', 'capture.bad_record', /length/);
  });

  it('an unknown link type: named with its number, not called damage, counted in the summary', async () => {
    await partial(pcapOf(http, 4242), 'unknown-link.pcap', 'capture.unknown_link_type', /link type 4242 is not supported/);
    const path = tempFile(pcapOf(http, 187), 'bluetooth.pcap');
    const r = await runCli(['events', path]);
    expect(r.stderr.toString()).toMatch(/link type 187 \(BLUETOOTH_HCI_H4\) is not supported: its frames are counted, not decoded \(first at frame 1\)/);
    // Once, not once per frame.
    expect(r.stderr.toString().match(/link type 187/g)).toHaveLength(1);
    expect(r.stderr.toString()).not.toMatch(/damaged/);
    const summary = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { type: string; link_types?: unknown }).find((e) => e.type === 'capture.summary');
    expect(summary?.link_types).toEqual([{ link_type: 187, name: 'linktype_187', packets: http.length, skipped: http.length }]);
  });

  it('an IPv4 header length below 20', async () => {
    const bad = ethernet(0x0800, ipv4({ payload: tcp({ payload: [1, 2, 3] }) }));
    bad[14] = 0x44; // version 4, IHL 4 words = 16 bytes
    await partial(pcapOf([...http, bad]), 'ihl-16.pcap', 'ip.bad_header_length', /header length/);
  });

  it('a bad TCP data offset', async () => {
    const bad = ethernet(0x0800, ipv4({ payload: tcp({ dataOffsetWords: 3, payload: [1, 2, 3] }) }));
    await partial(pcapOf([...http, bad]), 'doff-3.pcap', 'tcp.bad_data_offset', /data offset/);
  });

  it('a gzip file that is cut short', async () => {
    // Enough packets that the cut leaves some of them readable.
    const many = pcapOf(Array.from({ length: 40 }, () => http).flat());
    const gz = gzipSync(many, { level: 1 });
    await partial(gz.subarray(0, gz.length >> 1), 'cut.pcap.gz', 'capture.truncated', /gzip/);
  });

  it('a clean capture prints nothing on stderr', async () => {
    const r = await runCli(['events', tempFile(GOOD, 'good.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(anomalyCodes(r)).toEqual([]);
  });
});
