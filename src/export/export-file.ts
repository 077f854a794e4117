/**
 * Exports the events of one capture: Parquet partitions or Elasticsearch bulk NDJSON.
 * Runs in a worker thread (one capture per worker at a time) or inline.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FlowIdentities, isIdentityEvent } from '../events/flow-identity.js';
import { analyze } from '../pipeline/analyze.js';
import type { Limits } from '../dissect/limits.js';
import { dateOf, eventRow, protocolOf } from './columns.js';
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
  // Each event's flow, from the flow.start/flow.update events the run emits for it.
  const flows = new FlowIdentities();
  let events = 0;
  if (job.format === 'parquet') {
    const parts = new ParquetPartitions(job.outDir, tag);
    await analyze(job.file, {
      emit: (e) => {
        const flow = flows.track(e);
        if (isIdentityEvent(e)) return;
        events++;
        parts.add(protocolOf(e.type), dateOf(e.ts), eventRow(e, capture, flow));
      },
    }, { limits: job.limits, keylog: job.keylog, flowIdentity: true });
    parts.close();
    return { file: job.file, events, outputs: parts.written };
  }
  const path = join(job.outDir, `part-${tag}.ndjson`);
  const fd = openSync(path, 'w');
  let pending = '';
  try {
    await analyze(job.file, {
      emit: (e) => {
        const flow = flows.track(e);
        if (isIdentityEvent(e)) return;
        events++;
        pending += bulkLines(e, capture, flow, job.indexPrefix ?? 'wirelens') + '\n';
        if (pending.length >= 1 << 20) {
          writeSync(fd, pending);
          pending = '';
        }
      },
    }, { limits: job.limits, keylog: job.keylog, flowIdentity: true });
    if (pending) writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
  return { file: job.file, events, outputs: [path] };
}
