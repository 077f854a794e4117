/**
 * QPACK (RFC 9204) and the HTTP/3 connection over already reassembled streams: the
 * Appendix B examples, blocked field sections released by the encoder stream (and one
 * never released), references past the table, encoder instructions cut at every byte,
 * and the control stream's rules.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { Http3Connection } from '../../src/protocols/http3/connection.js';
import { QpackDecoder } from '../../src/protocols/http3/qpack.js';
import { recordingContext } from '../support/dissector-harness.js';
import { varint } from './builders.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const LIMITS = { maxTable: 65536, maxHeaders: 100, maxHeaderBytes: 65536 };

describe('QPACK decoder (RFC 9204 Appendix B)', () => {
  it('B.1: a literal with a static name reference, no dynamic table', () => {
    const d = new QpackDecoder(LIMITS);
    expect(d.fieldSection(h('0000 510b 2f69 6e64 6578 2e68 746d 6c'))).toEqual({ kind: 'done', headers: [[':path', '/index.html']], required_insert_count: 0, dynamic_refs: 0, trimmed: false });
  });

  it('B.2: post-base references, blocked until the encoder stream inserts', () => {
    const d = new QpackDecoder(LIMITS);
    d.maxTableCapacity = 220;
    const section = h('0381 10 11');
    expect(d.fieldSection(section)).toEqual({ kind: 'blocked', required: 2, have: 0 });
    const enc = h('3fbd01 c00f7777772e6578616d706c652e636f6d c10c2f73616d706c652f70617468');
    expect(d.encoderInstructions(enc)).toEqual({ kind: 'ok', consumed: enc.length, inserts: 2 });
    expect(d.fieldSection(section)).toMatchObject({ kind: 'done', headers: [[':authority', 'www.example.com'], [':path', '/sample/path']], required_insert_count: 2, dynamic_refs: 2 });
    // 2 entries: 10 + 15 + 32 and 5 + 12 + 32 octets.
    expect([d.tableEntries, d.tableSize]).toEqual([2, 106]);
  });

  it('encoder instructions cut at every byte give the same table', () => {
    const enc = h('3fbd01 c00f7777772e6578616d706c652e636f6d c10c2f73616d706c652f70617468 4a637573746f6d2d6b65790c637573746f6d2d76616c7565 02');
    for (let at = 0; at <= enc.length; at++) {
      const d = new QpackDecoder(LIMITS);
      d.maxTableCapacity = 220;
      const first = d.encoderInstructions(enc.subarray(0, at));
      if (first.kind !== 'ok') throw new Error(first.reason);
      const rest = d.encoderInstructions(enc.subarray(first.consumed));
      expect(rest.kind, `cut at ${at}`).toBe('ok');
      expect([d.insertCount, d.tableEntries, d.tableSize], `cut at ${at}`).toEqual([4, 4, 106 + 54 + 57]);
    }
  });

  it('references past the table, evicted entries and bad static indices are errors, never throws', () => {
    const d = new QpackDecoder(LIMITS);
    d.maxTableCapacity = 220;
    expect(d.fieldSection(h('0000 ff 7f'))).toMatchObject({ kind: 'error' }); // static index 190
    expect(d.encoderInstructions(h('3fbd01 81 03616263'))).toMatchObject({ kind: 'error' }); // insert naming dynamic entry 1 of an empty table
    expect(d.encoderInstructions(h('3fe11f'))).toMatchObject({ kind: 'error' }); // capacity over the decoder's setting
    expect(d.fieldSection(h('ff'))).toMatchObject({ kind: 'error' });
    const big = new QpackDecoder({ ...LIMITS, maxTable: 100 });
    expect(big.encoderInstructions(h('3fbd01'))).toMatchObject({ kind: 'error', reason: expect.stringContaining('max_qpack_table') });
  });
});

// ---- the connection ---------------------------------------------------------------------

const frame = (type: number, payload: ArrayLike<number>): number[] => [...varint(type), ...varint(payload.length), ...Array.from(payload)];
const SETTINGS = (capacity: number) => [0x00, ...frame(0x04, [...varint(0x01), ...varint(capacity), ...varint(0x07), ...varint(16)])];
/** Request: :method GET, :scheme https, then :authority and :path from the dynamic table (post-base 0 and 1). */
const DYN_REQUEST = frame(0x01, [0x03, 0x81, 0xc0 | 17, 0xc0 | 23, 0x10, 0x11]);
const ENCODER = [0x02, ...h('3fbd01 c00f7777772e6578616d706c652e636f6d c10c2f73616d706c652f70617468')];
const RESPONSE = [...frame(0x01, [0x00, 0x00, 0xc0 | 25]), ...frame(0x00, Buffer.from('ok'))];

function connection() {
  const rec = recordingContext({ flow: { transport: 'udp' } });
  return { rec, h3: new Http3Connection(rec.ctx) };
}
const ofType = (events: WireEvent[], type: string) => events.filter((e) => e.type === type);
const codes = (events: WireEvent[]) => ofType(events, 'anomaly').map((e) => [e.frame, e['code']]);

