import { readCapture, type CaptureSummary, type ReadCaptureOptions } from '../capture/index.js';
import type { ExportedObject, ProtocolDescriptor } from '../dissect/contract.js';
import { DEFAULT_LIMITS, type Limits } from '../dissect/limits.js';
import type { Direction, EventFields, EventSink, WireEvent } from '../events/event.js';
import { PROTOCOLS } from '../protocols/index.js';
import { Engine } from './engine.js';
import { governHeap } from './heap-governor.js';

export interface AnalyzeOptions {
  limits?: Partial<Limits>;
  /** Protocols to detect and dissect (default: all registered). */
  protocols?: readonly ProtocolDescriptor[];
  /** Keep object bodies and hand them to `onObject`. */
  wantsObjects?: boolean;
  /** False: detection only (see `EngineOptions.dissect`). */
  dissect?: boolean;
  onObject?(object: ExportedObject, flow: number): void;
  /** Sees every reassembled chunk and gap (for `follow`). */
  tap?(flow: number, dir: Direction, data: Uint8Array | number): void;
  onProgress?: ReadCaptureOptions['onProgress'];
  stdin?: ReadCaptureOptions['stdin'];
  /** Called with the engine once it exists (live views read its open flows). */
  onEngine?(engine: Engine): void;
  /** Sees every event before the sink does (the CLI notes damaged input with it). */
  observe?(event: WireEvent): void;
}

/**
 * Reads a capture and sends every event to `sink`, in capture order, ending with a
 * `capture.summary` event. Throws `CaptureError` only when nothing could be read.
 */
export async function analyze(source: string, sink: EventSink, opts: AnalyzeOptions = {}): Promise<void> {
  governHeap();
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const observe = opts.observe;
  const engine = new Engine({
    limits,
    protocols: opts.protocols ?? PROTOCOLS,
    sink: observe ? { emit: (e) => (observe(e), sink.emit(e)) } : sink,
    wantsObjects: opts.wantsObjects,
    dissect: opts.dissect,
    onObject: opts.onObject,
    tap: opts.tap,
  });
  opts.onEngine?.(engine);
  const summary = await readCapture(
    source,
    { packet: (p) => engine.packet(p), problem: (p) => engine.problem(p) },
    { onProgress: opts.onProgress, stdin: opts.stdin },
  );
  engine.finish(summaryFields(source, summary));
}

/** What the capture summary says of the file itself. */
export function summaryFields(source: string, summary: CaptureSummary): EventFields {
  return {
    file: source,
    format: summary.format,
    compressed: summary.compressed,
    interfaces: summary.interfaces.map((i) => ({ link_type: i.link_type, snaplen: i.snaplen, name: i.name })),
    interface_count: summary.interface_count,
  };
}

/** Convenience for tests and small tools: every event and exported object, in memory. */
export async function analyzeFile(
  path: string,
  opts: AnalyzeOptions = {},
): Promise<{ events: WireEvent[]; objects: ExportedObject[] }> {
  const events: WireEvent[] = [];
  const objects: ExportedObject[] = [];
  await analyze(path, { emit: (e) => events.push(e) }, { ...opts, onObject: (o) => objects.push(o) });
  return { events, objects };
}
