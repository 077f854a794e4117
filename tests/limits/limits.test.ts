/**
 * Limits: docs/LIMITS.md stays in sync with DEFAULT_LIMITS and the anomaly catalogue, and
 * each limit, made small with `limits` (what `--limit` sets), trims real captures and says
 * so with its anomaly, frame included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../../src/dissect/limits.js';
import { CORE_ANOMALIES } from '../../src/events/anomalies.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { bittorrentDescriptor } from '../../src/protocols/bittorrent/index.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import { ReassemblyBudget, TcpDirection } from '../../src/reassembly/stream.js';
import { runDatagrams } from '../support/dissector-harness.js';
import { skipUnlessPresent, zeek } from '../support/requires.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DOC = readFileSync(join(ROOT, 'docs', 'LIMITS.md'), 'utf8');
const CATALOGUE = new Set([...Object.keys(CORE_ANOMALIES), ...PROTOCOLS.flatMap((p) => Object.keys(p.anomalies ?? {}))]);

/**
 * Constants named like bounds that no capture controls (caches, thread hand-off, tuning):
 * they are not limits on the input, so LIMITS.md does not list them.
 */
const INTERNAL_CONSTANTS = new Map([
  ['OPEN_GROUP_MAX', 'UI outline groups opened by default'],
  ['HISTORY_MAX', 'retransmission history size, covered by reassembly_total'],
  ['REPORT_MAX', 'retransmission anomalies reported per direction; the rest are counted'],
  ['MAX_IN_FLIGHT', 'epochs in flight between threads'],
  ['MAX_PERCENT', 'heap governor tuning'],
  ['MAX_BUILDERS', 'compiled event serializers cached'],
  ['CACHE_MAX', 'compiled regular expressions cached'],
  ['MAX_FAST_UNITS', 'timestamp arithmetic fast path'],
  ['SHAPES_PER_TYPE', 'event shapes compiled per type'],
  ['RING_POOL_PER_SIZE', 'reused history buffers'],
  ['BUCKETS_PER_WORKER', '--workers load balance: address-pair buckets dealt per worker'],
  ['MAX_HOPS', 'tunnel chains whose text the engine remembers (a cache: deeper chains get their text made each time)'],
]);

interface Bound {
  file: string;
  name: string;
  init: string;
}

