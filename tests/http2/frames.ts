/** Hand-made HTTP/2 bytes for tests: frames and a minimal HPACK encoder (literals, static indices). */
import { gzipSync } from 'node:zlib';
import { STATIC_TABLE } from '../../src/protocols/http2/hpack.js';
import type { Chunk } from '../support/dissector-harness.js';

const C2S = (...b: Buffer[]): Chunk => ({ dir: 'c2s', bytes: Buffer.concat(b) });
const S2C = (...b: Buffer[]): Chunk => ({ dir: 's2c', bytes: Buffer.concat(b) });

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export function frame(type: number, flags: number, stream: number, payload: Uint8Array | string = new Uint8Array(0)): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload);
  const h = Buffer.alloc(9);
  h.writeUIntBE(p.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, p]);
}

function int(value: number, prefix: number, first: number): number[] {
  const max = (1 << prefix) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  value -= max;
  while (value >= 128) {
    out.push((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out.push(value);
  return out;
}

function str(s: string): number[] {
  const b = Buffer.from(s, 'latin1');
  return [...int(b.length, 7, 0), ...b];
}

/**
 * Encodes headers: exact static matches as indexed fields, others as literals with
 * incremental indexing (so the dynamic table is exercised), or without indexing if `index` is false.
 */
export function hpack(headers: Array<[string, string]>, opts: { index?: boolean; dynamic?: Map<string, number> } = {}): Buffer {
  const out: number[] = [];
  for (const [n, v] of headers) {
    const exact = STATIC_TABLE.findIndex(([sn, sv]) => sn === n && sv === v);
    if (exact >= 0) {
      out.push(...int(exact + 1, 7, 0x80));
      continue;
    }
    const dyn = opts.dynamic?.get(`${n}\0${v}`);
    if (dyn !== undefined) {
      out.push(...int(dyn, 7, 0x80));
      continue;
    }
    const nameIdx = STATIC_TABLE.findIndex(([sn]) => sn === n);
    if (opts.index) out.push(...int(nameIdx + 1, 6, 0x40));
    else out.push(...int(nameIdx + 1, 4, 0x00));
    if (nameIdx < 0) out.push(...str(n));
    out.push(...str(v));
  }
  return Buffer.from(out);
}

export const settings = (pairs: Array<[number, number]> = []): Buffer => {
  const b = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, v], i) => {
    b.writeUInt16BE(id, i * 6);
    b.writeUInt32BE(v, i * 6 + 2);
  });
  return frame(4, 0, 0, b);
};

/** A representative prior-knowledge conversation: two interleaved streams, gzip, padding, settings, ping, goaway. */
export const req = (path: string): Array<[string, string]> => [[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.com'], [':path', path], ['user-agent', 'nghttp2/1.5']];

export function conversation(): Chunk[] {
  const body2 = gzipSync('b'.repeat(3000));
  return [
    C2S(PREFACE, settings([[1, 4096], [4, 65535]]), frame(1, 0x5, 1, hpack(req('/a'), { index: true })), frame(1, 0x5, 3, hpack(req('/b.js'), { index: true }))),
    S2C(settings([[3, 100]]), frame(4, 1, 0), frame(1, 0x4, 1, hpack([[':status', '200'], ['content-type', 'text/html']])), frame(1, 0x4, 3, hpack([[':status', '200'], ['content-encoding', 'gzip'], ['content-type', 'application/javascript']]))),
    S2C(frame(0, 0, 1, 'hello '), frame(0, 0, 3, body2.subarray(0, 10)), frame(0, 0x1, 1, 'world')),
    C2S(frame(4, 1, 0), frame(8, 0, 0, Buffer.from([0, 0, 0x10, 0]))),
    S2C(frame(0, 0x9, 3, Buffer.concat([Buffer.from([3]), body2.subarray(10), Buffer.from([0, 0, 0])]))),
    C2S(frame(6, 0, 0, Buffer.alloc(8, 7)), frame(7, 0, 0, Buffer.from([0, 0, 0, 3, 0, 0, 0, 0]))),
  ];
}