describe('HTTP/3 connection', () => {
  it('a request that waits for the encoder stream is decoded when it arrives (blocked stream)', () => {
    const { rec, h3 } = connection();
    rec.at(1);
    h3.streamData(3, 's2c', Uint8Array.from(SETTINGS(220)));
    h3.streamData(2, 'c2s', Uint8Array.from(SETTINGS(0)));
    rec.at(2);
    h3.streamData(0, 'c2s', Uint8Array.from(DYN_REQUEST));
    h3.streamEnd(0, 'c2s', 'fin');
    expect(ofType(rec.events, 'http3.headers')).toHaveLength(0);
    rec.at(3);
    h3.streamData(6, 'c2s', Uint8Array.from(ENCODER));
    rec.at(4);
    h3.streamData(0, 's2c', Uint8Array.from(RESPONSE));
    h3.streamEnd(0, 's2c', 'fin');
    h3.close();
    expect(codes(rec.events)).toEqual([]);
    expect(ofType(rec.events, 'http3.headers')[0]).toMatchObject({ frame: 3, block: 'request', was_blocked: true, dynamic_refs: 2, required_insert_count: 2 });
    expect(ofType(rec.events, 'http.transaction')).toMatchObject([{ method: 'GET', uri: '/sample/path', host: 'www.example.com', status_code: 200, response_body_len: 2 }]);
    expect(ofType(rec.events, 'http3.connection')[0]).toMatchObject({ blocked_sections: 1, never_unblocked: 0, client: { qpack_inserts: 2 } });
  });

  it('an encoder stream that never comes: the blocked section is an anomaly at its own frame', () => {
    const { rec, h3 } = connection();
    rec.at(1);
    h3.streamData(3, 's2c', Uint8Array.from(SETTINGS(220)));
    rec.at(2);
    h3.streamData(0, 'c2s', Uint8Array.from(DYN_REQUEST));
    rec.at(9);
    h3.close();
    expect(codes(rec.events)).toEqual([[2, 'http3.qpack_blocked']]);
    // Nothing of the request was readable: no transaction is made up for it.
    expect(ofType(rec.events, 'http.transaction')).toEqual([]);
    expect(ofType(rec.events, 'http3.connection')[0]).toMatchObject({ blocked_sections: 1, never_unblocked: 1 });
  });

  it('every split of the request stream gives the same headers', () => {
    const all = [...DYN_REQUEST];
    for (let at = 1; at < all.length; at++) {
      const { rec, h3 } = connection();
      h3.streamData(3, 's2c', Uint8Array.from(SETTINGS(220)));
      h3.streamData(6, 'c2s', Uint8Array.from(ENCODER));
      h3.streamData(0, 'c2s', Uint8Array.from(all.slice(0, at)));
      h3.streamData(0, 'c2s', Uint8Array.from(all.slice(at)));
      h3.close();
      expect(codes(rec.events), `split at ${at}`).toEqual([]);
      expect(ofType(rec.events, 'http3.headers')[0]!['headers'], `split at ${at}`).toEqual([
        [':method', 'GET'],
        [':scheme', 'https'],
        [':authority', 'www.example.com'],
        [':path', '/sample/path'],
      ]);
    }
  });

  it('control stream rules: SETTINGS first, no DATA there, one control stream per side', () => {
    const { rec, h3 } = connection();
    rec.at(1);
    h3.streamData(3, 's2c', Uint8Array.from([0x00, ...frame(0x07, varint(0))]));
    rec.at(2);
    h3.streamData(2, 'c2s', Uint8Array.from([...SETTINGS(0), ...frame(0x00, [1, 2])]));
    rec.at(3);
    h3.streamData(10, 'c2s', Uint8Array.from(SETTINGS(0)));
    rec.at(4);
    h3.streamData(0, 'c2s', Uint8Array.from(frame(0x06, [1, 2, 3, 4, 5, 6, 7, 8])));
    h3.close();
    expect(codes(rec.events)).toEqual([
      [1, 'http3.missing_settings'],
      [2, 'http3.bad_frame'],
      [3, 'http3.stream_error'],
      [4, 'http3.bad_frame'],
    ]);
  });

  it('Basic credentials in a request become a credentials event', () => {
    const { rec, h3 } = connection();
    const auth = [...Buffer.from('Basic dXNlcjpwYXNz')];
    // authorization is static name 84: a literal with a static name reference (4-bit prefix 15 + 69).
    h3.streamData(0, 'c2s', Uint8Array.from(frame(0x01, [0, 0, 0xc0 | 17, 0x5f, 69, auth.length, ...auth])));
    h3.close();
    expect(ofType(rec.events, 'credentials')).toMatchObject([{ protocol: 'http', user: 'user', secret: 'pass', mechanism: 'basic', header: 'authorization' }]);
  });

  it('a HEADERS frame over max_header_bytes is skipped with an anomaly, the stream goes on', () => {
    const rec = recordingContext({ flow: { transport: 'udp' }, limits: { max_header_bytes: 64 } });
    const h3 = new Http3Connection(rec.ctx);
    rec.at(5);
    h3.streamData(0, 'c2s', Uint8Array.from([...frame(0x01, new Array(100).fill(0x20)), ...frame(0x01, [0, 0, 0xc0 | 17])]));
    h3.close();
    expect(codes(rec.events)).toEqual([[5, 'http3.header_limit']]);
    expect(ofType(rec.events, 'http3.headers')).toMatchObject([{ headers: [[':method', 'GET']] }]);
  });
});
