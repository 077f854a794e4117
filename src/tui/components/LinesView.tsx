import { Box, Text } from 'ink';
import type { Line } from '../model/lines.js';
import { fit } from '../text.js';
import { displayWidth } from '../../plot/width.js';

// Moved to the model (the reducer scrolls without Ink); still exported here for callers.
export { scrollTop } from '../model/scroll.js';

export interface LinesViewProps {
  count: number;
  lineAt(index: number): Line;
  top: number;
  height: number;
  width: number;
  /** Highlighted row, or -1 for none (then there is no gutter either). */
  cursor: number;
}

/**
 * Draws only the rows that fit (windowing): a million-line document costs what a screen
 * costs. Rows are cut to the width here, so nothing wraps and the layout stays fixed.
 */
export function LinesView({ count, lineAt, top, height, width, cursor }: LinesViewProps) {
  const rows = [];
  const gutter = cursor >= 0;
  for (let i = top; i < Math.min(count, top + height); i++) rows.push(<Row key={i} line={lineAt(i)} width={width} selected={i === cursor} gutter={gutter} />);
  return (
    <Box flexDirection="column" height={height}>
      {rows}
    </Box>
  );
}

/**
 * One row. With a gutter, the selected row is marked `›` as well as drawn inverse, so the
 * selection shows without colour too (NO_COLOR, a plain `capture-pane`).
 */
export function Row({ line, width, selected, gutter = false }: { line: Line; width: number; selected: boolean; gutter?: boolean }) {
  let room = width - (gutter ? 1 : 0);
  const segs = gutter ? [<Text key="g" bold>{selected ? '›' : ' '}</Text>] : [];
  for (let i = 0; i < line.segs.length && room > 0; i++) {
    const s = line.segs[i]!;
    const text = fit(s.text, room);
    // Columns, not code points: a CJK character takes two, and the row must not overflow.
    room -= displayWidth(text);
    segs.push(
      <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim && !selected}>
        {text}
      </Text>,
    );
  }
  if (selected && room > 0) segs.push(<Text key="pad">{' '.repeat(room)}</Text>);
  return (
    <Text wrap="truncate" inverse={selected}>
      {segs}
    </Text>
  );
}
