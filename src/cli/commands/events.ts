import type { WireEvent } from '../../events/event.js';
import { FlowIdentities, isIdentityEvent } from '../../events/flow-identity.js';
import { eventPredicate, EventTypeError, selectsIdentity, type EventPredicate } from '../../filter/event-predicate.js';
import { FramePairing } from '../../filter/frame-pairing.js';
import { FilterSyntaxError, type FlowFacts } from '../../filter/index.js';
import { analyze } from '../../pipeline/analyze.js';
import { analyzeSplit } from '../../pipeline/parallel/split.js';
import { NdjsonWriter } from '../../report/ndjson.js';
import { inputDamage } from '../input-damage.js';
import { clearProgress, out, progressReporter, UserError } from '../io.js';
import { analyzeOptions, fullLimits, keyLogOf, workerCount, type CommonOptions } from '../options.js';

/**
 * `wirelens events FILE`: NDJSON, one event per line, in capture order. A filter that reads
 * packet fields (`ip.ttl`, `tcp.flags.syn`) runs on one thread with the packet tap, which
 * gives each event the packet of its frame (see filter/frame-pairing.ts).
 */
export async function eventsCommand(
  file: string,
  opts: CommonOptions & { types?: string[]; filter?: string; workers?: number },
): Promise<number> {
  const accept = checkedPredicate(opts.types, opts.filter);
  const workers = accept?.needsPacket ? 1 : workerCount(opts.workers, file);
  // Only the dissectors and events the selected types need (pipeline/work-plan.ts).
  const wanted = accept?.types ? { types: accept.types, filter: opts.filter !== undefined } : undefined;
  const onProgress = progressReporter('reading');
  try {
    if (workers > 1) {
      const split = { limits: fullLimits(opts), checkChecksums: opts.checkChecksums, workers, mode: 'ndjson' as const, types: opts.types, filter: opts.filter, damage: inputDamage, onProgress, keylog: keyLogOf(opts) };
      await analyzeSplit(file, split, { bytes: out });
      return 0;
    }
    // The filter reads each event's flow from the flow.start/flow.update events before it;
    // those are printed only when --types selects them.
    const shown = selectsIdentity(opts.types);
    // Only a filter reads an event's flow (--types alone reads its type): only then are
    // flows tracked, and the engine announces them only for that or to print them.
    const filtered = opts.filter !== undefined;
    const identity = shown || filtered;
    const flows = new FlowIdentities();
    if (accept?.needsPacket) {
      const writer = new NdjsonWriter(out);
      const pairing = new FramePairing<FlowFacts | null>((e, flow, packet) => {
        if (accept(e, flow, packet)) writer.emit(e);
      }, accept.needsBytes);
      const emit = (e: WireEvent): void => {
        const flow = flows.track(e);
        if (shown || !isIdentityEvent(e)) pairing.emit(e, flow);
      };
      try {
        await analyze(file, { emit }, { ...analyzeOptions(opts), wanted, onProgress, flowIdentity: true, packetTap: (p, d, flow, tcp) => pairing.tap(p, d, flow, tcp) });
        pairing.finish();
      } finally {
        writer.flush();
      }
      return 0;
    }
    const pass = (e: WireEvent): boolean => {
      const flow = filtered ? flows.track(e) : null;
      if (!shown && isIdentityEvent(e)) return false;
      return accept ? accept(e, flow) : true;
    };
    // With --types alone the engine builds only the selected types (anomalies aside, which
    // are always emitted), so the declared ones are written as bytes, as with no filter.
    const writer = new NdjsonWriter(out, accept !== null || shown ? pass : undefined, { declaredBytes: !filtered });
    try {
      await analyze(file, writer, { ...analyzeOptions(opts), wanted, onProgress, flowIdentity: identity });
    } finally {
      writer.flush();
    }
  } finally {
    clearProgress();
  }
  return 0;
}

/** The predicate, or a `UserError` (exit 2) that names the unknown field or type and the closest known ones. */
export function checkedPredicate(types: string[] | undefined, filter: string | undefined): EventPredicate | null {
  try {
    return eventPredicate(types, filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new UserError(`bad --filter: ${err.message}`);
    if (err instanceof EventTypeError) throw new UserError(`bad --types: ${err.message}`);
    throw err;
  }
}
