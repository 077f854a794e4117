/**
 * TLS handshake fields against tshark's `tls.*` fields, hello by hello: SNI, the JA3 string
 * (which spells out legacy version, cipher suites, extensions, groups and point formats) and
 * its MD5, the negotiated version and cipher suite with JA3S, and the SHA-256 of every
 * certificate sent in clear. Captures: the project's TLS captures, and the corpus files
 * where `tshark -Y tls.handshake.type==1` finds a ClientHello (smtp.pcap,
 * http_connect-with-header.pcap). Disagreements must be listed in known-differences.md (tshark
 * does not follow FTP's AUTH SSL, for one).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWith } from '../support/requires.js';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { decodeAsFromFlows } from './fidelity.js';
import { isKnown, knownDifferences } from './known.js';
import { CORPUS, REPO } from './tshark.js';

const OWN = join(REPO, 'captures');
const FILES = [
  ...(existsSync(OWN) ? readdirSync(OWN).filter((f) => /^(tls|imaps|imap-starttls|smtp-starttls|smtps|pop3-stls|pop3s|ftp-auth-ssl|ftp-auth-tls).*\.pcap$/.test(f)).sort().map((f) => join(OWN, f)) : []),
  // TLS inside HTTP CONNECT tunnels: tshark follows the tunnel after the proxy's 200.
  ...['http-connect-tinyproxy.pcapng'].map((f) => join(OWN, f)).filter((f) => existsSync(f)),
  ...['smtp.pcap', 'http_connect-with-header.pcap'].map((f) => join(CORPUS, f)).filter((f) => existsSync(f)),
];

const FIELDS = [
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.handshake.ja3_full',
  'tls.handshake.ja3',
  'tls.handshake.ja3s_full',
  'tls.handshake.ja3s',
  'tls.handshake.version',
  'tls.handshake.extensions.supported_version',
  'tls.handshake.ciphersuite',
  'tls.handshake.certificate',
];

/** Ports tshark 4.0 decodes as TLS (or STARTTLS) without being told. */
const TSHARK_TLS_PORTS = new Set([443, 465, 636, 853, 990, 993, 995, 8443]);
const STARTTLS_PORTS = new Set([21, 25, 110, 143, 587]);

/** One line per hello or certificate, comparable between the tools. */
function tsharkView(file: string, decodeAs: string[]): string[] {
  const args = ['-r', file, '-n', '-Y', 'tls.handshake.type == 1 or tls.handshake.type == 2 or tls.handshake.certificate', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...decodeAs];
  for (const f of FIELDS) args.push('-e', f);
  const text = execFileSync('tshark', args, { encoding: 'latin1', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const out: string[] = [];
  for (const line of text.split('\n').filter((l) => l)) {
    const [types = '', sni = '', ja3Full = '', ja3 = '', ja3sFull = '', ja3s = '', version = '', supported = '', suites = '', certs = ''] = line.split('\t');
    const typeList = types.split('|');
    if (typeList.includes('1')) out.push(`client_hello sni=${sni.split('|')[0] || '-'} ja3=${ja3Full.split('|')[0]} md5=${ja3.split('|')[0]}`);
    if (typeList.includes('2')) {
      // A ServerHello's supported_versions (TLS 1.3) names the version; tshark lists the
      // ClientHello's too when both are in one frame, so the last value is the server's.
      const v = supported ? supported.split('|').pop()! : version.split('|').pop()!;
      const suite = suites.split('|').pop()!;
      out.push(`server_hello version=${Number(v)} cipher=${Number(suite)} ja3s=${ja3sFull.split('|')[0]} md5=${ja3s.split('|')[0]}`);
    }
    for (const hex of certs ? certs.split('|') : []) {
      out.push(`certificate ${createHash('sha256').update(Buffer.from(hex.replace(/:/g, ''), 'hex')).digest('hex')}`);
    }
  }
  return out.sort();
}

function wirelensView(events: WireEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'tls.client_hello' && !e['sslv2']) out.push(`client_hello sni=${e['server_name'] ?? '-'} ja3=${e['ja3_string']} md5=${e['ja3']}`);
    if (e.type === 'tls.server_hello') out.push(`server_hello version=${e['version_code']} cipher=${e['cipher_suite']} ja3s=${e['ja3s_string']} md5=${e['ja3s']}`);
    if (e.type === 'tls.certificate') out.push(`certificate ${e['sha256']}`);
  }
  return out.sort();
}

describeWith(['tshark'], 'TLS handshake fields agree with tshark', () => {
  const known = knownDifferences();
  it.each(FILES.map((f) => [basename(f), f]))('%s', async (name, file) => {
    const { events } = await analyzeFile(file);
    const flows = events
      .filter((e) => e.type === 'flow.end')
      .map((e) => ({ proto: String(e.proto), service: typeof e.service === 'string' ? e.service : null, resp_p: Number(e.resp_p) }));
    // Decode-as only for TLS on ports tshark does not know (our own captures; the corpus uses
    // tshark's heuristics). STARTTLS flows are left alone: tshark follows them itself.
    const odd = flows.filter((f) => f.service === 'tls' && !TSHARK_TLS_PORTS.has(f.resp_p) && !STARTTLS_PORTS.has(f.resp_p));
    const decodeAs = file.startsWith(OWN) ? decodeAsFromFlows(odd) : [];
    const ours = wirelensView(events);
    expect(ours.length, 'wirelens saw no TLS handshake').toBeGreaterThan(0);
    if (isKnown(known, 'tls', name)) return;
    const theirs = tsharkView(file, decodeAs);
    expect(ours).toEqual(theirs);
  });
});
