import { describe, expect, it } from 'vitest';
import { buildCaptureReport, type ReportTool } from '../../src/pipeline/report-capture.js';
import { textReport } from '../../src/report/text-report.js';
import { GRAPHED_CONNECTIONS, graphSection } from '../../src/report/text-graphs.js';
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

  it('graphs: the busiest TCP connections (time-sequence with retransmissions, throughput, RTT) and the I/O graph, last and bounded', async () => {
    const report = (await buildCaptureReport('captures/tcp-analysis.pcap', { tool: TOOL })).toObject();
    const json = JSON.stringify(report);
    const text = textReport(report);
    const graphs = graphSection(report);
    // An added section at the very end: the text before it is the report without graphs.
    expect(text.endsWith('\n\n' + graphs.join('\n') + '\n')).toBe(true);
    expect(text.indexOf('\nGRAPHS\n')).toBe(text.length - graphs.join('\n').length - 2);
    // Drawing reads the report; it changes nothing in it (report --json stays as it was).
    expect(JSON.stringify(report)).toBe(json);
    expect(graphs[1]).toBe('  Every TCP connection with data (2).');
    // Stream 0 is the busiest (2.5 MB): its section comes first.
    expect(graphs.findIndex((l) => l.startsWith('  TCP stream 0:'))).toBeLessThan(graphs.findIndex((l) => l.startsWith('  TCP stream 1:')));
    // Each retransmission of the report's series is counted, and marked on the graph.
    expect(graphs).toContain('  Time-sequence graph (Stevens), server → client: 285 retransmitted');
    expect(graphs).toContain('  Time-sequence graph (Stevens), server → client: 3 retransmitted');
    expect(graphs.filter((l) => l.includes('×') && /[\u2800-\u28ff]/.test(l)).length).toBeGreaterThan(2);
    expect(graphs.some((l) => /^ {2}Throughput, server → client: peak [\d.]+MB\/s/.test(l))).toBe(true);
    expect(graphs.some((l) => l.startsWith('  Mean SampleRTT per interval: 77 intervals with samples'))).toBe(true);
    expect(graphs.some((l) => l.startsWith('  I/O graph of the capture: frames per 1 s; peak 1802'))).toBe(true);
    // Every plot row is the same width: 64 cells after the 9-column axis.
    const plotRows = graphs.filter((l) => /^ {2}.{8}[┤│]/.test(l) && !l.includes('relative seq'));
    expect(plotRows.length).toBeGreaterThan(40);
    for (const l of plotRows) expect([...l].length).toBeLessThanOrEqual(2 + 9 + 64);
  });

  it('graphs are bounded: only the busiest connections are drawn, and the text says which', async () => {
    const report = (await buildCaptureReport('captures/demo.pcap', { tool: TOOL })).toObject();
    const graphs = graphSection(report);
    expect(GRAPHED_CONNECTIONS).toBe(3);
    expect(graphs[1]).toBe(`  The 3 busiest of 4 TCP connections with data, by payload bytes (report --json has every connection's series).`);
    expect(graphs.filter((l) => /^ {2}TCP stream \d+:/.test(l))).toHaveLength(3);
    // A connection whose packets all fall in one bucket is named, not drawn as a line.
    expect(graphs).toContain("    All of it within one 10 ms bucket of the report's series: nothing to draw over time.");
  });
});