/** `const NAME = init;` for every constant named like a bound, outside limits.ts. */
function scanBounds(dir: string): Bound[] {
  const out: Bound[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('dissect/limits.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/^\s*(?:export )?const ([A-Z][A-Z0-9_]*) = ([^;\n]+);/gm)) {
          if (/^MAX_|_MAX$|_LIMIT$|_DEPTH$|_PER_/.test(m[1]!)) out.push({ file: relative(ROOT, p), name: m[1]!, init: m[2]! });
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** The value of a constant made of numbers, arithmetic and other scanned constants. */
function evaluateBound(init: string, all: Bound[]): number | null {
  const expanded = init.replace(/[A-Z][A-Z0-9_]+/g, (n) => {
    const other = all.find((b) => b.name === n);
    return other ? `(${other.init})` : n;
  });
  if (!/^[\d_\s*+\-<>()]+$/.test(expanded)) return null;
  return Number(new Function(`return ${expanded.replace(/_/g, '')};`)());
}

const [LIMITS_PART, FIXED_PART] = DOC.split('## Fixed bounds') as [string, string];

describe('docs/LIMITS.md', () => {
  const rows = new Map(
    LIMITS_PART.split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => {
        const cells = l.split('|').map((c) => c.trim());
        return [cells[1]!.replace(/`/g, ''), cells] as const;
      }),
  );

  it('has a row for every limit, with its default', () => {
    for (const [key, value] of Object.entries(DEFAULT_LIMITS)) {
      const row = rows.get(key);
      expect(row, `docs/LIMITS.md has no row for ${key}`).toBeDefined();
      expect(row![2]!.split(' ')[0], `default of ${key}`).toBe(String(value));
    }
    expect([...rows.keys()].filter((k) => !(k in DEFAULT_LIMITS))).toEqual([]);
  });

  it('lists every hard-coded bound in src/, with its value (issue 19)', () => {
    const fixed = new Map(
      FIXED_PART.split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => {
          const cells = l.split('|').map((c) => c.trim());
          return [String(`${cells[2]}:${cells[1]!.replace(/`/g, "")}`), cells] as const;
        }),
    );
    const found = scanBounds(join(ROOT, 'src'));
    expect(found.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const b of found) {
      const key = `${b.file}:${b.name}`;
      if (INTERNAL_CONSTANTS.has(b.name)) continue;
      const row = fixed.get(key);
      if (!row) {
        missing.push(`${key} = ${b.init}`);
        continue;
      }
      const value = evaluateBound(b.init, found);
      if (value !== null) expect(row[3], `value of ${key}`).toBe(String(value));
    }
    expect(missing, 'bounds missing from docs/LIMITS.md "Fixed bounds"').toEqual([]);
    const stale = [...fixed.keys()].filter((k) => !found.some((b) => `${b.file}:${b.name}` === k));
    expect(stale, 'rows naming constants that no longer exist').toEqual([]);
  });

  it('names only anomaly codes that exist', () => {
    const codes = [...DOC.matchAll(/`([a-z0-9]+\.[a-z_0-9]+)`/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) expect(CATALOGUE, code).toContain(code);
  });
});

describe('reassembly_total bounds the queues of all flows together', () => {
  it('a flow adding past the shared budget skips its hole as a gap', () => {
    const budget = new ReassemblyBudget(100);
    const seen: Array<{ who: string; code?: string; gap?: number }> = [];
    const dir = (who: string) =>
      new TcpDirection(
        { data: () => {}, gap: (n) => seen.push({ who, gap: n }), finished: () => {}, anomaly: (code) => seen.push({ who, code }) },
        1_000_000,
        budget,
      );
    const a = dir('a');
    const b = dir('b');
    a.syn(0);
    b.syn(0);
    a.segment(11, new Uint8Array(80)); // 80 queued behind a 10-byte hole, within both limits
    expect(seen).toEqual([]);
    expect(budget.used).toBe(80);
    b.segment(21, new Uint8Array(40)); // 120 in total: b gives up its hole
    expect(seen).toEqual([{ who: 'b', code: 'tcp.reassembly_limit' }, { who: 'b', gap: 20 }]);
    expect(b.queuedBytes).toBe(0);
    expect(a.queuedBytes).toBe(80);
    expect(budget.queued).toBe(80);
    a.flush();
    b.flush();
    expect(budget.used).toBe(0);
    expect(budget.queued).toBe(0);
  });

  it('retransmission history of many flows does not count against it', () => {
    const budget = new ReassemblyBudget(4096);
    const codes: string[] = [];
    const flows = Array.from({ length: 8 }, () => new TcpDirection({ data: () => {}, gap: () => {}, finished: () => {}, anomaly: (c) => codes.push(c) }, 1_000_000, budget));
    for (const d of flows) {
      d.syn(0);
      d.segment(1, new Uint8Array(1000)); // in order: remembered for retransmission checks
    }
    expect(budget.used).toBeGreaterThan(4096);
    flows[0]!.segment(2001, new Uint8Array(100)); // a small out-of-order segment still queues
    expect(codes).toEqual([]);
    expect(flows[0]!.queuedBytes).toBe(100);
  });

  it('many tiny out-of-order segments hit the segment bound instead of costing quadratic time', () => {
    const codes: string[] = [];
    const d = new TcpDirection({ data: () => {}, gap: () => {}, finished: () => {}, anomaly: (c) => codes.push(c) }, 1 << 30, new ReassemblyBudget(1 << 30));
    d.syn(0);
    const started = performance.now();
    for (let seq = 200_000; seq > 2; seq--) d.segment(seq, new Uint8Array(1));
    expect(codes).toContain('tcp.reassembly_limit');
    expect(d.queuedBytes).toBeLessThanOrEqual(4097);
    // A hang detector, not a speed test: unbounded, this loop takes minutes.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('bittorrent DHT: pending queries are bounded', () => {
  it('forgets the oldest beyond max_pending_transactions, and says so once', () => {
    const query = (t: string) => `d1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:ping1:t2:${t}1:y1:qe`;
    const chunks = ['t1', 't2', 't3', 't4', 't5'].map((t) => ({ dir: 'c2s' as const, bytes: query(t) }));
    const rec = runDatagrams(bittorrentDescriptor, chunks, { limits: { max_pending_transactions: 2 }, flow: { server: { addr: '10.0.0.2', port: 6881 } } });
    const limits = rec.events.filter((e) => e.type === 'anomaly' && e.code === 'bittorrent.pending_limit');
    expect(limits).toHaveLength(1);
    expect(limits[0]!.frame).toBe(3);
  });
});

/** Captures on which a small limit must fire; the corpus ones are skipped when it is absent. */
const CASES: Array<{ file: string; limits: Partial<Limits>; code: string; objects?: boolean }> = [
  { file: 'captures/demo.pcap', limits: { max_flows: 1 }, code: 'flow.limit' },
  { file: 'captures/ftp-anonymous.pcap', limits: { max_line: 8 }, code: 'ftp.line_too_long' },
  { file: 'captures/pop3-commands.pcap', limits: { max_line: 8 }, code: 'pop3.line_too_long' },
  { file: 'captures/http-basic-auth.pcap', limits: { max_headers: 2 }, code: 'http.header_limit' },
  { file: 'captures/http-basic-auth.pcap', limits: { max_header_bytes: 40 }, code: 'http.header_limit' },
  { file: 'captures/http-pipelined.pcap', limits: { max_pending_transactions: 1 }, code: 'http.pending_limit' },
  { file: 'captures/http-chunked-gzip.pcap', limits: { max_decompressed: 10 }, code: 'http.decompression_limit' },
  { file: 'captures/http-chunked-gzip.pcap', limits: { max_decompression_ratio: 1 }, code: 'http.decompression_limit' },
  { file: 'captures/http-page-persistent.pcap', limits: { max_object: 100 }, code: 'http.object_limit', objects: true },
  { file: 'captures/http2-nginx-prior-knowledge.pcap', limits: { max_headers: 2 }, code: 'http2.header_limit' },
  { file: 'captures/http2-h2load-concurrent.pcap', limits: { max_pending_transactions: 2 }, code: 'http2.stream_limit' },
  { file: 'captures/dns-authoritative.pcap', limits: { max_dns_name: 8 }, code: 'dns.name_limit' },
  { file: 'captures/dns-authoritative.pcap', limits: { max_dns_labels: 2 }, code: 'dns.name_limit' },
  { file: 'captures/bittorrent-ctorrent-plain.pcap', limits: { max_bt_message: 100 }, code: 'bittorrent.message_too_long' },
  { file: 'captures/bittorrent-dht.pcap', limits: { max_bencode_depth: 1 }, code: 'bittorrent.bencode_depth' },
  { file: 'captures/pop3-curl-retr-attachment.pcap', limits: { max_object: 200 }, code: 'pop3.message_limit' },
  { file: 'captures/pop3-curl-retr-attachment.pcap', limits: { max_headers: 2 }, code: 'pop3.mail_header_limit' },
  { file: zeek('smtp.pcap'), limits: { max_headers: 2 }, code: 'smtp.mail_header_limit' },
  { file: zeek('smtp.pcap'), limits: { max_line: 8 }, code: 'smtp.line_too_long' },
  { file: 'captures/tls12-h2-ecdhe-aes256gcm.pcap', limits: { max_tls_handshake: 1000 }, code: 'tls.handshake_limit' },
  { file: 'captures/tls12-h2-ecdhe-aes256gcm.pcap', limits: { max_tls_certificate: 600 }, code: 'tls.certificate_limit' },
  { file: 'captures/tls12-h2-ecdhe-aes256gcm.pcap', limits: { max_tls_chain: 1 }, code: 'tls.chain_limit' },
  { file: 'captures/tls13-h2-aes128gcm.pcap', limits: { max_tls_extensions: 4 }, code: 'tls.extension_limit' },
  // QUIC and HTTP/3, decrypted by the secrets block the pcapng carries.
  { file: 'captures/quic-h3-requests-dsb.pcapng', limits: { max_quic_streams: 4 }, code: 'quic.stream_limit' },
  { file: 'captures/quic-h3-requests-dsb.pcapng', limits: { max_quic_frames: 4 }, code: 'quic.frame_limit' },
  { file: 'captures/quic-h3-requests-dsb.pcapng', limits: { max_qpack_table: 100 }, code: 'http3.qpack_error' },
  { file: 'captures/quic-h3-requests-dsb.pcapng', limits: { max_header_bytes: 12 }, code: 'http3.header_limit' },
  { file: 'captures/tcp-analysis.pcap', limits: { max_unacked_segments: 4 }, code: 'tcp.analysis_limit' },
];

describe('small limits fire on real captures, with the frame', () => {
  for (const c of CASES) {
    const [name, value] = Object.entries(c.limits)[0]!;
    it(`${name}=${value} on ${c.file.split('/').pop()}: ${c.code}`, async (ctx) => {
      const path = c.file.startsWith('/') ? c.file : join(ROOT, c.file);
      skipUnlessPresent(ctx, path);
      const { events } = await analyzeFile(path, { limits: c.limits, wantsObjects: c.objects });
      const hits = events.filter((e) => e.type === 'anomaly' && e.code === c.code);
      expect(hits.length, `${c.code} not raised`).toBeGreaterThan(0);
      for (const h of hits) expect(h.frame).toBeGreaterThan(0);
      const clean = await analyzeFile(path, { wantsObjects: c.objects });
      expect(clean.events.some((e) => e.type === 'anomaly' && e.code === c.code), 'raised without the small limit').toBe(false);
      // Trimmed, and the run went on to the end.
      expect(events[events.length - 1]!.type).toBe('capture.summary');
    });
  }
});
