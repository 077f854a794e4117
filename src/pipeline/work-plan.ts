import { peekFormat } from '../capture/index.js';
import type { ProtocolDescriptor } from '../dissect/contract.js';

/**
 * Only the work that was asked for (issue 18): from the event types a run writes
 * (`--types`, expanded), which dissectors must run and which events are worth building.
 *
 * A protocol's flows are always detected and counted (detection settles a flow's direction
 * and service); its dissector runs only when it emits a wanted type (`emits`) or may start
 * the dissector of one that does (`carries`: TLS's decrypted stream, SOCKS and HTTP
 * handing a stream on, FTP's expected data connections, STARTTLS). The output for the
 * wanted types is then the bytes a full run writes, filtered: every event of a wanted type
 * comes from a dissector that runs, fed exactly what it is fed in a full run. A type a
 * protocol emits only from decrypted payloads (`emitsOnlyWithSecrets`) does not make it run
 * when the run cannot hold key material.
 */
export interface WorkPlan {
  /** Event types worth building; null: all. */
  readonly types: ReadonlySet<string> | null;
  /** Protocols whose dissectors run; null: all. */
  readonly dissected: ReadonlySet<string> | null;
  /** Whether TCP sequence analysis has a reader (its events, or the anomaly it may raise). */
  readonly tcpAnalysis: boolean;
  /**
   * No dissector's event is built, anomalies included: of what dissectors do, only a flow's
   * service and summary are read (`flows`, `events --types flow.end`). Dissectors are told
   * (`DissectorContext.summaryOnly`) and do only the work those two need.
   */
  readonly summaryOnly: boolean;
}

export const FULL_PLAN: WorkPlan = { types: null, dissected: null, tcpAnalysis: true, summaryOnly: false };

/** Event types the engine emits itself. */
const ENGINE_TYPES = new Set(['anomaly', 'tcp.analysis', 'tcp.connection', 'flow.start', 'flow.update', 'flow.end', 'capture.summary']);
/**
 * Engine types that read what every dissector did: a flow's `service` and `summary`
 * (`flow.update` when a dissector names the service, `flow.end`, the hierarchy of
 * `capture.summary`), and anomalies (dissectors raise them too).
 */
const NEEDS_EVERY_DISSECTOR = new Set(['anomaly', 'flow.update', 'flow.end', 'capture.summary']);
const TCP_ANALYSIS_READERS = ['tcp.analysis', 'tcp.connection', 'anomaly'];

export interface PlanOptions {
  /**
   * A filter is applied: it may read a flow's service (`service`, `app`, a protocol's
   * name), which dissectors set, so the engine's own events then need every dissector.
   */
  readonly filter: boolean;
  /** The run may hold key material (a key log, or a capture that may carry secrets blocks). */
  readonly secrets: boolean;
}

/** The plan for a run that writes events of `types` only (null: every type). */
export function workPlan(protocols: readonly ProtocolDescriptor[], types: readonly string[] | null, opts: PlanOptions): WorkPlan {
  if (types === null) return FULL_PLAN;
  const wanted = new Set(types);
  const tcpAnalysis = TCP_ANALYSIS_READERS.some((t) => wanted.has(t));
  const summaryOnly = [...wanted].every((t) => t !== 'anomaly' && ENGINE_TYPES.has(t));
  const everything: WorkPlan = { types: wanted, dissected: null, tcpAnalysis, summaryOnly };
  // A protocol that does not say what it emits may emit anything.
  if (protocols.some((p) => p.emits === undefined)) return everything;
  const dissected = new Set<string>();
  for (const t of wanted) {
    if (NEEDS_EVERY_DISSECTOR.has(t)) return everything;
    if (ENGINE_TYPES.has(t)) {
      if (opts.filter) return everything;
      continue;
    }
    const emitters = protocols.filter((p) => p.emits!.some((e) => matches(e, t) && (opts.secrets || !p.emitsOnlyWithSecrets?.includes(e))));
    // A type no protocol declares (new, or from elsewhere): no basis to leave anything out.
    if (!emitters.length) return everything;
    for (const p of emitters) dissected.add(p.name);
  }
  // Carriers of what runs run too, until nothing changes.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of protocols) {
      if (dissected.has(p.name) || !carriesAny(p, dissected, protocols, opts.secrets)) continue;
      dissected.add(p.name);
      grew = true;
    }
  }
  return { types: wanted, dissected, tcpAnalysis, summaryOnly };
}

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

function carriesAny(p: ProtocolDescriptor, dissected: ReadonlySet<string>, protocols: readonly ProtocolDescriptor[], secrets: boolean): boolean {
  const c = p.carries;
  if (c === undefined || (c.onlyWithSecrets && !secrets)) return false;
  if (c.protocols === 'stream') return protocols.some((q) => dissected.has(q.name) && q.createStream !== undefined);
  return c.protocols.some((name) => dissected.has(name));
}

/**
 * Whether a run may hold key material: a key log was given, or the capture is not a plain
 * pcap file (pcapng may carry Decryption Secrets Blocks; standard input, pipes and
 * compressed files are not looked into: `peekFormat` opens regular files only).
 */
export function mayHoldSecrets(source: string, keylog: unknown): boolean {
  if (keylog !== undefined || source === '-') return true;
  return peekFormat(source)?.kind !== 'pcap';
}
