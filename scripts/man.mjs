#!/usr/bin/env node
/**
 * Writes man/wirelens.1 from the CLI's own help text, so the man page says what `--help`
 * says (the same words, options and exit statuses), never a second copy kept by hand.
 *
 *   node scripts/man.mjs           write man/wirelens.1 (needs dist/: npm run build)
 *   node scripts/man.mjs --check   exit 1 when man/wirelens.1 is not what it would write
 *
 * The help is taken at 72 columns (COLUMNS=72, the page's indent on an 80-column terminal, stdout a pipe), so the page is the same on
 * every machine; no date is written (the page changes only when the help does).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MAN_PATH = join(root, 'man', 'wirelens.1');
export const COMMANDS = ['events', 'report', 'packets', 'flows', 'follow', 'export', 'export-events', 'check'];

/** `wirelens ARGS --help` wrapped to 72 columns. */
function help(args) {
  return execFileSync(process.execPath, [join(root, 'bin', 'wirelens'), ...args, '--help'], {
    cwd: root,
    env: { ...process.env, COLUMNS: '72', NO_COLOR: '1' },
    encoding: 'utf8',
  });
}

/** Text made safe for roff: backslashes doubled, a leading dot or quote escaped. */
const roff = (text) =>
  text
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');

export function manPage(helpOf = help) {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const out = [
    `.TH WIRELENS 1 "" "wirelens ${version}" "User Commands"`,
    '.SH NAME',
    'wirelens \\- dissect pcap and pcapng captures: events, reports, flows, streams, a terminal UI',
    '.SH SYNOPSIS',
    '.B wirelens',
    '[\\fIFILE\\fR]',
    '.br',
    '.B wirelens',
    '\\fICOMMAND\\fR [\\fIOPTIONS\\fR] \\fIFILE\\fR...',
    '.SH DESCRIPTION',
    '.nf',
    roff(helpOf([]).trimEnd()),
    '.fi',
  ];
  for (const c of COMMANDS) out.push(`.SH COMMAND: ${c.toUpperCase()}`, '.nf', roff(helpOf([c]).trimEnd()), '.fi');
  out.push(
    '.SH SHELL COMPLETION',
    '\\fBwirelens completion\\fR prints a bash or zsh completion script: add',
    '\\fBsource <(wirelens completion)\\fR to ~/.bashrc or ~/.zshrc.',
    '.SH EXIT STATUS',
    '0 done; 1 (check only) a difference or a failed rule; 2 bad input or usage; 70 internal error.',
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'set and not empty: no colours in the terminal UI (unless \\fB\\-\\-color=always\\fR).',
    '.TP',
    '.B COLUMNS',
    'the width help is wrapped to when standard output is not a terminal.',
    '.TP',
    '.B WIRELENS_DEBUG',
    'set: an internal error prints its stack trace.',
    '.SH SEE ALSO',
    'tshark(1), tcpdump(8), zeek(8)',
  );
  return out.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const page = manPage();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(MAN_PATH, 'utf8');
    } catch {
      /* missing */
    }
    if (current !== page) {
      process.stderr.write('man/wirelens.1 is out of date: run `npm run build && node scripts/man.mjs`\n');
      process.exit(1);
    }
  } else writeFileSync(MAN_PATH, page);
}
