/**
 * TLS pure parsers and fingerprints with hand-made bytes: record headers, SSLv2 hellos,
 * hello fields, certificates (two openssl-made DERs), and JA3/JA4 against published values.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeCertificate, oidToString, parseCertificateList, signatureOid, toPem } from '../../src/protocols/tls/certificate.js';
import { ja3, ja3s, ja4, ja4s } from '../../src/protocols/tls/fingerprint.js';
import { HandshakeReader } from '../../src/protocols/tls/handshake.js';
import { parseClientHello, parseServerHello } from '../../src/protocols/tls/hello.js';
import { cipherName, isGrease, versionName } from '../../src/protocols/tls/names.js';
import { parseRecordHeader, parseSslv2ClientHello } from '../../src/protocols/tls/parser.js';
import { probeTls } from '../../src/protocols/tls/index.js';
import {
  alpn,
  CA_DER,
  CA_SHA256,
  certificateMessage,
  clientHelloBody,
  ext,
  groups,
  handshake,
  HRR_RANDOM,
  JA4_EXAMPLE_CIPHERS,
  JA4_EXAMPLE_SIGALGS,
  keyShare,
  LEAF_DER,
  LEAF_SERIAL,
  LEAF_SHA256,
  pointFormats,
  serverHelloBody,
  sigalgs,
  sni,
  supportedVersions,
  u16,
  vec,
} from './builders.js';

const body = (b: number[]) => Uint8Array.from(b);
const hello = (b: number[]) => {
  const p = parseClientHello(body(b), 128);
  if (p.kind !== 'done') throw new Error(p.kind === 'error' ? p.reason : 'need_more');
  return p.value;
};

describe('record header', () => {
  it('reads type, version and length', () => {
    expect(parseRecordHeader(body([22, 3, 1, 0, 5]))).toEqual({ kind: 'done', value: { content_type: 22, version: 0x0301, length: 5 }, consumed: 5 });
  });
  it('asks for more, refuses non-TLS', () => {
    expect(parseRecordHeader(body([22, 3])).kind).toBe('need_more');
    expect(parseRecordHeader(body([0x47, 0x45, 0x54, 0x20, 0x2f])).kind).toBe('error');
    expect(parseRecordHeader(body([22, 2, 0, 0, 5])).kind).toBe('error');
    expect(parseRecordHeader(body([25, 3, 3, 0, 5])).kind).toBe('error');
  });
});

describe('probe', () => {
  const ch = body([22, 3, 1, 0, 50, 1, 0, 0, 46]);
  it('ClientHello from the client matches; from the server the roles are swapped', () => {
    expect(probeTls(ch, 'c2s')).toBe('match');
    expect(probeTls(ch, 's2c')).toBe('match_reversed');
    expect(probeTls(body([22, 3, 3, 0, 50, 2]), 's2c')).toBe('match');
  });
  it('needs 6 bytes of a handshake record, refuses text and absurd lengths', () => {
    expect(probeTls(body([22, 3, 1]), 'c2s')).toBe('need_more');
    expect(probeTls(Buffer.from('EHLO x\r\n'), 'c2s')).toBe('no');
    expect(probeTls(body([23, 3, 3, 0xff, 0xff]), 'c2s')).toBe('no');
    expect(probeTls(body([23, 3, 3, 0x00, 0x20]), 'c2s')).toBe('match');
  });
  it('recognises an SSLv2-format ClientHello', () => {
    const v2 = sslv2Hello();
    expect(probeTls(v2, 'c2s')).toBe('match');
    expect(probeTls(v2.subarray(0, 4), 'c2s')).toBe('need_more');
  });
});

function sslv2Hello(): Uint8Array {
  const specs = [0x00, 0x00, 0x2f, 0x07, 0x00, 0xc0, 0x00, 0x00, 0x35];
  const challenge = new Array(16).fill(0xab);
  const msg = [1, 0x03, 0x01, ...u16(specs.length), ...u16(0), ...u16(challenge.length), ...specs, ...challenge];
  return body([0x80 | (msg.length >> 8), msg.length & 0xff, ...msg]);
}

describe('SSLv2 ClientHello (RFC 5246 appendix E.2)', () => {
  it('reads version, cipher specs and challenge', () => {
    const p = parseSslv2ClientHello(sslv2Hello());
    expect(p.kind).toBe('done');
    if (p.kind !== 'done') return;
    expect(p.value.version).toBe(0x0301);
    expect(p.value.cipher_specs).toEqual([0x00002f, 0x0700c0, 0x000035]);
    expect(p.value.challenge.length).toBe(16);
  });
  it('refuses lengths that do not add up', () => {
    const b = sslv2Hello();
    b[6] = 12;
    expect(parseSslv2ClientHello(b).kind).toBe('error');
  });
});

describe('handshake reassembly', () => {
  const msgs = [...handshake(1, [1, 2, 3]), ...handshake(14, []), ...handshake(11, new Array(300).fill(5))];
  const run = (pieces: number[][], max = 1000) => {
    const seen: Array<[number, number]> = [];
    const big: number[] = [];
    const r = new HandshakeReader({ message: (t, b) => seen.push([t, b.length]), tooLong: (t, n) => big.push(t, n) }, max);
    for (const p of pieces) r.push(body(p));
    return { seen, big, partial: r.partial };
  };
  it('splits coalesced messages and joins fragmented ones, at every cut', () => {
    const whole = run([msgs]);
    expect(whole.seen).toEqual([[1, 3], [14, 0], [11, 300]]);
    for (let cut = 1; cut < msgs.length; cut++) expect(run([msgs.slice(0, cut), msgs.slice(cut)]).seen).toEqual(whole.seen);
    expect(run(msgs.map((x) => [x])).seen).toEqual(whole.seen);
  });
  it('skips a message over the limit by its length and goes on', () => {
    const r = run([msgs.slice(0, 20), msgs.slice(20)], 100);
    expect(r.big).toEqual([11, 300]);
    expect(r.seen).toEqual([[1, 3], [14, 0]]);
    expect(r.partial).toBe(false);
  });
});

describe('ClientHello', () => {
  it('reads every field the dissector reports', () => {
    const h = hello(
      clientHelloBody({
        sessionId: new Array(32).fill(3),
        ciphers: [0x0a0a, 0x1301, 0xc02f],
        extensions: [
          sni('example.com'),
          alpn('h2', 'http/1.1'),
          supportedVersions(0x1a1a, 0x0304, 0x0303),
          groups(0x1a1a, 29, 23),
          pointFormats(0),
          sigalgs(0x0403, 0x0804),
          keyShare(29),
          ext(35, [1, 2, 3]),
          ext(41, [0, 0]),
          ext(42, []),
          ext(0xfe0d, [0]),
          ext(45, [1, 1]),
        ],
      }),
    );
    expect(h.server_name).toBe('example.com');
    expect(h.alpn).toEqual(['h2', 'http/1.1']);
    expect(h.supported_versions).toEqual([0x1a1a, 0x0304, 0x0303]);
    expect(h.supported_groups).toEqual([0x1a1a, 29, 23]);
    expect(h.key_share_groups).toEqual([29]);
    expect(h.signature_algorithms).toEqual([0x0403, 0x0804]);
    expect(h.psk_key_exchange_modes).toEqual([1]);
    expect([h.session_ticket, h.psk_offered, h.early_data, h.ech]).toEqual([true, true, true, true]);
    expect(h.extensions).toEqual([0, 16, 43, 10, 11, 13, 51, 35, 41, 42, 0xfe0d, 45]);
    expect(h.session_id).toBe('03'.repeat(32));
    expect(h.malformed).toEqual([]);
  });
  it('a hello without extensions (TLS 1.0 style) parses', () => {
    const h = hello(clientHelloBody({ version: 0x0301, ciphers: [0x2f] }));
    expect(h.extensions).toEqual([]);
    expect(h.server_name).toBeNull();
  });
  it('lists a malformed extension and keeps the rest', () => {
    const h = hello(clientHelloBody({ ciphers: [0x2f], extensions: [ext(0, [0, 9, 0]), alpn('h2')] }));
    expect(h.malformed).toEqual([0]);
    expect(h.alpn).toEqual(['h2']);
  });
  it('refuses truncated fixed fields and overrunning extensions', () => {
    expect(parseClientHello(body([3, 3, 1, 2]), 128).kind).toBe('error');
    const b = clientHelloBody({ ciphers: [0x2f], extensions: [sni('a.b')] });
    expect(parseClientHello(body(b.slice(0, -2)), 128).kind).toBe('error');
  });
  it('keeps at most max extensions and says so', () => {
    const p = parseClientHello(body(clientHelloBody({ ciphers: [0x2f], extensions: Array.from({ length: 10 }, (_, i) => ext(100 + i, [])) })), 4);
    expect(p.kind === 'done' && p.value.extensions.length).toBe(4);
    expect(p.kind === 'done' && p.value.extensions_trimmed).toBe(true);
  });
});

describe('ServerHello', () => {
  it('TLS 1.3: version from supported_versions, key share group, PSK accepted', () => {
    const p = parseServerHello(body(serverHelloBody({ cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, [...u16(29), ...vec(2, [1, 2])]), ext(41, u16(0))] })), 128);
    expect(p.kind).toBe('done');
    if (p.kind !== 'done') return;
    expect(p.value.selected_version).toBe(0x0304);
    expect(p.value.key_share_group).toBe(29);
    expect(p.value.psk_selected).toBe(true);
    expect(p.value.hello_retry_request).toBe(false);
  });
  it('recognises a HelloRetryRequest by its random', () => {
    const p = parseServerHello(body(serverHelloBody({ random: HRR_RANDOM, cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, u16(23))] })), 128);
    expect(p.kind === 'done' && p.value.hello_retry_request).toBe(true);
    expect(p.kind === 'done' && p.value.key_share_group).toBe(23);
  });
  it('ALPN chosen', () => {
    const p = parseServerHello(body(serverHelloBody({ cipher: 0xc02f, extensions: [alpn('h2')] })), 128);
    expect(p.kind === 'done' && p.value.alpn).toBe('h2');
  });
});

describe('fingerprints', () => {
  it('JA4 of the FoxIO worked example: t13d1516h2_8daaf6152771_e5627efa2ab1', () => {
    const order = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
    const exts = order.map((t) =>
      t === 0 ? sni('example.com') : t === 0x10 ? alpn('h2') : t === 0x2b ? supportedVersions(0x0304, 0x0303) : t === 0x0d ? sigalgs(...JA4_EXAMPLE_SIGALGS) : ext(t, []),
    );
    const h = hello(clientHelloBody({ ciphers: JA4_EXAMPLE_CIPHERS, extensions: exts }));
    const f = ja4(h);
    expect(f.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(f.raw).toBe(
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
  });

  it('JA3 and JA4 of a published Chrome hello (browserleaks), GREASE left out', () => {
    const order = [45, 51, 16, 65037, 23, 17613, 0, 11, 10, 43, 65281, 35, 18, 5, 13, 27];
    const exts = [
      ext(0x0a0a, []),
      ...order.map((t) =>
        t === 0
          ? sni('tls.browserleaks.com')
          : t === 16
            ? alpn('h2', 'http/1.1')
            : t === 43
              ? supportedVersions(0x3a3a, 0x0304, 0x0303)
              : t === 13
                ? sigalgs(...JA4_EXAMPLE_SIGALGS)
                : t === 10
                  ? groups(0x4a4a, 4588, 29, 23, 24)
                  : t === 11
                    ? pointFormats(0)
                    : ext(t, []),
      ),
      ext(0xdada, [0]),
    ];
    const h = hello(clientHelloBody({ ciphers: [0xfafa, ...JA4_EXAMPLE_CIPHERS], extensions: exts }));
    const j = ja3(h);
    expect(j.string).toBe('771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0');
    expect(j.hash).toBe('98487aa16281980e7d1120d399efb6a4');
    expect(ja4(h).ja4).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
  });

  it('JA4: no SNI is "i", no ALPN "00", no signature algorithms ends without "_"', () => {
    const h = hello(clientHelloBody({ version: 0x0303, ciphers: [0x2f], extensions: [ext(23, [])] }));
    const expected = createHash('sha256').update('0017').digest('hex').slice(0, 12);
    expect(ja4(h).ja4).toBe(`t12i010100_${createHash('sha256').update('002f').digest('hex').slice(0, 12)}_${expected}`);
  });

  it('JA4 ALPN with non-alphanumeric ends uses hex digits', () => {
    const h = hello(clientHelloBody({ ciphers: [0x2f], extensions: [ext(16, vec(2, vec(1, [0xab, 0x61, 0xcd])))] }));
    expect(ja4(h).ja4.slice(0, 10)).toBe('t12i0101ad');
  });

  it('JA3S and JA4S', () => {
    const p = parseServerHello(body(serverHelloBody({ cipher: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, [...u16(29), ...vec(2, [1])])] })), 128);
    if (p.kind !== 'done') throw new Error('ServerHello');
    expect(ja3s(p.value).string).toBe('771,4865,43-51');
    expect(ja3s(p.value).hash).toBe(createHash('md5').update('771,4865,43-51').digest('hex'));
    expect(ja4s(p.value)).toBe(`t130200_1301_${createHash('sha256').update('002b,0033').digest('hex').slice(0, 12)}`);
  });

  it('GREASE values', () => {
    expect([0x0a0a, 0x1a1a, 0xfafa].every(isGrease)).toBe(true);
    expect([0x0a1a, 0x1301, 0].some(isGrease)).toBe(false);
  });
});

describe('names', () => {
  it('versions and cipher suites', () => {
    expect(versionName(0x0304)).toBe('TLSv1.3');
    expect(versionName(0x0300)).toBe('SSLv3');
    expect(cipherName(0x1301)).toBe('TLS_AES_128_GCM_SHA256');
    expect(cipherName(0xc030)).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(cipherName(0x1234)).toBe('unknown-4660');
  });
});

describe('certificates', () => {
  it('lists the DERs of a Certificate message, bounded', () => {
    const msg = Uint8Array.from(certificateMessage([LEAF_DER, CA_DER]).slice(4));
    const l = parseCertificateList(msg, false, 8);
    expect(l.certs.map((c) => c.length)).toEqual([LEAF_DER.length, CA_DER.length]);
    expect(parseCertificateList(msg, false, 1)).toMatchObject({ dropped: 1, error: null });
    expect(parseCertificateList(msg.subarray(0, 40), false, 8).error).not.toBeNull();
  });

  it('describes the leaf in x509.log words', () => {
    const c = describeCertificate(LEAF_DER);
    expect(c).toMatchObject({
      sha256: LEAF_SHA256,
      subject: 'CN=test.wirelens,O=Wirelens Test',
      issuer: 'CN=Wirelens Test CA,O=Wirelens Test',
      serial: LEAF_SERIAL,
      san_dns: ['test.wirelens', 'alt.wirelens'],
      san_ip: ['127.0.0.1'],
      not_before: '2026-12-07T04:21:17Z',
      not_after: '2027-12-07T04:21:17Z',
      key_type: 'rsa',
      key_bits: 2048,
      signature_algorithm: 'ecdsa-with-SHA256',
      signature_oid: '1.2.840.10045.4.3.2',
      is_ca: false,
      self_signed: false,
      error: null,
    });
  });

  it('the CA is self-signed, EC P-256', () => {
    expect(describeCertificate(CA_DER)).toMatchObject({ sha256: CA_SHA256, self_signed: true, is_ca: true, key_type: 'ec', key_curve: 'prime256v1', key_bits: 256 });
  });

  it('garbage gives hashes and an error, never a throw', () => {
    const c = describeCertificate(Uint8Array.from([0x30, 0x03, 1, 2, 3]));
    expect(c.error).not.toBeNull();
    expect(c.sha256).toHaveLength(64);
    expect(signatureOid(Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
  });

  it('OIDs and PEM', () => {
    expect(oidToString(Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]))).toBe('1.2.840.113549.1.1.11');
    expect(oidToString(Uint8Array.from([0x2a, 0x86]))).toBeNull();
    const pem = toPem(LEAF_DER);
    expect(pem.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64').equals(LEAF_DER)).toBe(true);
  });
});
