import { readCapture, type CaptureProblem, type CaptureSummary, type ReadCaptureOptions } from '../capture/index.js';
import { parseKeyLog } from '../capture/keylog.js';
import type { ExportedObject, ProtocolDescriptor } from '../dissect/contract.js';
import { DEFAULT_LIMITS, type Limits } from '../dissect/limits.js';
import { MutableSecretStore } from '../dissect/secrets.js';
import type { EventSink, WireEvent } from '../events/event.js';
import { PROTOCOLS } from '../protocols/index.js';
import { Engine, type EngineOptions } from './engine.js';
import { governHeap } from './heap-governor.js';
import { mayHoldSecrets, workPlan } from './work-plan.js';
import type { CaptureFileFields, CaptureStatsFields, FlowEndFields } from '../events/event-map.js';

/**
 * The engine's options a run passes on unchanged (documented on `EngineOptions`): objects,
 * detection only, stream and frame taps, TCP analysis, checksums, flow identity events.
 */
type PassedToEngine = 'wantsObjects' | 'dissect' | 'onObject' | 'tap' | 'innerTap' | 'tcpAnalysis' | 'checkChecksums' | 'packetTap' | 'flowIdentity';

export interface AnalyzeOptions extends Pick<EngineOptions, PassedToEngine> {
  limits?: Partial<Limits>;
  /** Protocols to detect and dissect (default: all registered). */
  protocols?: readonly ProtocolDescriptor[];
  /**
   * An NSS key log's text (`--keylog`), parsed into this run's own secret store (bad lines
   * are the caller's to report: `keyLogWarning`). pcapng Decryption Secrets Blocks add to
   * the same store as they are read.
   */
  keylog?: Uint8Array | string;
  onProgress?: ReadCaptureOptions['onProgress'];
  stdin?: ReadCaptureOptions['stdin'];
  /** The capture's bytes from the caller (a file followed as it grows); see `ReadCaptureOptions.input`. */
  input?: ReadCaptureOptions['input'];
  /** Reading waits for a promise this returns before each chunk (the live UI yields to its redraws). */
  pace?: ReadCaptureOptions['pace'];
  /**
   * Called once with a read-only view of the run's progress (the UI shows open flows'
   * counters and the statistics so far while a capture loads). Flow identity comes from
   * events, not from here.
   */
  onLive?(view: LiveView): void;
  /**
   * Sees every event before the sink does (the CLI notes damaged input with it), except those
   * a sink takes as bytes (`EventSink.bytes`: never anomalies).
   */
  observe?(event: WireEvent): void;
  /**
   * False: leave V8's heap growth alone. The governor sets a process-wide V8 flag, which the
   * CLI owns but a program that imports wirelens as a library does not (default true).
   */
  governHeap?: boolean;
  /**
   * The only event types the caller writes (`--types`, expanded) and whether a filter also
   * reads them: only the dissectors those types need run, and only they are built
   * (`work-plan.ts`). Other events never reach the sink, except the engine's anomalies.
   */
  wanted?: { types: readonly string[]; filter: boolean };
}

/** What a live view reads while a capture loads (kept narrow on purpose). */
export interface LiveView {
  openFlows(): ReadonlyArray<{ readonly id: number; readonly lastFrame: number; record(): FlowEndFields }>;
  readonly stats: { fields(): CaptureStatsFields };
}

/**
 * Reads a capture and sends every event to `sink`, in capture order, ending with a
 * `capture.summary` event. Throws `CaptureError` only when nothing could be read.
 */
export async function analyze(source: string, sink: EventSink, opts: AnalyzeOptions = {}): Promise<void> {
  if (opts.governHeap !== false) governHeap();
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const observe = opts.observe;
  const secrets = runSecrets(opts.keylog, limits);
  const protocols = opts.protocols ?? PROTOCOLS;
  const plan = opts.wanted ? workPlan(protocols, opts.wanted.types, { filter: opts.wanted.filter, secrets: mayHoldSecrets(source, opts.keylog) }) : null;
  const engine = new Engine({
    limits,
    protocols,
    sink: observe ? { emit: (e) => (observe(e), sink.emit(e)), bytes: sink.bytes } : sink,
    wantsObjects: opts.wantsObjects,
    dissect: opts.dissect,
    onObject: opts.onObject,
    tap: opts.tap,
    innerTap: opts.innerTap,
    secrets,
    checkChecksums: opts.checkChecksums,
    // The packet tap reads each segment's analysis (packet filters on `tcp.analysis.*`).
    tcpAnalysis: opts.tcpAnalysis !== false && (plan === null || plan.tcpAnalysis || opts.packetTap !== undefined),
    packetTap: opts.packetTap,
    plan: plan ?? undefined,
    flowIdentity: opts.flowIdentity,
  });
  opts.onLive?.({ openFlows: () => engine.openFlows(), stats: engine.stats });
  const summary = await readCapture(
    source,
    {
      packet: (p) => engine.packet(p),
      problem: (p) => engine.problem(p),
      // As Wireshark does, with no flag: the block's secrets serve the packets after it.
      secrets: (_kind, data, frame) => {
        for (const p of addCaptureSecrets(secrets, data, frame, limits)) engine.problem(p);
      },
    },
    { onProgress: opts.onProgress, stdin: opts.stdin, input: opts.input, pace: opts.pace, max_dsb_bytes: limits.max_dsb_bytes },
  );
  engine.finish(summaryFields(source, summary));
}

/** The secret store of one run: the key log's secrets, or none yet (a secrets block may bring some). */
export function runSecrets(keylog: Uint8Array | string | undefined, limits: Limits): MutableSecretStore {
  return keylog === undefined ? new MutableSecretStore(limits.max_tls_secrets) : parseKeyLog(keylog, { limits }).store;
}

/**
 * Adds the key log text of a pcapng Decryption Secrets Block to a run's store; returns the
 * problems to report (bad lines, secrets refused at `max_tls_secrets`).
 */
export function addCaptureSecrets(store: MutableSecretStore, data: Uint8Array, frame: number, limits: Limits): CaptureProblem[] {
  const r = parseKeyLog(data, { store, limits: { max_keylog_bytes: limits.max_dsb_bytes, max_tls_secrets: limits.max_tls_secrets } });
  const problems: CaptureProblem[] = [];
  if (r.bad_line_count) {
    const lines = r.bad_lines.slice(0, 8).map((b) => `line ${b.line}: ${b.reason}`).join('; ');
    problems.push({ code: 'capture.secrets_ignored', detail: `decryption secrets block: ${r.bad_line_count} bad key log line${r.bad_line_count === 1 ? '' : 's'} skipped (${lines}); ${r.secrets} secrets used`, frame });
  }
  if (r.refused) problems.push({ code: 'capture.secrets_limit', detail: `decryption secrets block: ${r.refused} secrets refused, max_tls_secrets (${limits.max_tls_secrets}) reached`, frame });
  return problems;
}

/** What the capture summary says of the file itself. */
export function summaryFields(source: string, summary: CaptureSummary): CaptureFileFields {
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
