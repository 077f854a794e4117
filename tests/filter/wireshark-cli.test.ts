/**
 * Issue 14 part 1, as a user meets it on the command line: Wireshark's display-filter names
 * in `events --filter`, `check` rules and `--types`, each example of the issue as one test
 * on the project's own captures (demo.pcap holds 3 GETs, a 404 at frame 22, a DNS response
 * from 127.0.0.2 at frame 3 and an FTP login).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { ensureBuilt, ROOT } from '../cli/cli-support.js';

beforeAll(() => ensureBuilt());

const DEMO = join(ROOT, 'captures', 'demo.pcap');

interface Line {
  type: string;
  frame: number;
  flow: number | null;
  [k: string]: unknown;
}

async function events(...args: string[]): Promise<Line[]> {
  const r = await runCli(['events', DEMO, ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length)
    .map((l) => JSON.parse(l) as Line);
}

const kinds = (lines: Line[]) => lines.map((l) => `${l.type}@${l.frame}`);

describe('events --filter with Wireshark names (issue 14)', () => {
  it('http.request.method selects each GET once, as many as http.method does', async () => {
    const ws = await events('--filter', 'http.request.method == "GET"');
    expect(kinds(ws)).toEqual(['http.request@8', 'http.request@12', 'http.request@20']);
    // The wirelens name counts messages too: 3, not 6 (request + transaction).
    expect(kinds(await events('--filter', 'http.method == GET'))).toEqual(kinds(ws));
    // A transaction is asked for by name.
    expect((await events('--filter', 'http.transaction and http.method == GET')).map((l) => l.type)).toEqual(['http.transaction', 'http.transaction', 'http.transaction']);
    expect(await events('--types', 'http.transaction', '--filter', 'http.method == GET')).toHaveLength(3);
  });

  it('http.response.code >= 400 finds the 404', async () => {
    expect(kinds(await events('--filter', 'http.response.code >= 400'))).toEqual(['http.response@22']);
    expect(kinds(await events('--filter', 'http.response.code in {400..599}'))).toEqual(['http.response@22']);
  });

  it('frame.number and tcp.stream number as Wireshark does', async () => {
    expect(kinds(await events('--filter', 'frame.number == 22'))).toEqual(['http.response@22']);
    // tshark: stream 1 is the second HTTP connection (frames 17-26), stream 2 the FTP control.
    const stream1 = await events('--filter', 'tcp.stream eq 1');
    expect(stream1.length).toBeGreaterThan(0);
    expect(stream1.every((l) => l.frame >= 17 && l.frame <= 26)).toBe(true);
    expect(kinds(await events('--filter', 'tcp.stream == 2 and ftp.request.command == "PASS"'))).toEqual(['ftp.command@35']);
  });

  it('dns.qry.name and ip.src of the packet: the response from 127.0.0.2', async () => {
    expect(kinds(await events('--filter', 'dns.qry.name == "www.wirelens.test"'))).toEqual(['dns.message@1', 'dns.message@2', 'dns.message@3', 'dns.message@4']);
    // The packet's source, not the flow's client (the client of that flow is 127.0.0.1).
    expect(kinds(await events('--filter', 'ip.src == 127.0.0.2'))).toEqual(['dns.message@3']);
    expect(kinds(await events('--filter', 'dns.flags.response == 1 && ip.src == 127.0.0.2 && dns.a == 192.0.2.10'))).toEqual(['dns.message@3']);
    expect(kinds(await events('--filter', 'flow.server == 127.0.0.2 and dns.flags.response == 0'))).toEqual(['dns.message@2']);
  });

  it('a bare protocol name selects that protocol', async () => {
    const tcp = await events('--filter', 'tcp');
    expect(tcp.length).toBeGreaterThan(0);
    expect(tcp.some((l) => l.type.startsWith('dns.'))).toBe(false);
    expect(tcp.some((l) => l.type.startsWith('http.'))).toBe(true);
    expect(kinds(await events('--filter', 'udp'))).toEqual(['dns.message@1', 'dns.message@2', 'dns.message@3', 'dns.message@4']);
    // Records are asked for by name.
    expect(await events('--filter', 'udp and flow.end')).toHaveLength(2);
  });

  it('an unknown field is exit 2 with the closest names', async () => {
    const r = await runCli(['events', DEMO, '--filter', 'htp.request.method == "GET"']);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/unknown field "htp\.request\.method" \(did you mean http\.request\.method/);
    const code = await runCli(['events', DEMO, '--filter', 'http.response.cod >= 400']);
    expect(code.status).toBe(2);
    expect(code.stderr).toContain('did you mean http.response.code');
  });

  it('a --types entry or glob that matches no type is exit 2', async () => {
    const r = await runCli(['events', DEMO, '--types', 'htp.*']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown event type "htp\.\*".*did you mean .*http\.\*/);
    const exact = await runCli(['events', DEMO, '--types', 'http.requests']);
    expect(exact.status).toBe(2);
    expect(exact.stderr).toContain('did you mean http.request');
  });
});

describe('packets --filter (issue 14)', () => {
  it('selects frames as tshark -Y does, and refuses an unknown field with exit 2', async () => {
    const r = await runCli(['packets', DEMO, '--filter', 'http.response.code >= 400 || (tcp.stream == 1 && tcp.flags.syn == 1 && tcp.flags.ack == 0)']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([17, 22]);
    const bad = await runCli(['packets', DEMO, '--filter', 'tcp.flags.sin == 1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown field "tcp\.flags\.sin" \(did you mean .*tcp\.flags\.syn/);
  });
});

describe('check rules with Wireshark names (issue 14)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirelens-ws-check-'));
  const check = (yaml: string) => {
    const rules = join(dir, `r${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(rules, yaml);
    return spawnSync(process.execPath, [join(ROOT, 'bin', 'wirelens'), 'check', DEMO, '--expect', rules], { encoding: 'utf8' });
  };

  it("none: 'http.response.code >= 400' FAILS on demo.pcap, which holds a 404", () => {
    const r = check("rules:\n  - none: 'http.response.code >= 400'\n");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/1 found: http\.response \(frame 22/);
  });

  it('rules on packet fields see the packet of the event', () => {
    const r = check("rules:\n  - every: http.request\n    holds: 'ip.ttl == 64 and tcp.dstport == 80 and tcp.flags.push == 1'\n  - count: 'dns.flags.response == 1'\n    equals: 2\n");
    expect(r.stdout).toContain('1 passed, 0 failed');
    expect(r.status).toBe(0);
  });

  it('a rule with an unknown field fails with exit 2 before anything runs', () => {
    const r = check("rules:\n  - none: 'http.respons.code >= 400'\n");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rule 1: .*unknown field "http\.respons\.code" \(did you mean http\.response\.code/);
  });
});
