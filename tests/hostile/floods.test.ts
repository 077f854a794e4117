/**
 * Issue 19's floods as tests: the crafted captures of the hostile bench
 * (bench/hostile-captures.mjs) built small, each run through `events` and `report` with
 * limits lowered so that every bound the full-size flood leans on is reached. What the
 * bench measures at full size (time against tshark, peak RSS) cannot be a test, since no
 * test may depend on timing; what can is here: no crash, the limit is reached and said by
 * its anomaly, nothing is dropped in silence, and `report` stays one valid document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench's builders are plain JavaScript, shared with the tests on purpose.
import { hostileCapture } from '../../bench/hostile-captures.mjs';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wirelens-floods-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A flood at 1/500 of issue 19's size: 2,000 SYNs, 600 HTTP/2 streams, 800 pipelined requests... */
const SCALE = 0.002;
const build = (name: string): string => (hostileCapture as (n: string, s: number, d: string) => string)(name, SCALE, dir);

type Ev = { type: string; code?: string; [k: string]: unknown };

async function events(name: string, ...limits: string[]): Promise<Ev[]> {
  const args = ['events', build(name), ...limits.flatMap((l) => ['--limit', l])];
  const r = await runCli(args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev);
}

async function report(name: string, ...limits: string[]): Promise<Record<string, unknown>> {
  const args = ['report', build(name), '--compact', ...limits.flatMap((l) => ['--limit', l])];
  const r = await runCli(args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.toString()) as Record<string, unknown>;
}

const count = (evs: readonly Ev[], type: string, code?: string): number => evs.filter((e) => e.type === type && (code === undefined || e.code === code)).length;

describe('issue 19 floods, small', () => {
  it('SYN flood past max_flows: every flow still ends in a record, the eviction is said once', async () => {
    const evs = await events('syn-flood', 'max_flows=500');
    expect(count(evs, 'flow.end')).toBe(2000);
    expect(count(evs, 'anomaly', 'flow.limit')).toBe(1);
    const doc = await report('syn-flood', 'max_flows=500');
    expect((doc.flows as unknown[]).length).toBe(2000);
  });

  it('HTTP/2 stream flood: one transaction per stream, in events and in the report', async () => {
    const evs = await events('h2-streams');
    expect(count(evs, 'http2.headers')).toBe(600);
    expect(count(evs, 'http.transaction')).toBe(600);
    const doc = await report('h2-streams');
    expect(JSON.stringify(doc)).toContain('"http.transaction"');
  });

  it('pipelined requests past max_pending_transactions: each dropped request is said', async () => {
    const evs = await events('http-pipelined', 'max_pending_transactions=100');
    expect(count(evs, 'anomaly', 'http.pending_limit')).toBe(700);
    await report('http-pipelined', 'max_pending_transactions=100');
  });

  it('CONTINUATION flood past max_header_bytes: the header block is refused, once', async () => {
    const evs = await events('continuation-flood', 'max_header_bytes=1000');
    expect(count(evs, 'anomaly', 'http2.header_limit')).toBe(1);
  });

  it('IP fragment flood past max_pending_fragments: every first fragment is accounted for', async () => {
    const evs = await events('frag-flood', 'max_pending_fragments=100');
    // 2,000 datagrams that never complete: 1,900 refused at the limit, 100 timed out at the end.
    expect(count(evs, 'anomaly', 'ip.fragment_limit') + count(evs, 'anomaly', 'ip.fragment_timeout')).toBe(2000);
    expect(count(evs, 'anomaly', 'ip.fragment_limit')).toBe(1900);
  });

  it('out-of-order segments behind a hole past max_unacked_segments: the analysis says it stopped', async () => {
    const evs = await events('ooo-segments', 'max_unacked_segments=100');
    expect(count(evs, 'anomaly', 'tcp.analysis_limit')).toBe(1);
  });

  it('DNS answer amplification: each message stops at max_dns_records and says so', async () => {
    const evs = await events('dns-answers');
    expect(count(evs, 'anomaly', 'dns.record_limit')).toBe(10);
  });

  it('an SMTP DATA that never ends, past max_object: the message is cut and said', async () => {
    const evs = await events('smtp-endless-data', 'max_object=100000');
    expect(count(evs, 'anomaly', 'smtp.message_limit')).toBe(1);
  });

  it('a pcapng of interface blocks: the summary lists 256 and counts them all', async () => {
    const [summary] = (await events('pcapng-interfaces')).filter((e) => e.type === 'capture.summary');
    expect((summary!.interfaces as unknown[]).length).toBe(256);
    expect(summary!.interface_count).toBe(2000);
  });

  it('a long stream: `follow` writes every byte of it', async () => {
    const r = await runCli(['follow', build('follow-20mb'), '--flow', '1', '--dir', 'c2s']);
    expect(r.status, r.stderr).toBe(0);
    // 0.002 of 20 MiB in whole 56-byte lines, each shown once, in order.
    const lines = r.stdout.toString().split('\n').filter((l) => l.startsWith('> '));
    expect(lines.length).toBe(Math.ceil((20 * 1024 * 1024 * SCALE) / 56));
    expect(new Set(lines)).toEqual(new Set(['> the quick brown fox jumps over the lazy dog 0123456789']));
  });
});
