/**
 * The streamed report (issue 19): records spooled to disk past a memory threshold give the
 * same bytes as records kept in memory, and the summaries of a section cut at its budget
 * say so. The thresholds are lowered here so that small captures take the disk path.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { reportSpecs } from '../../src/pipeline/report-capture.js';
import { ReportBuilder, type ReportBuilderOptions } from '../../src/report/report.js';
import { ListSpool, SortedSpool, SpoolDir } from '../../src/report/spool.js';
import { textSummary } from '../../src/report/text-summary.js';

const CAPTURES = join(import.meta.dirname, '..', '..', 'captures');
/** Captures that fill many sections: flows, TCP analysis, anomalies, credentials, summaries. */
const NAMES = ['demo.pcap', 'tcp-analysis.pcap', 'http-pipelined.pcap', 'dns-recursive.pcap', 'smtp-attachment.pcap', 'bittorrent-dht.pcap', 'http2-h2load-concurrent.pcap', 'ftp-pasv-retr.pcap'];
const TOOL = { name: 'wirelens', version: 'test' };

function builderOf(events: readonly WireEvent[], opts: ReportBuilderOptions): ReportBuilder {
  const b = new ReportBuilder(reportSpecs(), TOOL, opts);
  for (const e of events) b.emit(e);
  return b;
}

describe('streamed report', () => {
  const events = new Map<string, WireEvent[]>();
  beforeAll(async () => {
    for (const name of NAMES) events.set(name, (await analyzeFile(join(CAPTURES, name))).events);
  }, 120_000);

  it('writes the same bytes whether its lists stay in memory or spill to disk (indented and compact)', () => {
    for (const name of NAMES) {
      const evs = events.get(name)!;
      for (const indent of [2, 0]) {
        const held = builderOf(evs, { indent });
        const heldText = held.toText();
        expect(held.spilledTo, `${name}: an ordinary capture stays in memory`).toBeNull();
        const spilled = builderOf(evs, { indent, spoolMemory: 64 });
        const spilledText = spilled.toText();
        expect(spilled.spilledTo, `${name}: spilled`).not.toBeNull();
        expect(existsSync(spilled.spilledTo!), `${name}: spool removed once written`).toBe(false);
        expect(spilledText, `${name} indent ${indent}`).toBe(heldText);
        // The document is JSON whose flows come sorted by id, as the in-memory report had them.
        const doc = JSON.parse(spilledText) as { flows: { flow: number }[]; summary: { flows: number } };
        expect(doc.flows.length).toBe(doc.summary.flows);
        expect(doc.flows.map((f) => f.flow)).toEqual([...doc.flows.map((f) => f.flow)].sort((a, b) => a - b));
      }
    }
  });

  it('gives the text summary of the written report, spilled or not', () => {
    for (const name of NAMES) {
      const evs = events.get(name)!;
      const fromDoc = textSummary(JSON.parse(builderOf(evs, {}).toText()));
      expect([...builderOf(evs, {}).textSummary()].join(''), name).toBe(fromDoc);
      const spilled = builderOf(evs, { spoolMemory: 64 });
      expect([...spilled.textSummary()].join(''), `${name} spilled`).toBe(fromDoc);
      expect(existsSync(spilled.spilledTo!)).toBe(false);
    }
  });

  it('summarizes a section from its first records past the budget, lists them all, and says so', () => {
    const evs = events.get('dns-recursive.pcap')!;
    const full = JSON.parse(builderOf(evs, {}).toText()) as Record<string, Record<string, unknown>>;
    expect(full.dns!.summary_limit).toBeUndefined();
    const cut = JSON.parse(builderOf(evs, { summaryBytes: 2000, summaryFlows: 1 }).toText()) as Record<string, Record<string, unknown>>;
    const records = (full.dns!.records as unknown[]).length;
    expect(records).toBeGreaterThan(2);
    expect((cut.dns!.records as unknown[]).length).toBe(records);
    const limit = cut.dns!.summary_limit as Record<string, number>;
    expect(limit.records).toBe(records);
    expect(limit.records_summarized).toBeLessThan(records);
    expect(limit.flows_summarized).toBe(1);
    expect(limit.flows).toBe((full.flows as unknown as unknown[]).length);
  });

  it('counts a record against the budget by what is written: a key holding undefined costs nothing', () => {
    // Events built from a declared field list carry every key, unset ones as undefined; the
    // same record built without them must use the same budget, or the cut would move with
    // how an event object is built rather than with the report.
    const evs = events.get('dns-recursive.pcap')!;
    const padded = evs.map((e) => (e.type.startsWith('dns.') ? ({ ...e, ['zz_unset_'.padEnd(300, 'x')]: undefined } as unknown as WireEvent) : e));
    const opts = { summaryBytes: 20_000, summaryFlows: 1 };
    const text = builderOf(evs, opts).toText();
    const limit = (JSON.parse(text) as Record<string, Record<string, Record<string, number>>>).dns!.summary_limit!;
    expect(limit.records_summarized, 'the budget cuts the section').toBeLessThan(limit.records!);
    expect(builderOf(padded, opts).toText()).toBe(text);
  });
});

describe('spools', () => {
  it('SortedSpool gives texts by key, then arrival, across sorted runs on disk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -3, max: 40 }), fc.string({ unit: 'grapheme', maxLength: 30 })), { maxLength: 80 }),
        fc.integer({ min: 1, max: 200 }),
        (items, memory) => {
          const dir = new SpoolDir();
          try {
            const spool = new SortedSpool(dir, memory);
            items.forEach(([k, t], i) => spool.add(`${i}:${t}`, k));
            const want = items.map(([k, t], i) => ({ k, text: `${i}:${t}`, i })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.text);
            expect([...spool.sorted()]).toEqual(want);
            // Read twice (the text summary sizes its columns first).
            expect([...spool.sorted()]).toEqual(want);
          } finally {
            dir.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ListSpool gives its texts and separators back in order, from disk and memory', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 80 }), fc.integer({ min: 1, max: 200 }), (texts, memory) => {
        const dir = new SpoolDir();
        try {
          const list = new ListSpool(dir, ',\n  ', memory);
          for (const t of texts) list.add(t);
          const got = [...list.chunks()].map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('');
          expect(got).toBe(texts.join(',\n  '));
          expect(list.count).toBe(texts.length);
        } finally {
          dir.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
