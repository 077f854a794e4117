/**
 * TLS decrypted with the key logs the capture scripts wrote (captures/*.keys, see
 * scripts/captures/tls.sh): HTTP/1.1, HTTP/2 and IMAP come out of the inner stream with
 * `tls: true` and a layered service; failure is visible (a wrong key, a key log without the
 * session); export and follow see the plaintext; tshark with the same key log agrees
 * message for message (fidelity.py); pcapng secrets blocks decrypt with no flag; and
 * `--workers` output is byte-identical with keys.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followStream } from '../../src/cli/commands/follow.js';
import type { WireEvent } from '../../src/events/event.js';
import { analyze, analyzeFile } from '../../src/pipeline/analyze.js';
import { NdjsonWriter } from '../../src/report/ndjson.js';
import { encryptedExtensionsAlpn } from '../../src/protocols/tls/decryption.js';
import { ensureBuilt, tempPath, wirelens } from '../cli/cli-support.js';
import { judge, ndjsonPath, replayScript, runFidelity, type FidelityRun } from '../oracle/fidelity.js';
import { REPO } from '../oracle/tshark.js';
import { describeWith } from '../support/requires.js';

const CAPTURES = join(REPO, 'captures');
/** Each capture with its key log, and the protocol inside. */
const DECRYPTABLE: Array<[string, string]> = [
  ['tls13-h2-aes128gcm', 'http2'],
  ['tls12-h2-ecdhe-aes256gcm', 'http2'],
  ['tls12-http11-cbc-sha256', 'http'],
  ['tls13-http11-chacha20', 'http'],
  ['tls12-resumed-ticket', 'http'],
  ['tls13-resumed-psk', 'http'],
  ['tls13-hello-retry', 'http'],
  ['imaps-993', 'imap'],
  ['imap-starttls', 'imap'],
  ['ftp-auth-ssl', 'ftp'],
  ['tls13-keyupdate', 'http'],
  ['smtp-starttls-auth', 'smtp'],
  ['smtps-465', 'smtp'],
  ['pop3-stls-retr', 'pop3'],
  ['pop3s-995', 'pop3'],
  ['ftp-auth-tls-lftp', 'ftp'],
];
/** tshark 4.0 does not follow FTP's AUTH SSL (known-differences.md), so it decrypts nothing there to compare. */
const TSHARK_FOLLOWS = (name: string) => name !== 'ftp-auth-ssl';
const pcap = (name: string) => join(CAPTURES, `${name}.pcap`);
const keys = (name: string) => join(CAPTURES, `${name}.keys`);
const present = DECRYPTABLE.filter(([n]) => existsSync(pcap(n)) && existsSync(keys(n)));

const decryptedEvents = (events: WireEvent[]) => events.filter((e) => e.tls === true);
const anomalies = (events: WireEvent[], code: string) => events.filter((e) => e.type === 'anomaly' && e.code === code);

