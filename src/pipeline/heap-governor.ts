/**
 * Keeps the V8 heap near a budget. V8 lets the old generation grow to four times what
 * survived the last full collection before it collects again; with the 55 MB that 14,000
 * open flows keep alive (the 1 GB bench capture), that is 220 MB of heap, most of it garbage. After
 * each full collection this sets the growth V8 may allow next (`--heap-growing-percent`,
 * read at every collection) so that live data plus growth stays within the budget: the
 * default fourfold while the live heap is small, down to a minimum growth when it is large
 * (more frequent collections, not an out-of-memory stop: the budget is a target, not a cap).
 *
 * On the main thread the budget adapts to a peak-RSS target: it is the target less what the
 * process holds outside V8's heap (node itself, compiler zones, buffers) and the young
 * generation, measured after each full collection, and never below the fixed budget. Each
 * full collection marks the whole live heap, so their number is the governor's CPU cost:
 * room under the target that a fixed budget left unused meant collections that bought
 * nothing (500 MB bench: 15-18 full collections at a fixed 64 MB, 10-11 with the target, peak
 * RSS 193 and 195 MiB; bench/README.md, "Issue 18, sixth round: memory").
 *
 * The flag is process-wide, so with worker threads each one governs with its share of the
 * fixed budget (their shares are alike, so they ask for alike growth; the RSS is the whole
 * process's, so no one thread can read its own share of it). About memory only: output
 * never depends on it.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread } from 'node:worker_threads';

/**
 * Old-generation budget of one analysis (MB). Peak RSS is about this plus the young
 * generation (2 x 8 MB with bin/wirelens's flags), node itself (~42 MB) and buffers. On the
 * main thread, the floor of the budget the RSS target gives (`RSS_TARGET_MB`).
 */
export const HEAP_BUDGET_MB = budgetFromEnvironment() ?? 64;
/** Growth never allowed below this (percent): collections would come too often to be worth it. */
const MIN_PERCENT = 25;
/**
 * Past the budget (a flood's max_flows open flows: 90-110 MB live) the floor is this, or
 * MIN_GROWTH_MB if that is more: a quarter of 110 MB was 27 MB of garbage held at the peak
 * (`report` on 1M SYNs: 263 -> 247 MiB peak RSS), for a collection per 16 MB promoted.
 */
const MIN_PERCENT_OVER_BUDGET = 15;
const MIN_GROWTH_MB = 16;
/** V8's own largest growing factor (4x). */
const MAX_PERCENT = 300;

/** Heap (MB) a limit set with an outdated growth may exceed the new one by before a collection is asked for (see `governHeap`). */
const OVERSHOOT_MB = 16;

let installed = false;
let gc: (() => void) | null = null;

/** A full collection now: V8's `gc`, exposed once (the same flag as `node --expose-gc`). */
function collectNow(): void {
  if (gc === null) {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** `WIRELENS_HEAP_BUDGET_MB`: another budget, or 0 for V8's own heuristics (faster on big captures, more memory). */
function budgetFromEnvironment(): number | null {
  return megabytesFromEnvironment('WIRELENS_HEAP_BUDGET_MB');
}

function megabytesFromEnvironment(name: string): number | null {
  const v = process.env[name];
  if (v === undefined || v === '' || !/^\d+$/.test(v)) return null;
  return Number(v);
}

/**
 * Peak RSS (MiB) the main thread's budget adapts to (`WIRELENS_RSS_TARGET_MB`; 0: the fixed
 * budget alone). Below the 200 MB the project aims at, by the 10-20 MB a peak was seen to pass
 * it (the 500 MB bench: 198-204 MiB at 185, 195 at 180).
 */
export const RSS_TARGET_MB = megabytesFromEnvironment('WIRELENS_RSS_TARGET_MB') ?? 180;

/**
 * Governs the heap from now on (once per process). `rssTargetMB`: the peak RSS the budget
 * adapts to, 0 for the fixed `budgetMB` alone (worker threads: see the top of this file).
 */
export function governHeap(budgetMB = HEAP_BUDGET_MB, rssTargetMB = isMainThread ? RSS_TARGET_MB : 0): void {
  if (installed || budgetMB <= 0) return;
  installed = true;
  let current = 0;
  const observer = new PerformanceObserver((list) => {
    let major = false;
    for (const entry of list.getEntries()) {
      if ((entry.detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major = true;
    }
    if (!major) return;
    const live = liveOldMB();
    const budget = rssTargetMB > 0 ? Math.max(budgetMB, measuredRoomMB(rssTargetMB)) : budgetMB;
    const percent = growthFor(live, budget);
    if (percent === current) return;
    const used = current;
    current = percent;
    // Where the budget does not bind, V8's own factor (0: its heuristics, which grow by less
    // than the fourfold when collections are cheap): forcing 300% there made `flows` on 512 MB
    // peak at 187 MB under the RSS target, where V8 alone peaks at 150.
    v8.setFlagsFromString(`--heap-growing-percent=${percent >= MAX_PERCENT ? 0 : percent}`);
    // V8 set the next limit at the end of the collection just seen, with the growth chosen
    // after the one before (this callback runs later): live data that grows fast (a SYN
    // flood opening flows: 38 MB, then 131 MB live) got the fourfold growth of a small heap
    // once more, 80 MB past the budget at the peak. When the growth falls that far, one
    // collection now sets the limit again with the new growth.
    if (used > percent && (live * (used - percent)) / 100 > OVERSHOOT_MB) collectNow();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** What the old generation holds (just after a full collection: what survived it). */
function liveOldMB(): number {
  let bytes = 0;
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') bytes += s.space_used_size;
  return bytes / (1024 * 1024);
}

/** `roomUnder` with what the process holds now (just after a full collection). */
function measuredRoomMB(targetMB: number): number {
  let committed = 0;
  let young = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    committed += s.physical_space_size;
    if (s.space_name === 'new_space') young = s.space_size;
  }
  const MB = 1024 * 1024;
  return roomUnder(targetMB, process.memoryUsage.rss() / MB, committed / MB, young / MB);
}

/**
 * The old generation's budget (MB) under a peak-RSS target: the target less what the process
 * holds outside V8's heap (`rss - heapCommitted`), less the young generation (`youngMB`, both
 * semi-spaces) and half that again, because V8 adds the young generation's capacity (one
 * semi-space) to every old-generation limit it sets.
 */
export function roomUnder(targetMB: number, rssMB: number, heapCommittedMB: number, youngMB: number): number {
  return targetMB - (rssMB - heapCommittedMB) - 1.5 * youngMB;
}

/** The growth (percent) that keeps `live` plus growth within `budget`, within V8's range. */
export function growthFor(liveMB: number, budgetMB: number): number {
  if (liveMB <= 0) return MAX_PERCENT;
  const percent = Math.floor((100 * (budgetMB - liveMB)) / liveMB);
  const floor = liveMB <= budgetMB ? MIN_PERCENT : Math.max(MIN_PERCENT_OVER_BUDGET, Math.min(MIN_PERCENT, Math.ceil((100 * MIN_GROWTH_MB) / liveMB)));
  return Math.max(floor, Math.min(MAX_PERCENT, percent));
}
