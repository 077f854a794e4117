/**
 * Real TLS sessions for the decryption tests: a node:tls server and client on 127.0.0.1
 * with a byte-recording TCP proxy between them, so the test holds exactly the bytes a
 * capture would, plus the client's key log lines (node's 'keylog' event, the NSS format
 * SSLKEYLOGFILE gets). Only loopback; every wait is bounded by a hang guard, and nothing
 * asserts on time.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const FIX = new URL('./fixtures/', import.meta.url).pathname;
export const RSA = { key: readFileSync(FIX + 'rsa.key'), cert: readFileSync(FIX + 'rsa.crt') };
export const EC = { key: readFileSync(FIX + 'ec.key'), cert: readFileSync(FIX + 'ec.crt') };

/** Every test server encrypts tickets with these keys, so a later server resumes an earlier session. */
const TICKET_KEYS = Buffer.alloc(48, 0x7e);

export interface Recorded {
  c2s: Uint8Array;
  s2c: Uint8Array;
  keylog: string;
  /** What the peers received: the truth the decryption is checked against. */
  serverGot: Buffer;
  clientGot: Buffer;
  /** The client's last session (TLS 1.2 session or TLS 1.3 ticket), to resume with. */
  session: Buffer | null;
  /** Whether the client resumed the session it was given. */
  reused: boolean;
}

/** Bytes each way both peers read, recorded in the middle. */
export class RecordingProxy {
  readonly c2s: Buffer[] = [];
  readonly s2c: Buffer[] = [];
  private server: net.Server | null = null;
  private closed: Promise<void> | null = null;

  async listen(targetPort: number): Promise<number> {
    let done!: () => void;
    this.closed = new Promise((r) => (done = r));
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(targetPort, '127.0.0.1');
      let open = 2;
      const closed = (): void => {
        if (--open === 0) done();
      };
      inbound.on('data', (d: Buffer) => {
        this.c2s.push(Buffer.from(d));
        outbound.write(d);
      });
      outbound.on('data', (d: Buffer) => {
        this.s2c.push(Buffer.from(d));
        inbound.write(d);
      });
      inbound.on('end', () => outbound.end());
      outbound.on('end', () => inbound.end());
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
      inbound.on('close', closed);
      outbound.on('close', closed);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Resolves when the one proxied connection closed on both sides. */
  async finished(): Promise<void> {
    await this.closed;
    this.server?.close();
  }
}

export interface SessionOptions {
  ciphers: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  secureOptions?: number;
  ec?: boolean;
  /** Written by the client, one write each. */
  c2s: Buffer[];
  /** Written by the server once it has all of c2s, one write each; then it ends. */
  s2c: Buffer[];
  /** A session to resume (from an earlier `recordSession`). */
  session?: Buffer | null;
}

export async function hangGuard<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no end after ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

export async function recordSession(o: SessionOptions): Promise<Recorded> {
  const creds = o.ec ? EC : RSA;
  const want = o.c2s.reduce((n, b) => n + b.length, 0);
  const wantBack = o.s2c.reduce((n, b) => n + b.length, 0);
  const serverChunks: Buffer[] = [];
  const server = tls.createServer(
    { ...creds, ciphers: o.ciphers, minVersion: o.minVersion, maxVersion: o.maxVersion, secureOptions: o.secureOptions, ticketKeys: TICKET_KEYS, dhparam: 'auto' },
    (sock) => {
      let got = 0;
      sock.on('data', (d: Buffer) => {
        serverChunks.push(d);
        got += d.length;
        if (got === want) {
          for (const b of o.s2c) sock.write(b);
          sock.end();
        }
      });
      sock.on('error', () => {});
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy = new RecordingProxy();
  const port = await proxy.listen((server.address() as net.AddressInfo).port);

  let keylog = '';
  const clientChunks: Buffer[] = [];
  const client = tls.connect({
    host: '127.0.0.1',
    port,
    rejectUnauthorized: false,
    ciphers: o.ciphers,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    secureOptions: o.secureOptions,
    session: o.session ?? undefined,
  });
  let session: Buffer | null = null;
  client.on('session', (s: Buffer) => (session = s));
  client.on('keylog', (line: Buffer) => (keylog += line.toString('latin1')));
  const clientDone = new Promise<void>((resolve, reject) => {
    client.on('data', (d: Buffer) => {
      clientChunks.push(d);
      if (clientChunks.reduce((n, b) => n + b.length, 0) === wantBack) client.end();
    });
    client.on('close', () => resolve());
    client.on('error', reject);
  });
  await hangGuard(once(client, 'secureConnect'), 'TLS handshake');
  const reused = client.isSessionReused();
  for (const b of o.c2s) client.write(b);
  await hangGuard(clientDone, 'TLS session');
  await hangGuard(proxy.finished(), 'proxy');
  server.close();
  return {
    c2s: Buffer.concat(proxy.c2s),
    s2c: Buffer.concat(proxy.s2c),
    keylog,
    serverGot: Buffer.concat(serverChunks),
    clientGot: Buffer.concat(clientChunks),
    session,
    reused,
  };
}
