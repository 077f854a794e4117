/**
 * Property tests (fast-check, fixed seed) straight at each parser with random bytes: the
 * capture readers, the decoder, every protocol's pure parsers, and every registered
 * dissector through the test harness (random chunks in both directions). None may throw;
 * every event must survive `toJson` as valid JSON; parsers must not claim more bytes
 * than they were given.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureError, readCapture } from '../../src/capture/index.js';
import { PacketDecoder } from '../../src/decode/index.js';
import type { ProtocolDescriptor } from '../../src/dissect/contract.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { parseMail } from '../../src/dissect/mime.js';
import { decodeText } from '../../src/dissect/text.js';
import type { WireEvent } from '../../src/events/event.js';
import { toJson, type JsonValue } from '../../src/events/json.js';
import { Timestamp } from '../../src/events/time.js';
import { decodeBencode, scanBencode } from '../../src/protocols/bittorrent/bencode.js';
import { compactNodes, compactPeers } from '../../src/protocols/bittorrent/compact.js';
import { parseKrpc } from '../../src/protocols/bittorrent/dht.js';
import { parseHandshake, parseMessage as parsePeerMessage } from '../../src/protocols/bittorrent/peer-wire.js';
import { parseTrackerAnnounce, parseTrackerResponse } from '../../src/protocols/bittorrent/tracker.js';
import { parseUdpTrackerRequest, parseUdpTrackerResponse } from '../../src/protocols/bittorrent/udp-tracker.js';
import { decodeMessage } from '../../src/protocols/dns/message.js';
import { looksLikeDns, parseMessage as parseDns } from '../../src/protocols/dns/parser.js';
import * as ftpParser from '../../src/protocols/ftp/parser.js';
import { decodeBody } from '../../src/protocols/http/body-decoder.js';
import { ChunkedDecoder, parseChunkSize } from '../../src/protocols/http/chunked.js';
import { contentLength, headEnd, objectName, parseHead, parseRequestLine, parseStatusLine } from '../../src/protocols/http/parser.js';
import { HpackDecoder, readInt } from '../../src/protocols/http2/hpack.js';
import { parseFrameHeader, parsePayload } from '../../src/protocols/http2/parser.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import * as pop3Parser from '../../src/protocols/pop3/parser.js';
import { parseSettings, readFrameHeader } from '../../src/protocols/http3/parser.js';
import { decoderInstructions, QpackDecoder } from '../../src/protocols/http3/qpack.js';
import { parseFrames } from '../../src/protocols/quic/frames.js';
import { parseHeader } from '../../src/protocols/quic/header.js';
import { OffsetReassembler } from '../../src/protocols/quic/reassembler.js';
import { readVarint } from '../../src/protocols/quic/varint.js';
import * as smtpParser from '../../src/protocols/smtp/parser.js';
import { describeCertificate, parseCertificateList, signatureOid } from '../../src/protocols/tls/certificate.js';
import { ja3, ja3s, ja4, ja4s } from '../../src/protocols/tls/fingerprint.js';
import { parseClientHello, parseServerHello, serverKeyExchangeCurve } from '../../src/protocols/tls/hello.js';
import { parseHandshakeHeader, parseRecordHeader, parseSslv2ClientHello } from '../../src/protocols/tls/parser.js';
import { probeTls } from '../../src/protocols/tls/index.js';
import { CA_DER, clientHello, LEAF_DER, record, serverHello, sni, alpn, supportedVersions, keyShare, ext } from '../tls/builders.js';
import { runDatagrams, runStream, type Chunk } from '../support/dissector-harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);
const opts = (numRuns = RUNS) => ({ seed: SEED, numRuns });

const bytes = (maxLength = 300) => fc.uint8Array({ maxLength });
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Every event must become valid JSON, and that JSON must be valid UTF-8 text. */
function assertSerialisable(events: readonly WireEvent[]): void {
  for (const e of events) {
    const text = toJson(e as unknown as JsonValue);
    JSON.parse(text);
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  }
}

