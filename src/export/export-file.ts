/**
 * Exports the events of one capture: Parquet partitions or Elasticsearch bulk NDJSON.
 * Runs in a worker thread (one capture per worker at a time) or inline.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { WireEvent } from '../events/event.js';
import { outcomeOf, type PoolOutcome } from '../pipeline/parallel/pool.js';
import { analyze } from '../pipeline/analyze.js';
import type { Engine } from '../pipeline/engine.js';
import type { Limits } from '../dissect/limits.js';
import { dateOf, eventRow, protocolOf, type FlowContext } from './columns.js';
import { bulkLines } from './elastic.js';
import { ParquetPartitions } from './parquet.js';

export type ExportFormat = 'parquet' | 'ndjson';

export interface ExportJob {
  file: string;
  /** Position of the file among the inputs: names its output files. */
  index: number;
  format: ExportFormat;
  outDir: string;
  limits?: Partial<Limits>;
  /** `--keylog` bytes; each capture parses them into a store of its own. */
  keylog?: Uint8Array;
  indexPrefix?: string;
}

export interface ExportResult {
  file: string;
  events: number;
  outputs: string[];
}

export async function exportFile(job: ExportJob): Promise<ExportResult> {
  mkdirSync(job.outDir, { recursive: true });
  const tag = String(job.index).padStart(5, '0');
  const capture = basename(job.file);
  let engine: Engine | null = null;
  // The last context of each open flow: events emitted after a flow ended (FTP transfers
  // completed by expiry) still find it. Dropped at the flow's flow.end.
  const flows = new Map<number, FlowContext>();
  const contextOf = (e: WireEvent): FlowContext | null => {
    if (e.flow === null) return null;
    const live = engine?.flowContext(e.flow) ?? null;
    if (live) flows.set(e.flow, live);
    return live ?? flows.get(e.flow) ?? null;
  };
  let events = 0;
  if (job.format === 'parquet') {
    const parts = new ParquetPartitions(job.outDir, tag);
    await analyze(job.file, {
      emit: (e) => {
        events++;
        parts.add(protocolOf(e.type), dateOf(e.ts), eventRow(e, capture, contextOf(e)));
        if (e.type === 'flow.end' && e.flow !== null) flows.delete(e.flow);
      },
    }, { limits: job.limits, keylog: job.keylog, onEngine: (x) => (engine = x) });
    parts.close();
    return { file: job.file, events, outputs: parts.written };
  }
  const path = join(job.outDir, `part-${tag}.ndjson`);
  const fd = openSync(path, 'w');
  let pending = '';
  try {
    await analyze(job.file, {
      emit: (e) => {
        events++;
        pending += bulkLines(e, capture, contextOf(e), job.indexPrefix ?? 'wirelens') + '\n';
        if (e.type === 'flow.end' && e.flow !== null) flows.delete(e.flow);
        if (pending.length >= 1 << 20) {
          writeSync(fd, pending);
          pending = '';
        }
      },
    }, { limits: job.limits, keylog: job.keylog, onEngine: (x) => (engine = x) });
    if (pending) writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
  return { file: job.file, events, outputs: [path] };
}

/** `exportFile` with failures turned into an outcome (what the pool reports). */
export async function exportOutcome(job: ExportJob): Promise<PoolOutcome<ExportResult>> {
  return outcomeOf(() => exportFile(job));
}
