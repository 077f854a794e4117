/**
 * OpenSSL's own tools, as the captures will use them: `openssl s_server` and
 * `openssl s_client -keylogfile` on loopback behind the recording proxy. The client sends
 * a KeyUpdate mid-connection (its `K` command: update_requested, so the server answers
 * with its own), which node:tls cannot do; and a resumed session with 0-RTT early data.
 * Every step waits for the previous one to show
 * on the other side, so the outcome does not depend on timing. Skipped without openssl.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptSession } from './drive.js';
import { hangGuard, RecordingProxy } from './loopback.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const FIX = new URL('./fixtures/', import.meta.url).pathname;

/** A child whose output (stdout and stderr: s_client says KEYUPDATE on stderr) we can wait on. */
class Proc {
  out = '';
  private waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const take = (d: Buffer): void => {
      this.out += d.toString('latin1');
      this.waiters = this.waiters.filter((w) => {
        const m = w.re.exec(this.out);
        if (m) w.resolve(m);
        return !m;
      });
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    this.exited = new Promise((r) => child.on('close', r));
  }

  waitFor(re: RegExp, what: string): Promise<RegExpExecArray> {
    const m = re.exec(this.out);
    if (m) return Promise.resolve(m);
    return hangGuard(new Promise((resolve) => this.waiters.push({ re, resolve })), what);
  }
}

const started: Proc[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.child.exitCode === null) p.child.kill();
});

function start(args: string[]): Proc {
  const p = new Proc(spawn('openssl', args));
  started.push(p);
  return p;
}

describe.skipIf(!hasOpenssl)('openssl s_client -keylogfile with a KeyUpdate both ways', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(suite, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'wl-openssl-'));
      const keylog = join(dir, 'keys.log');
      const server = start(['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', '-tls1_3', '-ciphersuites', suite, '-cert', FIX + 'rsa.crt', '-key', FIX + 'rsa.key']);
      const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 's_server listening'))[1]);
      const proxy = new RecordingProxy();
      const proxyPort = await proxy.listen(port);
      const client = start(['s_client', '-connect', `127.0.0.1:${proxyPort}`, '-tls1_3', '-ciphersuites', suite, '-keylogfile', keylog]);
      await client.waitFor(/Verify return code/, 's_client handshake');

      client.child.stdin.write('hello\n');
      await server.waitFor(/hello\n/, 'server got hello');
      client.child.stdin.write('K\n');
      await client.waitFor(/KEYUPDATE/, 'client sent KeyUpdate');
      client.child.stdin.write('world\n');
      await server.waitFor(/world\n/, 'server got world');
      // The server answered the update request before it read "world"; its data now goes
      // under its next key.
      server.child.stdin.write('0123 from server\n');
      await client.waitFor(/0123 from server\n/, 'client got the reply');
      client.child.stdin.end();
      await hangGuard(client.exited, 's_client exit');
      await hangGuard(proxy.finished(), 'proxy');
      await hangGuard(server.exited, 's_server exit');

      const [c2s, s2c] = [Buffer.concat(proxy.c2s), Buffer.concat(proxy.s2c)];
      const keys = readFileSync(keylog, 'latin1');
      expect(keys).toMatch(/^SERVER_TRAFFIC_SECRET_0 /m);

      const out = decryptSession(c2s, s2c, keys);
      expect(out.failures).toEqual([]);
      expect(out.handshake.c2s.filter((t) => t === 24)).toHaveLength(1);
      expect(out.handshake.s2c.filter((t) => t === 24)).toHaveLength(1);
      expect(out.app.c2s.toString()).toBe('hello\nworld\n');
      expect(out.app.s2c.toString()).toBe('0123 from server\n');

      // A dissector that misses the KeyUpdate messages still reads on: the next key is tried
      // when the current one fails, and kept once a tag verifies.
      const blind = decryptSession(c2s, s2c, keys, { ignoreKeyUpdate: true });
      expect(blind.failures).toEqual([]);
      expect(blind.app.c2s.toString()).toBe('hello\nworld\n');
      expect(blind.app.s2c.toString()).toBe('0123 from server\n');
    });
  }
});

describe.skipIf(!hasOpenssl)('openssl s_client -early_data: 0-RTT data on a resumed session', () => {
  it('decrypts the early data with the early traffic key, and the rest without it when it is not logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wl-openssl-'));
    const [sess, early, keylog] = [join(dir, 'sess.pem'), join(dir, 'early.txt'), join(dir, 'keys.log')];
    writeFileSync(early, 'early hello\n');
    const server = start(['s_server', '-accept', '127.0.0.1:0', '-naccept', '2', '-tls1_3', '-early_data', '-cert', FIX + 'rsa.crt', '-key', FIX + 'rsa.key']);
    const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 's_server listening'))[1]);

    // First connection, not recorded: only to get a session ticket that allows early data.
    const first = start(['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-sess_out', sess]);
    // s_client's stdout is buffered when it is a pipe, so watch for the session file
    // (written when the ticket arrives) rather than for its message.
    await hangGuard(
      new Promise<void>((resolve) => {
        const poll = (): void => void (existsSync(sess) && readFileSync(sess, 'latin1').includes('END SSL SESSION') ? resolve() : setTimeout(poll, 20));
        poll();
      }),
      'a session ticket',
    );
    first.child.stdin.end();
    await hangGuard(first.exited, 'first s_client exit');

    const proxy = new RecordingProxy();
    const proxyPort = await proxy.listen(port);
    const client = start(['s_client', '-connect', `127.0.0.1:${proxyPort}`, '-tls1_3', '-sess_in', sess, '-early_data', early, '-keylogfile', keylog]);
    await client.waitFor(/Early data was accepted/, 'early data accepted');
    await server.waitFor(/early hello\n/, 'server got the early data');
    client.child.stdin.write('second\n');
    await server.waitFor(/second\n/, 'server got second');
    client.child.stdin.end();
    await hangGuard(client.exited, 's_client exit');
    await hangGuard(proxy.finished(), 'proxy');

    const [c2s, s2c] = [Buffer.concat(proxy.c2s), Buffer.concat(proxy.s2c)];
    const keys = readFileSync(keylog, 'latin1');
    expect(keys).toMatch(/^CLIENT_EARLY_TRAFFIC_SECRET /m);
    const out = decryptSession(c2s, s2c, keys);
    expect(out.failures).toEqual([]);
    expect(out.facts.extensions).toContain(0x0029); // pre_shared_key: resumed
    expect(out.handshake.c2s).toEqual([5, 20]); // EndOfEarlyData (early key), Finished (handshake key)
    expect(out.app.c2s.toString()).toBe('early hello\nsecond\n');

    // Without the early secret the 0-RTT records cannot be read, and they do not cost the
    // handshake key its sequence numbers: the Finished and what follows still open.
    const noEarly = decryptSession(c2s, s2c, keys.replace(/^CLIENT_EARLY_TRAFFIC_SECRET .*$/m, ''));
    expect(noEarly.failures).toEqual(['c2s record 1: bad record MAC', 'c2s record 1: bad record MAC']); // after the plain ChangeCipherSpec
    expect(noEarly.handshake.c2s).toEqual([20]);
    expect(noEarly.app.c2s.toString()).toBe('second\n');
  });
});
