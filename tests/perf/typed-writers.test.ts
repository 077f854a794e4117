import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../src/protocols/index.js';
import '../../src/events/core-events.js';
import '../../src/analysis/tcp/events.js';
import { declaredEvent, declareEvent, declaredEvents } from '../../src/events/declared.js';
import { makeEvent, typedEvent, type Direction, type EventFields } from '../../src/events/event.js';
import { nestedJson, type JsonValue } from '../../src/events/json.js';
import { LineOut } from '../../src/events/line-out.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { compactJson, eventLine, NdjsonWriter, writeEvent } from '../../src/report/ndjson.js';
import { EVENT_FIELDS } from '../../src/filter/event-fields.js';
import { leaf, text, timestamp, value } from '../support/json-arbitraries.js';

/**
 * The event types not declared with declareEvent, and why: their fields come from makeEvent's
 * per-shape builders. Counts are from `events` on the 100 MB bench (about 114,000 events).
 * "not declared yet": low-volume types of protocols whose high-volume ones are declared.
 */
const UNDECLARED: Readonly<Record<string, string>> = {
  anomaly: 'two fields, built by session.anomaly; rare (74 on the 100 MB bench)',
  'capture.summary': 'one per run',
  'flow.start': 'emitted only when --types asks for it',
  'flow.update': 'emitted only when --types asks for it',
  'bittorrent.dht': 'no one order: info_hash follows node_id in a query but precedes it in a response (646 on the bench)',
  'bittorrent.tracker': 'no one order: info_hash and connection_id meet in both orders (UDP scrape request vs response); 486 on the bench',
  'quic.frame': 'quic: not declared yet',
  'quic.connection': 'quic: not declared yet',
  'ftp.encrypted': 'ftp: not declared yet',
  'smtp.encrypted': 'smtp: not declared yet',
  'imap.done': 'imap: not declared yet',
  'imap.encrypted': 'imap: not declared yet',
  'imap.compressed': 'imap: not declared yet',
  'pop3.encrypted': 'pop3: not declared yet',
};

/*
 * Events of declared types are written as bytes straight from their parts (events/declared.ts)
 * when `events` runs with no filter, and built as objects for every other sink. These tests
 * hold the two ways to the same bytes.
 */

const dir = fc.constantFrom<Direction | null>('c2s', 's2c', null);
const flow = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(2 ** 40));

/** Everything `out` handed over, as one buffer. */
function collect(fill: (out: LineOut) => void): Buffer {
  const chunks: Uint8Array[] = [];
  const out = new LineOut((b) => chunks.push(b));
  fill(out);
  out.flush();
  return Buffer.concat(chunks);
}

describe('LineOut', () => {
  it('writes any value as compactJson does', () => {
    fc.assert(
      fc.property(value, (v) => {
        const got = collect((out) => {
          out.begin(Buffer.from('{"v":'));
          out.value(v as JsonValue);
          out.end();
        });
        expect(got.equals(Buffer.from('{"v":' + compactJson(v as JsonValue) + '}\n', 'utf8'))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  /** A value the byte walk gives up on part way (a class instance, a function, a toJSON member, depth). */
  class Point {
    constructor(
      readonly x: number,
      readonly y: string,
    ) {}
  }
  const exotic = fc.constantFrom<unknown>(
    new Point(1, 'a'),
    () => 1,
    { toJSON: () => 'j' },
    Object.create({ inherited: 1 }) as unknown,
    JSON.parse('['.repeat(40) + '1' + ']'.repeat(40)) as unknown,
    new Uint8Array([1, 2]),
  );
  const { withExotic } = fc.letrec((tie) => ({
    withExotic: fc.oneof({ depthSize: 'small' }, leaf, exotic, tie('array'), tie('object')),
    array: fc.array(tie('withExotic'), { maxLength: 5 }),
    object: fc.dictionary(text, tie('withExotic'), { maxKeys: 6 }),
  }));

  it('writes arrays and objects as nestedJson does, values that are not plain data included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(withExotic, { maxLength: 6 }), fc.dictionary(text, withExotic, { maxKeys: 6 })), (v) => {
        const got = collect((out) => {
          out.begin(Buffer.from('{"v":'));
          out.value(v as JsonValue);
          out.end();
        });
        expect(got.toString('utf8')).toBe('{"v":' + nestedJson(v as JsonValue) + '}\n');
      }),
      { numRuns: 1000 },
    );
  });

  it('takes a line back to where the value began when the walk gives up after a chunk was handed over', () => {
    const chunks: Uint8Array[] = [];
    const out = new LineOut((b) => chunks.push(b));
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      // Strings that fill most of a chunk, then what the walk does not know: its bytes are dropped.
      const v = [...Array.from({ length: 40 }, (_, j) => 'x'.repeat(100 * j + i)), new Point(i, 'p'), { a: [1, 2] }];
      out.begin(Buffer.from('{"n":'));
      out.num(i);
      out.raw(Buffer.from(',"v":'));
      out.value(v as unknown as JsonValue);
      out.end();
      lines.push(`{"n":${i},"v":${nestedJson(v as unknown as JsonValue)}}\n`);
    }
    out.flush();
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c[c.length - 1]).toBe(0x0a);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(lines.join(''));
  });

  it('hands over whole lines only, a line larger than a chunk included', () => {
    const chunks: Uint8Array[] = [];
    const out = new LineOut((b) => chunks.push(b));
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const s = i % 97 === 0 ? '\u20ac'.repeat(70_000) : 'x'.repeat(i * 7) + (i % 3 ? '\u00e9' : '');
      out.begin(Buffer.from('{"n":'));
      out.num(i);
      out.raw(Buffer.from(',"s":'));
      out.str(s);
      out.end();
      lines.push(`{"n":${i},"s":${JSON.stringify(s)}}\n`);
    }
    out.flush();
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c[c.length - 1]).toBe(0x0a);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(lines.join(''));
  });
});

