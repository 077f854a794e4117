import type { Direction } from '../events/event.js';
import type { FlowInfo, ProbeExtra, ProtocolDescriptor, SharedLookup, Transport } from './contract.js';

/** A stream's held bytes end at a gap: the probes' last look (ProbeExtra.cut). */
const CUT: ProbeExtra = { cut: true };

/**
 * Protocol detection: ports order the candidates, probes decide. Bytes are buffered per
 * direction until one probe matches, every probe has said no, or one direction reaches
 * the buffer limit. A probe that cannot judge a direction answers `need_more`; `no` rules its
 * protocol out for the flow.
 */
export type Verdict =
  | { kind: 'undecided' }
  | { kind: 'match'; protocol: ProtocolDescriptor; reversed: boolean; lenient: boolean }
  | { kind: 'none' };

const UNDECIDED: Verdict = { kind: 'undecided' };
const NONE: Verdict = { kind: 'none' };

/**
 * The protocols able to run on a transport, per protocol list: worked out once, not per flow
 * (every new flow asks, and filtering and sorting the registry each time was a few arrays and
 * closures per flow).
 */
const ableCache = new WeakMap<readonly ProtocolDescriptor[], Partial<Record<Transport, readonly ProtocolDescriptor[]>>>();

function ableOn(protocols: readonly ProtocolDescriptor[], transport: Transport): readonly ProtocolDescriptor[] {
  let byTransport = ableCache.get(protocols);
  if (!byTransport) ableCache.set(protocols, (byTransport = {}));
  let able = byTransport[transport];
  if (!able) {
    able = protocols.filter((p) => p.transports.includes(transport) && (transport === 'tcp' ? p.createStream : p.createDatagram));
    byTransport[transport] = able;
  }
  return able;
}

/** Candidates for a flow: those whose port hints name the server port, then the client port, then the rest. */
export function orderCandidates(
  protocols: readonly ProtocolDescriptor[],
  transport: Transport,
  flow: FlowInfo,
): ProtocolDescriptor[] {
  const able = ableOn(protocols, transport);
  const server = flow.server.port;
  const client = flow.client.port;
  // Three stable passes: rank 0 (server port), rank 1 (client port), rank 2, each in registry order.
  // Indexed loops: once per flow, mostly before V8 optimises this, where `for...of` made an
  // iterator result per protocol per pass (the largest allocation of detection).
  const out: ProtocolDescriptor[] = [];
  const n = able.length;
  for (let i = 0; i < n; i++) if (able[i]!.ports.includes(server)) out.push(able[i]!);
  for (let i = 0; i < n; i++) if (!able[i]!.ports.includes(server) && able[i]!.ports.includes(client)) out.push(able[i]!);
  for (let i = 0; i < n; i++) if (!able[i]!.ports.includes(server) && !able[i]!.ports.includes(client)) out.push(able[i]!);
  return out;
}

/** Detection over a byte stream. */
export class StreamDetector {
  private readonly buffers: Record<Direction, Uint8Array> = { c2s: new Uint8Array(0), s2c: new Uint8Array(0) };
  private candidates: ProtocolDescriptor[];

  constructor(
    candidates: ProtocolDescriptor[],
    private readonly limit: number,
  ) {
    this.candidates = candidates;
  }

  /** Adds bytes seen in `dir` and asks the probes again. */
  offer(dir: Direction, bytes: Uint8Array, flow: FlowInfo): Verdict {
    const held = this.buffers[dir];
    const take = Math.min(bytes.length, this.limit - held.length);
    const joined = new Uint8Array(held.length + take);
    joined.set(held, 0);
    joined.set(bytes.subarray(0, take), held.length);
    this.buffers[dir] = joined;
    return this.ask(dir, joined, flow);
  }

  /**
   * A gap follows what `dir` holds: the probes still undecided judge it as cut short (a
   * request line cut by the snap length is still one); then the prefix is broken and
   * probes restart on what follows. A `no` on a cut prefix rules nothing out.
   */
  gap(dir: Direction, flow: FlowInfo): Verdict {
    const held = this.buffers[dir];
    this.buffers[dir] = new Uint8Array(0);
    if (held.length === 0) return UNDECIDED;
    for (const p of this.candidates) {
      const answer = safeProbe(p, held, dir, flow, CUT);
      if (answer === 'match' || answer === 'match_reversed' || answer === 'match_lenient') {
        return { kind: 'match', protocol: p, reversed: answer === 'match_reversed', lenient: answer === 'match_lenient' };
      }
    }
    return UNDECIDED;
  }

  private ask(dir: Direction, bytes: Uint8Array, flow: FlowInfo): Verdict {
    const alive: ProtocolDescriptor[] = [];
    for (const p of this.candidates) {
      const answer = safeProbe(p, bytes, dir, flow);
      if (answer === 'match' || answer === 'match_reversed' || answer === 'match_lenient') {
        return { kind: 'match', protocol: p, reversed: answer === 'match_reversed', lenient: answer === 'match_lenient' };
      }
      if (answer === 'need_more') alive.push(p);
    }
    this.candidates = alive;
    // A side that said `limit` bytes without a match is not going to be recognised.
    return !alive.length || bytes.length >= this.limit ? NONE : UNDECIDED;
  }
}

/** Detection over datagrams: each datagram is probed on its own. */
export class DatagramDetector {
  private candidates: ProtocolDescriptor[];

  constructor(candidates: ProtocolDescriptor[]) {
    this.candidates = candidates;
  }

  offer(dir: Direction, datagram: Uint8Array, flow: FlowInfo, shared?: SharedLookup): Verdict {
    const alive: ProtocolDescriptor[] = [];
    for (const p of this.candidates) {
      const answer = safeProbe(p, datagram, dir, flow, shared && { shared });
      if (answer === 'match' || answer === 'match_reversed' || answer === 'match_lenient') {
        return { kind: 'match', protocol: p, reversed: answer === 'match_reversed', lenient: answer === 'match_lenient' };
      }
      if (answer === 'need_more') alive.push(p);
    }
    this.candidates = alive;
    return alive.length ? UNDECIDED : NONE;
  }
}

/** A probe that throws is a bug in that probe; it must not stop detection for the others. */
function safeProbe(p: ProtocolDescriptor, bytes: Uint8Array, dir: Direction, flow: FlowInfo, extra?: ProbeExtra) {
  try {
    return p.probe(bytes, dir, flow, extra);
  } catch {
    return 'no' as const;
  }
}
