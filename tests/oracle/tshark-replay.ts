/**
 * One tshark run per capture for the capture oracle's own checks and fidelity.py's.
 *
 * Why: fidelity.py runs tshark on each capture itself, and the oracle ran it once more for
 * its flows and TCP checks; a tshark start-up is 0.6 s of CPU (registering every dissector)
 * and most captures take far less to dissect, so half of the oracle's tshark time was that
 * second start-up. Here the oracle runs fidelity.py's own command once, without its display
 * filter and with the oracle's fields added after fidelity.py's, and keeps the rows that
 * fidelity.py would read, cut to its columns. fidelity.py then finds a stand-in `tshark` first
 * on its PATH that prints those rows when its arguments are exactly fidelity.py's command, and
 * runs the real tshark for anything else (a count of those runs is kept: the oracle's test
 * asserts none).
 *
 * Why the display filter can be left out: fidelity.py reads a row only for the protocols whose
 * columns are not all empty, and a frame its filter (`http or http2 or ...`) rejects has none
 * of those protocols' fields; `-2` dissects every frame in the first pass either way. The rows
 * fidelity.py gets are the ones with a non-empty protocol column, which it would read the same.
 *
 * Why the oracle's own fields may come from fidelity.py's command (`-2`, decode-as for the
 * project's captures) instead of a plain one-pass run: TCP analysis, streams, lengths and
 * addresses came out the same on the 45 captures compared; only `frame.protocols` differed,
 * by the application layers decode-as adds (`tcp:data` against `tcp:ftp`), and the oracle
 * reads only its ip, ipv6, tcp, udp, icmp and icmpv6 layers. fidelity.py's results through
 * the stand-in equalled its results with the real tshark on 14 captures in 5 decode-as groups.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FIDELITY } from './fidelity.js';

/** fidelity.py's tshark fields and display filter, read from the script itself. */
export interface FidelityTshark {
  /** fidelity.py's aggregator of a field's occurrences. */
  aggregator: string;
  /** Display filter: its protocols joined with ` or `. */
  filter: string;
  /** `tcp.stream`, then every protocol's fields, in fidelity.py's column order. */
  fields: string[];
}

/** Asks fidelity.py (one Python start-up) which protocols and fields it reads. */
export function fidelityTshark(): FidelityTshark {
  const script = [
    'import importlib.util, json',
    `s = importlib.util.spec_from_file_location('fidelity', ${JSON.stringify(FIDELITY)})`,
    'm = importlib.util.module_from_spec(s); s.loader.exec_module(m)',
    'print(json.dumps({"agg": m.AGG, "protos": [[f, fs] for f, fs, _ in m.PROTOS.values()]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading fidelity.py's fields failed: ${r.stderr}`);
  const { agg, protos } = JSON.parse(r.stdout) as { agg: string; protos: Array<[string, string[]]> };
  return { aggregator: agg, filter: protos.map(([f]) => f).join(' or '), fields: ['tcp.stream', ...protos.flatMap(([, fs]) => fs)] };
}

/** The command fidelity.py runs on `file` (its `tshark_tuples`), less the program name. */
export function fidelityArgs(spec: FidelityTshark, file: string, extra: readonly string[], filtered = true): string[] {
  return [
    '-Q', '-r', file, '-n', '-2', ...(filtered ? ['-Y', spec.filter] : []),
    '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', `aggregator=${spec.aggregator}`,
    ...extra,
    ...spec.fields.flatMap((f) => ['-e', f]),
  ];
}

/** The rows of one tshark run with fidelity.py's fields and `more`, and its columns of `more`. */
export interface SharedRun {
  /** Per frame, the values of `more` in order, each field's occurrences joined with `,`. */
  rows: string[][];
}

/**
 * Runs fidelity.py's command on `file` without its display filter and with `more` fields
 * after its own (a field it already has is not named twice: tshark fills only the last
 * column of a field named twice), records fidelity.py's rows in `replay`, and returns the
 * columns of `more`.
 */
export function sharedTsharkRun(spec: FidelityTshark, file: string, extra: readonly string[], more: readonly string[], replay: TsharkReplay): SharedRun {
  const added = more.filter((f) => !spec.fields.includes(f));
  const all = [...spec.fields, ...added];
  const args = [...fidelityArgs(spec, file, extra, false), ...added.flatMap((f) => ['-e', f])];
  const r = spawnSync(replay.tshark, args, { encoding: 'latin1', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: exit ${r.status}`);
  const lines = r.stdout.split('\n').filter((l) => l.length);
  const split = lines.map((l) => l.split('\t'));

  const n = spec.fields.length;
  const theirs = split
    .filter((row) => row.slice(1, n).some((v) => v !== ''))
    .map((row) => `${row.slice(0, n).join('\t')}\n`)
    .join('');
  replay.record(fidelityArgs(spec, file, extra), Buffer.from(theirs, 'latin1'));

  const at = more.map((f) => all.indexOf(f));
  return { rows: split.map((row) => at.map((i) => (row[i] ?? '').split(spec.aggregator).join(','))) };
}

/** The first `tshark` on PATH. */
function realTshark(path = process.env.PATH ?? ''): string {
  for (const d of path.split(delimiter)) {
    const p = join(d, 'tshark');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return 'tshark';
}

const key = (args: readonly string[]): string =>
  createHash('sha1')
    .update(args.map((a) => `${a}\n`).join(''))
    .digest('hex');

/** A stand-in `tshark` in `dir/bin` for fidelity.py: recorded output for known commands. */
export class TsharkReplay {
  readonly tshark = realTshark();
  private readonly bin: string;
  private readonly store: string;

  constructor(dir: string) {
    this.bin = join(dir, 'tshark-bin');
    this.store = join(dir, 'tshark-out');
    mkdirSync(this.bin, { recursive: true });
    mkdirSync(this.store, { recursive: true });
    // The key is sha1 over each argument and a newline, as `key` computes it.
    writeFileSync(
      join(this.bin, 'tshark'),
      [
        '#!/bin/sh',
        `k=$(printf '%s\\n' "$@" | sha1sum | cut -c1-40)`,
        `if [ -f "${this.store}/$k" ]; then exec cat "${this.store}/$k"; fi`,
        `printf '%s\\n' "$*" >> "${this.store}/misses"`,
        `exec "${this.tshark}" "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  record(args: readonly string[], output: Uint8Array): void {
    writeFileSync(join(this.store, key(args)), output);
  }

  /** The environment for fidelity.py: the stand-in first on PATH. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${this.bin}${delimiter}${process.env.PATH ?? ''}` };
  }

  /** The commands the stand-in passed to the real tshark, one per line. */
  misses(): string[] {
    const f = join(this.store, 'misses');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l) : [];
  }
}
