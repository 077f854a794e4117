import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import { NdjsonWriter } from '../../src/report/ndjson.js';

/**
 * `wirelens export-events`: the Parquet output of captures/ is loaded into DuckDB and the
 * README's example queries are run; their answers are checked against `wirelens events`
 * (an independent path: NDJSON straight from the engine).
 */
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'wirelens-export-'));
const captures = join(root, 'captures');
const wirelens = (...args: string[]) => spawnSync(process.execPath, ['bin/wirelens', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });

const list = (d: string): string[] =>
  readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(d, join(e.parentPath, e.name)))
    .sort();

type Row = Record<string, unknown>;
let query: (sql: string) => Promise<Row[]>;
let events: Row[] = [];

beforeAll(async () => {
  for (const [name, workers] of [['pq2', '2'], ['pq1', '1']] as const) {
    const r = wirelens('export-events', captures, '--format', 'parquet', '--out', join(dir, name), '--workers', workers);
    expect(r.status, r.stderr).toBe(0);
  }
  // Every capture export-events reads from the directory: pcap and pcapng.
  // In this process, through the NDJSON writer `wirelens events` uses: the same lines without
  // a Node start-up per capture (a third of this file's time on two cores).
  for (const f of readdirSync(captures).filter((n) => /\.pcap(ng)?$/.test(n)).sort()) {
    const chunks: Uint8Array[] = [];
    const writer = new NdjsonWriter((b) => chunks.push(b));
    await analyze(join(captures, f), writer, { governHeap: false });
    writer.flush();
    for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) if (line) events.push({ ...(JSON.parse(line) as Row), capture: f });
  }
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  query = async (sql) => (await c.runAndReadAll(sql.replaceAll('OUT', join(dir, 'pq2')))).getRowObjectsJson() as Row[];
  // Two exports and one analysis per capture (about 100 of them): a minute when idle, more on a
  // busy machine; the bound only catches a hang.
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const countBy = (rows: Row[], key: (r: Row) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
};

describe('export-events --format parquet', () => {
  it('partitions Hive-style by protocol and date, the same files whatever the number of workers', () => {
    const files = list(join(dir, 'pq2'));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(f).toMatch(/^protocol=[a-z0-9]+\/date=\d{4}-\d{2}-\d{2}\/part-\d{5}-\d+\.parquet$/);
    expect(list(join(dir, 'pq1'))).toEqual(files);
    for (const f of files) expect(readFileSync(join(dir, 'pq1', f)).equals(readFileSync(join(dir, 'pq2', f)))).toBe(true);
  });

  it('holds every event once', async () => {
    const [row] = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('OUT/**/*.parquet', hive_partitioning = true, union_by_name = true)`);
    expect(row!.n).toBe(events.length);
  });

  it('top talkers', async () => {
    const rows = await query(`
      SELECT orig_h, sum(orig_ip_bytes + resp_ip_bytes)::BIGINT AS bytes, count(*)::INTEGER AS flows
      FROM read_parquet('OUT/protocol=flow/*/*.parquet', hive_partitioning = true)
      GROUP BY orig_h ORDER BY bytes DESC, orig_h`);
    const flows = events.filter((e) => e.type === 'flow.end');
    const expected = new Map<string, number>();
    for (const f of flows) expected.set(String(f.orig_h), (expected.get(String(f.orig_h)) ?? 0) + Number(f.orig_ip_bytes) + Number(f.resp_ip_bytes));
    expect(new Map(rows.map((r) => [String(r.orig_h), Number(r.bytes)]))).toEqual(expected);
    expect(rows.reduce((s, r) => s + Number(r.flows), 0)).toBe(flows.length);
  });

  it('HTTP status codes by server', async () => {
    const rows = await query(`
      SELECT resp_h, status_code, count(*)::INTEGER AS n
      FROM read_parquet('OUT/protocol=http/*/*.parquet', hive_partitioning = true)
      WHERE type = 'http.transaction' AND status_code IS NOT NULL
      GROUP BY ALL ORDER BY resp_h, n DESC`);
    expect(rows.length).toBeGreaterThan(3);
    const got = new Map(rows.map((r) => [`${r.status_code}`, 0]));
    for (const r of rows) got.set(`${r.status_code}`, got.get(`${r.status_code}`)! + Number(r.n));
    const want = countBy(events.filter((e) => e.type === 'http.transaction' && typeof e.status_code === 'number'), (e) => `${e.status_code}`);
    expect(got).toEqual(want);
  });

  it('DNS names by count', async () => {
    const rows = await query(`
      SELECT query, count(*)::INTEGER AS n
      FROM read_parquet('OUT/protocol=dns/*/*.parquet', hive_partitioning = true)
      WHERE type = 'dns.transaction' AND query IS NOT NULL
      GROUP BY query ORDER BY n DESC, query`);
    const want = countBy(events.filter((e) => e.type === 'dns.transaction' && typeof e.query === 'string'), (e) => String(e.query));
    expect(new Map(rows.map((r) => [String(r.query), Number(r.n)]))).toEqual(want);
    expect(rows.length).toBeGreaterThan(5);
  });

  it('FTP files transferred', async () => {
    const rows = await query(`
      SELECT capture, frame::INTEGER AS frame, file, direction, bytes::BIGINT AS bytes, complete
      FROM read_parquet('OUT/protocol=ftp/*/*.parquet', hive_partitioning = true)
      WHERE type = 'ftp.transfer' AND file IS NOT NULL
      ORDER BY capture, frame, file`);
    const want = events.filter((e) => e.type === 'ftp.transfer' && typeof e.file === 'string');
    const key = (r: Row) => `${r.capture} ${String(r.frame).padStart(9, '0')}`;
    want.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(rows.map((r) => [r.capture, r.file, r.direction, Number(r.bytes)])).toEqual(want.map((e) => [e.capture, e.file, e.direction, Number(e.bytes)]));
    expect(rows.some((r) => r.direction === 'upload')).toBe(true);
    expect(rows.some((r) => r.direction === 'download')).toBe(true);
  });
});

describe('export-events --format ndjson', () => {
  it('writes _bulk action and document lines with ECS names', () => {
    const out = join(dir, 'es');
    const r = wirelens('export-events', join(captures, 'demo.pcap'), join(captures, 'dns-recursive.pcap'), '--format', 'ndjson', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(join(out, 'part-00000.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.length % 2).toBe(0);
    const docs: Row[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { index: { _index: string } };
      expect(action.index._index).toMatch(/^wirelens-[a-z0-9]+-\d{4}\.\d{2}\.\d{2}$/);
      docs.push(JSON.parse(lines[i + 1]!) as Row);
    }
    for (const d of docs) expect(String(d['@timestamp'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    const http = docs.find((d) => (d.event as Row).action === 'http.transaction') as { http: { response: { status_code: number } }; url: { original: string }; source: { ip: string; port: number }; destination: { port: number }; network: { community_id: string } };
    expect(http.http.response.status_code).toBeTypeOf('number');
    expect(http.url.original).toMatch(/^\//);
    expect(http.source.ip).toMatch(/\d/);
    expect(http.destination.port).toBeTypeOf('number');
    expect(http.network.community_id).toMatch(/^1:/);
    const dns = docs.find((d) => (d.event as Row).action === 'dns.transaction') as { dns: { question: { name: string } } };
    expect(dns.dns.question.name).toBeTypeOf('string');
    expect(readFileSync(join(out, 'part-00001.ndjson'), 'utf8')).toContain('"dns":{');
  });
});