describe.skipIf(!present.length)('TLS decryption with a key log', () => {
  it.each(present)('%s: the inner %s is dissected, marked, and the session says decrypted', async (name, inner) => {
    const { events } = await analyzeFile(pcap(name), { keylog: readFileSync(keys(name)) });
    const flows = events.filter((e) => e.type === 'flow.end' && String(e.service).startsWith('tls'));
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.every((f) => f.service === `tls,${inner}`)).toBe(true);
    const decrypted = decryptedEvents(events);
    expect(decrypted.length).toBeGreaterThan(0);
    expect(decrypted.some((e) => e.type.startsWith(inner === 'http2' ? 'http2.' : `${inner}.`))).toBe(true);
    expect(anomalies(events, 'tls.decrypt_failed')).toEqual([]);
    expect(anomalies(events, 'tls.no_key')).toEqual([]);
    const sessions = events.filter((e) => e.type === 'tls.session');
    expect(sessions.every((e) => e.decrypted === true)).toBe(true);
    // ALPN, from EncryptedExtensions in TLS 1.3 once decrypted.
    if (inner === 'http2') expect(sessions.map((e) => e.next_protocol)).toEqual(sessions.map(() => 'h2'));
    // The TLS dissector's own events are not marked; the inner ones carry frames of real packets.
    expect(events.filter((e) => e.type.startsWith('tls.')).some((e) => e.tls !== undefined)).toBe(false);
    const last = events.find((e) => e.type === 'capture.summary')!.frame;
    expect(decrypted.every((e) => e.frame >= 1 && e.frame <= last)).toBe(true);
  });

  it('without keys nothing is decrypted and the output is what it was', async () => {
    for (const [name] of present) {
      const { events } = await analyzeFile(pcap(name));
      // A mail session record's own `tls: true` says it went on with STARTTLS (the same meaning).
      expect(decryptedEvents(events).filter((e) => !e.type.endsWith('.session'))).toEqual([]);
      expect(anomalies(events, 'tls.no_key')).toEqual([]);
      expect(events.filter((e) => e.type === 'tls.session').every((e) => e.decrypted === false)).toBe(true);
    }
  });

  it('a wrong key: tls.decrypt_failed once per direction, and the flow goes on undecrypted', async () => {
    const name = 'tls12-http11-cbc-sha256';
    const wrong = readFileSync(keys(name), 'latin1').replace(/^(CLIENT_RANDOM \S+ )(..)/m, (_, head: string, b: string) => head + (b === '00' ? '11' : '00'));
    const { events } = await analyzeFile(pcap(name), { keylog: wrong });
    const failed = anomalies(events, 'tls.decrypt_failed');
    expect(failed.map((e) => e.dir).sort()).toEqual(['c2s', 's2c']);
    expect(failed.every((e) => /bad record MAC|padding|MAC/.test(String(e.detail)))).toBe(true);
    expect(events.filter((e) => e.type.startsWith('http.'))).toEqual([]);
    const session = events.find((e) => e.type === 'tls.session')!;
    expect(session.decrypted).toBe(false);
    expect(session.c2s_app_bytes).toBeGreaterThan(0);
  });

  it('a key log without this session: tls.no_key says so', async () => {
    const { events } = await analyzeFile(pcap('tls12-http11-cbc-sha256'), { keylog: readFileSync(keys('tls13-h2-aes128gcm')) });
    const notes = anomalies(events, 'tls.no_key');
    expect(notes.length).toBe(1);
    expect(notes[0]!.detail).toMatch(/no key for this session/);
    expect(decryptedEvents(events)).toEqual([]);
  });

  it('export writes the HTTP body from inside TLS', async () => {
    const name = 'tls13-http11-chacha20';
    const { events, objects } = await analyzeFile(pcap(name), { keylog: readFileSync(keys(name)), wantsObjects: true });
    const tx = events.find((e) => e.type === 'http.transaction')!;
    const body = objects.find((o) => o.protocol === 'http');
    expect(body).toBeDefined();
    expect(body!.name).toBe('small.txt');
    expect(body!.data.length).toBe(tx.response_body_len);
    expect(body!.frame).toBe(tx.response_end_frame);
  });

  it('FTP PROT P: the data connections are TLS sessions of their own, counted and never exported as the file', async () => {
    const name = 'ftp-auth-tls-lftp';
    if (!existsSync(pcap(name))) return;
    const { events, objects } = await analyzeFile(pcap(name), { keylog: readFileSync(keys(name)), wantsObjects: true });
    const transfers = events.filter((e) => e.type === 'ftp.transfer');
    expect(transfers.map((e) => [e.command, e.file, e.data_tls, e.complete])).toEqual([
      ['LIST', '/', true, true],
      ['RETR', '/readme.txt', true, true],
    ]);
    expect(objects.filter((o) => o.protocol === 'ftp')).toEqual([]);
    const dataFlows = events.filter((e) => e.type === 'flow.end' && e.service === 'ftp-data');
    expect(dataFlows.map((e) => e.summary)).toEqual(transfers.map((t) => `${t.bytes} bytes of TLS (PROT P)`));
  });

  it('follow shows the decrypted stream; raw, the records', async () => {
    const name = 'tls12-http11-cbc-sha256';
    const keylog = readFileSync(keys(name));
    const text = (pieces: Awaited<ReturnType<typeof followStream>>['pieces'], dir: string) =>
      Buffer.concat(pieces.flatMap((p) => (p.dir === dir && 'data' in p ? [p.data] : []))).toString('latin1');
    const inner = await followStream(pcap(name), { flow: 1 }, { keylog });
    expect(inner.layer).toBe('tls');
    expect(text(inner.pieces, 'c2s')).toMatch(/^GET \/small\.txt HTTP\/1\.1\r\n/);
    expect(text(inner.pieces, 's2c')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const raw = await followStream(pcap(name), { flow: 1, raw: true }, { keylog });
    expect(raw.layer).toBe(null);
    expect(raw.pieces[0]).toMatchObject({ dir: 'c2s' });
    expect(text(raw.pieces, 'c2s').charCodeAt(0)).toBe(0x16); // a handshake record
  });
});

