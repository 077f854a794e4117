/**
 * The conformance table (issue 14): for each expression, the frames `packets --filter`
 * selects equal the frames `tshark -Y` selects on the same capture. A row whose answer still
 * differs names the reason in `differs`; it is asserted to differ, so a fix that makes it
 * agree shows up here and the note goes.
 *
 * Cheap by design: one wirelens pass per capture evaluates every expression of that capture
 * on each frame, and one tshark pass per capture answers them all, through a Lua tap per
 * expression (`Listener.new(nil, filter)` sees exactly the frames `-Y filter` would show).
 * Without Lua, tshark runs once per expression.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { compileFilter } from '../../src/filter/index.js';
import { eachFrame } from '../../src/packets/each-frame.js';
import { REPO } from '../oracle/tshark.js';
import { describeWith, zeek } from '../support/requires.js';

interface Row {
  capture: string;
  expr: string;
  /** tshark's spelling, where tshark 4.0 lacks the field (`http.if_modified_since`). */
  tshark?: string;
  /** Why wirelens and tshark still disagree on this one. */
  differs?: string;
}

/** Where tshark needs to be told the protocol of a port (no heuristic finds it). */
const DECODE_AS: Record<string, string[]> = {
  'http2-nginx-prior-knowledge.pcap': ['-d', 'tcp.port==8083,http2'],
};