/** Words each protocol's dissector reacts to, so random input gets past the first check. */
const DICTIONARY: Record<string, string[]> = {
  http: ['GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n', 'Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n', 'Content-Encoding: gzip\r\n', '\r\n', '5\r\nhello\r\n0\r\n\r\n', 'Connection: Upgrade\r\nUpgrade: h2c\r\n', 'HTTP/1.1 101 Switching\r\n', 'POST /x HTTP/1.0\r\n', 'Content-Type: multipart/form-data; boundary=b\r\n'],
  http2: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', '\x00\x00\x00\x04\x00\x00\x00\x00\x00', '\x00\x00\x05\x01\x04\x00\x00\x00\x01\x82\x86\x84\x41\x8a', '\x00\x00\x04\x00\x01\x00\x00\x00\x01abcd', '\x00\x00\x04\x03\x00\x00\x00\x00\x01\x00\x00\x00\x08', '\x00\x00\x03\x09\x04\x00\x00\x00\x01\x3f\xe1\x1f'],
  ftp: ['220 ready\r\n', 'USER a\r\n', '331 pw\r\n', 'PASS b\r\n', '230 ok\r\n', 'PASV\r\n', '227 Entering Passive Mode (10,0,0,2,4,1)\r\n', 'RETR f\r\n', '150 go\r\n', '226 done\r\n', 'EPRT |2|::1|5000|\r\n', '229 (|||6000|)\r\n', '211-Features:\r\n', ' MLST\r\n', '211 End\r\n'],
  smtp: ['220 mx ESMTP\r\n', 'EHLO a\r\n', '250-mx\r\n250 PIPELINING\r\n', 'MAIL FROM:<a@b>\r\n', 'RCPT TO:<c@d>\r\n', '250 ok\r\n', 'DATA\r\n', '354 go\r\n', 'Subject: x\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\nbody\r\n--z--\r\n', '.\r\n', 'BDAT 5 LAST\r\n', 'AUTH PLAIN AGEAYg==\r\n', '235 ok\r\n', 'STARTTLS\r\n'],
  pop3: ['+OK ready\r\n', 'USER a\r\n', 'PASS b\r\n', 'LIST\r\n', '+OK 2 msgs\r\n', '1 100\r\n', '.\r\n', 'RETR 1\r\n', 'Subject: x\r\n\r\nbody\r\n', 'APOP u 0123456789abcdef0123456789abcdef\r\n', 'AUTH PLAIN\r\n', '+ \r\n', '-ERR no\r\n', 'UIDL\r\n', 'TOP 1 0\r\n'],
  dns: ['\x00\x1d', '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00', '\x03www\x07example\x03com\x00', '\x00\x01\x00\x01', '\xc0\x0c', '\x00\x06\x00\x01', '\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00', '\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00'],
  tls: [
    '\x16\x03\x01\x00\x40\x01\x00\x00\x3c\x03\x03',
    '\x16\x03\x03\x00\x30\x02\x00\x00\x2c\x03\x03',
    '\x14\x03\x03\x00\x01\x01',
    '\x15\x03\x03\x00\x02\x02\x28',
    '\x17\x03\x03\x00\x10',
    '\x0b\x00\x00\x10\x00\x00\x0d\x00\x00\x0a\x30\x82',
    '\x00\x00\x00\x0e\x00\x0c\x00\x00\x09localhost',
    '\x00\x2b\x00\x02\x03\x04',
    '\x80\x2e\x01\x03\x01\x00\x09\x00\x00\x00\x10',
    Buffer.from(record(22, clientHello({ ciphers: [0x1301], extensions: [sni('a.b'), alpn('h2'), supportedVersions(0x0304), keyShare(29)] }))).toString('latin1'),
    Buffer.from(record(22, serverHello({ cipher: 0x1301, extensions: [ext(43, [3, 4])] }))).toString('latin1'),
  ],
  bittorrent: ['\x13BitTorrent protocol', '\x00\x00\x00\x00\x00\x10\x00\x05', 'aaaaaaaaaaaaaaaaaaaa', '-qB4250-123456789012', '\x00\x00\x00\x01\x02', '\x00\x00\x00\x05\x04\x00\x00\x00\x01', '\x00\x00\x00\x0d\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00', '\x00\x00\x00\x1a\x14\x00d1:md11:ut_metadatai1eee', '\x00\x00\x00\x00', 'd1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:ping1:t2:aa1:y1:qe'],
};

function chunkArb(words: string[]): fc.Arbitrary<Chunk[]> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...words).map((w) => Buffer.from(w, 'latin1')) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.constantFrom(...words).chain((w) => fc.tuple(fc.nat(w.length), fc.integer({ min: 0, max: 255 })).map(([i, v]) => { const b = Buffer.from(w, 'latin1'); if (b.length) b[i % b.length] = v; return b; })) },
  );
  const chunk = fc.record({
    dir: fc.constantFrom('c2s' as const, 's2c' as const),
    bytes: fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => Uint8Array.from(Buffer.concat(ps))),
  });
  return fc.array(chunk, { minLength: 1, maxLength: 12 });
}

