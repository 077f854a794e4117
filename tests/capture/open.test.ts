import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CaptureError, describeOpenError, peekFormat } from '../../src/capture/index.js';
import { concat, epb, idb, pcapHeader, pcapRecord, readAll, shb, tempFile } from './builders.js';

const PCAP = concat(pcapHeader('us-le', 1), pcapRecord('us-le', 5, 6, Uint8Array.from([1, 2, 3])), pcapRecord('us-le', 7, 8, Uint8Array.from([4, 5])));
const PCAPNG = concat(shb(false), idb(false, 101, 0), epb(false, 0, 42n, Uint8Array.from([0x45, 0])));

async function errorOf(path: string): Promise<string> {
  try {
    await readAll(path);
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a CaptureError');
}

describe('opening and sniffing', () => {
  const cases: Array<[string, Uint8Array | string, RegExp]> = [
    ['zip', concat(Uint8Array.from([0x50, 0x4b, 0x03, 0x04]), new Uint8Array(40)), /looks like a zip archive/],
    ['elf', concat(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), new Uint8Array(40)), /an ELF executable/],
    ['pdf', '%PDF-1.7\n%âãÏÓ\n1 0 obj\n', /a PDF/],
    ['text', 'No.     Time           Source                Destination\n', /a text file/],
    ['html', '<!DOCTYPE html><html><body>hi</body></html>', /an HTML page/],
    ['png', concat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), new Uint8Array(20)), /a PNG image/],
    ['xz', concat(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), new Uint8Array(20)), /xz-compressed/],
    ['bz2', 'BZh91AY&SY' + '\u0000'.repeat(20), /bzip2/],
    ['snoop', 'snoop\u0000\u0000\u0000\u0000\u0000\u0000\u0002', /snoop/],
    ['empty', new Uint8Array(0), /: empty file$/],
    ['binary', Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), /unknown data \(first bytes 00 01 02 03\)/],
  ];
  for (const [name, bytes, expected] of cases) {
    it(`names a ${name} file`, async () => {
      const path = tempFile(bytes, name);
      const msg = await errorOf(path);
      expect(msg).toMatch(expected);
      expect(msg.startsWith(path)).toBe(true);
    });
  }

  it('reports a missing file', async () => {
    expect(await errorOf('/nonexistent/dir/x.pcap')).toBe('/nonexistent/dir/x.pcap: no such file');
  });

  it('reports a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirelens-dir-'));
    expect(await errorOf(dir)).toBe(`${dir}: a directory, not a capture file`);
  });

  it.skipIf(process.getuid?.() === 0)('reports a file it may not read', async () => {
    const path = tempFile(PCAP, 'secret.pcap');
    chmodSync(path, 0);
    expect(await errorOf(path)).toBe(`${path}: permission denied`);
  });

  it('words open errors on one line', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: x`), { code });
    expect(describeOpenError('a.pcap', err('EACCES')).message).toBe('a.pcap: permission denied');
    expect(describeOpenError('a.pcap', err('EPERM')).message).toBe('a.pcap: permission denied');
    expect(describeOpenError('a.pcap', err('ENOENT')).message).toBe('a.pcap: no such file');
    expect(describeOpenError('a.pcap', err('EISDIR')).message).toBe('a.pcap: a directory, not a capture file');
    expect(describeOpenError('a.pcap', err('EIO')).message).toBe('a.pcap: cannot be opened (EIO: x)');
  });

  it('reads gzip-compressed pcap and pcapng', async () => {
    const a = await readAll(tempFile(gzipSync(PCAP), 'a.pcap.gz'));
    expect(a.starts).toEqual([{ format: 'pcap', compressed: true }]);
    expect(a.summary).toMatchObject({ format: 'pcap', compressed: true, packets: 2, file_bytes: PCAP.length });
    expect(a.packets.map((p) => p.ts)).toEqual(['5.000006000', '7.000008000']);
    const b = await readAll(tempFile(gzipSync(PCAPNG), 'b.pcapng.gz'));
    expect(b.summary).toMatchObject({ format: 'pcapng', compressed: true, packets: 1 });
    expect(b.packets[0]!.ts).toBe('0.000042000');
  });

  it('reads a multi-member gzip file', async () => {
    const half = 24 + 16 + 3;
    const r = await readAll(tempFile(concat(gzipSync(PCAP.subarray(0, half)), gzipSync(PCAP.subarray(half))), 'multi.gz'));
    expect(r.summary.packets).toBe(2);
    expect(r.problems).toEqual([]);
  });

  it('keeps the packets before a cut in a gzip stream and reports it', async () => {
    const big = concat(pcapHeader('us-le', 1), ...Array.from({ length: 2000 }, (_, i) => pcapRecord('us-le', i, 0, new Uint8Array(200).fill(i & 0xff))));
    const gz = gzipSync(big, { level: 1 });
    const r = await readAll(tempFile(gz.subarray(0, Math.floor(gz.length / 2)), 'cut.gz'));
    expect(r.summary.packets).toBeGreaterThan(100);
    expect(r.summary.packets).toBeLessThan(2000);
    expect(r.packets.every((p, i) => p.frame === i + 1 && p.data[0] === (i & 0xff))).toBe(true);
    expect(r.problems.map((p) => p.code)).toContain('capture.truncated');
    expect(r.problems.find((p) => /gzip/.test(p.detail))?.frame).toBe(r.summary.packets);
  });

  it('names what a gzip file holds when it is not a capture', async () => {
    expect(await errorOf(tempFile(gzipSync('hello world, this is text\n'), 'text.gz'))).toMatch(/gzip-compressed, but the content looks like a text file/);
  });

  it('reports progress against the file size', async () => {
    const calls: Array<[number, number | null]> = [];
    const path = tempFile(PCAP);
    await readAll(path, { onProgress: (read, total) => calls.push([read, total]) });
    expect(calls.at(-1)).toEqual([PCAP.length, PCAP.length]);
  });
});

describe('standard input', () => {
  it('reads "-" from a stream delivered one byte at a time', async () => {
    async function* bytes(): AsyncGenerator<Uint8Array> {
      for (const b of PCAPNG) yield Uint8Array.of(b);
    }
    const calls: Array<number | null> = [];
    const r = await readAll('-', { stdin: bytes(), onProgress: (_n, total) => calls.push(total) });
    expect(r.summary).toMatchObject({ format: 'pcapng', packets: 1, file_bytes: PCAPNG.length });
    expect(r.packets[0]!.data).toEqual([0x45, 0]);
    expect(calls.every((t) => t === null)).toBe(true);
  });

  it('reads "-" from a real pipe (a child process writing gzip data)', async () => {
    const child = spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { stdio: ['pipe', 'pipe', 'inherit'] });
    Readable.from([Buffer.from(gzipSync(PCAP))]).pipe(child.stdin);
    const r = await readAll('-', { stdin: child.stdout });
    expect(r.summary).toMatchObject({ format: 'pcap', compressed: true, packets: 2 });
    expect(r.packets.map((p) => p.data)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('reads "-" as process.stdin by default (child process running the reader)', async () => {
    // Node 20 cannot import TypeScript, so the reader's sources are transpiled into a temp
    // directory with the TypeScript compiler API, and a tiny program reads its real stdin.
    const ts = await import('typescript');
    const { readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
    const out = mkdtempSync(join(tmpdir(), 'wirelens-stdin-'));
    const files = ['index', 'types', 'sniff', 'peek', 'sources', 'record-stream', 'pcap-reader', 'pcapng-reader', 'timestamps'];
    mkdirSync(join(out, 'capture'));
    mkdirSync(join(out, 'events'));
    const compile = (src: string, dst: string): void => {
      const js = ts.transpileModule(readFileSync(src, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(dst, js);
    };
    for (const f of files) compile(join('src/capture', `${f}.ts`), join(out, 'capture', `${f}.js`));
    compile('src/events/time.ts', join(out, 'events', 'time.js'));
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(out, 'main.js'),
      `import { readCapture } from './capture/index.js';
       const frames = [];
       const s = await readCapture('-', { packet: (p) => frames.push(p.frame + '@' + p.ts), problem: (p) => frames.push(p.code) });
       console.log(JSON.stringify({ packets: s.packets, format: s.format, frames }));`,
    );
    const child = spawn(process.execPath, [join(out, 'main.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(Buffer.from(PCAP));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ packets: 2, format: 'pcap', frames: ['1@5.000006000', '2@7.000008000'] });
  });
});

describe('peekFormat (the work plan asks it before the reader opens the file)', () => {
  it('names the format of a regular file, as the reader sniffs it', () => {
    expect(peekFormat(tempFile(PCAP))).toEqual({ kind: 'pcap', littleEndian: true, nanoseconds: false });
    expect(peekFormat(tempFile(PCAPNG))).toEqual({ kind: 'pcapng' });
    expect(peekFormat(tempFile(gzipSync(PCAP)))).toEqual({ kind: 'gzip' });
    expect(peekFormat(tempFile(new Uint8Array(0)))).toEqual({ kind: 'other', description: 'an empty file' });
  });

  it('is null for what it cannot read, and never opens a FIFO (that would take the reader’s bytes or block)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirelens-peek-'));
    expect(peekFormat(join(dir, 'missing.pcap'))).toBeNull();
    expect(peekFormat(dir)).toBeNull();
    const fifo = join(dir, 'capture.fifo');
    // Opening a FIFO with no writer blocks this thread: the test would hang, not fail quietly.
    if (spawnSync('mkfifo', [fifo]).status === 0) expect(peekFormat(fifo)).toBeNull();
  });
});
