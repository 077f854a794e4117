/** Hostile files: mutated and cut captures never throw anything but CaptureError, and never hang. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureError, readCapture } from '../../src/capture/index.js';
import { concat, epb, idb, pcapHeader, pcapRecord, shb, spb, tempFile } from './builders.js';

const PCAP = concat(pcapHeader('us-le', 1), ...[1, 2, 3].map((i) => pcapRecord('us-le', i, i, new Uint8Array(10 * i).fill(i))));
const PCAPNG = concat(shb(true), idb(true, 1, 100, { tsresol: 9, name: 'x' }), epb(true, 0, 5n, new Uint8Array(13)), spb(true, new Uint8Array(7)), shb(false), idb(false, 101, 0), epb(false, 0, 6n, new Uint8Array(3)));

describe('reader fuzzing', () => {
  it('reads mutated and cut files without throwing anything but CaptureError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(PCAP, PCAPNG),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        async (seed, flips, cut) => {
          const file = Uint8Array.from(seed);
          for (const [pos, v] of flips) file[pos % file.length] = v;
          const path = tempFile(file.subarray(0, file.length - (cut % 40)), 'fuzz');
          let frames = 0;
          try {
            const s = await readCapture(path, { packet: (p) => void (frames = p.frame), problem: (p) => expect(p.code).toMatch(/^capture\./) });
            expect(s.packets).toBe(frames);
          } catch (e) {
            expect(e).toBeInstanceOf(CaptureError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