describe.skipIf(!present.length)('TLS decryption on the command line', () => {
  beforeAll(() => ensureBuilt());

  it('--workers 1 and 2 write the same bytes with --keylog', () => {
    for (const [name] of present.slice(0, 4)) {
      const one = wirelens(['events', pcap(name), '--keylog', keys(name), '--workers', '1']);
      const two = wirelens(['events', pcap(name), '--keylog', keys(name), '--workers', '2']);
      expect(one.status, one.stderr).toBe(0);
      expect(one.stdout.toString()).toContain('"tls":true');
      expect(two.stdout.equals(one.stdout)).toBe(true);
    }
  });

  it.skipIf(!existsSync('/usr/bin/editcap'))('secrets embedded with editcap --inject-secrets decrypt with no flag, in one thread and in two', () => {
    const name = 'tls13-h2-aes128gcm';
    const embedded = tempPath(`${name}.pcapng`);
    execFileSync('editcap', ['--inject-secrets', `tls,${keys(name)}`, pcap(name), embedded], { stdio: 'ignore' });
    const withFlag = wirelens(['events', pcap(name), '--keylog', keys(name)]);
    const one = wirelens(['events', embedded, '--workers', '1']);
    const two = wirelens(['events', embedded, '--workers', '2']);
    expect(one.status, one.stderr).toBe(0);
    expect(two.stdout.equals(one.stdout)).toBe(true);
    // The same events as with the flag, but for the last line (the file's own summary).
    const body = (b: Buffer) => b.toString().trimEnd().split('\n').slice(0, -1);
    expect(body(one.stdout)).toEqual(body(withFlag.stdout));
    expect(one.stdout.toString()).toContain('"tls":true');
  });
});

describeWith(['tshark', 'fidelity'], 'TLS decryption against tshark with the same key log', () => {
  // One fidelity.py run for every capture: tshark gets all key logs in one file (a key log
  // names each session by its client random, so they do not collide), and wirelens's side is
  // each capture analysed here with its own key log, as `events --keylog` writes it (one
  // Python and no Node start-up per capture).
  const compared = present.filter(([n]) => TSHARK_FOLLOWS(n)).map(([n]) => n);
  let run: FidelityRun | null = null;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirelens-decrypt-'));
    const allKeys = join(dir, 'all.keys');
    writeFileSync(allKeys, compared.map((n) => readFileSync(keys(n), 'utf8').trimEnd() + '\n').join(''));
    for (const name of compared) {
      const fd = openSync(ndjsonPath(dir, pcap(name)), 'w');
      const writer = new NdjsonWriter((bytes) => writeSync(fd, bytes));
      try {
        await analyze(pcap(name), writer, { keylog: readFileSync(keys(name)), governHeap: false });
        writer.flush();
      } finally {
        closeSync(fd);
      }
    }
    run = runFidelity(compared.map(pcap), [`-otls.keylog_file:${allKeys}`], replayScript(dir));
  }, 600_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(compared)('%s: every message tshark decrypts, wirelens finds', (name) => {
    const mine: FidelityRun = { files: { [pcap(name)]: run!.files[pcap(name)] ?? {} }, failures: run!.failures[pcap(name)] ? { [pcap(name)]: run!.failures[pcap(name)]! } : {} };
    const { unexplained, totals } = judge(mine);
    expect(unexplained).toEqual([]);
    const inner = Object.entries(totals).filter(([p]) => p !== 'tls');
    expect(inner.length).toBeGreaterThan(0);
    for (const [, t] of inner) {
      expect(t.tshark).toBeGreaterThan(0);
      expect(t.matched).toBe(t.tshark);
    }
  });
});

describe('EncryptedExtensions ALPN', () => {
  it('reads the one name, and nothing from a malformed or absent extension', () => {
    const ee = (exts: number[]) => Uint8Array.from([exts.length >> 8, exts.length & 0xff, ...exts]);
    const alpn = (name: string) => {
      const n = [...Buffer.from(name)];
      const list = [0, n.length + 1, n.length, ...n];
      return [0, 16, 0, list.length, ...list];
    };
    expect(encryptedExtensionsAlpn(ee([0, 10, 0, 2, 0, 29, ...alpn('h2')]))).toBe('h2');
    expect(encryptedExtensionsAlpn(ee(alpn('http/1.1')))).toBe('http/1.1');
    expect(encryptedExtensionsAlpn(ee([0, 10, 0, 2, 0, 29]))).toBe(null);
    expect(encryptedExtensionsAlpn(ee([0, 16, 0, 9, 0, 7, 20, 104, 50]))).toBe(null);
    expect(encryptedExtensionsAlpn(new Uint8Array([0]))).toBe(null);
    for (let cut = 0; cut < 12; cut++) expect(() => encryptedExtensionsAlpn(ee(alpn('h2')).subarray(0, cut))).not.toThrow();
  });
});
