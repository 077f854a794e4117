/**
 * Safe output: a capture's content never acts on the user's machine. Text modes render
 * control characters and escape sequences visibly; `export` writes only inside its
 * directory and never over a file without --force; JSON is valid UTF-8 whatever the bytes.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cutToBytes, ObjectExporter, safeFileName } from '../../src/report/exporter.js';
import { visible, visibleLines } from '../../src/report/safe-text.js';
import type { ExportedObject } from '../../src/dissect/contract.js';
import { runCli } from '../support/run-cli.js';
import { ensureBuilt, pcapOf, ROOT, tcpConversation, tempFile, tempPath } from './cli-support.js';

beforeAll(() => ensureBuilt());

const CLEAR = '\x1b[2J\x1b[H';
const CLIPBOARD = '\x1b]52;c;cm0gLXJmIH4K\x07';
const TITLE = '\x1b]0;you have been pwned\x07';
const TRICKS = `${CLEAR}${CLIPBOARD}${TITLE}over\rwrite\x08\x08\u202Etxt.exe`;

/** An HTTP exchange and an FTP session whose text carries terminal attacks. */
function hostileCapture(): string {
  const http = tcpConversation([
    { dir: 'c2s', data: `GET /page${CLEAR}${TITLE}.html HTTP/1.1\r\nHost: evil${CLIPBOARD}.example\r\nUser-Agent: ${TRICKS}\r\n\r\n` },
    { dir: 's2c', data: `HTTP/1.1 200 OK${TITLE}\r\nServer: ${TRICKS}\r\nContent-Length: 4\r\n\r\nbody` },
  ]);
  const ftp = tcpConversation(
    [
      { dir: 's2c', data: `220 Welcome ${TITLE}${CLEAR}\r\n` },
      { dir: 'c2s', data: `USER ${CLIPBOARD}\r\n` },
      { dir: 's2c', data: `331 Password for ${TRICKS}\r\n` },
      { dir: 'c2s', data: 'PASS x\r\n' },
      { dir: 's2c', data: `530 Login incorrect\rFAKE 230 OK\x1b[1A\r\n` },
    ],
    21,
  );
  return tempFile(pcapOf([...http, ...ftp]), 'hostile.pcap');
}

