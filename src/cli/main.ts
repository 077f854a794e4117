import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type YargsFactory from 'yargs';
import type { hideBin as HideBin } from 'yargs/helpers';
import { applyColor, COLOR_CHOICES } from './color.js';
import { cacheVariant, runCachedScript, type ScriptFlags } from './code-cache.js';
import { eventsFastPath } from './fast-path.js';
import { helpWidth } from './help-width.js';
import { EXIT_BAD_INPUT, run, version } from './io.js';
import { startWarmUp } from './tiering.js';

// First: V8's tiering during the warm-up, before any command's code runs (see tiering.ts).
const TIERING_FLAGS = startWarmUp();

// yargs' CommonJS build, on purpose: its ESM build lays help out with a cliui that counts
// code points and breaks words anywhere (`an` / `y number` at 160 columns); the CommonJS
// one wraps at word boundaries with wrap-ansi and measures with string-width.
// hideBin from the same CommonJS build: yargs/helpers' ESM entry loads yargs' ESM parser
// (about 15 more modules) for a one-line slice of process.argv.
// Required when `main` runs, not when this module loads: `wirelens events FILE` never
// needs it (see fast-path.ts), and loading yargs was a fifth of that command's CPU.
const require = createRequire(import.meta.url);

/** yargs' own completions, less the default command, which it lists as `$0`. */
const noDefaultCommand = (
  _current: string,
  _argv: unknown,
  filter: (onCompleted?: (err: Error | null, completions: string[] | undefined) => void) => unknown,
  done: (completions: string[]) => unknown,
): void => {
  filter((_err, choices) => done((choices ?? []).filter((c) => c !== '$0')));
};

/** Exit statuses, listed under every command's help (the numbers live in io.ts). */
const EXIT_STATUS = 'Exit status: 0 done; 2 bad input or usage (unreadable capture, bad option or limit); 70 internal error (a bug: please report it with the capture).';
const EXIT_STATUS_REPORT = 'Exit status: 0 done; 2 bad input or usage (a capture of several unreadable, bad option); 70 internal error (a bug: please report it with the capture).';
const EXIT_STATUS_CHECK = 'Exit status: 0 every capture matches; 1 a difference or a failed rule; 2 bad input or usage (unreadable capture, bad rule file, missing golden); 70 internal error.';

/**
 * The command line. Each command module is loaded only when used, so `--version` and
 * the batch commands never load Ink or React.
 */
const checksumOption = {
  type: 'boolean',
  describe: 'verify IPv4, TCP and UDP checksums (off by default, as in Wireshark: offload leaves them wrong in captures)',
} as const;

const limitOption = {
  type: 'string',
  array: true,
  describe: 'override a limit, e.g. --limit max_line=8192 (names in src/dissect/limits.ts)',
} as const;

/**
 * yargs reads a lone `-` as an option with no name, so `wirelens events -` would lose its
 * file. It is swapped for a token no shell user types, and swapped back by `fromStdin`.
 */
const keylogOption = {
  type: 'string',
  describe: 'NSS key log (SSLKEYLOGFILE) for TLS decryption; bad lines are reported and skipped',
} as const;

const workersOption = {
  type: 'number',
  describe: 'worker threads, flows split by their address pair (default: one per two cores from 16 MB of capture, else 1; output is the same for any number)',
} as const;

/**
 * yargs lays out the whole help text (cliui, wrap-ansi, string-width) each time a command's
 * handler starts, and caches it in case the handler prints help later. No handler here does
 * (`.fail` runs before any handler), and the layout was about a tenth of the start-up CPU of
 * `wirelens events` on a small capture. The hook is yargs' internal one; when a yargs
 * version lacks it, nothing changes.
 */
type UsageHooks = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
function skipHelpCache<T>(y: T): T {
  const usage = (y as UsageHooks).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  return y;
}

const STDIN_TOKEN = '\u0000stdin';
const fromStdin = (v: string): string => (v === STDIN_TOKEN ? '-' : v);
const fromStdinAll = (v: string[]): string[] => v.map(fromStdin);

/** The options of every command that reads captures, in the same place in each one's help. */
const RUN_OPTIONS = { limit: limitOption, keylog: keylogOption, 'check-checksums': checksumOption } as const;
/** The one capture most commands read (`-`: standard input). */
const FILE_ARG = { type: 'string', demandOption: true, coerce: fromStdin } as const;

