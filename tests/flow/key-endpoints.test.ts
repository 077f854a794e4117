/**
 * Flows keep only their key and make their endpoints and Community ID from it when first
 * asked (issue 19: a SYN flood's 200,000 open flows each held both from the start). What the
 * key gives back must be what the packet gave: IPv4 (the short key form), IPv6, and keys
 * with a tunnel scope before the endpoints, whose text may hold the separator itself.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatAddress } from '../../src/decode/address.js';
import { communityId } from '../../src/flow/community-id.js';
import { Flow } from '../../src/flow/flow.js';
import { flowKey, keyEndpoints, keyProbe } from '../../src/flow/key.js';
import { FlowMap } from '../../src/flow/flow-map.js';
import { hashOf } from '../../src/flow/key-hash.js';
import { Timestamp } from '../../src/events/time.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const port = fc.integer({ min: 0, max: 65535 });
const scope = fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }).map((s) => `|vxlan/${s}|`), fc.constant('|gre//1.2.3.4/||||'));

describe('endpoints and Community ID from the flow key', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}: the key gives back the packet's endpoints, lower first, and its Community ID`, () => {
      fc.assert(
        fc.property(bytes(version === 4 ? 4 : 16), port, bytes(version === 4 ? 4 : 16), port, scope, fc.constantFrom(6, 17), (src, sp, dst, dp, sc, proto) => {
          const { key, forward } = flowKey(proto, src, sp, dst, dp, sc);
          const e = keyEndpoints(key, version);
          const [lo, lop, hi, hip] = forward ? [src, sp, dst, dp] : [dst, dp, src, sp];
          expect([...e.a]).toEqual([...lo]);
          expect(e.ap).toBe(lop);
          expect([...e.b]).toEqual([...hi]);
          expect(e.bp).toBe(hip);
          const flow = new Flow(1, key, proto === 6 ? 'tcp' : 'udp', version, null, forward ? 0 : 1, new Timestamp(0, 0), 1, 'eth');
          expect(flow.client).toEqual({ addr: formatAddress(src), port: sp });
          expect(flow.server).toEqual({ addr: formatAddress(dst), port: dp });
          expect(flow.communityId).toBe(communityId(proto, src, sp, dst, dp));
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('flow keys over a run of packets', () => {
  // flowKey gives the last IPv4 key again while the units match (packets come in runs of one
  // flow): a packet that differs in any one unit must still get its own key.
  it('two packets share a key exactly when they are the same conversation, whatever came between', () => {
    // Few values, each differing from another in one key unit (the first or second half of
    // the address, the port), so that neighbours in a run often differ in exactly one.
    const addr = fc.constantFrom([10, 0, 0, 1], [10, 0, 0, 2], [10, 1, 0, 1]).map((a) => new Uint8Array(a));
    const nearPort = fc.constantFrom(80, 81);
    const pkt = fc.record({ proto: fc.constantFrom(6, 17), src: addr, sp: nearPort, dst: addr, dp: nearPort });
    fc.assert(
      fc.property(fc.array(pkt, { minLength: 2, maxLength: 24 }), (pkts) => {
        const seen = pkts.map((p) => ({ ...flowKey(p.proto, p.src, p.sp, p.dst, p.dp) }));
        const conv = (p: (typeof pkts)[number]): string => {
          const ends = [`${p.src.join('.')}:${p.sp}`, `${p.dst.join('.')}:${p.dp}`].sort();
          return `${p.proto} ${ends.join(' ')}`;
        };
        for (let i = 0; i < pkts.length; i++) {
          const e = keyEndpoints(seen[i]!.key, 4);
          const p = pkts[i]!;
          expect(seen[i]!.forward ? [...e.a, e.ap] : [...e.b, e.bp]).toEqual([...p.src, p.sp]);
          for (let j = 0; j < i; j++) expect(seen[i]!.key === seen[j]!.key).toBe(conv(pkts[i]!) === conv(pkts[j]!));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('flows looked up by key units (KeyProbe), with no string per packet', () => {
  // The engine finds a packet's flow by its key's units and their hash; the string is made
  // only for a new flow. Both must agree with the string key exactly: IPv4, IPv6, scopes.
  it('a probe matches exactly its own key, hashes as the string does, and finds what the string finds', () => {
    const addr4 = fc.constantFrom([10, 0, 0, 1], [10, 0, 0, 2], [10, 1, 0, 1]).map((a) => new Uint8Array(a));
    const addr6 = fc.constantFrom(new Uint8Array(16), new Uint8Array(16).fill(1)).map((a) => a);
    const pkt = fc.oneof(
      fc.record({ proto: fc.constantFrom(6, 17, 1), src: addr4, sp: fc.constantFrom(80, 81), dst: addr4, dp: fc.constantFrom(80, 81), sc: scope }),
      fc.record({ proto: fc.constantFrom(6, 58), src: addr6, sp: port, dst: addr6, dp: port, sc: scope }),
    );
    fc.assert(
      fc.property(fc.array(pkt, { minLength: 1, maxLength: 30 }), (pkts) => {
        const map = new FlowMap<{ key: string; n: number }>();
        const keys = pkts.map((p) => flowKey(p.proto, p.src, p.sp, p.dst, p.dp, p.sc).key);
        pkts.forEach((p, n) => {
          const probe = keyProbe(p.proto, p.src, p.sp, p.dst, p.dp, p.sc);
          expect(probe.text()).toBe(keys[n]);
          expect(probe.hash).toBe(hashOf(keys[n]!));
          for (const k of keys) expect(probe.matches(k)).toBe(k === keys[n]);
          const found = map.find(probe);
          expect(found).toBe(map.get(keys[n]!));
          if (found === undefined) expect(map.set({ key: probe.text(), n })).toBe(probe.hash);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a tunnel scope longer than the probe first holds grows it', () => {
    const long = `|vxlan/${'x'.repeat(300)}|`;
    const src = new Uint8Array(16).fill(2);
    const dst = new Uint8Array(16).fill(3);
    const probe = keyProbe(17, src, 1, dst, 2, long);
    expect(probe.text()).toBe(flowKey(17, src, 1, dst, 2, long).key);
    expect(probe.text().startsWith(`17${long}|`)).toBe(true);
  });
});
