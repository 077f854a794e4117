/** Real captures through the whole pipeline: the facts a web lab asks about. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { httpDescriptor } from '../../src/protocols/http/index.js';
import { labelOf } from '../../src/tui/model/labels.js';
import { buildLadder } from '../../src/tui/model/ladder.js';
import { plain } from '../../src/tui/model/lines.js';
import { buildOutline } from '../../src/tui/model/outline.js';
import type { WireEvent } from '../../src/events/event.js';
import { describeWith, zeek } from '../support/requires.js';

const OWN = join(import.meta.dirname, '../../captures');
const ZEEK = zeek();
const of = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const anomalies = (events: WireEvent[]) => of(events, 'anomaly').filter((e) => String(e.code).startsWith('http'));

describe('own HTTP captures', () => {
  it('a response dropped from a real persistent connection: later pairs stay in step, nothing pipelined (issue 15)', async () => {
    // http-persistent.pcap (curl, four GETs on one connection, each response in one segment)
    // with frame 9, the 200 for /a.txt, cut out as a capture that missed it would.
    const raw = readFileSync(join(OWN, 'http-persistent.pcap'));
    const kept: Buffer[] = [raw.subarray(0, 24)];
    for (let off = 24, frame = 1; off + 16 <= raw.length; frame++) {
      const len = 16 + raw.readUInt32LE(off + 8);
      if (frame !== 9) kept.push(raw.subarray(off, off + len));
      off += len;
    }
    const dir = mkdtempSync(join(tmpdir(), 'wirelens-drop-'));
    const file = join(dir, 'http-persistent-drop9.pcap');
    writeFileSync(file, Buffer.concat(kept));
    try {
      const { events } = await analyzeFile(file);
      const txs = of(events, 'http.transaction');
      expect(txs.map((t) => [t.uri, t.status_code ?? null, t.resp_mime_types ?? null, t.response_lost ?? false, t.pipelined ?? false])).toEqual([
        ['/index.html', 200, ['text/html'], false, false],
        ['/a.txt', null, null, true, false],
        ['/b.txt', 200, ['text/plain'], false, false],
        ['/status.json', 200, ['application/json'], false, false],
      ]);
      expect(of(events, 'http.connection').map((c) => [c.requests, c.responses, c.pipelined])).toEqual([[4, 3, false]]);
      expect(labelOf(txs[1]!)).toBe('GET /a.txt → (response lost in a gap)');
      expect(anomalies(events).map((e) => e.code)).toEqual(['http.body_gap', 'http.responses_lost']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('persistent vs non-persistent connections', async () => {
    const p = await analyzeFile(join(OWN, 'http-persistent.pcap'));
    expect(of(p.events, 'http.connection').map((c) => [c.requests, c.persistent, c.pipelined])).toEqual([[4, true, false]]);
    const n = await analyzeFile(join(OWN, 'http-nonpersistent.pcap'));
    expect(of(n.events, 'http.connection').map((c) => c.persistent)).toEqual([false, false]);
    expect(anomalies(p.events).concat(anomalies(n.events))).toEqual([]);
  });

  it('pipelined requests are paired in order and flagged', async () => {
    const { events } = await analyzeFile(join(OWN, 'http-pipelined.pcap'));
    expect(of(events, 'http.transaction').map((t) => [t.uri, t.status_code, t.pipelined ?? false])).toEqual([
      ['/a.txt', 200, false], ['/b.txt', 200, true], ['/c.txt', 200, true],
    ]);
    expect(of(events, 'http.connection')[0]!.pipelined).toBe(true);
  });

  it('conditional GETs answered 304, with ETag/Last-Modified', async () => {
    const { events } = await analyzeFile(join(OWN, 'http-conditional-304.pcap'));
    const txs = of(events, 'http.transaction');
    const notModified = txs.filter((t) => t.not_modified);
    expect(notModified.length).toBeGreaterThanOrEqual(1);
    for (const t of notModified) expect(t).toMatchObject({ conditional: true, status_code: 304, response_body_len: 0 });
    expect(txs[0]!.etag ?? txs[0]!.last_modified).toBeTruthy();
  });

  it('Basic credentials are decoded into the shared credentials events', async () => {
    const { events } = await analyzeFile(join(OWN, 'http-basic-auth.pcap'));
    const creds = of(events, 'credentials');
    expect(creds.length).toBeGreaterThanOrEqual(1);
    for (const c of creds) expect(c).toMatchObject({ protocol: 'http', mechanism: 'basic' });
    expect(of(events, 'http.transaction').some((t) => t.status_code === 200 && typeof t.username === 'string')).toBe(true);
  });

  it('cookies set by the server are sent back', async () => {
    const { events } = await analyzeFile(join(OWN, 'http-cookies.pcap'));
    const txs = of(events, 'http.transaction');
    const set = txs.flatMap((t) => (t.cookies_set as string[] | undefined) ?? []);
    const sent = txs.flatMap((t) => (t.cookies_sent as string[] | undefined) ?? []);
    expect(set.length).toBeGreaterThan(0);
    for (const c of set) expect(sent).toContain(c);
  });

  it('chunked gzip bodies are decoded and exported decoded', async () => {
    const { events, objects } = await analyzeFile(join(OWN, 'http-chunked-gzip.pcap'), { wantsObjects: true });
    const txs = of(events, 'http.transaction').filter((t) => t.content_encoding === 'gzip');
    expect(txs.length).toBeGreaterThan(0);
    for (const t of txs) {
      expect(t.decode_status).toBe('decoded');
      expect(t.response_decoded_len as number).toBeGreaterThan(t.response_body_len as number);
    }
    expect(objects.map((o) => o.data.length)).toEqual(of(events, 'http.transaction').map((t) => t.response_decoded_len));
  });

  it('a large download counts the TCP segments that carried it', async () => {
    const { events } = await analyzeFile(join(OWN, 'http-large-download.pcap'));
    const [t] = of(events, 'http.transaction');
    expect(t!.response_body_len).toBe(1048576);
    expect(t!.response_segments as number).toBeGreaterThan(1);
    expect(t!.tcp_rtt).toEqual(expect.any(Number));
    expect(t!.duration as number).toBeGreaterThanOrEqual(t!.ttfb as number);
  });

  it('page view: persistent uses one connection, non-persistent one per object, both against the model', async () => {
    for (const [file, connections] of [['http-page-persistent.pcap', 1], ['http-page-nonpersistent.pcap', 6]] as const) {
      const { events } = await analyzeFile(join(OWN, file));
      const records = events.filter((e) => httpDescriptor.report!.events.includes(e.type));
      const summary = httpDescriptor.report!.summarize!(records, { flows: of(events, 'flow.end') }) as { pages: Array<Record<string, unknown>> };
      expect(summary.pages).toHaveLength(1);
      const page = summary.pages[0]!;
      expect(page).toMatchObject({ objects: 6, connections });
      expect(page.model_non_persistent_seconds as number).toBeGreaterThan(page.model_persistent_seconds as number);
      expect(page.measured_seconds).toEqual(expect.any(Number));
    }
  });
});

describe('own HTTP/2 captures', () => {
  it('server push ties pushed streams to their PUSH_PROMISE', async () => {
    const { events } = await analyzeFile(join(OWN, 'http2-server-push.pcap'));
    const pushed = of(events, 'http.transaction').filter((t) => t.pushed);
    expect(pushed.length).toBeGreaterThan(0);
    for (const t of pushed) expect(t).toMatchObject({ version: '2', status_code: 200, promised_by: expect.any(Number) });
    expect(of(events, 'anomaly')).toEqual([]);
  });

  it('concurrent streams interleave and every stream completes', async () => {
    const { events } = await analyzeFile(join(OWN, 'http2-h2load-concurrent.pcap'));
    const conns = of(events, 'http.connection');
    expect(conns.length).toBe(2);
    for (const c of conns) {
      const streams = c.streams as Array<{ completed_ts: unknown }>;
      expect(streams.every((s) => s.completed_ts !== undefined)).toBe(true);
      expect(c.max_concurrent_streams as number).toBeGreaterThan(1);
    }
    expect(of(events, 'http.transaction').filter((t) => t.incomplete)).toEqual([]);
  });

  it('h2c upgrade: the 101, then stream 1 answers the HTTP/1.1 request', async () => {
    const { events } = await analyzeFile(join(OWN, 'http2-upgrade-h2c-curl.pcap'));
    const txs = of(events, 'http.transaction').filter((t) => t.flow === 1);
    expect(txs.map((t) => [t.version, t.status_code, t.stream_id])).toEqual([['1.1', 101, undefined], ['2', 200, 1]]);
    expect(txs[1]!.uri).toBe(txs[0]!.uri);
    expect(of(events, 'anomaly')).toEqual([]);
  });
});

describe('a response body that lost bytes is marked everywhere a person looks (issue 15)', () => {
  it('in the events, the flow summary, the transactions pane and the ladder', async () => {
    // http-large-download.pcap with frame 10 (32768 bytes of the body) cut out, as a capture that missed it would.
    const raw = readFileSync(join(OWN, 'http-large-download.pcap'));
    const kept: Buffer[] = [raw.subarray(0, 24)];
    for (let off = 24, frame = 1; off + 16 <= raw.length; frame++) {
      const len = 16 + raw.readUInt32LE(off + 8);
      if (frame !== 10) kept.push(raw.subarray(off, off + len));
      off += len;
    }
    const dir = mkdtempSync(join(tmpdir(), 'wirelens-cut-'));
    const file = join(dir, 'http-large-download-drop10.pcap');
    writeFileSync(file, Buffer.concat(kept));
    try {
      const { events } = await analyzeFile(file);
      const [tx] = of(events, 'http.transaction');
      expect(tx).toMatchObject({ uri: '/files/large.bin', status_code: 200, response_missed_bytes: 32768 });
      const [resp] = of(events, 'http.response');
      expect(resp).toMatchObject({ status_code: 200, body_missed_bytes: 32768 });
      expect(labelOf(tx!)).toMatch(/^GET \/files\/large\.bin → 200 .* \[body truncated, 33 kB lost\]$/);
      expect(labelOf(resp!)).toMatch(/\[body truncated, 33 kB lost\]$/);
      expect(of(events, 'flow.end')[0]!.summary).toBe('GET /files/large.bin → 200 (body truncated)');
      // The TUI panes draw these labels: the transactions pane in yellow, the ladder on the response's arrow.
      const outline = buildOutline(events.filter((e) => e.flow === 1), { toggled: new Set(), width: 160, start: null });
      const txLine = outline.find((l) => l.segs.some((g) => g.text.includes('large.bin →')))!;
      expect(txLine.segs.find((g) => g.text.includes('body truncated'))?.color).toBe('yellow');
      const ladder = buildLadder(events.filter((e) => e.flow === 1), { width: 160, start: null, client: 'c', server: 's' }).map(plain);
      const gapAt = ladder.findIndex((l) => l.includes('tcp.gap'));
      const respAt = ladder.findIndex((l) => l.includes('200 OK') && l.includes('body truncated'));
      expect(gapAt).toBeGreaterThan(0);
      expect(respAt).toBeGreaterThan(gapAt);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP CONNECT through tinyproxy (issue 15)', () => {
  it('each CONNECT is a tunnel to its target; the stream after the 200 is detected afresh, TLS decrypted from the capture\'s secrets', async () => {
    const { events } = await analyzeFile(join(OWN, 'http-connect-tinyproxy.pcapng'));
    const connects = of(events, 'http.transaction').filter((t) => t.method === 'CONNECT');
    expect(connects.map((t) => [t.tunnel_host, t.tunnel_port, t.status_code, t.tunnel ?? false, t.proxy_user ?? null])).toEqual([
      ['127.0.0.1', 8080, 200, true, null],
      ['test.wirelens', 8443, 200, true, null],
      ['test.wirelens', 8443, 200, true, null],
      ['127.0.0.1', 8080, 200, true, 'alice'],
      ['test.wirelens', 8443, 200, true, 'alice'],
      ['127.0.0.1', 8080, 407, false, null],
      ['127.0.0.1', 8099, 403, false, null],
    ]);
    expect(of(events, 'flow.end').map((f) => f.service)).toEqual(['http,http', 'http,tls,http', 'http,tls,http2', 'http,http', 'http,tls,http', 'http', 'http']);
    const inner = of(events, 'http.transaction').filter((t) => t.method === 'GET');
    expect(inner.map((t) => [t.flow, t.uri, t.status_code, t.tls ?? false])).toEqual([
      [1, '/small.txt', 200, false],
      [2, '/index.html', 200, true],
      [3, '/small.txt', 200, true],
      [4, '/index.html', 200, false],
      [5, '/small.txt', 200, true],
    ]);
    expect(of(events, 'credentials').map((c) => [c.frame, c.user, c.header])).toEqual([[59, 'alice', 'proxy-authorization'], [71, 'alice', 'proxy-authorization']]);
    expect(anomalies(events)).toEqual([]);
  });
});

describeWith(['corpus'], 'corpus HTTP captures', () => {
  it('CONNECT hands the tunnel to detection (SMTP inside)', async () => {
    const { events } = await analyzeFile(join(ZEEK, 'http_connect-with-smtp.pcap'));
    expect(of(events, 'http.transaction')[0]).toMatchObject({ method: 'CONNECT', status_code: 200, tunnel: true });
    expect(of(events, 'smtp.command').length).toBeGreaterThan(0);
  });

  it('100-continue is an interim response of the same transaction', async () => {
    const { events } = await analyzeFile(join(ZEEK, 'http_100-continue.pcap'));
    expect(of(events, 'http.transaction').some((t) => t.info_code === 100)).toBe(true);
  });

  it('Content-Length smuggling variants raise their anomalies', async () => {
    const neg = await analyzeFile(join(ZEEK, 'http_261_variant-03-cl_negative.pcap'));
    expect(anomalies(neg.events).map((a) => a.code)).toContain('http.bad_content_length');
    const max = await analyzeFile(join(ZEEK, 'http_261_variant-02-cl_uint64max.pcap'));
    expect(anomalies(max.events).map((a) => a.code)).toContain('http.bad_content_length');
    const te = await analyzeFile(join(ZEEK, 'http_261_variant-04-te_cl_desync.pcap'));
    expect(anomalies(te.events).map((a) => a.code)).toContain('http.te_cl_conflict');
  });

  it('gzip responses and HTTP/0.9', async () => {
    const gz = await analyzeFile(join(ZEEK, 'http_get-gzip.pcap'));
    expect(of(gz.events, 'http.transaction').some((t) => t.decode_status === 'decoded')).toBe(true);
    const old = await analyzeFile(join(ZEEK, 'http_http_09.pcap'));
    expect(of(old.events, 'http.transaction')[0]).toMatchObject({ version: '0.9', uri: '/zeek.html' });
  });

  it('a browsing capture groups objects into pages by server', async () => {
    const { events } = await analyzeFile(join(ZEEK, 'wikipedia.pcap'));
    const records = events.filter((e) => httpDescriptor.report!.events.includes(e.type));
    const summary = httpDescriptor.report!.summarize!(records, { flows: of(events, 'flow.end') }) as { pages: unknown[]; servers: Array<{ objects: number }> };
    expect(summary.servers.length).toBeGreaterThan(0);
    expect(summary.pages.length).toBeGreaterThan(0);
    expect(summary.servers.reduce((a, s) => a + s.objects, 0)).toBe(of(events, 'http.transaction').length);
  });
});