async function main(argv: string[]): Promise<void> {
  const yargs = require('yargs') as typeof YargsFactory;
  await skipHelpCache(yargs(argv.map((a) => (a === '-' ? STDIN_TOKEN : a))))
    .scriptName('wirelens')
    .version(version())
    .strict()
    .usage('$0 [FILE]  — open a capture (terminal UI on a terminal, a text summary otherwise)')
    .wrap(helpWidth())
    // The default command is listed as `$0` among the completions: not a word to offer.
    .completion('completion', 'print a bash or zsh completion script: source <(wirelens completion)', noDefaultCommand)
    .option('color', { choices: COLOR_CHOICES, default: 'auto' as const, describe: 'colours in the terminal UI: auto follows NO_COLOR and whether stdout is a terminal', global: true })
    .command(
      '$0 [file]',
      'open a capture in the terminal UI, or print a text summary when stdout is not a terminal',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'pcap or pcapng file (gzip ok), or - for stdin', coerce: fromStdin })
          .options(RUN_OPTIONS)
          .option('follow-file', { type: 'string', describe: 'open the UI on a capture file that is still being written (tcpdump -w FILE) and keep reading it as it grows, as tail -f does; for a pipe give - instead: tcpdump -U -w - | wirelens -' })
          .epilog(EXIT_STATUS),
      (a) =>
        run(async () => {
          if (a.followFile !== undefined && a.file) {
            process.stderr.write('wirelens: give either a capture file or --follow-file FILE, not both\n');
            return EXIT_BAD_INPUT;
          }
          if (a.followFile === STDIN_TOKEN) {
            process.stderr.write('wirelens: --follow-file follows a file; for standard input give - alone: tcpdump -U -w - | wirelens -\n');
            return EXIT_BAD_INPUT;
          }
          const file = a.followFile ?? a.file;
          if (!file) {
            process.stderr.write('wirelens: give a capture file, e.g. `wirelens captures/demo.pcap`; see `wirelens --help`\n');
            return EXIT_BAD_INPUT;
          }
          applyColor(a.color);
          const { openCommand } = await import('./commands/open.js');
          return openCommand(file, a, { follow: a.followFile !== undefined });
        }),
    )
    .command(
      'events <file>',
      'NDJSON: one event per line, in capture order',
      (y) =>
        y
          .positional('file', FILE_ARG)
          .option('types', { type: 'string', array: true, describe: 'only these event types (`http.*` for a family)' })
          .option('filter', { type: 'string', describe: 'only events matching a display filter (Wireshark\'s names and operators), e.g. \'http.response.code >= 400\', \'http.request.method == "GET"\'' })
          .option('workers', workersOption)
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS),
      (a) => run(async () => (await import('./commands/events.js')).eventsCommand(a.file, a)),
    )
    .command(
      'report <inputs..>',
      'one JSON document: capture, summary, flows, protocol sections, credentials, anomalies; several files or a directory: { captures: [{ file, report | error }], summary }',
      (y) =>
        y
          .positional('inputs', { type: 'string', array: true, demandOption: true, coerce: fromStdinAll, describe: 'capture files (- for stdin, alone) or directories' })
          .option('text', { type: 'boolean', describe: 'a readable summary instead of JSON' })
          .option('compact', { type: 'boolean', describe: 'JSON on one line' })
          .option('workers', { ...workersOption, describe: 'worker threads for many captures, one capture per thread at a time (default: one per two cores; output is the same for any number)' })
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS_REPORT),
      (a) => run(async () => (await import('./commands/report.js')).reportCommand(a.inputs as string[], a)),
    )
    .command(
      'packets <file>',
      'one line per frame, as tshark prints them (No., Time, Source, Destination, Protocol, Length, Info)',
      (y) =>
        y
          .positional('file', FILE_ARG)
          .option('detail', { type: 'boolean', describe: "each frame's header tree below its line" })
          .option('json', { type: 'boolean', describe: 'one JSON object per frame: the line and the header tree' })
          .option('filter', { type: 'string', describe: "only frames matching a display filter, as tshark -Y: e.g. 'tcp.analysis.retransmission', 'http.request.method == \"GET\"'" })
          .option('io-interval', { type: 'string', describe: 'instead of the frames: the I/O graph (frames and bytes per interval of this many seconds, as tshark -z io,stat), of the frames --filter selects' })
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS),
      (a) => run(async () => (await import('./commands/packets.js')).packetsCommand(a.file, a)),
    )
    .command(
      'flows <file>',
      'the flow table',
      (y) =>
        y
          .positional('file', FILE_ARG)
          .option('json', { type: 'boolean' })
          .option('sort', { type: 'string', describe: 'id, start, packets, bytes, duration, app, client, server, state' })
          .option('quick', { type: 'boolean', describe: 'applications by detection only: no dissectors, so no summaries and no FTP data connections (several times faster)' })
          .option('workers', workersOption)
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS),
      (a) => run(async () => (await import('./commands/flows.js')).flowsCommand(a.file, a)),
    )
    .command(
      'follow <file>',
      'the reassembled stream of one flow, as text or hex',
      (y) =>
        y
          .positional('file', FILE_ARG)
          .option('flow', { type: 'number', demandOption: true, describe: 'flow id (see `wirelens flows`)' })
          .option('hex', { type: 'boolean' })
          .option('dir', { choices: ['both', 'c2s', 's2c'] as const, default: 'both' as const })
          .option('raw', { type: 'boolean', describe: 'the bytes on the wire (TLS records) even when a decrypted stream exists' })
          .option('decode', { type: 'boolean', describe: 'HTTP/1.x bodies de-chunked and decompressed (gzip, deflate, br), as Wireshark\'s Follow HTTP Stream; a line after each says what was undone' })
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS),
      (a) => run(async () => (await import('./commands/follow.js')).followCommand(a.file, a)),
    )
    .command(
      'export <file>',
      'write transferred objects (HTTP bodies, FTP files, mails, attachments) to a directory',
      (y) =>
        y
          .positional('file', FILE_ARG)
          .option('out', { type: 'string', demandOption: true, describe: 'directory to write into' })
          .option('force', { type: 'boolean', describe: 'overwrite files left by an earlier export' })
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS),
      (a) => run(async () => (await import('./commands/export.js')).exportCommand(a.file, a)),
    )
    .command(
      'export-events <inputs..>',
      'every event of many captures (files or directories) as Parquet partitioned by protocol and date, or Elasticsearch bulk NDJSON',
      (y) =>
        y
          .positional('inputs', { type: 'string', array: true, demandOption: true, coerce: fromStdinAll })
          .option('format', { choices: ['parquet', 'ndjson'] as const, demandOption: true })
          .option('out', { type: 'string', demandOption: true, describe: 'directory to write into' })
          .option('workers', { type: 'number', describe: 'worker threads (default: one per two cores)' })
          .option('index-prefix', { type: 'string', default: 'wirelens', describe: 'ndjson: index names are PREFIX-PROTOCOL-YYYY.MM.DD' })
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS),
      (a) => run(async () => (await import('./commands/export-events.js')).exportEventsCommand(a.inputs as string[], a)),
    )
    .command(
      'check <captures..>',
      'compare captures with golden reports and/or expectation rules (exit 0 same, 1 different, 2 bad input)',
      (y) =>
        y
          .positional('captures', { type: 'string', array: true, demandOption: true, coerce: fromStdinAll })
          .option('golden', { type: 'string', describe: 'golden report of the one capture' })
          .option('golden-dir', { type: 'string', describe: 'directory of golden reports named CAPTURE.json' })
          .option('expect', { type: 'string', describe: 'rule file (YAML or JSON) of what must hold' })
          .option('update', { type: 'boolean', describe: 'write or refresh the golden reports, printing what changed' })
          .option('junit', { type: 'string', describe: 'also write JUnit XML here' })
          .options(RUN_OPTIONS)
          .epilog(EXIT_STATUS_CHECK),
      (a) => run(async () => (await import('./commands/check.js')).checkCommand(a.captures as string[], a)),
    )
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`wirelens: ${msg}\n\n${y.help()}\n`);
      process.exit(EXIT_BAD_INPUT);
    })
    .help()
    .parseAsync();
}

