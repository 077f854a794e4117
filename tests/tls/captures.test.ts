/**
 * The TLS dissector through the whole pipeline on the project's real captures (nginx, curl,
 * dovecot; scripts/captures/tls.sh): detection on any port, the handshake facts each capture
 * was made to show, STARTTLS hand-over, and certificate export.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';

const DIR = join(import.meta.dirname, '..', '..', 'captures');
const has = (f: string) => existsSync(join(DIR, f));
const load = async (f: string, wantsObjects = false) => analyzeFile(join(DIR, f), { wantsObjects });
const ofType = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => ofType(events, 'anomaly').map((e) => e['code']);

describe.skipIf(!has('tls13-h2-aes128gcm.pcap'))('real TLS captures', () => {
  it('TLS 1.3, AES-128-GCM, h2 offered: the session row', async () => {
    const { events } = await load('tls13-h2-aes128gcm.pcap');
    expect(ofType(events, 'tls.client_hello')).toMatchObject([{ server_name: 'test.wirelens', alpn: ['h2', 'http/1.1'], supported_versions: ['TLSv1.3'] }]);
    expect(ofType(events, 'tls.session')).toMatchObject([
      { version: 'TLSv1.3', version_code: 772, cipher: 'TLS_AES_128_GCM_SHA256', cipher_suite: 4865, established: true, resumed: false, cert_chain_fps: [], curve: 'x25519' },
    ]);
    expect(ofType(events, 'flow.end')[0]).toMatchObject({ service: 'tls', summary: 'TLSv1.3 test.wirelens' });
    expect(codes(events)).toEqual([]);
  });

  it('TLS 1.2: the certificate chain in clear, ALPN chosen, curve from ServerKeyExchange, exported', async () => {
    const { events, objects } = await load('tls12-h2-ecdhe-aes256gcm.pcap', true);
    const certs = ofType(events, 'tls.certificate');
    expect(certs.map((c) => [c['index'], c['subject'], c['key_type'], c['self_signed']])).toEqual([
      [0, 'CN=test.wirelens,O=wirelens test', 'rsa', false],
      [1, 'CN=wirelens test CA,O=wirelens test', 'ec', true],
    ]);
    expect(certs[0]).toMatchObject({ san_dns: ['test.wirelens', 'www.test.wirelens'], san_ip: ['127.0.0.1'], key_bits: 2048, signature_algorithm: 'ecdsa-with-SHA256', expired: false });
    expect(ofType(events, 'tls.session')[0]).toMatchObject({ cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', next_protocol: 'h2', curve: 'x25519', established: true, cert_chain_fps: certs.map((c) => c['sha256']) });
    expect(ofType(events, 'flow.end')[0]!['summary']).toBe('TLSv1.2 test.wirelens h2');
    expect(objects.map((o) => o.name.slice(-4))).toEqual(['.der', '.pem', '.der', '.pem']);
  });

  it('AES-CBC and ChaCha20 suites by name', async () => {
    expect(ofType((await load('tls12-http11-cbc-sha256.pcap')).events, 'tls.server_hello')[0]).toMatchObject({ cipher: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', next_protocol: 'http/1.1' });
    expect(ofType((await load('tls13-http11-chacha20.pcap')).events, 'tls.server_hello')[0]).toMatchObject({ cipher: 'TLS_CHACHA20_POLY1305_SHA256' });
  });

  it('resumption: TLS 1.2 ticket and TLS 1.3 PSK, second connection of each', async () => {
    for (const f of ['tls12-resumed-ticket.pcap', 'tls13-resumed-psk.pcap']) {
      const s = ofType((await load(f)).events, 'tls.session');
      expect(s.map((x) => [x['resumed'], x['established']]), f).toEqual([
        [false, true],
        [true, true],
      ]);
    }
  });

  it('HelloRetryRequest on a port with no TLS hint (found by the probe)', async () => {
    const { events } = await load('tls13-hello-retry.pcap');
    expect(ofType(events, 'tls.server_hello').map((e) => e['hello_retry_request'])).toEqual([true, false]);
    expect(ofType(events, 'tls.client_hello').map((e) => e['key_share_groups'])).toEqual([['x25519'], ['secp256r1']]);
    expect(ofType(events, 'flow.end')[0]).toMatchObject({ service: 'tls', resp_p: 9443 });
  });

  it('an untrusted chain: the client\'s fatal alert in clear, no session established', async () => {
    const { events } = await load('tls12-untrusted-alert.pcap');
    expect(ofType(events, 'tls.alert')).toMatchObject([{ dir: 'c2s', level: 'fatal', description: 'unknown_ca', encrypted: false }]);
    expect(ofType(events, 'tls.session')[0]).toMatchObject({ established: false, last_alert: 'unknown_ca', c2s_app_bytes: 0 });
  });

  it('STARTTLS: IMAP and SMTP hand the flow to TLS; imaps on 993 is TLS from the start', async () => {
    for (const [f, before] of [
      ['imap-starttls.pcap', 'imap.session'],
      ['smtp-starttls.pcap', 'smtp.session'],
      ['pop3-stls.pcap', 'pop3.session'],
    ] as const) {
      if (!has(f)) continue;
      const { events } = await load(f);
      const i = events.findIndex((e) => e.type === before);
      const j = events.findIndex((e) => e.type === 'tls.client_hello');
      expect(i, f).toBeGreaterThanOrEqual(0);
      expect(j, f).toBeGreaterThan(i);
      expect(events[i]!['tls'], f).toBe(true);
      expect(ofType(events, 'tls.session')[0], f).toMatchObject({ version: 'TLSv1.3', established: true });
      expect(codes(events), f).toEqual([]);
    }
    const imaps = await load('imaps-993.pcap');
    expect(ofType(imaps.events, 'flow.end').find((e) => e['resp_p'] === 993)).toMatchObject({ service: 'tls' });
  });
});
