import type { WireEvent } from '../../events/event.js';
import { toJson } from '../../events/json.js';
import { analyze } from '../../pipeline/analyze.js';
import { columnWidths, tableLine, widen } from '../../report/format.js';
import { SortedSpool, SpoolDir } from '../../report/spool.js';
import { FLOW_COLUMNS, FLOW_COLUMNS_RIGHT, flowRow } from '../../report/text-summary.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeSplit } from '../../pipeline/parallel/split.js';
import { inputDamage } from '../input-damage.js';
import { analyzeOptions, fullLimits, keyLogOf, workerCount, type CommonOptions } from '../options.js';

const SORT_KEYS: Record<string, (f: WireEvent) => number | string> = {
  id: (f) => f.flow ?? 0,
  start: (f) => String(f.start),
  packets: (f) => -(Number(f.orig_pkts) + Number(f.resp_pkts)),
  bytes: (f) => -(Number(f.orig_frame_bytes) + Number(f.resp_frame_bytes)),
  duration: (f) => -Number(f.duration),
  app: (f) => String(f.service ?? '~'),
  client: (f) => String(f.orig_h),
  server: (f) => String(f.resp_h),
  state: (f) => String(f.conn_state),
};

/**
 * `wirelens flows FILE`: the flow table, readable or `--json`, sorted. Each flow's row (or
 * JSON) is made when the flow ends and kept in the report's sorted spool (in memory up to
 * `SORTED_MEMORY`, then sorted runs on disk merged at the end), so memory stays flat however
 * many flows the capture has.
 */
export async function flowsCommand(file: string, opts: CommonOptions & { json?: boolean; sort?: string; workers?: number; quick?: boolean }): Promise<number> {
  const key = SORT_KEYS[opts.sort ?? 'id'];
  if (!key) throw new UserError(`unknown --sort ${opts.sort}; use one of ${Object.keys(SORT_KEYS).join(', ')}`);
  const dir = new SpoolDir('wirelens-flows-');
  try {
    const spool = new SortedSpool(dir);
    const widths = columnWidths(FLOW_COLUMNS);
    const keep = (e: WireEvent): void => {
      if (e.type !== 'flow.end') return;
      let text: string;
      if (opts.json) {
        // The element as `toJson(flows, 2)` writes it inside the array.
        const one = toJson([e], 2);
        text = one.slice(2, one.length - 2);
      } else {
        const row = flowRow(e);
        widen(widths, row);
        // Cells never hold a NUL: capture text is made visible (`\x00`) before it is a cell.
        text = row.join('\u0000');
      }
      spool.add(text, key(e), e.flow ?? 0);
    };
    const workers = workerCount(opts.workers, file);
    const onProgress = progressReporter('reading');
    try {
      if (workers > 1) {
        const split = { limits: fullLimits(opts), checkChecksums: opts.checkChecksums, tcpAnalysis: false, workers, mode: 'objects' as const, dissect: !opts.quick, types: ['flow.end'], damage: inputDamage, onProgress, keylog: keyLogOf(opts) };
        await analyzeSplit(file, split, { event: keep });
      } else {
        // Every dissector runs (each flow's service and summary are columns), but no other event is built.
        await analyze(file, { emit: keep }, { ...analyzeOptions(opts), dissect: !opts.quick, tcpAnalysis: false, wanted: { types: ['flow.end'], filter: false }, onProgress });
      }
    } finally {
      clearProgress();
    }
    const output = new Batched();
    if (opts.json) {
      if (!spool.count) output.add('[]');
      else {
        output.add('[\n');
        let first = true;
        for (const element of spool.sorted()) {
          output.add(first ? element : ',\n' + element);
          first = false;
        }
        output.add('\n]');
      }
      output.add('\n');
    } else {
      output.add(tableLine(FLOW_COLUMNS, widths, FLOW_COLUMNS_RIGHT) + '\n');
      for (const row of spool.sorted()) output.add(tableLine(row.split('\u0000'), widths, FLOW_COLUMNS_RIGHT) + '\n');
    }
    output.flush();
  } finally {
    dir.close();
  }
  return 0;
}

/** Output gathered into writes of about 64 KB. */
class Batched {
  private text = '';

  add(s: string): void {
    this.text += s;
    if (this.text.length >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.text) out(this.text);
    this.text = '';
  }
}