describe('declared events', () => {
  const all = declaredEvents();

  it('cover the busiest types of the bench output', () => {
    const types = new Set(all.map((d) => d.type));
    for (const t of ['flow.end', 'tcp.analysis', 'tcp.connection', 'quic.packet', 'dns.message', 'dns.transaction', 'http.transaction', 'ftp.command', 'smtp.reply', 'imap.response']) {
      expect(types.has(t as never)).toBe(true);
    }
    expect(PROTOCOLS.length).toBeGreaterThan(0);
  });

  it('cover every event type, but for the ones listed with the reason they are not', () => {
    const types = new Set<string>(all.map((d) => d.type));
    // A high-volume type (one event per packet, frame or message) must be declared: the
    // byte path skips the event object and the per-shape builder only for declared types.
    for (const t of ['http2.frame', 'http2.headers', 'bittorrent.message', 'bittorrent.keep_alive', 'tls.client_hello', 'tls.server_hello', 'tls.session', 'credentials', 'http3.frame']) {
      expect(types.has(t), t).toBe(true);
    }
    // Every type the EventMap declares (event-fields.ts is generated from it) is declared
    // here or named in UNDECLARED, so a new type is a decision, not an accident.
    const everyType = Object.keys(EVENT_FIELDS);
    expect(everyType.length).toBeGreaterThan(60);
    const unaccounted = everyType.filter((t) => !types.has(t) && !Object.hasOwn(UNDECLARED, t));
    expect(unaccounted).toEqual([]);
    // The declaration names the fields of the EventMap's interface, no more (the compiler checks no fewer).
    for (const d of all) {
      const known = new Set(EVENT_FIELDS[d.type]);
      expect(d.keys.filter((k) => !known.has(k)), d.type).toEqual([]);
    }
  });

  it('write the bytes of the object path, for random fields of every declared type', () => {
    const decl = fc.constantFrom(...all);
    // Mostly scalars, some nested values: a type has up to 70 fields.
    const field = fc.oneof({ arbitrary: leaf, weight: 6 }, { arbitrary: value, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 2 });
    const fields = (keys: readonly string[]) => fc.tuple(...keys.map(() => field));
    fc.assert(
      fc.property(
        decl.chain((d) => fc.tuple(fc.constant(d), fields(d.keys))),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        timestamp,
        flow,
        dir,
        ([d, values], frame, ts, fl, dr) => {
          const f: Record<string, JsonValue | undefined> = {};
          // Built in reverse: the declaration, not the literal, decides the order.
          for (let i = d.keys.length - 1; i >= 0; i--) f[d.keys[i]!] = values[i] as JsonValue | undefined;
          const bytes = collect((out) => d.write(out, frame, ts, fl, dr, f as never));
          const e = typedEvent(d.type, frame, ts, fl, dr, f as never);
          expect(Object.keys(e)).toEqual(['type', 'frame', 'ts', 'flow', 'dir', ...d.keys]);
          expect(bytes.toString('utf8')).toBe(eventLine(e) + '\n');
          expect(bytes.equals(Buffer.from(compactJson(e) + '\n', 'utf8'))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  // The types declared from spreads: the dissectors write every key, most of them undefined.
  it.each(['http2.frame', 'http2.headers', 'bittorrent.message', 'bittorrent.handshake', 'bittorrent.connection', 'tls.client_hello', 'tls.server_hello', 'tls.certificate', 'tls.alert', 'tls.session', 'credentials', 'http3.frame', 'http3.headers', 'socks.request'])(
    'write the bytes of the object path: %s',
    (type) => {
      const d = all.find((x) => x.type === type)!;
      expect(d).toBeDefined();
      const field = fc.oneof({ arbitrary: leaf, weight: 4 }, { arbitrary: value, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 4 });
      fc.assert(
        fc.property(fc.tuple(...d.keys.map(() => field)), timestamp, flow, dir, (values, ts, fl, dr) => {
          // Every key present, in declared order, as the dissectors' one literal has them.
          const f: Record<string, JsonValue | undefined> = {};
          d.keys.forEach((k, i) => (f[k] = values[i] as JsonValue | undefined));
          const bytes = collect((out) => d.write(out, 7, ts, fl, dr, f as never));
          const e = typedEvent(d.type, 7, ts, fl, dr, f as never);
          expect(bytes.toString('utf8')).toBe(eventLine(e) + '\n');
          // Undefined fields are left out, the others keep the declared order.
          const written = Object.keys(JSON.parse(bytes.toString('utf8')) as object).slice(5);
          expect(written).toEqual(d.keys.filter((_, i) => values[i] !== undefined));
        }),
        { numRuns: 60 },
      );
    },
  );

  it('writeEvent gives eventLine\'s bytes for built events of any shape, declared or not', () => {
    const decl = fc.constantFrom(...all);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(text, fc.dictionary(text, value, { maxKeys: 8 })),
          decl.chain((d) => fc.tuple(fc.constant(d.type as string), fc.tuple(...d.keys.map(() => leaf)).map((vs) => Object.fromEntries(d.keys.map((k, i) => [k, vs[i]]))))),
        ),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        timestamp,
        flow,
        dir,
        ([type, fields], frame, ts, fl, dr) => {
          const e = declaredEvent(type) ? typedEvent(type as never, frame, ts, fl, dr, fields as never) : makeEvent(type, frame, ts, fl, dr, fields as EventFields);
          const bytes = collect((out) => writeEvent(out, e));
          expect(bytes.toString('utf8')).toBe(eventLine(e) + '\n');
          // eventLine quotes keys by JSON.stringify, compactJson escapes C1 controls in them too.
          if (!/[\u007f-\u009f]/.test(Object.keys(e).join(''))) expect(bytes.equals(Buffer.from(compactJson(e) + '\n', 'utf8'))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('must name every field of the interface, once', () => {
    // @ts-expect-error `msg` is missing: the compiler names it.
    const incomplete = (): unknown => declareEvent('smtp.reply', ['code']);
    expect(typeof incomplete).toBe('function');
    expect(() => declareEvent('smtp.reply', ['code', 'msg'])).toThrow(/declared twice/);
    // A repeated field type-checks, but is refused when the module loads.
    expect(() => declareEvent('pop3.reply', ['status', 'msg', 'msg'])).toThrow(/repeated/);
  });
});

describe('events with no filter', () => {
  /** `events`' NDJSON through the byte path (a writer that takes all) and through objects (one that filters nothing). */
  async function both(file: string): Promise<[string, string]> {
    const run = async (filtered: boolean): Promise<string> => {
      const chunks: Uint8Array[] = [];
      const w = filtered ? new NdjsonWriter((b) => chunks.push(b), () => true) : new NdjsonWriter((b) => chunks.push(b));
      expect(w.bytes === undefined).toBe(filtered);
      await analyze(file, w, { governHeap: false });
      w.flush();
      return Buffer.concat(chunks).toString('utf8');
    };
    return [await run(false), await run(true)];
  }

  it.each([
    'captures/demo.pcap',
    'captures/imap-login-browse.pcap',
    'captures/quic-h3-nokeys.pcap',
    'captures/http2-h2load-concurrent.pcap',
    'captures/bittorrent-aria2-extensions.pcap',
    'captures/bittorrent-magnet-metadata.pcap',
    'captures/tls13-h2-aes128gcm-dsb.pcapng',
    'captures/tls12-untrusted-alert.pcap',
  ])('writes the same bytes either way: %s', async (file) => {
    const [bytes, objects] = await both(file);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes).toBe(objects);
  });
});
