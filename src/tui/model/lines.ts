/** What views draw: lines of coloured segments (src/plot/lines.ts, shared with the text report's graphs). */
export { line, plain, type Color, type Line, type Seg } from '../../plot/lines.js';
export { wrapText } from '../../plot/width.js';
