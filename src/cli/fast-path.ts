/**
 * `wirelens events FILE`, the command students run most, without yargs: loading yargs and
 * laying out its commands was about a fifth of that command's CPU on a small capture.
 *
 * Only the one exact shape takes this path: the word `events` and one file argument,
 * nothing else. Anything else (an option, a second argument, `--help`) goes through yargs
 * as before, so every message and exit status of the full parser stays its own. For this
 * shape yargs gives the handler the file as typed (a `string` positional: `0x10` stays
 * `0x10`) and no option, which is what the fast path passes on.
 *
 * Left to yargs although they have this shape:
 * - a file starting with `-` (an option to yargs; `-` alone is standard input, kept here);
 * - `help` (yargs prints the command's help) and `completion` (its completion command);
 * - the empty string (yargs' own handling of an empty positional).
 */
export function eventsFastPath(args: readonly string[]): string | undefined {
  if (args.length !== 2 || args[0] !== 'events') return undefined;
  const file = args[1]!;
  if (file === '' || file === 'help' || file === 'completion') return undefined;
  if (file.startsWith('-') && file !== '-') return undefined;
  return file;
}