/** Small limits, so random input reaches every limit path too. */
const TIGHT = { max_line: 64, max_headers: 4, max_header_bytes: 128, max_object: 256, max_pending_transactions: 3, max_bt_message: 64, max_bencode_depth: 3, max_hpack_table: 128, max_decompressed: 100, max_dns_name: 40, max_dns_labels: 4, max_imap_literal: 32, max_tls_handshake: 64, max_tls_certificate: 64, max_tls_chain: 2, max_tls_extensions: 3 };

describe('every registered dissector, random chunks in both directions', () => {
  for (const d of PROTOCOLS as readonly ProtocolDescriptor[]) {
    const words = DICTIONARY[d.name] ?? ['\r\n'];
    if (d.createStream) {
      it(`${d.name} stream: never throws, events are JSON`, () => {
        fc.assert(
          fc.property(chunkArb(words), fc.boolean(), fc.boolean(), (chunks, tight, objects) => {
            if (process.env.PROPERTY_TRACE) writeFileSync(process.env.PROPERTY_TRACE, JSON.stringify({ tight, objects, chunks: chunks.map((c) => ({ dir: c.dir, hex: Buffer.from(c.bytes).toString('hex') })) }));
            const rec = runStream(d, chunks, { mode: 'whole' }, { limits: tight ? TIGHT : {}, wantsObjects: objects });
            assertSerialisable(rec.events);
          }),
          opts(),
        );
      });
    }
    if (d.createDatagram) {
      it(`${d.name} datagrams: never throw, events are JSON`, () => {
        fc.assert(
          fc.property(chunkArb(words), fc.boolean(), (chunks, tight) => {
            const rec = runDatagrams(d, chunks, { limits: tight ? TIGHT : {}, flow: { server: { addr: '10.0.0.2', port: 53 } } });
            assertSerialisable(rec.events);
          }),
          opts(),
        );
      });
    }
  }
});

describe('capture readers and the decoder, random bytes', () => {
  const MAGICS = ['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d', '0a0d0d0a'];
  it('readers: random bytes after a valid magic give packets or a CaptureError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MAGICS), bytes(400), async (magic, rest) => {
        const file = Buffer.concat([Buffer.from(magic, 'hex'), rest]);
        try {
          await readCapture('-', { packet: (p) => expect(p.data.length).toBeLessThanOrEqual(file.length), problem: (p) => expect(p.code).toMatch(/^capture\./) }, { stdin: (async function* () { yield file; })() });
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
        }
      }),
      opts(),
    );
  });

  it('decoder: random frames of every link type never throw', () => {
    const d = new PacketDecoder({ ...DEFAULT_LIMITS, max_pending_fragments: 8 }, () => {});
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 9, 12, 14, 101, 108, 113, 127, 228, 229, 239, 276, 9999), bytes(200), fc.nat(100), (lt, frame, t) => {
        const r = d.decode(lt, frame, new Timestamp(t, 0));
        expect(['ip', 'held', 'other', 'bad']).toContain(r.kind);
      }),
      opts(3000),
    );
  });
});

