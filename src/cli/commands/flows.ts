import type { WireEvent } from '../../events/event.js';
import { toJson } from '../../events/json.js';
import { analyze } from '../../pipeline/analyze.js';
import { flowsTable } from '../../report/text-summary.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeSplit } from '../../pipeline/parallel/split.js';
import { inputDamage } from '../input-damage.js';
import { analyzeOptions, fullLimits, workerCount, type CommonOptions } from '../options.js';

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

/** `wirelens flows FILE`: the flow table, readable or `--json`. */
export async function flowsCommand(file: string, opts: CommonOptions & { json?: boolean; sort?: string; workers?: number; quick?: boolean }): Promise<number> {
  const key = SORT_KEYS[opts.sort ?? 'id'];
  if (!key) throw new UserError(`unknown --sort ${opts.sort}; use one of ${Object.keys(SORT_KEYS).join(', ')}`);
  const flows: WireEvent[] = [];
  const workers = workerCount(opts.workers, file);
  const onProgress = progressReporter('reading');
  try {
    if (workers > 1) {
      const split = { limits: fullLimits(opts), workers, mode: 'objects' as const, dissect: !opts.quick, types: ['flow.end'], damage: inputDamage, onProgress };
      await analyzeSplit(file, split, { event: (e) => flows.push(e) });
    } else {
      await analyze(file, { emit: (e) => e.type === 'flow.end' && flows.push(e) }, { ...analyzeOptions(opts), dissect: !opts.quick, onProgress });
    }
  } finally {
    clearProgress();
  }
  flows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : (a.flow ?? 0) - (b.flow ?? 0);
  });
  out(opts.json ? toJson(flows, 2) + '\n' : flowsTable(flows));
  return 0;
}
