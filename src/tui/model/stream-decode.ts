import { HttpFollowDecoder } from '../../report/http-follow.js';
import type { Limits } from '../../dissect/limits.js';
import type { Direction } from '../../events/event.js';
import type { StreamData, StreamPiece } from './stream.js';

/**
 * The stream pane's `z`: the same pieces with HTTP/1.x bodies de-chunked and decompressed
 * (what `wirelens follow --decode` prints), offsets counted in the decoded stream. Made
 * from the pieces already in memory, so switching back and forth reads nothing again.
 */
export function decodeStreamData(data: StreamData, limits: Limits): StreamData {
  const pieces: StreamPiece[] = [];
  const offset: Record<Direction, number> = { c2s: 0, s2c: 0 };
  const decoder = new HttpFollowDecoder(limits, (dir, d) => {
    if (typeof d === 'number') pieces.push({ dir, gap: d, offset: offset[dir] });
    else if (d.length) pieces.push({ dir, data: d.slice(), offset: offset[dir] });
    offset[dir] += typeof d === 'number' ? d : d.length;
  });
  for (const p of data.pieces) decoder.add(p.dir, 'gap' in p ? p.gap : p.data);
  decoder.finish();
  return { ...data, pieces };
}