/**
 * V8 flags of the events script (see code-cache.ts): filter/linear-regex.ts turns the linear
 * regexp engine on when it loads, and pipeline/heap-governor.ts moves the heap's growth
 * during a run (`--heap-growing-percent`, 0 is V8's default). The tiering flags (tiering.ts) are
 * already set: listed so that the cache's key names them, and set back at exit because the
 * warm-up's end moves the budget. tests/perf/code-cache.test.ts
 * fails when a run's cache would be refused by the next run.
 */
const EVENTS_SCRIPT_FLAGS: ScriptFlags = { before: ['--enable-experimental-regexp-engine', ...TIERING_FLAGS], atExit: ['--heap-growing-percent=0', ...TIERING_FLAGS] };

/** The size of the capture `events` reads, for the choice of code cache; undefined for stdin or a file that cannot be read (the run says so). */
function captureBytes(file: string): number | undefined {
  if (file === '-') return undefined;
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * Ends the process once the command is done and its output written, without node's orderly
 * shutdown: that frees the whole V8 heap page by page (munmap), about 20 ms of the main
 * thread after a run on the 20 MB bench capture, which `process.exit` skips (the 'exit'
 * handlers, such as the code cache's, still run). Only when nothing is queued on stdout or
 * stderr (a pipe whose reader lags): `process.exit` would drop it, so then node ends as usual.
 */
function exitWhenWritten(): void {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}

const fast = eventsFastPath(process.argv.slice(2));
if (fast !== undefined) {
  // dist/bundle/events-script.cjs in the bundle (scripts/bundle.mjs); not there in dist/cli/
  // (a `tsc` build) or src/ (the tests), where the ES module runs.
  const script = runCachedScript(new URL('./events-script.cjs', import.meta.url), EVENTS_SCRIPT_FLAGS, cacheVariant(captureBytes(fast)));
  const { runEvents } = (script as typeof import('./events-script.js') | undefined) ?? (await import('./events-script.js'));
  await runEvents(fast);
  exitWhenWritten();
} else {
  const { hideBin } = require('yargs/helpers') as { hideBin: typeof HideBin };
  await main(hideBin(process.argv));
}