const TABLE: Row[] = [
  // Frames, links, addresses: the packet's own.
  { capture: 'demo.pcap', expr: 'frame.number == 22' },
  { capture: 'demo.pcap', expr: 'frame.number in {1..4, 30, 60}' },
  { capture: 'demo.pcap', expr: 'frame.len > 1000' },
  { capture: 'demo.pcap', expr: 'frame.len le 66' },
  { capture: 'demo.pcap', expr: 'frame.time_relative >= 0.08' },
  { capture: 'demo.pcap', expr: 'eth.src == 00:00:00:00:00:00 && udp' },
  { capture: 'demo.pcap', expr: 'ip.src == 127.0.0.2' },
  { capture: 'demo.pcap', expr: 'ip.dst eq 127.0.0.2 or ip.src == 127.0.0.2' },
  { capture: 'demo.pcap', expr: 'ip.addr == 127.0.0.0/8 and udp' },
  { capture: 'demo.pcap', expr: 'ip.ttl == 64 && ip.proto == 17' },
  { capture: 'ftp-ipv6-epsv-eprt.pcap', expr: 'ipv6.src == ::1 && tcp.flags.syn == 1' },
  { capture: 'ftp-ipv6-epsv-eprt.pcap', expr: 'ipv6.addr == ::1 && !ip' },
  // TCP and UDP.
  { capture: 'demo.pcap', expr: 'tcp' },
  { capture: 'demo.pcap', expr: 'not tcp' },
  { capture: 'demo.pcap', expr: 'udp' },
  { capture: 'demo.pcap', expr: 'tcp.port == 21' },
  { capture: 'demo.pcap', expr: 'tcp.port != 80' },
  { capture: 'demo.pcap', expr: 'tcp.srcport == 80 && tcp.len > 0' },
  { capture: 'demo.pcap', expr: 'tcp.dstport in {21, 80}' },
  { capture: 'demo.pcap', expr: 'tcp.stream eq 1' },
  { capture: 'demo.pcap', expr: 'tcp.stream == 3' },
  { capture: 'demo.pcap', expr: 'udp.stream == 1' },
  { capture: 'demo.pcap', expr: 'udp.port == 53 && udp.srcport != 53' },
  { capture: 'demo.pcap', expr: 'tcp.flags.syn == 1 && tcp.flags.ack == 0' },
  { capture: 'demo.pcap', expr: 'tcp.flags.fin == 1 || tcp.flags.reset == 1' },
  { capture: 'demo.pcap', expr: 'tcp.flags.push eq 1' },
  { capture: 'demo.pcap', expr: 'tcp.seq == 1 && tcp.ack == 1' },
  { capture: 'demo.pcap', expr: 'tcp.len >= 40' },
  { capture: 'demo.pcap', expr: 'tcp.window_size_value < 100' },
  { capture: 'tcp-analysis.pcap', expr: 'tcp.analysis.retransmission' },
  { capture: 'tcp-analysis.pcap', expr: 'tcp.analysis.duplicate_ack' },
  { capture: 'tcp-analysis.pcap', expr: 'tcp.analysis.zero_window' },
  // HTTP.
  { capture: 'demo.pcap', expr: 'http.request.method == "GET"' },
  { capture: 'demo.pcap', expr: 'http.request' },
  { capture: 'demo.pcap', expr: 'http.response.code >= 400' },
  { capture: 'demo.pcap', expr: 'http.response.code == 200' },
  { capture: 'demo.pcap', expr: 'http.request.uri contains "demo"' },
  { capture: 'demo.pcap', expr: 'http.request.uri matches "\\\\.PNG$"' },
  { capture: 'demo.pcap', expr: 'http.host == "www.wirelens.test" && http.user_agent contains "curl"' },
  { capture: 'demo.pcap', expr: 'http.content_type contains "html"' },
  { capture: 'http-conditional-304.pcap', expr: 'http.if_modified_since', tshark: 'http.request.line contains "If-Modified-Since"' },
  { capture: 'http-conditional-304.pcap', expr: 'http.response.code == 304 || http.last_modified' },
  { capture: 'http-basic-auth.pcap', expr: 'http.authorization' },
  { capture: 'http-post.pcap', expr: 'http.request.method == "POST"' },
  { capture: 'http-post.pcap', expr: 'http.response.code == 201 && http.content_type == "text/plain"' },
  { capture: 'http-large-download.pcap', expr: 'http.response' },
  { capture: 'http-large-download.pcap', expr: 'http.content_length > 100000' },
  // DNS.
  { capture: 'demo.pcap', expr: 'dns' },
  { capture: 'demo.pcap', expr: 'dns.qry.name == "www.wirelens.test"' },
  { capture: 'demo.pcap', expr: 'dns.flags.response == 1 && dns.a == 192.0.2.10' },
  { capture: 'demo.pcap', expr: 'dns.flags.recdesired == 1' },
  { capture: 'dns-recursive.pcap', expr: 'dns.qry.type == 28 || dns.aaaa' },
  { capture: 'dns-recursive.pcap', expr: 'dns.flags.rcode != 0' },
  { capture: 'dns-recursive.pcap', expr: 'dns.cname' },
  { capture: 'dns-recursive.pcap', expr: 'dns.resp.ttl > 300' },
  { capture: 'dns-recursive.pcap', expr: 'dns.flags.authoritative == 1 and dns.flags.recavail == 0' },
  // Mail, FTP, HTTP/2, BitTorrent.
  { capture: 'demo.pcap', expr: 'ftp.request.command == "PASS"' },
  { capture: 'demo.pcap', expr: 'ftp.response.code == 230 or ftp.request.arg contains "readme"' },
  { capture: 'smtp-auth-login.pcap', expr: 'smtp.req.command == "AUTH"' },
  { capture: 'smtp-auth-login.pcap', expr: 'smtp.response.code == 235' },
  { capture: 'pop3-commands.pcap', expr: 'pop.request.command == "RETR"' },
  { capture: 'imap-login-browse.pcap', expr: 'imap.request.command == "SELECT"' },
  { capture: 'http2-nginx-prior-knowledge.pcap', expr: 'http2.type == 1' },
  { capture: 'http2-nginx-prior-knowledge.pcap', expr: 'http2.streamid == 15' },
  { capture: 'http2-nginx-prior-knowledge.pcap', expr: 'http2.header.name == ":path"' },
  { capture: 'http2-nginx-prior-knowledge.pcap', expr: 'http2.header.value contains "nginx"' },
  { capture: 'bittorrent-ctorrent-plain.pcap', expr: 'bittorrent.msg.type == 7' },
  // Byte search: the frame's captured bytes, a layer's bytes, byte strings, escapes, regexes.
  { capture: 'demo.pcap', expr: 'frame contains "GET"' },
  { capture: 'demo.pcap', expr: 'frame contains 47:45:54 && !(frame contains "logo")' },
  { capture: 'demo.pcap', expr: 'frame contains "\\x50\\101SS"' },
  { capture: 'demo.pcap', expr: 'tcp.payload contains "404 Not"' },
  { capture: 'demo.pcap', expr: 'tcp.payload && tcp.srcport == 21' },
  { capture: 'demo.pcap', expr: 'udp.payload contains 03:77:77:77' },
  { capture: 'demo.pcap', expr: 'frame matches "get /[a-z]+/" || frame matches "^\\x00{6}"' },
  { capture: 'demo.pcap', expr: 'ip contains "readme" or udp contains "wirelens"' },
  { capture: 'http-basic-auth.pcap', expr: 'tcp contains "Authorization: Basic"' },
  { capture: 'smtp-auth-login.pcap', expr: 'tcp.payload matches "^(AUTH|MAIL|RCPT) "' },
  { capture: 'ftp-ipv6-epsv-eprt.pcap', expr: 'ipv6 contains "EPRT" || tcp.payload contains 45:50:53:56' },
];

