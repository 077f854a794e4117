import { describe, expect, it } from 'vitest';
import { NEED_MORE, needMore } from '../../src/dissect/parse.js';
import { parseFrameHeader, plausibleFrames } from '../../src/protocols/http2/parser.js';
import { readFrameHeader, streamVarint } from '../../src/protocols/http3/parser.js';

// The one "need more bytes" contract (src/dissect/parse.ts) as the HTTP/2 and HTTP/3 stream
// parsers keep it: a prefix is need_more, a whole unit is done with what it consumed.
describe('need_more contract', () => {
  it('says "need more, how much unknown" with one frozen object', () => {
    expect(needMore()).toBe(NEED_MORE);
    expect(needMore(1)).toBe(NEED_MORE);
    expect(needMore(4)).toEqual({ kind: 'need_more', need: 4 });
    expect(Object.isFrozen(NEED_MORE)).toBe(true);
  });

  it('HTTP/2 frame header: every prefix needs exactly the missing bytes, the whole header is consumed', () => {
    const settingsAck = new Uint8Array([0, 0, 0, 4, 1, 0, 0, 0, 0]);
    for (let n = 0; n < 9; n++) expect(parseFrameHeader(settingsAck.subarray(0, n), 0)).toEqual({ kind: 'need_more', need: 9 - n });
    expect(parseFrameHeader(settingsAck, 0)).toEqual({ kind: 'done', value: { length: 0, type: 4, flags: 1, stream_id: 0, reserved: false }, consumed: 9 });
    expect(plausibleFrames(settingsAck.subarray(0, 5), 0, 1)).toBe('need_more');
    expect(plausibleFrames(settingsAck, 0, 1)).toBe('yes');
    expect(plausibleFrames(settingsAck, 0, 2)).toBe('need_more');
  });

  it('HTTP/3 frame header and stream varints: need_more until the varints end', () => {
    // HEADERS (0x01), length 0x25 as a 2-byte varint (0x40 0x25).
    const h = new Uint8Array([0x01, 0x40, 0x25]);
    expect(readFrameHeader(h.subarray(0, 2)).kind).toBe('need_more');
    expect(readFrameHeader(h)).toEqual({ kind: 'done', value: { type: 1, length: 0x25 }, consumed: 3 });
    const v = new Uint8Array([0xff, 0x80, 0x00, 0x00, 0x02]);
    // A 4-byte varint at offset 1: three bytes are not enough, four are (consumed counts from the offset).
    expect(streamVarint(v.subarray(0, 4), 1).kind).toBe('need_more');
    expect(streamVarint(v, 1)).toEqual({ kind: 'done', value: 2, consumed: 4 });
  });
});
