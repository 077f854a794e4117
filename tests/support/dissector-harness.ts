/**
 * Drives one dissector without the engine: a recording context, and feeders that deliver
 * the same conversation whole, byte by byte, or split at a given point, for split-point tests.
 */
import type { SecretStore } from '../../src/dissect/secrets.js';
import type {
  DissectorContext,
  Expectation,
  ExportedObject,
  FlowInfo,
  HandOver,
  Position,
  InnerStreamOptions,
  ProtocolDescriptor,
  StreamDissector,
  DatagramDissector,
} from '../../src/dissect/contract.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/dissect/limits.js';
import { typedEvent, type Direction, type WireEvent } from '../../src/events/event.js';
import type { AnomalyCode, EventType, FieldsOf } from '../../src/events/event-map.js';
import { Timestamp } from '../../src/events/time.js';

export interface Recorded {
  ctx: DissectorContext;
  events: WireEvent[];
  objects: ExportedObject[];
  expectations: Expectation[];
  switches: Array<{ protocol: string | null; pending?: { c2s?: Uint8Array; s2c?: Uint8Array }; handOver?: HandOver }>;
  service: string | null;
  summary: string | null;
  /** Inner streams the dissector opened (`ctx.openInner`), with everything fed to each. */
  inners: RecordedInner[];
  /** Set the frame and time that following events are stamped with. */
  at(frame: number, ts?: Timestamp): void;
}

/** One inner stream: what it was opened with and every call made on it, with the frame of each. */
export interface RecordedInner {
  opts: InnerStreamOptions;
  calls: Array<
    | { kind: 'data'; dir: Direction; bytes: Uint8Array; frame: number }
    | { kind: 'gap'; dir: Direction; length: number; frame: number }
    | { kind: 'end'; dir: Direction; how: 'fin' | 'rst'; frame: number }
    | { kind: 'close'; frame: number }
  >;
}

/** The bytes fed to an inner stream in one direction, joined (gaps left out). */
export function innerBytes(inner: RecordedInner, dir: Direction): Uint8Array {
  const parts = inner.calls.flatMap((c) => (c.kind === 'data' && c.dir === dir ? [c.bytes] : []));
  return Uint8Array.from(Buffer.concat(parts));
}

export const TEST_FLOW: FlowInfo = {
  id: 1,
  transport: 'tcp',
  client: { addr: '10.0.0.1', port: 40000 },
  server: { addr: '10.0.0.2', port: 80 },
  ip_version: 4,
  community_id: '1:test',
};

export function recordingContext(
  opts: { flow?: Partial<FlowInfo>; limits?: Partial<Limits>; wantsObjects?: boolean; tcpRtt?: number; secrets?: SecretStore; handedOver?: HandOver } = {},
): Recorded {
  let frame = 1;
  let ts = new Timestamp(1_700_000_000, 0);
  const flow: FlowInfo = { ...TEST_FLOW, ...opts.flow };
  // One recording context is one flow: its shared objects are its own.
  const sharedObjects = new Map<string, object>();
  const rec: Recorded = {
    events: [],
    objects: [],
    expectations: [],
    switches: [],
    service: null,
    summary: null,
    inners: [],
    at(f, t) {
      frame = f;
      ts = t ?? new Timestamp(1_700_000_000 + f, 0);
    },
    ctx: undefined as unknown as DissectorContext,
  };
  const ctx: DissectorContext = {
    flow,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    get frame() {
      return frame;
    },
    get ts() {
      return ts;
    },
    wants_objects: opts.wantsObjects ?? false,
    tcp_rtt: opts.tcpRtt ?? null,
    emit<K extends EventType>(type: K, dir: Direction | null, fields: FieldsOf<K>, pos?: Position) {
      rec.events.push(typedEvent(type, pos?.frame ?? frame, pos?.ts ?? ts, flow.id, dir, fields));
    },
    anomaly(code: AnomalyCode, dir: Direction | null, detail: string, pos?: Position) {
      rec.events.push({ type: 'anomaly', frame: pos?.frame ?? frame, ts: pos?.ts ?? ts, flow: flow.id, dir, code, detail });
    },
    exportObject(o) {
      if (opts.wantsObjects) rec.objects.push(o);
    },
    expect(e) {
      rec.expectations.push(e);
    },
    switchProtocol(protocol, pending, handOver) {
      rec.switches.push({ protocol, pending, handOver });
    },
    handedOver: opts.handedOver ?? null,
    setService(s) {
      rec.service = s;
    },
    setSummary(s) {
      rec.summary = s;
    },
    secrets: opts.secrets ?? null,
    shared<T extends object>(key: string, make: () => T): T {
      let o = sharedObjects.get(key) as T | undefined;
      if (o === undefined) sharedObjects.set(key, (o = make()));
      return o;
    },
    openInner(o) {
      const inner: RecordedInner = { opts: o, calls: [] };
      rec.inners.push(inner);
      return {
        data: (dir, bytes) => void inner.calls.push({ kind: 'data', dir, bytes: bytes.slice(), frame }),
        gap: (dir, length) => void inner.calls.push({ kind: 'gap', dir, length, frame }),
        end: (dir, how) => void inner.calls.push({ kind: 'end', dir, how, frame }),
        close: () => void inner.calls.push({ kind: 'close', frame }),
      };
    },
  };
  rec.ctx = ctx;
  return rec;
}