/** The same check on the shared corpus (Zeek's test traces: VLANs, pipelining, 100-continue, real browsing). */
const CORPUS_TABLE: Row[] = [
  { capture: 'http_get.pcap', expr: 'http.request.method == "GET" || http.response.code == 200' },
  { capture: 'http_post.pcap', expr: 'http.request.method == "POST"' },
  { capture: 'http_pipelined-requests.pcap', expr: 'http.request' },
  { capture: 'http_pipelined-requests.pcap', expr: 'http.response.code >= 200' },
  { capture: 'http_100-continue.pcap', expr: 'http.response.code == 100 || http.request' },
  { capture: 'http-vlan-0.pcap', expr: 'vlan.id == 0 && http' },
  { capture: 'http-qinq-0.pcap', expr: 'vlan && tcp.flags.syn == 1' },
  { capture: 'wikipedia.pcap', expr: 'dns.qry.name contains "wikimedia" && dns.flags.response == 1 && (dns.a || dns.cname)' },
  { capture: 'wikipedia.pcap', expr: 'http.host contains "wiki" && tcp.stream in {0..3}' },
  { capture: 'wikipedia.pcap', expr: 'http.response.code == 304 || http.content_type contains "image"' },
  { capture: 'tcp_retransmit-fast009.pcap', expr: 'tcp.analysis.retransmission || tcp.analysis.duplicate_ack' },
  { capture: 'smtp.pcap', expr: 'smtp.req.command == "MAIL" || smtp.response.code == 354' },
  { capture: 'pop3_pop3.pcap', expr: 'pop.request.command in {"USER", "PASS", "RETR"}' },
  { capture: 'ftp_retr.pcap', expr: 'ftp.request.command == "RETR" || ftp.response.code == 226' },
  { capture: 'dns_mdns.pcap', expr: 'dns.qry.type == 12 || udp.port == 5353 && ip.dst == 224.0.0.251' },
  { capture: 'http-vlan-0.pcap', expr: 'frame contains "HTTP/1.1 200" || eth contains 81:00:00:00' },
  { capture: 'wikipedia.pcap', expr: 'frame matches "host: [a-z.]*wiki(pedia|media)[.]org"' },
];

function byCapture(table: readonly Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const row of table) out.set(row.capture, [...(out.get(row.capture) ?? []), row]);
  return out;
}

/** Frames each expression selects, by wirelens: one pass over the capture. */
async function ours(file: string, exprs: string[]): Promise<number[][]> {
  const filters = exprs.map((e) => compileFilter(e));
  const out = exprs.map((): number[] => []);
  await eachFrame(file, {}, (f) => {
    const subject = f.subject();
    filters.forEach((flt, i) => {
      if (flt.matches(subject)) out[i]!.push(f.p.frame);
    });
  });
  return out;
}

const run = (args: string[]) => execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });

let lua: boolean | null = null;
const scratch = mkdtempSync(join(tmpdir(), 'wirelens-conformance-'));

/** Frames each expression selects, by tshark (null: tshark refuses the expression). */
function theirs(file: string, exprs: string[], extra: string[]): Array<number[] | null> {
  lua ??= /with Lua/i.test(run(['-v']));
  if (!lua) return exprs.map((e) => run(['-r', file, '-n', ...extra, '-Y', e, '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).map(Number));
  const script = join(scratch, `${basename(file)}.lua`);
  writeFileSync(
    script,
    // A filter tshark refuses is reported as `E index`, not a failed script.
    exprs
      .map((e, i) => `do local ok, l = pcall(Listener.new, nil, [==[${e}]==]) if ok then function l.packet(pinfo) io.write('${i} ', pinfo.number, '\\n') end else io.write('E ${i}\\n') end end`)
      .join('\n') + '\n',
  );
  const out: Array<number[] | null> = exprs.map((): number[] => []);
  for (const line of run(['-r', file, '-n', '-q', ...extra, '-X', `lua_script:${script}`]).split('\n')) {
    const m = /^(E )?(\d+)(?: (\d+))?$/.exec(line);
    if (!m) continue;
    if (m[1]) out[Number(m[2])] = null;
    else out[Number(m[2])]?.push(Number(m[3]));
  }
  return out;
}

function conformance(table: readonly Row[], dir: string): void {
  const results = new Map<Row, { ours: number[]; theirs: number[] | null }>();

  beforeAll(async () => {
    for (const [capture, rows] of byCapture(table)) {
      const file = join(dir, capture);
      const [a, b] = [await ours(file, rows.map((r) => r.expr)), theirs(file, rows.map((r) => r.tshark ?? r.expr), DECODE_AS[capture] ?? [])];
      rows.forEach((r, i) => results.set(r, { ours: a[i]!, theirs: b[i] ?? null }));
    }
  }, 600_000);

  for (const row of table) {
    it(`${row.capture}: ${row.expr}${row.differs ? ` (differs: ${row.differs})` : ''}`, () => {
      const r = results.get(row)!;
      if (r.theirs === null) throw new Error(`tshark refuses ${JSON.stringify(row.expr)}`);
      // A test that cannot fail is no test: each expression selects something in tshark's view or ours.
      expect(r.ours.length + r.theirs.length).toBeGreaterThan(0);
      if (row.differs) expect(r.ours).not.toEqual(r.theirs);
      else expect(r.ours).toEqual(r.theirs);
    });
  }
}

describeWith(['tshark'], "display filters agree with tshark -Y on the project's captures", () => {
  it(`has at least 40 expressions (${TABLE.length})`, () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });
  conformance(TABLE, join(REPO, 'captures'));
});

describeWith(['tshark', 'corpus'], 'display filters agree with tshark -Y on the shared corpus', () => {
  conformance(CORPUS_TABLE, zeek());
});
