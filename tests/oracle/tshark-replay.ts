/**
 * One tshark run per capture for the capture oracle's own checks and fidelity.py's.
 *
 * Why: fidelity.py runs tshark on each capture itself, and the oracle ran it once more for
 * its flows and TCP checks. A tshark start-up is about 0.46 s of CPU (registering every
 * dissector) and most captures take far less to dissect, so half of the oracle's tshark time
 * was the second start-up: about 150 s of CPU over the four parts.
 *
 * Here the oracle runs fidelity.py's own command once, with three changes: no display filter,
 * one more column per protocol of that filter (`-e http -e dns ...`), and the oracle's fields
 * after all of fidelity.py's. It keeps, cut to fidelity.py's columns, the lines of the frames
 * that filter would have printed, and fidelity.py finds a stand-in `tshark` first on its PATH
 * that prints those lines when its arguments are exactly fidelity.py's command (and runs the
 * real tshark for anything else; the oracle's test asserts that never happened).
 *
 * Why those are the lines the filter prints: fidelity.py's filter is `http or http2 or ...`,
 * protocol names only, and a bare field name in a display filter is true when the frame's tree
 * has that field. `-e NAME` prints every occurrence of the same field, and a protocol field
 * prints its label (or its name), never nothing. So a frame passes the filter exactly when one
 * of those columns is not empty. An earlier try kept the frames with any of fidelity.py's value
 * columns filled, which is not the same: mDNS frames carry `dns.*` fields under the `mdns`
 * protocol, which `-Y dns` does not pass. With `-2` every frame is dissected in the first pass
 * whether or not a filter is given, so leaving the filter out changes no field's value.
 *
 * The oracle's own fields then come from fidelity.py's command (`-2`, and decode-as for the
 * project's captures) instead of a plain run. The commit that brought this in compared both
 * runs' columns on every capture (see its message): decode-as only adds application layers to
 * `frame.protocols`, and the oracle reads only its IP, TCP, UDP and ICMP layers.
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
  /** The protocols the filter names, each a field tshark can print. */
  protocols: string[];
  /** `tcp.stream`, then every protocol's fields, in fidelity.py's column order. */
  fields: string[];
}

/** A display-filter protocol name: what the filter is made of for the shared run to be exact. */
const PLAIN_NAME = /^[a-z][a-z0-9_.-]*$/;

/**
 * Asks fidelity.py (one Python start-up) which protocols and fields it reads. Null when its
 * filter is anything but protocol names joined with `or` (then the shared run would not know
 * which frames it passes, and the oracle falls back to a tshark run of its own).
 */
export function fidelityTshark(): FidelityTshark | null {
  const script = [
    'import importlib.util, json',
    `s = importlib.util.spec_from_file_location('fidelity', ${JSON.stringify(FIDELITY)})`,
    'm = importlib.util.module_from_spec(s); s.loader.exec_module(m)',
    'print(json.dumps({"agg": m.AGG, "protos": [[f, fs] for f, fs, _ in m.PROTOS.values()]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading fidelity.py's fields failed: ${r.stderr}`);
  const { agg, protos } = JSON.parse(r.stdout) as { agg: string; protos: Array<[string, string[]]> };
  const protocols = protos.map(([f]) => f);
  if (!protocols.every((p) => PLAIN_NAME.test(p))) return null;
  return { aggregator: agg, filter: protocols.join(' or '), protocols, fields: ['tcp.stream', ...protos.flatMap(([, fs]) => fs)] };
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

/**
 * What the shared run gives the oracle: per frame, the values of the fields it asked for, in
 * its order, each field's occurrences joined with `,` (as `-E occurrence=a` prints them).
 */
export interface SharedRun {
  rows: string[][];
}

/**
 * Runs fidelity.py's command on `file` without its display filter, with its protocols and
 * then `more` as fields after its own (a field already there is not named twice: tshark fills
 * only the last column of a field named twice), records the lines fidelity.py would get in
 * `replay`, and returns the columns of `more`.
 */
export function sharedTsharkRun(spec: FidelityTshark, file: string, extra: readonly string[], more: readonly string[], replay: TsharkReplay): SharedRun {
  const n = spec.fields.length;
  const added = [...new Set([...spec.protocols, ...more])].filter((f) => !spec.fields.includes(f));
  const all = [...spec.fields, ...added];
  const args = [...fidelityArgs(spec, file, extra, false), ...added.flatMap((f) => ['-e', f])];
  const r = spawnSync(replay.tshark, args, { encoding: 'buffer', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  // As the oracle's own run did (execFileSync): a tshark that fails fails the oracle. So what
  // is recorded is always a clean run's output, which fidelity.py reads without its stderr.
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: exit ${r.status}: ${String(r.stderr).slice(0, 300)}`);
  // Bytes as latin1: one char per byte, so the lines kept for fidelity.py are its bytes exactly.
  const lines = r.stdout.toString('latin1').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const split = lines.map((l) => l.split('\t'));

  const protocolColumns = spec.protocols.map((p) => all.indexOf(p));
  const theirs = split
    .filter((row) => protocolColumns.some((i) => (row[i] ?? '') !== ''))
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

/** A stand-in `tshark` in `dir/tshark-bin` for fidelity.py: recorded output for known commands. */
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
