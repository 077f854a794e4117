import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJson, type JsonValue } from '../../src/events/json.js';
import { Timestamp } from '../../src/events/time.js';
import { makeEvent } from '../../src/events/event.js';
import { compactJson, eventLine, NdjsonWriter } from '../../src/report/ndjson.js';
import { leaf, value } from '../support/json-arbitraries.js';


describe('compactJson', () => {
  it('writes exactly what toJson writes without indentation', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(compactJson(v as JsonValue)).toBe(toJson(v as JsonValue));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps base keys first even when fields repeat them', () => {
    const e = makeEvent('http.request', 7, new Timestamp(1, 5), 3, 'c2s', { type: 'x', method: 'GET', ts: 9, gone: undefined });
    expect(compactJson(e)).toBe(toJson(e));
    expect(compactJson(e)).toBe('{"type":"http.request","frame":7,"ts":1.000000005,"flow":3,"dir":"c2s","method":"GET"}');
  });
});

describe('makeEvent', () => {
  /** What makeEvent did before it compiled builders: a spread, then the base keys set again. */
  function spreadEvent(type: string, frame: number, ts: Timestamp, flow: number | null, dir: 'c2s' | 's2c' | null, fields: Record<string, JsonValue | undefined>) {
    const e: Record<string, unknown> = { type, frame, ts, flow, dir, ...fields };
    e.type = type;
    e.frame = frame;
    e.ts = ts;
    e.flow = flow;
    e.dir = dir;
    return e;
  }
  // Few types and keys, so that shapes repeat (compiled builders are reused) and overflow a type's share.
  const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'type', 'ts', 'dir', '__proto__', '0', '12', '1x', 'a b', '"q"', '\u2028'), fc.string({ maxLength: 3 }));
  const fields = fc.dictionary(key, leaf, { maxKeys: 12 });

  it('makes the same object as a spread: keys, order, values, own properties', () => {
    fc.assert(
      fc.property(fc.constantFrom('t1', 't2', 't3'), fields, (type, f) => {
        const ts = new Timestamp(1, 2);
        const got = makeEvent(type, 5, ts, 9, 'c2s', f);
        const want = spreadEvent(type, 5, ts, 9, 'c2s', f);
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
        expect(Object.keys(got)).toEqual(Object.keys(want));
        for (const k of Object.keys(want)) expect(Object.is(got[k], want[k])).toBe(true);
        expect(compactJson(got)).toBe(toJson(want as JsonValue));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('eventLine', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'type', '__proto__', '0', 'a b', '"q"');
  const fields = fc.dictionary(key, value, { maxKeys: 6 });

  it('writes what compactJson writes, for events just built (compiled serializers) and kept ones', () => {
    fc.assert(
      fc.property(fc.constantFrom('t1', 't2'), fields, fields, (type, f, g) => {
        const ts = new Timestamp(1, 2);
        const kept = makeEvent(type, 5, ts, 9, 's2c', g as Record<string, JsonValue | undefined>);
        const e = makeEvent(type, 5, ts, null, 'c2s', f as Record<string, JsonValue | undefined>);
        expect(eventLine(e)).toBe(compactJson(e));
        expect(eventLine(kept)).toBe(compactJson(kept));
      }),
      { numRuns: 3000 },
    );
  });

  it('prints a Timestamp inside a field exactly, and the same value without one natively', () => {
    const ts = new Timestamp(1700000000, 123456789);
    const e = makeEvent('x', 1, ts, 1, null, { nested: [{ at: ts }, null, undefined as unknown as JsonValue, NaN], plain: { a: [1, 'b'] } });
    expect(eventLine(e)).toBe('{"type":"x","frame":1,"ts":1700000000.123456789,"flow":1,"dir":null,"nested":[{"at":1700000000.123456789},null,null,null],"plain":{"a":[1,"b"]}}');
  });
});

describe('NdjsonWriter', () => {
  it('writes one line per accepted event, batched, all flushed at the end', () => {
    const writes: string[] = [];
    const w = new NdjsonWriter((bytes) => writes.push(Buffer.from(bytes).toString('utf8')), (e) => e.type !== 'skip');
    const n = 5000;
    for (let i = 1; i <= n; i++) w.emit(makeEvent(i % 10 === 0 ? 'skip' : 'a', i, new Timestamp(i, 0), null, null, { pad: 'x'.repeat(40) }));
    w.flush();
    expect(writes.length).toBeGreaterThan(1);
    const lines = writes.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(n - n / 10);
    expect(JSON.parse(lines[0]!).frame).toBe(1);
  });

  it('encodes UTF-8 and lines longer than its chunk, in order', () => {
    const chunks: Uint8Array[] = [];
    const w = new NdjsonWriter((bytes) => chunks.push(bytes));
    const events = [
      makeEvent('a', 1, new Timestamp(1, 0), null, null, { text: 'caf\u00e9 \u20ac \u{1f600} \ud800' }),
      makeEvent('b', 2, new Timestamp(2, 0), null, null, { text: '\u20ac'.repeat(70_000) }),
      makeEvent('c', 3, new Timestamp(3, 5), 7, 'c2s', { n: 1 }),
    ];
    for (const e of events) w.emit(e);
    w.flush();
    const expected = events.map((e) => compactJson(e) + '\n').join('');
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
    expect(Buffer.concat(chunks).equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });
});
