/**
 * The originator's SYN time, kept from the packet path's numbers (`noteSyn`) and read as
 * seconds since it (`sinceSyn`) without making Timestamps: the same as the `synTs` Timestamp
 * it stands for, whether the SYN was the flow's first packet (a bit) or a later one (kept).
 */
import { describe, expect, it } from 'vitest';
import { Flow } from '../../src/flow/flow.js';
import { Timestamp } from '../../src/events/time.js';

const flow = () => new Flow(1, String.fromCharCode(6, 1, 2, 3, 4, 5, 6), 'tcp', 4, null, 0, new Timestamp(100, 250), 1, 'eth:ipv4:tcp');

describe('Flow SYN time from numbers', () => {
  it('a SYN at the first packet: a bit, read back as that time', () => {
    const f = flow();
    expect(f.hasSyn).toBe(false);
    expect(f.sinceSyn(101, 0)).toBeNaN();
    f.noteSyn(100, 250);
    expect(f.hasSyn).toBe(true);
    expect(f.synTs).toEqual(new Timestamp(100, 250));
    expect(f.sinceSyn(101, 500_000_250)).toBe(new Timestamp(101, 500_000_250).since(new Timestamp(100, 250)));
  });

  it('a later SYN is kept; the first one noted stays', () => {
    const f = flow();
    f.noteSyn(102, 7);
    f.noteSyn(103, 9);
    expect(f.synTs).toEqual(new Timestamp(102, 7));
    expect(f.sinceSyn(104, 3)).toBe(new Timestamp(104, 3).since(new Timestamp(102, 7)));
  });
});
