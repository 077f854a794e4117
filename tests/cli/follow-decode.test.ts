import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import type { Direction } from '../../src/events/event.js';
import { HttpFollowDecoder } from '../../src/report/http-follow.js';
import { runCli } from '../support/run-cli.js';
import { ensureBuilt } from './cli-support.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Runs the decoder over pieces, returning what each direction shows, in order. */
function run(pieces: Array<[Direction, Uint8Array | number]>): string {
  const out: string[] = [];
  const d = new HttpFollowDecoder(DEFAULT_LIMITS, (dir, data) => out.push(`${dir === 'c2s' ? '>' : '<'}${typeof data === 'number' ? `[gap ${data}]` : dec(data)}`));
  for (const [dir, data] of pieces) d.add(dir, data);
  d.finish();
  return out.join('');
}

const BODY = 'hello, decoded world\n'.repeat(50);
const gz = gzipSync(Buffer.from(BODY));
const half = gz.length >> 1;
const chunked = Buffer.concat([Buffer.from(`${half.toString(16)}\r\n`), gz.subarray(0, half), Buffer.from(`\r\n${(gz.length - half).toString(16)}\r\n`), gz.subarray(half), Buffer.from('\r\n0\r\n\r\n')]);
const REQUEST = enc('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
const HEAD = enc('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n');

describe('follow --decode', () => {
  it('de-chunks and gunzips a response, the same however the bytes are split', () => {
    const response = new Uint8Array([...HEAD, ...chunked]);
    const whole = run([
      ['c2s', REQUEST],
      ['s2c', response],
    ]);
    expect(whole).toContain(`<${BODY}`);
    expect(whole).toMatch(/\[wirelens: chunked, gzip body decoded, \d+ B -> 1\.1 kB\]/);
    expect(whole.startsWith('>GET /a HTTP/1.1')).toBe(true);
    const bytewise = run([['c2s', REQUEST], ...[...response].map((b): [Direction, Uint8Array] => ['s2c', Uint8Array.of(b)])]);
    expect(bytewise.replace(/</g, '')).toBe(whole.replace(/</g, ''));
  });

  it('a HEAD response has no body; a gap or a non-HTTP stream passes through raw, nothing lost', () => {
    const head = run([
      ['c2s', enc('HEAD / HTTP/1.1\r\n\r\n')],
      ['s2c', enc('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')],
      ['c2s', enc('GET / HTTP/1.1\r\n\r\n')],
      ['s2c', enc('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')],
    ]);
    expect(head).toContain('<ok');
    const ftp = run([
      ['s2c', enc('220 hi\r\n')],
      ['c2s', enc('USER a\r\n')],
    ]);
    expect(ftp).toBe('<220 hi\r\n>USER a\r\n');
    const gap = run([
      ['c2s', REQUEST],
      ['s2c', HEAD],
      ['s2c', 40],
      ['s2c', chunked.subarray(0, 10)],
    ]);
    expect(gap).toBe(`>${dec(REQUEST)}<${dec(HEAD)}<[gap 40]<${dec(chunked.subarray(0, 10))}`);
  });
});

describe('wirelens follow --decode on a capture', () => {
  beforeAll(() => ensureBuilt(), 120_000);
  it('http-chunked-gzip.pcap: both gzip bodies shown decoded; a non-HTTP flow unchanged', async () => {
    const raw = (await runCli(['follow', 'captures/http-chunked-gzip.pcap', '--flow', '1'])).stdout.toString();
    const decoded = (await runCli(['follow', 'captures/http-chunked-gzip.pcap', '--flow', '1', '--decode'])).stdout.toString();
    expect(decoded.match(/\[wirelens: chunked, gzip body decoded/g)).toHaveLength(2);
    expect(decoded).toContain('< header frame frame header stream window packet');
    expect(raw).not.toContain('header frame frame header');
    const ftp = async (d: boolean) => (await runCli(['follow', 'captures/demo.pcap', '--flow', '5', ...(d ? ['--decode'] : [])])).stdout.toString();
    expect(await ftp(true)).toBe(await ftp(false));
  });
});
