/**
 * `flow.start` / `flow.update`: the event stream carries each flow's identity, so a sink
 * keeps its own table (events/flow-identity.ts) and never asks the engine.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/events/event.js';
import { FlowIdentities, isIdentityEvent } from '../../src/events/flow-identity.js';
import { analyzeFile } from '../../src/pipeline/analyze.js';
import { pcapOf, tempFile, udpFrame } from '../cli/cli-support.js';

const CAPTURES = join(import.meta.dirname, '..', '..', 'captures');
/** Captures with tunnels, FTP data channels, TLS inner streams, QUIC, DNS and SOCKS. */
const SAMPLE = readdirSync(CAPTURES)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .sort()
  .filter((_, i) => i % 4 === 0);

describe('flow identity in the event stream', () => {
  it.each(SAMPLE)('%s: the stream is the same with identity events taken out, and each flow.end agrees with its identity', async (name) => {
    const file = join(CAPTURES, name);
    const plain = (await analyzeFile(file)).events;
    const withIdentity = (await analyzeFile(file, { flowIdentity: true })).events;
    expect(withIdentity.filter((e) => !isIdentityEvent(e))).toEqual(plain);

    const table = new FlowIdentities();
    const started = new Set<number>();
    let ends = 0;
    for (const e of withIdentity) {
      if (e.type === 'flow.start') {
        expect(started.has(e.flow!), `flow ${e.flow} started twice`).toBe(false);
        started.add(e.flow!);
      }
      const known = table.track(e);
      if (e.flow === null || isIdentityEvent(e)) continue;
      // Every flow-bound event comes after its flow's flow.start, and before its flow.end.
      expect(known, `${e.type} at frame ${e.frame} on flow ${e.flow}`).not.toBeNull();
      if (e.type !== 'flow.end') continue;
      ends++;
      const fields = ['proto', 'service', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'community_id', 'tcp_stream', 'udp_stream'] as const;
      const pick = (x: Record<string, unknown>) => fields.map((f) => x[f]);
      expect(pick(known as unknown as Record<string, unknown>)).toEqual(pick(e));
    }
    expect(ends).toBe(started.size);
    expect(table.size).toBe(0);
  });

  it('a flow whose first packet is the server\'s is announced again when detection swaps the roles', async () => {
    // A DNS response (QR set) from 10.0.0.1:53 comes first: the flow starts with it as the
    // client, then DNS detection (match_reversed) swaps the roles and names the service.
    const response = Uint8Array.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]);
    const events = (await analyzeFile(tempFile(pcapOf([udpFrame(response, 53, 40001)]), 'reply-first.pcap'), { flowIdentity: true })).events;
    const pick = (e: WireEvent) => [e.type, e.orig_h, e.orig_p, e.resp_h, e.resp_p, e.service ?? null];
    expect(events.filter(isIdentityEvent).map(pick)).toEqual([
      ['flow.start', '10.0.0.1', 53, '10.0.0.2', 40001, null],
      ['flow.update', '10.0.0.2', 40001, '10.0.0.1', 53, null],
      ['flow.update', '10.0.0.2', 40001, '10.0.0.1', 53, 'dns'],
    ]);
    const end = events.find((e) => e.type === 'flow.end')!;
    expect([end.orig_h, end.resp_p, end.service, end.flipped]).toEqual(['10.0.0.2', 53, 'dns', true]);
    // The DNS events come after the update that names the service.
    const firstDns = events.findIndex((e) => e.type.startsWith('dns.'));
    const named = events.findIndex((e) => e.type === 'flow.update' && e.service === 'dns');
    expect(firstDns).toBeGreaterThan(named);
  });

  it('the table forgets a flow after its flow.end, and answers nothing for events without a flow', () => {
    const table = new FlowIdentities();
    const base = { frame: 1, ts: { sec: 0, ns: 0 } as never, dir: null };
    const start = { ...base, type: 'flow.start', flow: 7, proto: 'udp', service: undefined, orig_h: 'a', orig_p: 1, resp_h: 'b', resp_p: 2, community_id: 'c', tcp_stream: undefined, udp_stream: 3 } as WireEvent;
    expect(table.track(start)).toBe(start);
    expect(table.track({ ...start, type: 'flow.update', service: 'dns' } as WireEvent)?.service).toBe('dns');
    expect(table.track({ ...base, type: 'dns.message', flow: 7 } as WireEvent)?.service).toBe('dns');
    expect(table.track({ ...base, type: 'flow.end', flow: 7 } as WireEvent)?.udp_stream).toBe(3);
    expect(table.track({ ...base, type: 'anomaly', flow: 7 } as WireEvent)).toBeNull();
    expect(table.track({ ...base, type: 'anomaly', flow: null } as WireEvent)).toBeNull();
    expect(table.size).toBe(0);
  });
});
