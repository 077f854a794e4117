/** Hostile input: random and mutated frames never throw and keep the fragment table within its limit. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Timestamp } from '../../src/events/time.js';
import { bytes, decoder, ethernet, extension, fragmentHeader, ipv4, ipv6, tcp, u16, udp, vlanTag } from './frames.js';

const LINK_TYPES = [0, 1, 9, 12, 14, 50, 101, 105, 108, 113, 119, 127, 163, 192, 228, 229, 239, 276];

const SEEDS = [
  ethernet(0x0800, ipv4({ payload: tcp({ options: [2, 4, 5, 180, 1, 3, 3, 7, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0], payload: [1, 2, 3] }) })),
  ethernet(0x86dd, ipv6({ next: 0, extensions: bytes(extension(44), fragmentHeader(17, 8, true, 5)), payload: udp({ payload: [1, 2, 3, 4, 5, 6, 7, 8] }) })),
  bytes(new Array(12).fill(1), vlanTag(0x88a8, 1), vlanTag(0x8100, 2), u16(0x0800), ipv4({ protocol: 17, more: true, payload: udp({ payload: new Array(16).fill(3) }) })),
  ethernet(0x8847, bytes(0, 0, 0x11, 64, ipv4({ protocol: 1, payload: bytes(8, 0, 0, 0) }))),
];

describe('decoder fuzzing', () => {
  it('never throws on random bytes for any link type', () => {
    const { d } = decoder({ max_pending_fragments: 16 });
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 200 }), fc.nat(1000), (lt, data, t) => {
        const r = d.decode(lt, data, new Timestamp(t, 0));
        expect(['ip', 'held', 'other', 'bad']).toContain(r.kind);
        expect(d.pendingFragments).toBeLessThanOrEqual(16);
      }),
      { numRuns: 20000 },
    );
  });

  it('never throws on mutated valid frames', () => {
    const { d } = decoder({ max_pending_fragments: 8, fragment_timeout: 5 });
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        fc.nat(100),
        (seed, flips, cut, t) => {
          const frame = Uint8Array.from(seed);
          for (const [pos, v] of flips) frame[pos % frame.length] = v;
          const r = d.decode(1, frame.subarray(0, frame.length - (cut % 8)), new Timestamp(t, 0));
          if (r.kind === 'ip') {
            expect(r.packet.payload.length).toBeLessThanOrEqual(65535);
            if (r.packet.transport) expect(r.packet.transport.payload.length).toBeLessThanOrEqual(r.packet.payload.length);
          }
          d.expire(new Timestamp(t, 0));
          expect(d.pendingFragments).toBeLessThanOrEqual(8);
        },
      ),
      { numRuns: 20000 },
    );
  });
});
