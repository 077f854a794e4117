/**
 * Columns to lay help out in: the terminal's width (stdout's, else stderr's, so that
 * `--help 2>&1 | less` on a terminal still fits it), else $COLUMNS, else 80. Narrow
 * terminals get at least 40 columns: yargs puts descriptions beside option names, and
 * below that a description column has no room left for a word.
 */
export function helpWidth(): number {
  const env = Number(process.env.COLUMNS);
  const cols = process.stdout.columns || process.stderr.columns || (Number.isInteger(env) && env > 0 ? env : 80);
  return Math.max(40, cols);
}
