import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HpackDecoder, readInt } from '../../src/protocols/http2/hpack.js';
import { EOS, HUFFMAN_CODE, huffmanDecode } from '../../src/protocols/http2/huffman.js';
import { corpus, describeWith } from '../support/requires.js';

const SUITE = corpus('hpack-test-case');
const LIMITS = { maxTable: 64 * 1024, maxHeaders: 1024, maxHeaderBytes: 1 << 20 };

interface Story {
  cases: Array<{ wire: string; headers: Array<Record<string, string>>; header_table_size?: number | null }>;
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describeWith(['hpack-vectors'], 'hpack-test-case suite (every implementation, every story)', () => {
  const dirs = readdirSync(SUITE, { withFileTypes: true }).filter((d) => d.isDirectory());
  it('finds the suite', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(5);
  });
  for (const dir of dirs) {
    it(`decodes every story of ${dir.name}`, () => {
      const files = readdirSync(join(SUITE, dir.name)).filter((f) => f.endsWith('.json')).sort();
      expect(files.length).toBeGreaterThan(0);
      let blocks = 0;
      for (const file of files) {
        const story = JSON.parse(readFileSync(join(SUITE, dir.name, file), 'utf8')) as Story;
        const dec = new HpackDecoder(LIMITS);
        story.cases.forEach((c, i) => {
          if (c.header_table_size != null) dec.setSettingsMax(c.header_table_size);
          const got = dec.decode(hex(c.wire));
          const want = c.headers.map((h) => Object.entries(h)[0]!);
          expect({ file, i, problems: got.problems }).toEqual({ file, i, problems: [] });
          expect(got.complete).toBe(true);
          expect(got.headers).toEqual(want);
          blocks++;
        });
      }
      expect(blocks).toBeGreaterThan(100);
    });
  }
});

describe('Huffman', () => {
  it('is a complete prefix code (Kraft sum exactly 1)', () => {
    let sum = 0;
    for (const { bits } of HUFFMAN_CODE) sum += 2 ** -bits;
    expect(sum).toBe(1);
    expect(HUFFMAN_CODE).toHaveLength(EOS + 1);
  });
  it('decodes RFC 7541 C.4.1 www.example.com', () => {
    const r = huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff'));
    expect(r.ok && Buffer.from(r.bytes).toString()).toBe('www.example.com');
  });
  it('decodes every byte value round trip through a bit writer', () => {
    // Encode all 256 symbols with the table, then decode.
    let acc = 0n;
    let nbits = 0n;
    for (let s = 0; s < 256; s++) {
      acc = (acc << BigInt(HUFFMAN_CODE[s]!.bits)) | BigInt(HUFFMAN_CODE[s]!.code);
      nbits += BigInt(HUFFMAN_CODE[s]!.bits);
    }
    const pad = (8n - (nbits % 8n)) % 8n;
    acc = (acc << pad) | ((1n << pad) - 1n);
    const bytes = Buffer.from(acc.toString(16).padStart(Number((nbits + pad) / 4n), '0'), 'hex');
    const r = huffmanDecode(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Array.from(r.bytes)).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
  it('rejects padding longer than 7 bits and padding that is not ones', () => {
    expect(huffmanDecode(hex('ff')).ok).toBe(false); // 8 ones of padding
    expect(huffmanDecode(hex('00')).ok).toBe(false); // '0' then 000: padding must be ones
    expect(huffmanDecode(hex('07')).ok).toBe(true); // '0' then 111
  });
  it('rejects an EOS symbol inside the string', () => {
    expect(huffmanDecode(hex('ffffffff')).ok).toBe(false);
  });
});

describe('HPACK decoder bounds and desync', () => {
  it('reads integers per RFC 7541 C.1 and rejects oversized ones', () => {
    expect(readInt(Uint8Array.of(0x0a), 0, 5)).toEqual({ value: 10, next: 1 });
    expect(readInt(Uint8Array.of(0x1f, 0x9a, 0x0a), 0, 5)).toEqual({ value: 1337, next: 3 });
    expect(readInt(Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0, 5)).toBeNull();
    expect(readInt(Uint8Array.of(0x1f, 0x80), 0, 5)).toBeNull();
  });
  it('decodes RFC 7541 C.3 requests with the dynamic table', () => {
    const d = new HpackDecoder(LIMITS);
    expect(d.decode(hex('828684410f7777772e6578616d706c652e636f6d')).headers).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    expect(d.decode(hex('828684be58086e6f2d6361636865')).headers).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    expect(d.tableSize).toBe(110);
  });
  it('reports a dynamic index it never saw as desync, invents nothing, keeps later entries exact', () => {
    const d = new HpackDecoder(LIMITS);
    // 0xbe = index 62 (dynamic, empty table), then :method GET.
    const r = d.decode(hex('be82'));
    expect(r.complete).toBe(false);
    expect(r.unknown_fields).toBe(1);
    expect(r.headers).toEqual([[':method', 'GET']]);
    expect(r.problems.map((p) => p.kind)).toEqual(['desync']);
    expect(d.desynced).toBe(true);
    // New entry inserted after the desync is known at index 62; index 63 is not.
    const r2 = d.decode(hex('4001610162bebf'));
    expect(r2.headers).toEqual([['a', 'b'], ['a', 'b']]);
    expect(r2.unknown_fields).toBe(1);
  });
  it('an unknown name inserted with indexing stays unknown', () => {
    const d = new HpackDecoder(LIMITS, { startsMidConnection: true });
    const r = d.decode(hex('7f000178be')); // literal, name index 63+0=63 unknown, value "x", indexed; then 62
    expect(r.headers).toEqual([]);
    expect(r.unknown_fields).toBe(2);
  });
  it('never throws on malformed blocks and flags them', () => {
    const d = new HpackDecoder(LIMITS);
    for (const w of ['80', '41', '4105616263', '3fe1ffffffff0f', '00', '0085ffffffffff']) {
      const r = d.decode(hex(w));
      expect(r.complete).toBe(false);
      expect(r.problems.length).toBeGreaterThan(0);
    }
  });
  it('trims at max_headers but keeps the table in sync', () => {
    const d = new HpackDecoder({ ...LIMITS, maxHeaders: 1 });
    const r = d.decode(hex('82' + '4001610162' + 'be'));
    expect(r.headers).toEqual([[':method', 'GET']]);
    expect(r.problems.map((p) => p.kind)).toEqual(['header_limit']);
    expect(d.dynamicEntries).toBe(1);
  });
  it('clamps SETTINGS_HEADER_TABLE_SIZE to max_hpack_table and says so', () => {
    const d = new HpackDecoder({ ...LIMITS, maxTable: 100 });
    expect(d.setSettingsMax(1 << 20)?.kind).toBe('table_limit');
    const r = d.decode(hex('3fe11f')); // size update to 4096 > 100
    expect(r.problems.map((p) => p.kind)).toEqual(['table_limit']);
  });
});
