/**
 * wirelens as a library: what `import ... from 'wirelens'` gives. A deliberate, small
 * surface over the pipeline the CLI runs: open a capture and get its events one by one
 * (`analyzeCapture`), or its raw packet records (`readCapture`), and the types of both.
 * Everything else under dist/ is internal and may change between versions (package.json's
 * `exports` does not expose it).
 */
import type { ExportedObject } from './dissect/contract.js';
import { DEFAULT_LIMITS, type Limits } from './dissect/limits.js';
import type { WireEvent } from './events/event.js';
import { analyze } from './pipeline/analyze.js';
import { PROTOCOLS } from './protocols/index.js';

export { readCapture, CaptureError } from './capture/index.js';
export type {
  CaptureFormat,
  CaptureHandlers,
  CaptureInterface,
  CaptureProblem,
  CaptureSummary,
  RawPacket,
  ReadCaptureOptions,
} from './capture/index.js';
export type { AnomalyEvent, Direction, EventBase, EventFields, WireEvent } from './events/event.js';
// Every event type and its fields, and guards. Each protocol declares its events in its own
// events.ts (declaration merging into EventMap); these imports put every declaration into
// the package's types, so `isEvent(e, 'dns.transaction')` narrows for a library user too.
import './protocols/events.js';
import './analysis/tcp/events.js';
export { isAnomaly, isEvent } from './events/event-map.js';
export type { AnomalyCode, EventMap, EventOf, EventType, FieldsOf } from './events/event-map.js';
export { Timestamp } from './events/time.js';
export { toJson, type JsonObject, type JsonValue } from './events/json.js';
export { DEFAULT_LIMITS, type Limits } from './dissect/limits.js';
export type { ExportedObject } from './dissect/contract.js';

/** Names of the application protocols wirelens dissects, in the order detection asks them. */
export const PROTOCOL_NAMES: readonly string[] = Object.freeze(PROTOCOLS.map((p) => p.name));

export interface AnalyzeCaptureOptions {
  /** Overrides of `DEFAULT_LIMITS` (the CLI's `--limit name=value`). */
  limits?: Partial<Limits>;
  /** Only these protocols are detected and dissected (names from `PROTOCOL_NAMES`; default: all). */
  protocols?: readonly string[];
  /** Recognise each flow's protocol without dissecting it: `flow.end` events only name their `service` (the CLI's `flows --quick`). */
  detectOnly?: boolean;
  /** Receives HTTP bodies, FTP files, mails and attachments (the CLI's `export`), with the flow id. */
  onObject?(object: ExportedObject, flow: number): void;
  /** Called as the file is read, with bytes read so far and the file size (null for a pipe or standard input). */
  onProgress?(bytesRead: number, totalBytes: number | null): void;
}

/**
 * Reads a capture (a path, pcap or pcapng, gzip'ed or not; `-` reads standard input) and
 * calls `onEvent` with every event, in capture order, ending with the `capture.summary`
 * event. Damage inside the file arrives as `anomaly` events; the promise rejects with a
 * `CaptureError` only when nothing could be read (no such file, not a capture).
 * An event is the caller's to keep: it is not reused.
 */
export async function analyzeCapture(
  source: string,
  onEvent: (event: WireEvent) => void,
  options: AnalyzeCaptureOptions = {},
): Promise<void> {
  const limits = options.limits ?? {};
  // The same check as the CLI's `--limit`: a known name and a non-negative number.
  for (const [name, value] of Object.entries(limits)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, name)) throw new TypeError(`wirelens: no limit named ${JSON.stringify(name)}`);
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw new TypeError(`wirelens: limit ${name} must be a non-negative number`);
  }
  const protocols = options.protocols?.map((name) => {
    const p = PROTOCOLS.find((d) => d.name === name);
    if (p === undefined) throw new TypeError(`wirelens: no protocol named ${JSON.stringify(name)} (known: ${PROTOCOL_NAMES.join(', ')})`);
    return p;
  });
  await analyze(
    source,
    { emit: onEvent },
    {
      limits,
      protocols,
      dissect: !options.detectOnly,
      wantsObjects: options.onObject !== undefined,
      onObject: options.onObject,
      onProgress: options.onProgress,
      // A library does not own the process: V8's heap flags stay the host program's.
      governHeap: false,
    },
  );
}