describe('pure parsers, random bytes', () => {
  it('HTTP/1.1: start lines, heads, chunk sizes, chunked bodies, names', () => {
    fc.assert(
      fc.property(bytes(), (b) => {
        parseRequestLine(b, 0, b.length);
        parseStatusLine(b, 0, b.length);
        expect(headEnd(b)).toBeLessThanOrEqual(b.length);
        const startLines: Array<(b: Uint8Array, s: number, e: number) => unknown> = [parseRequestLine, parseStatusLine];
        for (const startLine of startLines) {
          for (const final of [false, true]) {
            const r = parseHead(b, TIGHT, startLine, final);
            if (r.kind === 'done') {
              expect(r.consumed).toBeLessThanOrEqual(b.length);
              expect(r.value.headers.length).toBeLessThanOrEqual(TIGHT.max_headers);
              contentLength(r.value.headers);
            }
          }
        }
        const n = parseChunkSize(b, 0, b.length);
        if (typeof n === 'number') expect(n).toBeGreaterThanOrEqual(0);
        const chunked = new ChunkedDecoder(TIGHT);
        let out = 0;
        chunked.push(b, (data) => (out += data.length));
        expect(out).toBeLessThanOrEqual(b.length);
        objectName(latin1(b));
      }),
      opts(),
    );
  });

  it('HTTP body decoding: random "compressed" bodies stay within max_decompressed', () => {
    fc.assert(
      fc.property(bytes(), fc.constantFrom(['gzip'], ['deflate'], ['br'], ['x-gzip', 'gzip'], ['identity']), (b, codings) => {
        const r = decodeBody(b, codings, { max_decompressed: 1000, max_decompression_ratio: 10 });
        if (r.status === 'ok' || r.status === 'identity') expect(r.data.length).toBeLessThanOrEqual(Math.max(1000, b.length));
      }),
      opts(),
    );
  });

  it('HTTP/2: frame headers, payloads, HPACK blocks', () => {
    fc.assert(
      fc.property(bytes(), fc.nat(0xffff), (b, settingsMax) => {
        const h = parseFrameHeader(b, 0);
        if (h.kind === 'done') parsePayload(h.value, b.subarray(9, 9 + h.value.length));
        const hp = new HpackDecoder({ maxTable: 4096, maxHeaders: 8, maxHeaderBytes: 512 }, { settingsMax });
        for (let i = 0; i < 3; i++) {
          const block = hp.decode(b.subarray(i * 7));
          expect(block.headers.length).toBeLessThanOrEqual(8);
          expect(hp.tableSize).toBeLessThanOrEqual(4096);
        }
        readInt(b, 0, 5);
      }),
      opts(),
    );
  });

  it('QUIC: headers, frames, varints, offset reassembly', () => {
    fc.assert(
      fc.property(bytes(), fc.nat(20), (b, cidLength) => {
        const h = parseHeader(b, 0, cidLength);
        if (h.ok) {
          expect(h.header.end).toBeLessThanOrEqual(b.length);
          expect(h.header.start).toBe(0);
        }
        const f = parseFrames(b, 64);
        expect(f.frames.length).toBeLessThanOrEqual(64);
        const v = readVarint(b, 0);
        if (v) expect(v.next).toBeLessThanOrEqual(b.length);
        // Frames' offsets and data fed to a bounded reassembler: delivered bytes never exceed what was pushed.
        let out = 0;
        let pushed = 0;
        const r = new OffsetReassembler({ data: (d) => (out += d.length), gap: () => {} }, 4096, 2 ** 40);
        for (const x of f.frames) {
          if (x.type === 'CRYPTO' || x.type === 'STREAM') {
            pushed += x.data.length;
            r.push(x.offset, x.data, x.type === 'STREAM' && x.fin);
          }
        }
        r.flush();
        expect(out).toBeLessThanOrEqual(pushed);
        expect(r.pending).toBe(0);
      }),
      opts(),
    );
  });

  it('HTTP/3 and QPACK: frame headers, SETTINGS, field sections, encoder and decoder instructions', () => {
    fc.assert(
      fc.property(bytes(), fc.nat(4096), (b, capacity) => {
        readFrameHeader(b);
        parseSettings(b);
        decoderInstructions(b);
        const q = new QpackDecoder({ maxTable: 4096, maxHeaders: 8, maxHeaderBytes: 512 });
        q.maxTableCapacity = capacity;
        const e = q.encoderInstructions(b);
        expect(e.consumed).toBeLessThanOrEqual(b.length);
        expect(q.tableSize).toBeLessThanOrEqual(4096);
        for (let i = 0; i < 3; i++) {
          const r = q.fieldSection(b.subarray(i * 5));
          if (r.kind === 'done') expect(r.headers.length).toBeLessThanOrEqual(8);
        }
      }),
      opts(),
    );
  });

  it('DNS: headers, messages, names within limits', () => {
    fc.assert(
      fc.property(bytes(512), fc.boolean(), (b, mdns) => {
        const limits = { max_dns_name: 255, max_dns_labels: 127 };
        looksLikeDns(b, true, limits);
        parseDns(b, limits);
        const m = decodeMessage(b, { limits, mdns });
        if (m) JSON.parse(toJson(m as unknown as JsonValue));
      }),
      opts(),
    );
  });

  it('BitTorrent: handshake, peer messages, bencode, KRPC, trackers, compact peers', () => {
    fc.assert(
      fc.property(bytes(), (b) => {
        parseHandshake(b);
        const m = parsePeerMessage(b);
        if (m.kind === 'done') expect(m.consumed).toBeLessThanOrEqual(b.length);
        scanBencode(b, 0, 8);
        decodeBencode(b, 8);
        parseKrpc(b, 8);
        parseTrackerResponse(b, 8);
        parseTrackerAnnounce('/announce?' + latin1(b));
        parseUdpTrackerRequest(b);
        parseUdpTrackerResponse(b, false);
        parseUdpTrackerResponse(b, true);
        compactPeers(b);
        compactPeers(b, true);
        compactNodes(b);
      }),
      opts(),
    );
  });

  it('TLS: record and handshake headers, SSLv2 hellos, hellos, certificate lists, fingerprints', () => {
    fc.assert(
      fc.property(bytes(400), fc.nat(64), (b, max) => {
        parseRecordHeader(b);
        parseHandshakeHeader(b);
        probeTls(b, 'c2s');
        probeTls(b, 's2c');
        const v2 = parseSslv2ClientHello(b);
        if (v2.kind === 'done') expect(v2.consumed).toBeLessThanOrEqual(b.length);
        const ch = parseClientHello(b, max);
        if (ch.kind === 'done') {
          expect(ch.value.extensions.length).toBeLessThanOrEqual(max);
          ja3(ch.value);
          ja4(ch.value);
        }
        const sh = parseServerHello(b, max);
        if (sh.kind === 'done') {
          ja3s(sh.value);
          ja4s(sh.value);
        }
        serverKeyExchangeCurve(b);
        for (const tls13 of [false, true]) expect(parseCertificateList(b, tls13, 4).certs.length).toBeLessThanOrEqual(4);
        signatureOid(b);
      }),
      opts(),
    );
  });

  it('TLS: mutated hellos and certificates never throw', () => {
    const hello = Uint8Array.from(clientHello({ ciphers: [0x1301, 0xc02f], extensions: [sni('a.test'), alpn('h2'), supportedVersions(0x0304), keyShare(29)] }).slice(4));
    const certs = [Uint8Array.from(LEAF_DER), Uint8Array.from(CA_DER)];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(1), (edits, which) => {
        const h = hello.slice();
        const der = certs[which]!.slice();
        for (const [i, v] of edits) {
          h[i % h.length] = v;
          der[i % der.length] = v;
        }
        const p = parseClientHello(h, 128);
        if (p.kind === 'done') ja4(p.value);
        const info = describeCertificate(der);
        expect(info.sha256).toHaveLength(64);
        JSON.parse(toJson(info as unknown as JsonValue));
      }),
      opts(Math.min(RUNS, 150)),
    );
  });

  it('bencode: deep nesting is refused, not recursed', () => {
    const deep = Buffer.from('l'.repeat(100_000) + 'e'.repeat(100_000));
    expect(scanBencode(deep, 0, 64)).toMatchObject({ code: 'bittorrent.bencode_depth' });
    expect(() => decodeBencode(deep, 64)).not.toThrow();
  });

  it('line protocols: FTP, SMTP, POP3 parsers on random lines', () => {
    fc.assert(
      fc.property(bytes(120), (b) => {
        const line = decodeText(b);
        ftpParser.parseCommand(line);
        ftpParser.parseReplyLine(line);
        ftpParser.parseHostPort(line);
        ftpParser.parseEprt(line);
        ftpParser.parseEpsv(line);
        ftpParser.parseQuotedPath(line);
        ftpParser.parseSize(213, line);
        ftpParser.joinPath('/a', line);
        ftpParser.normalizeIpv6(line);
        smtpParser.parseCommand(line);
        smtpParser.parseReplyLine(line);
        smtpParser.parseBdat(line);
        smtpParser.receivedAddresses(line);
        pop3Parser.parseCommand(line);
        pop3Parser.parseStatus(line);
        pop3Parser.messageNumber(line);
      }),
      opts(),
    );
  });

  it('mail messages: random bytes with a header prefix parse within limits', () => {
    fc.assert(
      fc.property(bytes(600), fc.boolean(), (b, multipart) => {
        const head = multipart ? 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' : 'Subject: x\r\n';
        const m = parseMail(Buffer.concat([Buffer.from(head), b]), { ...DEFAULT_LIMITS, max_headers: 5, max_header_bytes: 200 });
        expect(Array.isArray(m.issues)).toBe(true);
      }),
      opts(),
    );
  });
});
