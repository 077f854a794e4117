/**
 * Which worker owns which address pairs, when every worker reads the file itself. One
 * bucket per worker (hash modulo N) leaves the largest share far above the mean when a
 * capture has a few hundred address pairs of unequal weight: on the 100 MB bench capture
 * the largest share was 1.04x the mean for 2 workers, 1.32x for 4, 1.58x for 8 and 1.73x
 * for 16, and the run takes as long as its largest share. So the pairs hash into 4N
 * buckets, every worker weighs the buckets in a first pass over the file (its records and
 * the address walk only: about 0.5% of one thread's CPU on that capture), and the buckets
 * go to workers largest first, each to the least loaded (LPT scheduling). Every worker
 * computes the same plan from the same bytes, so none is sent. On the bench capture the
 * largest share became 1.02-1.03x the mean for 2 to 16 workers.
 * Output never depends on the plan (only the limits divided among workers can notice it).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { describeOpenError, readCapture } from '../../capture/index.js';
import { fileChunks } from '../../capture/sources.js';
import { bucketOfFrame } from './address-pair.js';

/** Buckets per worker: enough to even out the shares, few enough that each stays a sample of many pairs. */
export const BUCKETS_PER_WORKER = 4;
/**
 * A packet's weight in bytes beside its captured bytes: each packet costs a record, a
 * decode and a flow lookup whatever its size (the bench capture averages ~700 bytes per
 * packet). A rough figure is enough: it only ranks buckets.
 */
const PACKET_WEIGHT = 300;

/** The owner of each of `workers * BUCKETS_PER_WORKER` buckets, weighed by a pass over `source`. */
export async function planBuckets(source: string, workers: number, max_dsb_bytes: number, bytes?: number): Promise<Uint16Array> {
  const weights = new Float64Array(workers * BUCKETS_PER_WORKER);
  const input = bytes === undefined ? undefined : fileBytes(source, bytes);
  await readCapture(source, { packet: (p) => (weights[bucketOfFrame(p.link_type, p.bytes, p.offset, p.caplen, weights.length)]! += p.caplen + PACKET_WEIGHT), problem: () => {} }, { max_dsb_bytes, input });
  return assignBuckets(weights, workers);
}

/**
 * The first `bytes` bytes of a file: what each pass of each worker reads, so that a capture
 * still being written gives every worker the same packets (the same plan, the same epochs).
 */
export async function* fileBytes(source: string, bytes: number): AsyncGenerator<Uint8Array> {
  let fh: FileHandle;
  try {
    fh = await open(source, 'r');
  } catch (e) {
    throw describeOpenError(source, e);
  }
  try {
    let left = bytes;
    for await (const chunk of fileChunks(fh)) {
      if (left <= 0) return;
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      yield part;
    }
  } finally {
    await fh.close();
  }
}

/** Largest bucket first, each to the least loaded worker (the lowest index on ties): deterministic. */
export function assignBuckets(weights: Float64Array, workers: number): Uint16Array {
  const owners = new Uint16Array(weights.length);
  const loads = new Float64Array(workers);
  const order = Array.from(weights.keys()).sort((a, b) => weights[b]! - weights[a]! || a - b);
  for (const bucket of order) {
    let least = 0;
    for (let w = 1; w < workers; w++) if (loads[w]! < loads[least]!) least = w;
    owners[bucket] = least;
    loads[least]! += weights[bucket]!;
  }
  return owners;
}
