/** Hostile input: mutated conversations, cut anywhere, never throw and always finish. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpDescriptor } from '../../src/protocols/http/index.js';
import { http2Descriptor } from '../../src/protocols/http2/index.js';
import { recordingContext } from '../support/dissector-harness.js';
import type { ProtocolDescriptor } from '../../src/dissect/contract.js';
import { conversation } from '../http2/frames.js';

const H1 = Buffer.from(
  'POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\nT: 1\r\n\r\n' +
    'GET /b HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\nCONNECT x:1 HTTP/1.1\r\n\r\n',
  'latin1',
);
const H1S = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 101 x\r\nUpgrade: websocket\r\n\r\n', 'latin1');
const H2 = conversation();

const mutate = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }).map((edits) => {
    const b = Uint8Array.from(base);
    for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
    return b;
  });

function drive(d: ProtocolDescriptor, c2s: Uint8Array, s2c: Uint8Array, cuts: number[], gapAt: number): void {
  const rec = recordingContext({ limits: { max_headers: 8, max_header_bytes: 512, max_decompressed: 4096 } });
  const diss = d.createStream!(rec.ctx);
  let frame = 1;
  const feed = (dir: 'c2s' | 's2c', b: Uint8Array) => {
    let p = 0;
    for (const c of cuts) {
      const q = Math.min(b.length, p + 1 + (c % 40));
      rec.at(frame++);
      diss.data(dir, b.subarray(p, q));
      if (frame === gapAt) diss.gap(dir, 1 + (c % 100));
      p = q;
      if (p >= b.length) break;
    }
    if (p < b.length) diss.data(dir, b.subarray(p));
  };
  feed('c2s', c2s);
  feed('s2c', s2c);
  diss.end?.('s2c', 'fin');
  diss.close();
  for (const e of rec.events) expect(typeof e.type).toBe('string');
}

describe('fuzz: HTTP dissectors never throw or hang', () => {
  it('HTTP/1', () => {
    fc.assert(
      fc.property(mutate(H1), mutate(H1S), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.nat(40), (a, b, cuts, gapAt) => {
        drive(httpDescriptor, a, b, cuts, gapAt);
      }),
      { numRuns: 300 },
    );
  });
  it('HTTP/2', () => {
    const c2s = Buffer.concat(H2.filter((c) => c.dir === 'c2s').map((c) => Buffer.from(c.bytes as Uint8Array)));
    const s2c = Buffer.concat(H2.filter((c) => c.dir === 's2c').map((c) => Buffer.from(c.bytes as Uint8Array)));
    fc.assert(
      fc.property(mutate(c2s), mutate(s2c), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.nat(40), (a, b, cuts, gapAt) => {
        drive(http2Descriptor, a, b, cuts, gapAt);
      }),
      { numRuns: 300 },
    );
  });
});
