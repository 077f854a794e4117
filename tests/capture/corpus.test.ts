/**
 * Real captures: every file of the shared corpus goes through readCapture + PacketDecoder
 * without throwing, with the packet counts of the corpus manifest (tshark's counts). And
 * pcap-parser, an independent reader, as an oracle for classic microsecond pcaps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { PacketDecoder } from '../../src/decode/index.js';
import { DEFAULT_LIMITS } from '../../src/dissect/limits.js';
import { corpus, describeWith, zeek } from '../support/requires.js';

const CORPUS = corpus();
const ZEEK = zeek();

function manifest(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of readFileSync(join(CORPUS, 'README.md'), 'utf8').split('\n')) {
    const m = /^\|\s*(\S+\.pcap(?:ng)?)\s*\|\s*(\d+)\s*\|/.exec(line);
    if (m) rows.set(m[1]!, Number(m[2]));
  }
  return rows;
}

describeWith(['corpus'], 'shared corpus', () => {
  it('reads and decodes every file without throwing, with the manifest packet counts', async () => {
    const expected = manifest();
    const files = readdirSync(ZEEK).sort();
    expect(files.length).toBeGreaterThan(100);
    const counts: Record<string, number> = {};
    const wanted: Record<string, number | undefined> = {};
    let decoded = 0;
    for (const f of files) {
      const decoder = new PacketDecoder(DEFAULT_LIMITS, () => {});
      let last = null as null | import('../../src/events/time.js').Timestamp;
      const summary = await readCapture(join(ZEEK, f), {
        packet: (p) => {
          const r = decoder.decode(p.link_type, p.data, p.ts);
          if (r.kind === 'ip') decoded++;
          last = p.ts;
        },
        problem: () => {},
      });
      if (last) decoder.expire(last.plusSeconds(3600));
      expect(decoder.pendingFragments).toBe(0);
      counts[f] = summary.packets;
      wanted[f] = expected.get(f);
    }
    expect(counts).toEqual(wanted);
    expect(decoded).toBeGreaterThan(20000);
  });
});

interface PcapParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PcapParserEmitter {
  on(event: 'packet', cb: (p: PcapParserPacket) => void): PcapParserEmitter;
  on(event: 'end', cb: () => void): PcapParserEmitter;
  on(event: 'error', cb: (e: Error) => void): PcapParserEmitter;
}

// pcap-parser is only an oracle here, never the runtime reader: it uses the deprecated
// Buffer constructor, concatenates its whole buffer on every chunk, and knows only µs pcap.
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: string): PcapParserEmitter };

function oracle(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    pcapParser
      .parse(path)
      .on('packet', (p) => out.push(`${p.header.timestampSeconds}.${String(p.header.timestampMicroseconds * 1000).padStart(9, '0')} ${p.header.capturedLength} ${p.header.originalLength} ${p.data.subarray(0, 16).toString('hex')}`))
      .on('end', () => resolve(out))
      .on('error', reject);
  });
}

describeWith(['corpus'], 'pcap-parser oracle', () => {
  it('agrees on packet count, lengths, timestamps and first bytes of every classic µs pcap', async () => {
    const files = readdirSync(ZEEK).filter((f) => {
      const head = readFileSync(join(ZEEK, f)).subarray(0, 4).toString('hex');
      return head === 'd4c3b2a1' || head === 'a1b2c3d4';
    });
    expect(files.length).toBeGreaterThan(150);
    const proc = process as NodeJS.Process & { noDeprecation?: boolean };
    const prev = proc.noDeprecation;
    proc.noDeprecation = true; // pcap-parser's `new Buffer()`
    try {
      for (const f of files) {
        const ours: string[] = [];
        await readCapture(join(ZEEK, f), {
          packet: (p) => ours.push(`${p.ts} ${p.data.length} ${p.orig_len} ${Buffer.from(p.data.subarray(0, 16)).toString('hex')}`),
          problem: () => {},
        });
        expect(ours, f).toEqual(await oracle(join(ZEEK, f)));
      }
    } finally {
      proc.noDeprecation = prev;
    }
  });
});
