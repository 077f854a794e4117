/**
 * The compiler checks that emitters build events as `EventMap` declares them; this checks the
 * same promise at run time for the events programs lean on most, against every event of
 * every capture in captures/, through the library entry (src/index.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, isEvent, Timestamp, type EventType, type WireEvent } from '../../src/index.js';

const CAPTURES = new URL('../../captures/', import.meta.url).pathname;

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const ts: Check = (v) => v instanceof Timestamp;
const nul: Check = (v) => v === null;
const absent: Check = (v) => v === undefined;
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);
const or = (...checks: Check[]): Check => (v) => checks.some((c) => c(v));
const headers: Check = (v) => Array.isArray(v) && v.every((h) => Array.isArray(h) && h.length === 2 && str(h[0]) && str(h[1]));

/** Some declarations of `EventMap`, as runtime checks. */
const SHAPES: Partial<Record<EventType, Record<string, Check>>> = {
  anomaly: { code: str, detail: str },
  'flow.end': {
    flow: num, dir: nul, proto: oneOf('tcp', 'udp', 'icmp'), service: or(str, absent),
    orig_h: str, orig_p: num, resp_h: str, resp_p: num, community_id: str, start: ts, duration: num,
    first_frame: num, last_frame: num, orig_pkts: num, orig_bytes: num, resp_pkts: num, resp_bytes: num,
    conn_state: str, history: str, missed_bytes: num,
  },
  'dns.message': {
    flow: num, trans_id: num, response: bool, opcode: num, rcode: num, rcode_name: str,
    qname: or(str, nul), qtype: or(num, nul), qtype_name: or(str, nul),
  },
  'http.request': { flow: num, method: str, uri: str, version: str, headers },
  'http.response': { flow: num, status_code: num, status_msg: str, version: str, headers },
  'capture.summary': {
    flow: nul, dir: nul, file: str, format: oneOf('pcap', 'pcap-nsec', 'pcapng'), compressed: bool,
    packets: num, bytes: num, captured_bytes: num, first_ts: or(ts, nul), last_ts: or(ts, nul),
  },
};

describe('typed events', () => {
  it('every event of a typed type, in every capture, has the declared fields', async () => {
    const seen = new Map<string, number>();
    const wrong: string[] = [];
    const files = readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      await analyzeCapture(join(CAPTURES, file), (e: WireEvent) => {
        for (const [type, shape] of Object.entries(SHAPES) as Array<[EventType, Record<string, Check>]>) {
          if (!isEvent(e, type)) continue;
          seen.set(type, (seen.get(type) ?? 0) + 1);
          for (const [field, check] of Object.entries(shape)) {
            if (!check(e[field]) && wrong.length < 20) wrong.push(`${file} frame ${e.frame} ${type}.${field} = ${JSON.stringify(e[field])}`);
          }
        }
      });
    }
    expect(wrong).toEqual([]);
    // Each declaration was checked against real events, not against none.
    for (const type of Object.keys(SHAPES)) expect(seen.get(type) ?? 0, type).toBeGreaterThan(0);
  });
});
