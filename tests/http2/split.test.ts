import { describe, expect, it } from 'vitest';
import { http2Descriptor } from '../../src/protocols/http2/index.js';
import { comparable, runStream } from '../support/dissector-harness.js';
import { conversation } from './frames.js';

describe('HTTP/2 split points', () => {
  const chunks = conversation();
  const opts = { wantsObjects: true, tcpRtt: 0.002 };
  const whole = runStream(http2Descriptor, chunks, { mode: 'whole' }, opts);
  const expected = comparable(whole.events);

  it('has a meaningful reference run', () => {
    expect(whole.events.filter((e) => e.type === 'http2.frame').length).toBe(15);
    expect(whole.events.filter((e) => e.type === 'http.transaction').length).toBe(2);
  });
  it('byte by byte gives the same events and objects', () => {
    const r = runStream(http2Descriptor, chunks, { mode: 'bytes' }, opts);
    expect(comparable(r.events)).toEqual(expected);
    expect(r.objects.map((o) => Buffer.from(o.data).toString('hex'))).toEqual(whole.objects.map((o) => Buffer.from(o.data).toString('hex')));
  });
  it('every split point gives the same events', () => {
    const longest = Math.max(...chunks.map((c) => c.bytes.length));
    for (let at = 0; at <= longest; at++) {
      const r = runStream(http2Descriptor, chunks, { mode: 'at', at }, opts);
      expect({ at, events: comparable(r.events) }).toEqual({ at, events: expected });
    }
  });
});
