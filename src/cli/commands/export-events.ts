import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportFile, type ExportFormat, type ExportJob } from '../../export/export-file.js';
import { defaultWorkers, outcomeOf, runPool } from '../../pipeline/parallel/pool.js';
import { EXIT_BAD_INPUT, UserError } from '../io.js';
import { keyLogOf, parseLimits, type CommonOptions } from '../options.js';

const CAPTURE_NAME = /\.(pcap|pcapng|cap|dmp)(\.gz)?$/i;

/** Files as given; directories contribute their captures (recursively, sorted by path). */
export function expandInputs(inputs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        // a dangling link: a capture by its name gets its own error from the reader
      }
      if (isDir) walk(path);
      else if (CAPTURE_NAME.test(name)) files.push(path);
    }
  };
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      // a missing file is reported by the reader, with the others still exported
    }
    if (isDir) walk(input);
    else files.push(input);
  }
  return files;
}

/**
 * `wirelens export-events FILE|DIR... --format parquet|ndjson --out DIR`: every event of
 * every capture, as Hive-partitioned Parquet (docs/SCHEMA.md) or Elasticsearch bulk NDJSON,
 * captures spread over `--workers` threads.
 */
export async function exportEventsCommand(
  inputs: string[],
  opts: CommonOptions & { format: string; out: string; workers?: number; indexPrefix?: string },
): Promise<number> {
  if (opts.format !== 'parquet' && opts.format !== 'ndjson') throw new UserError(`unknown --format ${opts.format}; use parquet or ndjson`);
  const files = expandInputs(inputs);
  if (!files.length) throw new UserError('no capture files found in the given paths');
  const limits = parseLimits(opts.limit);
  const keylog = keyLogOf(opts);
  const jobs: ExportJob[] = files.map((file, index) => ({ file, index, format: opts.format as ExportFormat, outDir: opts.out, limits, keylog, indexPrefix: opts.indexPrefix }));
  const workers = opts.workers ?? defaultWorkers();
  let failed = 0;
  let events = 0;
  await runPool(jobs, workers, new URL('../export-worker.js', import.meta.url), (job) => outcomeOf(() => exportFile(job)), (i, outcome) => {
    if (outcome.ok) events += outcome.result!.events;
    else {
      failed++;
      process.stderr.write(`wirelens: ${outcome.badInput ? '' : 'internal error: '}${outcome.error}\n`);
    }
  });
  process.stderr.write(`wirelens: exported ${events} events from ${files.length - failed} of ${files.length} captures to ${opts.out}\n`);
  return failed ? EXIT_BAD_INPUT : 0;
}
