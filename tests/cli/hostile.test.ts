/**
 * Hostile input, round 2 (issue 19), through the real `bin/wirelens`: unknown `--limit`
 * names, filters nested to overflow a stack or built to backtrack forever, and captures
 * read from a FIFO or a process substitution.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, pcapOf, ROOT, tcpConversation, tempFile, tempPath, wirelens } from './cli-support.js';

beforeAll(() => ensureBuilt());

const http = tcpConversation([
  { dir: 'c2s', data: 'GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! HTTP/1.1\r\nHost: a\r\n\r\n' },
  { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' },
]);
const GOOD = pcapOf(http);

describe('--limit names', () => {
  it('refuses names inherited from Object.prototype', () => {
    const file = tempFile(GOOD, 'good.pcap');
    for (const name of ['constructor', '__proto__']) {
      const r = wirelens(['events', file, '--limit', `${name}=1`]);
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toMatch(/bad --limit/);
    }
    expect(wirelens(['events', file, '--limit', 'max_line=100']).status).toBe(0);
  });
});

describe('filters', () => {
  it('a filter nested 50,000 deep is refused with the limit, not a stack overflow', () => {
    const file = tempFile(GOOD, 'good.pcap');
    for (const filter of [`${'('.repeat(50_000)}http${')'.repeat(50_000)}`, `${'not '.repeat(30_000)}http`]) {
      const r = wirelens(['events', file, '--filter', filter]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/nests deeper than 256/);
      expect(r.stderr).not.toMatch(/Maximum call stack|internal error/);
    }
  });

  it('a catastrophic `matches` pattern finishes', () => {
    const file = tempFile(GOOD, 'good.pcap');
    const r = wirelens(['events', file, '--filter', 'http.uri matches "^/(a+)+$"']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.toString()).toBe('');
    const hit = wirelens(['events', file, '--filter', 'http.uri matches "^/(a+)+!$"']);
    expect(hit.stdout.toString()).toMatch(/"type":"http.request"/);
  });
});

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

describe.skipIf(!hasMkfifo)('non-seekable inputs are read as streams', () => {
  it('a FIFO', async () => {
    const file = tempFile(GOOD, 'good.pcap');
    const fifo = tempPath('capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo], { stdio: 'ignore' });
    const r = wirelens(['flows', fifo]);
    await new Promise((resolve) => writer.on('exit', resolve));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.toString()).toMatch(/http/);
  });

  it('a process substitution, <(cat f)', () => {
    const file = tempFile(GOOD, 'good.pcap');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" bin/wirelens report <(cat "$1")`, 'bash', file], { cwd: ROOT });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(JSON.parse(r.stdout.toString()).capture.format).toBe('pcap');
  });
});

describe('output into a pipe', () => {
  it('waits for the reader instead of queueing in memory (a flood wrote 1 GB ahead of `| md5sum`)', async () => {
    // 32 MiB written at once into a pipe of 64 KiB: without blocking writes Node queues
    // nearly all of it; with them nothing is left queued when the writes return.
    const io = JSON.stringify(join(ROOT, 'dist', 'cli', 'io.js'));
    const script = `const { out } = await import(${io}); const b = Buffer.alloc(1 << 20, 97); for (let i = 0; i < 32; i++) out(b); process.stderr.write('queued ' + process.stdout.writableLength);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (c: Buffer) => (bytes += c.length));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status, err).toBe(0);
    expect(err).toBe('queued 0');
    expect(bytes).toBe(32 << 20);
  });
});
