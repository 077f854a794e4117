/**
 * Key logs written by real clients through SSLKEYLOGFILE: curl (OpenSSL) and wget (GnuTLS
 * on Debian), TLS 1.2 and 1.3, against a node HTTPS server behind the recording proxy.
 * The decrypted request must be the client's GET and the decrypted response the server's
 * body. Each client is skipped when it is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { keyLogWarning, parseKeyLog } from '../../src/capture/keylog.js';
import { decryptSession } from './drive.js';
import { hangGuard, RecordingProxy, RSA } from './loopback.js';

const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const BODY = Buffer.from(Array.from({ length: 50_000 }, (_, i) => 0x41 + (i % 26)));

async function fetchThroughProxy(version: SecureVersion, client: (url: string) => [string, string[]], keylog: string) {
  const server = https.createServer({ ...RSA, minVersion: version, maxVersion: version }, (req, res) => {
    res.setHeader('Connection', 'close');
    res.end(req.url === '/wirelens' ? BODY : 'no');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy = new RecordingProxy();
  const port = await proxy.listen((server.address() as net.AddressInfo).port);
  const [cmd, args] = client(`https://127.0.0.1:${port}/wirelens`);
  const child = spawn(cmd, args, { env: { ...process.env, SSLKEYLOGFILE: keylog }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await hangGuard(once(child, 'close'), `${cmd}`)) as [number];
  await hangGuard(proxy.finished(), 'proxy');
  server.close();
  return { code, err, got: Buffer.concat(out), c2s: Buffer.concat(proxy.c2s), s2c: Buffer.concat(proxy.s2c) };
}

const CLIENTS: Array<{ name: string; available: boolean; run: (v: SecureVersion) => (url: string) => [string, string[]] }> = [
  {
    name: 'curl (OpenSSL)',
    available: has('curl'),
    run: (v) => (url) => ['curl', ['-sS', '-k', '--http1.1', ...(v === 'TLSv1.3' ? ['--tlsv1.3'] : ['--tlsv1.2', '--tls-max', '1.2']), url]],
  },
  {
    name: 'wget (GnuTLS)',
    available: has('wget'),
    run: (v) => (url) => ['wget', ['-q', '--no-check-certificate', `--secure-protocol=${v === 'TLSv1.3' ? 'TLSv1_3' : 'TLSv1_2'}`, '-O', '-', url]],
  },
];

for (const c of CLIENTS) {
  describe.skipIf(!c.available)(`${c.name} with SSLKEYLOGFILE`, () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      it(version, async () => {
        const keylog = join(mkdtempSync(join(tmpdir(), 'wl-client-')), 'keys.log');
        const r = await fetchThroughProxy(version, c.run(version), keylog);
        expect(r.code, r.err).toBe(0);
        expect(r.got.equals(BODY)).toBe(true);
        const text = readFileSync(keylog, 'latin1');
        const parsed = parseKeyLog(text);
        expect(keyLogWarning('keys.log', parsed)).toBeNull();
        expect(parsed.store.size).toBe(version === 'TLSv1.3' ? parsed.lines : 1);

        const out = decryptSession(r.c2s, r.s2c, parsed.store);
        expect(out.facts.version).toBe(version === 'TLSv1.3' ? 0x0304 : 0x0303);
        expect(out.failures).toEqual([]);
        expect(out.app.c2s.toString('latin1')).toMatch(/^GET \/wirelens HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
        const response = out.app.s2c;
        const headEnd = response.indexOf('\r\n\r\n');
        expect(response.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
        expect(response.subarray(headEnd + 4).equals(BODY)).toBe(true);
      });
    }
  });
}
