/**
 * Lists far longer than a call's argument limit: `Math.max(...list)` or `push(...list)` over
 * ~120,000 items overflows the stack, so every place that takes a list from the input loops.
 */
import bencode from 'bencode';
import { describe, expect, it } from 'vitest';
import { parseTrackerResponse } from '../../src/protocols/bittorrent/tracker.js';
import { table } from '../../src/report/format.js';

describe('long lists', () => {
  it('a table of 300,000 rows (the flows table of a large capture)', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [String(i + 1), i === 123_456 ? 'widest-cell' : 'x']);
    const text = table(['id', 'name'], rows, new Set([0]));
    const lines = text.split('\n');
    expect(lines).toHaveLength(300_002);
    expect(lines[0]).toBe('    id  name');
    expect(lines[123_457]).toBe('123457  widest-cell');
    expect(lines[1]).toBe('     1  x');
  });

  it('a tracker response listing 200,000 peers', () => {
    const peers = Buffer.alloc(200_000 * 6);
    for (let i = 0; i < 200_000; i++) peers.writeUInt32BE(0xc0000200 + i, i * 6), peers.writeUInt16BE(6881, i * 6 + 4);
    const r = parseTrackerResponse(bencode.encode({ interval: 1800, peers }));
    expect(r.problem ?? null).toBeNull();
    expect(r.peers).toHaveLength(200_000);
    expect(r.peers[1]).toBe('192.0.2.1:6881');
  });
});