/** Nothing that a terminal acts on: C0 (but \n and \t), DEL, C1, and bidi controls. */
function expectInert(out: Buffer, what: string): void {
  const text = out.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const raw = /[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.exec(text);
  expect(raw, `${what}: raw ${JSON.stringify(raw?.[0])} at ${raw?.index}: ${JSON.stringify(text.slice(Math.max(0, (raw?.index ?? 0) - 40), (raw?.index ?? 0) + 20))}`).toBeNull();
}

describe('terminal text renders capture content visibly', () => {
  let file: string;
  beforeAll(() => {
    file = hostileCapture();
  });

  it('flows, follow (text and hex), the text summary and report --text', async () => {
    const runs: Array<[string, string[]]> = [
      ['flows', ['flows', file]],
      ['follow http', ['follow', file, '--flow', '1']],
      ['follow ftp', ['follow', file, '--flow', '2']],
      ['follow hex', ['follow', file, '--flow', '1', '--hex']],
      ['follow one direction', ['follow', file, '--flow', '2', '--dir', 's2c']],
      ['summary (wirelens FILE | cat)', [file]],
      ['report --text', ['report', file, '--text']],
    ];
    for (const [what, args] of runs) {
      const r = await runCli(args);
      expect(r.status, `${what}: ${r.stderr}`).toBe(0);
      expect(r.stdout.length, what).toBeGreaterThan(0);
      expectInert(r.stdout, what);
      expectInert(Buffer.from(r.stderr), `${what} (stderr)`);
    }
  });

  it('shows the escapes rather than dropping them', async () => {
    const follow = (await runCli(['follow', file, '--flow', '1'])).stdout.toString();
    expect(follow).toContain('\\x1b[2J');
    expect(follow).toContain('\\x1b]52;c;cm0gLXJmIH4K\\x07');
    expect(follow).toContain('over\\x0dwrite\\x08\\x08');
    const summary = (await runCli(['report', file, '--text'])).stdout.toString();
    expect(summary).toMatch(/\\x1b/);
    const ftp = (await runCli(['follow', file, '--flow', '2'])).stdout.toString();
    expect(ftp).toContain('530 Login incorrect\\x0dFAKE 230 OK\\x1b[1A');
  });

  it('JSON output escapes control characters', async () => {
    for (const args of [['events', file], ['report', file], ['flows', file, '--json']]) {
      const r = await runCli(args);
      expect(r.status).toBe(0);
      expectInert(Buffer.from(r.stdout.toString('utf8').replace(/[\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f]/g, '')), args[0]!);
    }
  });

  it('visible() and visibleLines() escape every terminal control', () => {
    expect(visible(TRICKS)).toBe('\\x1b[2J\\x1b[H\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b]0;you have been pwned\\x07over\\x0dwrite\\x08\\x08\\u202etxt.exe');
    expect(visible('a\nb\tc\x9b')).toBe('a\\x0ab\\x09c\\x9b');
    expect(visibleLines('a\nb\tc\x7f')).toBe('a\nb\tc\\x7f');
  });
});

describe('export never writes outside its directory', () => {
  const object = (name: string, data = 'x'): ExportedObject => ({ protocol: 'http', name, content_type: null, data: Buffer.from(data), frame: 1, incomplete: false }) as unknown as ExportedObject;

  /** Every file under `dir`, as relative paths; fails on anything that is not a plain file or folder. */
  function tree(dir: string): string[] {
    const out: string[] = [];
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) out.push(...tree(p).map((x) => join(e.name, x)));
      else out.push(e.name);
    }
    return out;
  }

  it('sanitises hostile names', () => {
    const cases: Array<[string, (s: string) => void]> = [
      ['..', (s) => expect(s).toBe('object')],
      ['../../etc/passwd', (s) => expect(s).toBe('passwd')],
      ['/etc/shadow', (s) => expect(s).toBe('shadow')],
      ['C:\\Windows\\system32\\evil.dll', (s) => expect(s).toBe('evil.dll')],
      ['CON', (s) => expect(s).toBe('_CON')],
      ['con.txt', (s) => expect(s).toBe('_con.txt')],
      ['LPT1', (s) => expect(s).toBe('_LPT1')],
      ['a\x1b[2Jb\x07\r\n.txt', (s) => expect(s).toBe('a_[2Jb___.txt')],
      ['\u202Etxt.exe', (s) => expect(s).toBe('_txt.exe')],
      ['x'.repeat(5000) + '.pdf', (s) => expect(s).toMatch(/^x{116}\.pdf$/)],
      ['...', (s) => expect(s).toBe('object')],
      ['', (s) => expect(s).toBe('object')],
    ];
    for (const [name, check] of cases) {
      const s = safeFileName(name);
      check(s);
      expect(s).not.toMatch(/[/\\\x00-\x1f]/);
      expect(s.length).toBeLessThanOrEqual(120);
    }
  });

  it('writes duplicates with a suffix, never over existing files, and never through a planted link', () => {
    const base = tempPath('export-base');
    const out = join(base, 'out');
    const outside = join(base, 'outside.txt');
    mkdirSync(join(out, 'http'), { recursive: true });
    writeFileSync(outside, 'precious');
    writeFileSync(join(out, 'http', 'existing.txt'), 'old');
    symlinkSync(outside, join(out, 'http', 'planted.txt'));

    const ex = new ObjectExporter(out);
    for (const name of ['..', '../outside.txt', '/tmp/abs.txt', 'CON', 'dup.txt', 'dup.txt', 'dup.txt', 'existing.txt', 'planted.txt', 'ctl\x1b]0;t\x07.txt', 'n'.repeat(5000)]) {
      ex.write(object(name, `data of ${name.slice(0, 20)}`), 1);
    }
    const { count, index } = ex.finish((v) => JSON.stringify(v));
    expect(count).toBe(11);
    expect(dirname(index)).toBe(resolve(out));

    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(readFileSync(join(out, 'http', 'existing.txt'), 'utf8')).toBe('old');
    expect(lstatSync(join(out, 'http', 'planted.txt')).isSymbolicLink()).toBe(true);
    expect(readdirSync(base).sort()).toEqual(['out', 'outside.txt']);
    const files = tree(out);
    expect(files).toContain('http/dup.txt');
    expect(files).toContain('http/dup (1).txt');
    expect(files).toContain('http/dup (2).txt');
    expect(files).toContain('http/existing (1).txt');
    expect(files).toContain('http/planted (1).txt');
    expect(files).toContain('http/_CON');
    for (const f of files) {
      expect(relative(out, resolve(out, f)).startsWith('..')).toBe(false);
      expect(f.split('/').pop()!.length).toBeLessThanOrEqual(120);
      // eslint-disable-next-line no-control-regex
      expect(f).not.toMatch(/[\x00-\x1f]/);
    }
  });

  it('--force replaces files and links, but a link is replaced, never followed', () => {
    const base = tempPath('export-force');
    const out = join(base, 'out');
    const outside = join(base, 'outside.txt');
    mkdirSync(join(out, 'http'), { recursive: true });
    writeFileSync(outside, 'precious');
    symlinkSync(outside, join(out, 'http', 'planted.txt'));
    writeFileSync(join(out, 'http', 'existing.txt'), 'old');
    const ex = new ObjectExporter(out, true);
    ex.write(object('planted.txt', 'new'), 1);
    ex.write(object('existing.txt', 'new'), 1);
    ex.finish((v) => JSON.stringify(v));
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(lstatSync(join(out, 'http', 'planted.txt')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'http', 'existing.txt'), 'utf8')).toBe('new');
  });

  it('the CLI: hostile URIs, a planted link, a second run without --force', async () => {
    const names = ['..%2F..%2Fescape.txt', '%2Fetc%2Fpasswd', 'CON', 'a%1B%5B2J%07b.txt', 'x'.repeat(5000) + '.bin', 'dup.txt', 'dup.txt', 'planted.txt'];
    const segments = names.flatMap((n) => [
      { dir: 'c2s' as const, data: `GET /dir/${n} HTTP/1.1\r\nHost: h\r\n\r\n` },
      { dir: 's2c' as const, data: `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc` },
    ]);
    const capture = tempFile(pcapOf(tcpConversation(segments)), 'names.pcap');
    const base = tempPath('export-cli');
    const out = join(base, 'out');
    mkdirSync(join(out, 'http'), { recursive: true });
    writeFileSync(join(base, 'outside.txt'), 'precious');
    symlinkSync(join(base, 'outside.txt'), join(out, 'http', 'planted.txt'));

    const first = await runCli(['export', capture, '--out', out]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.toString()).toMatch(/^8 objects written/);
    expectInert(first.stdout, 'export');
    const second = await runCli(['export', capture, '--out', out]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.toString()).toContain('index (1).json');

    expect(readFileSync(join(base, 'outside.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(base).sort()).toEqual(['out', 'outside.txt']);
    expect(existsSync('/etc/passwd.1')).toBe(false);
    const files = tree(out);
    expect(files.filter((f) => f.startsWith('http/')).length).toBe(17); // 8 + 8 + the planted link
    expect(files).toContain('http/escape.txt');
    expect(files).toContain('http/passwd');
    expect(files).toContain('http/_CON');
    expect(files).toContain('http/dup (1).txt');
    expect(files).toContain('http/dup (3).txt');
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { objects: Array<{ file: string; name: string }> };
    expect(index.objects.map((o) => o.file)).toContain('http/planted (1).txt');
  });
});

describe('JSON output is valid UTF-8 whatever the bytes', () => {
  it('invalid UTF-8 and lone-surrogate encodings on the wire give valid UTF-8 JSON', async () => {
    // \xed\xa0\x80 is a UTF-8-encoded lone surrogate (invalid UTF-8), \xff\xfe never valid, \xc3\xa9 is é.
    const weird = Buffer.from('GET /caf\xc3\xa9/\xed\xa0\x80\xff\xfe HTTP/1.1\r\nHost: h\xe9\r\nX-Ok: caf\xc3\xa9\r\n\r\n', 'latin1');
    const capture = tempFile(pcapOf(tcpConversation([{ dir: 'c2s', data: weird }, { dir: 's2c', data: 'HTTP/1.1 204 No Content\r\n\r\n' }])), 'bytes.pcap');
    for (const args of [['events', capture], ['report', capture]]) {
      const r = await runCli(args);
      expect(r.status).toBe(0);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(r.stdout);
      if (args[0] === 'events') for (const line of text.split('\n').filter(Boolean)) JSON.parse(line);
      else JSON.parse(text);
      // Each byte of a line that is not valid UTF-8 becomes one code point (ISO-8859-1); the
      // C1 control U+0080 is escaped in JSON as C0 controls are.
      expect(text).toContain('/caf\u00c3\u00a9/\u00ed\u00a0\\u0080\u00ff\u00fe');
      expect(text).toContain('h\u00e9');
      // Each header value is decoded on its own: a valid UTF-8 one as UTF-8.
      if (args[0] === 'events') expect(text).toContain('["X-Ok","café"]');
    }
  });
});

describe('issue 19: check output, error messages and export names', () => {
  const C1_CSI = '\u009b';
  const RLO = '\u202e';
  /** An HTTP exchange whose Host and URI carry a C1 CSI and a right-to-left override. */
  const capture = (host: string, uri: string) =>
    pcapOf(
      tcpConversation([
        { dir: 'c2s', data: `GET ${uri} HTTP/1.1\r\nHost: ${host}\r\n\r\n` },
        { dir: 's2c', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' },
      ]),
    );

  /** Well-formed XML 1.0 as far as a CI reader cares: legal characters, known entities, balanced elements. */
  function expectValidXml(xml: string): void {
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(xml.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toMatch(/&/);
    const stack: string[] = [];
    for (const m of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([a-z]+)((?:\s+[a-z]+="[^"<]*")*)\s*(\/?)>|<|>/g)) {
      expect(m[2], `stray ${m[0]}`).toBeDefined();
      if (m[4]) continue;
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]!);
    }
    expect(stack).toEqual([]);
  }

  it('check: ::error lines, --update diffs and JUnit XML carry no raw C1 or bidi controls', async () => {
    const golden = tempPath('golden.json');
    const benign = tempFile(capture('plain.example', '/index.html'), 'plain.pcap');
    const hostile = tempFile(capture(`evil${C1_CSI}31m${RLO}gpj.exe`, `/x${C1_CSI}2J${RLO}`), `hostile${RLO}${C1_CSI}.pcap`);
    expect((await runCli(['check', benign, '--golden', golden, '--update'])).status).toBe(0);

    const junit = tempPath('junit.xml');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'wirelens'), 'check', hostile, '--golden', golden, '--junit', junit], {
      cwd: ROOT,
      env: { ...process.env, GITHUB_ACTIONS: 'true' },
    });
    expect(r.status, r.stderr.toString()).toBe(1);
    const stdout = r.stdout.toString('utf8');
    expect(stdout).toMatch(/^::error file=/m);
    expect(stdout).toContain('\\x9b');
    expect(stdout).toContain('\\u202e');
    expectInert(r.stdout, 'check (GitHub)');
    expectInert(r.stderr, 'check (GitHub) stderr');
    const xml = readFileSync(junit, 'utf8');
    expectValidXml(xml);
    expectInert(Buffer.from(xml), 'JUnit XML');
    expect(xml).toContain('\\x9b');

    const update = await runCli(['check', hostile, '--golden', golden, '--update']);
    expect(update.status, update.stderr).toBe(0);
    expect(update.stdout.toString()).toMatch(/updated .*golden\.json:\n/);
    expect(update.stdout.toString()).toContain('\\x9b');
    expectInert(update.stdout, 'check --update');
  });

  it('every error message escapes what it quotes', async () => {
    const missing = tempPath(`missing${C1_CSI}2J${RLO}.pcap`);
    for (const args of [['events', missing], ['check', missing, '--golden', tempPath('g.json')], ['events', tempFile(capture('a', '/'), 'ok.pcap'), '--filter', `http.host == "\u009b" and (`]]) {
      const r = await runCli(args);
      expect(r.status, args[0]).toBe(2);
      expectInert(Buffer.from(r.stderr), `${args[0]} error`);
      expectInert(r.stdout, `${args[0]} stdout`);
    }
  });

  it('export caps names at 255 bytes on a character boundary', () => {
    for (const ch of ['日', 'é', '😀', 'x']) {
      for (const ext of ['', '.pdf']) {
        const s = safeFileName(ch.repeat(500) + ext);
        expect(Buffer.byteLength(s), `${ch}${ext}`).toBeLessThanOrEqual(255 - 16);
        expect(Array.from(s).length).toBeLessThanOrEqual(120);
        expect(s).not.toMatch(/\ufffd|[\ud800-\udbff](?![\udc00-\udfff])/);
        expect(s.endsWith(ext)).toBe(true);
      }
    }
    expect(cutToBytes('a日b', 3)).toBe('a');
    expect(cutToBytes('a日b', 4)).toBe('a日');
  });

  it('export: hostile names are written, and one failing object stops no other', async () => {
    const names = [`${'%E6%97%A5'.repeat(120)}.txt`, `${'%F0%9F%98%80'.repeat(100)}`, 'a.txt'];
    const http = tcpConversation(
      names.flatMap((n) => [
        { dir: 'c2s' as const, data: `GET /${n} HTTP/1.1\r\nHost: h\r\n\r\n` },
        { dir: 's2c' as const, data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc' },
      ]),
    );
    const file = tempFile(pcapOf(http), 'long-names.pcap');
    const out = tempPath('export-bytes');
    const ok = await runCli(['export', file, '--out', out]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toMatch(/^3 objects written/);
    for (const f of readdirSync(join(out, 'http'))) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(255);

    // A file planted where the protocol's folder goes makes every HTTP object fail: each is
    // reported, the index is still written, and the exit status says so.
    const blocked = tempPath('export-blocked');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'http'), 'planted');
    const r = await runCli(['export', file, '--out', blocked]);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.filter((l) => /could not export http object/.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/0 objects written, 3 failed/);
    expectInert(Buffer.from(r.stderr), 'export failures');
    expect(JSON.parse(readFileSync(join(blocked, 'index.json'), 'utf8'))).toEqual({ objects: [] });
  });
});
