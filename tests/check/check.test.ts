import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Timestamp } from '../../src/events/time.js';
import type { WireEvent } from '../../src/events/event.js';
import { checkExpectations, ExpectationError, loadExpectations } from '../../src/report/expectations.js';
import { compareReports } from '../../src/report/golden.js';
import { junitXml } from '../../src/report/junit.js';

const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'wirelens');
const DEMO = join(REPO, 'captures', 'demo.pcap');

describe('golden comparison', () => {
  const golden = {
    tool: { name: 'wirelens', version: '0.1.0' },
    capture: { file: '/a/b.pcap', packets: 10 },
    flows: [{ flow: 1, proto: 'tcp', orig_h: '10.0.0.1', orig_p: 4000, resp_h: '10.0.0.2', resp_p: 80, conn_state: 'SF' }],
    http: { records: [{ type: 'http.transaction', frame: 7, flow: 1, status_code: 200 }] },
  };

  it('ignores key order and volatile fields', () => {
    const now = {
      http: golden.http,
      flows: golden.flows,
      capture: { packets: 10, file: 'elsewhere/b.pcap' },
      tool: { version: '9.9.9', name: 'wirelens' },
    };
    expect(compareReports(golden, now)).toEqual([]);
  });

  it('names the flow, the record and the field that changed', () => {
    const now = structuredClone(golden);
    now.flows[0]!.conn_state = 'S1';
    now.http.records[0]!.status_code = 404;
    const diffs = compareReports(golden, now);
    expect(diffs).toEqual([
      { where: 'flows › flow 1 (tcp 10.0.0.1:4000 → 10.0.0.2:80) › conn_state', golden: '"SF"', now: '"S1"' },
      { where: 'http › records › #1 http.transaction frame 7 flow 1 › status_code', golden: '200', now: '404' },
    ]);
  });

  it('reports records that appeared or went away', () => {
    const now = structuredClone(golden);
    now.http.records.push({ type: 'http.transaction', frame: 9, flow: 1, status_code: 304 });
    const [d] = compareReports(golden, now);
    expect(d!.where).toMatch(/#2 http.transaction frame 9/);
    expect(d!.golden).toBe('(absent)');
  });
});

describe('expectation rules', () => {
  const ts = new Timestamp(0, 0);
  const events: WireEvent[] = [
    { type: 'dns.transaction', frame: 2, ts, flow: 1, dir: null, query: 'gaia.cs.umass.edu', rcode_name: 'NOERROR', qtype_name: 'A' },
    { type: 'http.transaction', frame: 5, ts, flow: 2, dir: null, status_code: 200 },
    { type: 'http.transaction', frame: 9, ts, flow: 2, dir: null, status_code: 404 },
    { type: 'anomaly', frame: 9, ts, flow: 2, dir: 's2c', code: 'tcp.gap', detail: '10 bytes missing' },
    { type: 'flow.end', frame: 9, ts, flow: 2, dir: null, proto: 'tcp', service: 'http', orig_h: '10.0.0.1', orig_p: 1, resp_h: '10.0.0.2', resp_p: 80 },
  ];
  const rules = (yaml: string) => checkExpectations(loadExpectations(yaml, 'rules.yaml'), events);

  it('passes rules that hold', () => {
    const r = rules(`rules:
  - count: http.transaction
    equals: 2
  - exists: 'dns.transaction and dns.query == "gaia.cs.umass.edu" and dns.rcode_name == NOERROR and dns.qtype_name == A'
  - none: 'anomaly.code matches "^dns\\\\."'
  - every: http.transaction
    holds: 'ip.addr == 10.0.0.2 and app == http'
`);
    expect(r.map((x) => x.passed)).toEqual([true, true, true, true]);
  });

  it('says what was found instead when a rule fails', () => {
    const r = rules(`rules:
  - count: http.transaction
    equals: 3
  - none: 'anomaly.code matches "^tcp\\\\."'
  - every: http.transaction
    holds: http.status_code < 400
  - exists: dns.query == "example.org"
`);
    expect(r.map((x) => x.passed)).toEqual([false, false, false, false]);
    expect(r[0]!.found).toBe('found 2');
    expect(r[1]!.found).toMatch(/1 found: anomaly \(frame 9, flow 2\) code="tcp.gap"/);
    expect(r[2]!.found).toMatch(/1 of 2 do not: http.transaction \(frame 9/);
    expect(r[3]!.found).toMatch(/no match; for instance dns.transaction/);
  });

  it('rejects malformed rule files with one clear message', () => {
    expect(() => loadExpectations('rules: []', 'r.yaml')).toThrow(ExpectationError);
    expect(() => loadExpectations('rules:\n  - count: dns\n', 'r.yaml')).toThrow(/equals, min or max/);
    expect(() => loadExpectations('rules:\n  - exists: "dns and ("\n', 'r.yaml')).toThrow(/rule 1: .*column/);
    // Keys people write are answered plainly, rules numbered from 1 like everywhere else.
    expect(() => loadExpectations('rules:\n  - exists: http\n  - count: http.transaction\n    at_most: 3\n', 'r.yaml')).toThrow(/^r\.yaml: rule 2: unknown key "at_most" \(did you mean max\?\)/);
    expect(() => loadExpectations('rules:\n  - exists: http\n    holds: x\n', 'r.yaml')).toThrow(/^r\.yaml: rule 1: holds does not go with exists \(an exists rule takes only its filter/);
    expect(() => loadExpectations('rules:\n  - exists: http\n  - count: http\n    equals: -1\n', 'r.yaml')).toThrow(/^r\.yaml: rule 2: equals: /);
    expect(() => loadExpectations('rules:\n  - count: http\n    min: 1\n    max: 2\n', 'r.yaml')).not.toThrow();
    expect(() => loadExpectations('rules:\n  - whatever: 1\n', 'r.yaml')).toThrow(ExpectationError);
    expect(() => loadExpectations('{ not yaml', 'r.yaml')).toThrow(/not valid YAML/);
  });
});

describe('JUnit XML', () => {
  it('escapes and counts', () => {
    const xml = junitXml('s', [
      { name: 'a.pcap', file: 'a.pcap', seconds: 0.1, failures: [], error: null },
      { name: 'b<.pcap', file: 'b.pcap', seconds: 0.2, failures: ['x & y'], error: null },
      { name: 'c.pcap', file: 'c.pcap', seconds: 0, failures: [], error: 'no such file' },
    ]);
    expect(xml).toMatch(/tests="3" failures="1" errors="1"/);
    expect(xml).toContain('name="b&lt;.pcap"');
    expect(xml).toContain('x &amp; y');
    expect(xml).toContain('<error message="no such file"/>');
  });
});

describe('wirelens check (the command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-check-'));
  const cli = (...args: string[]) => spawnSync(BIN, ['check', ...args], { encoding: 'utf8' });

  it('writes a golden file, then matches it (exit 0), then finds a change (exit 1)', () => {
    const golden = join(dir, 'demo.json');
    expect(cli(DEMO, '--golden', golden, '--update').status).toBe(0);
    const same = cli(DEMO, '--golden', golden);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('1 passed, 0 failed');
    const g = JSON.parse(readFileSync(golden, 'utf8'));
    g.flows[0].orig_pkts += 1;
    writeFileSync(golden, JSON.stringify(g));
    const changed = cli(DEMO, '--golden', golden, '--junit', join(dir, 'j.xml'));
    expect(changed.status).toBe(1);
    expect(changed.stdout).toMatch(/flows › flow 1 \(.*\) › orig_pkts: golden \d+, now \d+/);
    expect(changed.stdout).toContain('0 passed, 1 failed');
    expect(readFileSync(join(dir, 'j.xml'), 'utf8')).toContain('<failure');
  });

  it('exits 2 on bad input: a missing capture, a missing golden, a bad rule file', () => {
    expect(cli(join(dir, 'nope.pcap'), '--golden', join(dir, 'x.json')).status).toBe(2);
    expect(cli(DEMO, '--golden', join(dir, 'missing.json')).status).toBe(2);
    writeFileSync(join(dir, 'bad.yaml'), 'rules:\n  - none: "(("\n');
    const bad = cli(DEMO, '--expect', join(dir, 'bad.yaml'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^wirelens: .*bad\.yaml: rule 1/);
  });

  it('prints GitHub Actions annotations when run there', () => {
    const golden = join(dir, 'demo2.json');
    execFileSync(BIN, ['check', DEMO, '--golden', golden, '--update']);
    const g = JSON.parse(readFileSync(golden, 'utf8'));
    g.capture.packets = 1;
    writeFileSync(golden, JSON.stringify(g));
    // Property values escape `:` and `,` as %3A and %2C (GitHub toolkit escapeProperty); the message does not.
    const r = spawnSync(BIN, ['check', DEMO, '--golden', golden], { encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: 'true' } });
    expect(r.stdout).toMatch(/^::error file=.*demo\.pcap,title=wirelens check%3A demo\.pcap::capture › packets: golden 1/m);
  });
});
