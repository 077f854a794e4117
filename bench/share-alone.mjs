#!/usr/bin/env node
/**
 * One share of an N-share split (`--workers N`), alone in this process, its flow ids handed
 * out at once (not the merged ones: the output differs, the work does not): what a share
 * costs with no other share beside it, to separate the cost of a share from the contention
 * of threads on the cores. Usage: node --max-semi-space-size=8 bench/share-alone.mjs CAPTURE INDEX [N=2]
 * (N=1: the whole capture through the share code, to compare with `events --workers 1`).
 * Needs `npm run build`; prints the share's CPU (planning pass included); `time` it for the helper threads too.
 */
import { statSync } from 'node:fs';
import { runShare } from '../dist/pipeline/parallel/share-run.js';
import { planBuckets } from '../dist/pipeline/parallel/bucket-plan.js';
import { DEFAULT_LIMITS } from '../dist/dissect/limits.js';
import { shareLimits } from '../dist/pipeline/parallel/split.js';
import { governHeap, HEAP_BUDGET_MB } from '../dist/pipeline/heap-governor.js';
const [file, index, n = '2'] = process.argv.slice(2);
const N = Number(n);
const bytes = statSync(file).size;
const c0 = process.cpuUsage();
const owners = await planBuckets(file, N, DEFAULT_LIMITS.max_dsb_bytes, bytes);
const c1 = process.cpuUsage(c0);
governHeap(HEAP_BUDGET_MB / N, 0);
let next = 1, outBytes = 0;
await new Promise((resolve, reject) => {
  let receive;
  const post = (m) => {
    if (m.kind === 'created') queueMicrotask(() => receive({ kind: 'ids', epoch: m.epoch, ids: Uint32Array.from(m.frames, () => next++), streams: Uint32Array.from(m.frames, () => next++) }));
    else if (m.kind === 'output') outBytes += m.bytes?.length ?? 0;
    else if (m.kind === 'done') resolve();
    else if (m.kind === 'error') reject(new Error(m.message));
  };
  receive = runShare({ limits: shareLimits(DEFAULT_LIMITS, N), shares: N, dissect: true, checkChecksums: false, tcpAnalysis: true, mode: 'ndjson', mayHoldSecrets: false, read: { source: file, bytes, index: Number(index), epochPackets: 2048, epochBytes: (8 << 20) * N, maxWaiting: 4, max_dsb_bytes: DEFAULT_LIMITS.max_dsb_bytes, owners } }, post, true);
});
const c2 = process.cpuUsage(c0);
console.log(`share ${index}/${N}: plan ${((c1.user + c1.system) / 1e6).toFixed(2)} s, total ${((c2.user + c2.system) / 1e6).toFixed(2)} s, out ${outBytes}`);