export type Chunk = { dir: Direction; bytes: Uint8Array | string };

const asBytes = (b: Uint8Array | string): Uint8Array => (typeof b === 'string' ? Buffer.from(b, 'latin1') : b);

/** How to cut each chunk: as is, one byte at a time, or in two at `at`. */
export type Split = { mode: 'whole' } | { mode: 'bytes' } | { mode: 'at'; at: number };

/**
 * Feeds chunks to a fresh stream dissector from `descriptor`, each chunk as its own
 * frame (frame = chunk index + 1), then closes it. Returns what was recorded.
 */
export function runStream(
  descriptor: ProtocolDescriptor,
  chunks: Chunk[],
  split: Split = { mode: 'whole' },
  opts: Parameters<typeof recordingContext>[0] = {},
): Recorded {
  const rec = recordingContext(opts);
  const d: StreamDissector = descriptor.createStream!(rec.ctx);
  chunks.forEach((c, i) => {
    rec.at(i + 1);
    const bytes = asBytes(c.bytes);
    for (const piece of cut(bytes, split)) {
      const fresh = copy(piece);
      d.data(c.dir, fresh);
      fresh.fill(0xee);
    }
  });
  d.close();
  return rec;
}

/** Feeds datagrams to a fresh datagram dissector, one frame each. */
export function runDatagrams(
  descriptor: ProtocolDescriptor,
  datagrams: Chunk[],
  opts: Parameters<typeof recordingContext>[0] = {},
): Recorded {
  const rec = recordingContext({ ...opts, flow: { transport: 'udp', ...opts.flow } });
  const d: DatagramDissector = descriptor.createDatagram!(rec.ctx);
  datagrams.forEach((c, i) => {
    rec.at(i + 1);
    const fresh = copy(asBytes(c.bytes));
    d.datagram(c.dir, fresh);
    fresh.fill(0xee);
  });
  d.close();
  return rec;
}

function* cut(bytes: Uint8Array, split: Split): Generator<Uint8Array> {
  if (split.mode === 'whole' || bytes.length === 0) {
    yield bytes;
  } else if (split.mode === 'bytes') {
    for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
  } else {
    const at = Math.min(Math.max(split.at, 0), bytes.length);
    if (at > 0) yield bytes.subarray(0, at);
    if (at < bytes.length) yield bytes.subarray(at);
  }
}

/**
 * A fresh copy per delivery, then scribbled over after the call, so a dissector that keeps
 * a view instead of copying is caught by split-point tests.
 */
function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b);
}

/**
 * Events as plain JSON, for comparing runs split differently. Frame and time are kept: a
 * chunk is one frame however it is cut, so an event must name the same frame either way.
 */
export function comparable(events: WireEvent[]): unknown[] {
  return events.map((e) => JSON.parse(JSON.stringify(e)));
}
