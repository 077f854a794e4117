/**
 * Byte search (issue 14): `frame contains "GET"`, byte-string literals, `tcp.payload` /
 * `udp.payload`, a protocol layer's bytes and `frame matches`, over frames (`packets
 * --filter`) and over events (each event's own frame); refused where no bytes exist
 * (`check` rules, the UI's flow filter). demo.pcap: DNS in frames 1-4, the GETs in 8, 12, 20.
 * The same expressions are rows of the tshark conformance table (conformance.test.ts).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { eventPredicate } from '../../src/filter/event-predicate.js';
import { parseByteString } from '../../src/filter/frame-bytes.js';
import { FramePairing } from '../../src/filter/frame-pairing.js';
import { compileFilter, FilterSyntaxError } from '../../src/filter/index.js';
import { parseFilter } from '../../src/filter/parse.js';
import { eachFrame } from '../../src/packets/each-frame.js';
import { analyze } from '../../src/pipeline/analyze.js';
import { ExpectationError, loadExpectations } from '../../src/report/expectations.js';
import { compilePacketFilter, compileUiFilter } from '../../src/tui/model/filter.js';
import { REPO } from '../support/requires.js';

const DEMO = join(REPO, 'captures', 'demo.pcap');

const EXPRS = [
  'frame contains "GET"',
  'frame contains 47:45:54',
  'frame contains 47.45.54',
  'frame contains 474554',
  'frame contains "\\x47E\\124"',
  'tcp.payload contains "GET /demo"',
  'tcp contains "GET"',
  'ip contains "GET" && !(frame.number == 12)',
  'eth contains "missing"',
  'udp.payload contains 03:77:77:77',
  'udp contains "wirelens"',
  'frame matches "get /[a-z]+/"',
  'frame matches "\\\\x47ET /logo"',
  'tcp.payload',
  'udp.payload',
  'tcp.payload == 47:45:54',
  'frame contains "nowhere in this capture"',
] as const;

const frames = new Map<string, number[]>();

beforeAll(async () => {
  const filters = EXPRS.map((e) => compileFilter(e));
  for (const e of EXPRS) frames.set(e, []);
  await eachFrame(DEMO, {}, (f) => {
    const s = f.subject();
    filters.forEach((flt, i) => flt.matches(s) && frames.get(EXPRS[i])!.push(f.p.frame));
  });
});

describe('byte search over frames (packets --filter)', () => {
  it('finds the three GETs by text, by byte string in every spelling, and by escapes', () => {
    for (const e of EXPRS.slice(0, 5)) expect(frames.get(e), e).toEqual([8, 12, 20]);
  });

  it("searches a layer's bytes: payload, TCP, IP, Ethernet, UDP", () => {
    expect(frames.get('tcp.payload contains "GET /demo"')).toEqual([8, 20]);
    expect(frames.get('tcp contains "GET"')).toEqual([8, 12, 20]);
    expect(frames.get('ip contains "GET" && !(frame.number == 12)')).toEqual([8, 20]);
    expect(frames.get('eth contains "missing"')).toEqual([20]);
    expect(frames.get('udp.payload contains 03:77:77:77')).toEqual([1, 2, 3, 4]);
    expect(frames.get('udp contains "wirelens"')).toEqual([1, 2, 3, 4]);
  });

  it('matches is a case-insensitive regular expression over the bytes', () => {
    expect(frames.get('frame matches "get /[a-z]+/"')).toEqual([8, 20]);
    expect(frames.get('frame matches "\\\\x47ET /logo"')).toEqual([12]);
  });

  it('payload presence and equality; absent bytes match nothing', () => {
    expect(frames.get('udp.payload')).toEqual([1, 2, 3, 4]);
    const withData = frames.get('tcp.payload')!;
    expect(withData).toContain(8);
    expect(withData).not.toContain(5); // the handshake's ACK carries no data
    expect(frames.get('tcp.payload == 47:45:54')).toEqual([]);
    expect(frames.get('frame contains "nowhere in this capture"')).toEqual([]);
  });
});

describe('byte literals', () => {
  it("reads Wireshark's byte strings", () => {
    expect([...parseByteString('47:45:54')!]).toEqual([0x47, 0x45, 0x54]);
    expect([...parseByteString('47-45-54')!]).toEqual([0x47, 0x45, 0x54]);
    expect([...parseByteString('474554')!]).toEqual([0x47, 0x45, 0x54]);
    expect([...parseByteString('a')!]).toEqual([0x0a]);
    expect(parseByteString('4745-54')).toBeNull();
    expect(parseByteString('GET')).toBeNull();
    expect(parseByteString('47454')).toBeNull();
  });

  it('a quoted string is its UTF-8 bytes, \\xhh and \\ooo escapes raw bytes', () => {
    const v = (src: string) => {
      const n = parseFilter(`frame contains ${src}`);
      if (n.kind !== 'compare' || n.values[0]!.kind !== 'string') throw new Error('not a string');
      return n.values[0]!;
    };
    expect([...v('"é"').bytes!]).toEqual([0xc3, 0xa9]);
    expect([...v('"\\xff\\000"').bytes!]).toEqual([0xff, 0]);
    expect(v('"\\x47\\105T"').value).toBe('GET');
    // Other escapes are unchanged: a backslash before a character stands for it.
    expect(v('"a\\"b\\\\c"').value).toBe('a"b\\c');
  });

  it('refuses what Wireshark refuses, with the reason', () => {
    expect(() => compileFilter('frame contains GET')).toThrow(/"GET" is not a byte string \(write bytes as 47:45:54, or quote text: "GET"\)/);
    expect(() => compileFilter('frame > 3')).toThrow(/frame is bytes: compare it with contains, matches, == or !=/);
    expect(() => compileFilter('frame matches "(a)\\\\1"')).toThrow(FilterSyntaxError);
    expect(() => compileFilter('dns contains "x"')).toThrow(/dns is a protocol whose reassembled bytes wirelens does not keep/);
  });

  it('a byte regex stays linear: a pattern that backtracks forever answers at once on a big frame', () => {
    const f = compileFilter('frame matches "^(a+)+$"');
    expect(f.needsBytes).toBe(true);
    const big = new Uint8Array(60_000).fill(0x61);
    big[big.length - 1] = 0x21;
    const subject = { kind: 'frame' as const, events: [], flow: null, frame: 1, ts: null, dir: null, packet: { bytes: { frame: big } } };
    expect(f.matches(subject as unknown as Parameters<typeof f.matches>[0])).toBe(false);
  });
});

describe('byte search over events and where there are no bytes', () => {
  it("events --filter searches each event's own frame (the frame that completes it)", async () => {
    const accept = eventPredicate(undefined, 'frame contains "Host: www.wirelens.test"')!;
    expect(accept.needsBytes).toBe(true);
    const kept: string[] = [];
    const pairing = new FramePairing<null>((e: WireEvent, _f, packet) => accept(e, null, packet) && kept.push(`${e.type}@${e.frame}`), accept.needsBytes);
    await analyze(DEMO, { emit: (e) => pairing.emit(e, null) }, { packetTap: (p, d, flow, tcp) => pairing.tap(p, d, flow, tcp) });
    pairing.finish();
    // The three requests; their transactions are stamped with the response's frame, and records leave without bytes.
    expect(kept).toEqual(['http.request@8', 'http.request@12', 'http.request@20']);
  });

  it('check rules and the UI flow filter refuse a byte search with the reason; the Packets pane takes it', () => {
    expect(() => loadExpectations('rules:\n  - none: \'frame contains "passwd"\'\n', 'r.yaml')).toThrow(ExpectationError);
    expect(() => loadExpectations('rules:\n  - none: \'frame contains "passwd"\'\n', 'r.yaml')).toThrow(/a rule cannot search packet bytes/);
    const ui = compileUiFilter('frame contains "GET"');
    expect(ui.ok).toBe(false);
    expect(ui.ok ? '' : ui.error).toMatch(/Packets pane/);
    expect(compilePacketFilter('frame contains "GET"').ok).toBe(true);
  });
});
