import { describe, expect, it } from 'vitest';
import { buildCaptureReport, type ReportTool } from '../../src/pipeline/report-capture.js';
import { textReport } from '../../src/report/text-report.js';
import { textSummary } from '../../src/report/text-summary.js';

const TOOL: ReportTool = { name: 'wirelens', version: 'test' };

describe('report --text: the whole report for people', () => {
  it('demo.pcap: summary, hierarchy, each protocol its transactions in a table and its lab views', async () => {
    const report = (await buildCaptureReport('captures/demo.pcap', { tool: TOOL })).toObject();
    const text = textReport(report);
    expect(text.startsWith(textSummary(report).trimEnd())).toBe(true);
    expect(text.length).toBeGreaterThan(textSummary(report).length * 2);
    expect(text).toMatch(/Protocol hierarchy .*\n\s+protocol\s+% packets\s+packets\s+% bytes\s+bytes\s+end packets\s+end bytes/);
    expect(text).toMatch(/\n {8}http\s+9\.8\s+6\s+35\.7\s+2\.4 kB\s+6\s+2\.4 kB\n/);
    expect(text).toMatch(/\nHTTP\n {2}http\.transaction \(3\)\n {4}frame\s+flow\s+dir\s+what\n\s+10\s+3\s+GET \/demo\/index\.html → 200 97 B\n/);
    expect(text).toMatch(/\nFTP\n[^]*RETR readme\.txt → 226 Transfer complete\./);
    expect(text).toMatch(/ {2}files \(1\):\n {4}- file=\/readme\.txt direction=download bytes=41/);
    expect(text).toMatch(/ {2}pages \(2\):\n {4}- client=127\.0\.0\.1 url=www\.wirelens\.test\/demo\/index\.html/);
    expect(text).toMatch(/\nDNS\n[^]*recursion \(2\):\n {4}- server=127\.0\.0\.1 [^\n]*role=recursive resolver/);
    expect(text).toMatch(/\nTCP\n {2}connections \(4\):\n {4}- frame=16 flow=3 tcp_stream=0 /);
  });

  it('SMTP: envelope mismatches are listed', async () => {
    const text = textReport((await buildCaptureReport('captures/smtp-header-envelope-mismatch.pcap', { tool: TOOL })).toObject());
    expect(text).toMatch(/envelope mismatches \(SMTP envelope vs message headers\):\n {4}frame 16: \{"from":\{"envelope":"bounces\+x42@lists\.example\.org"/);
  });
});
