/**
 * One share's events of one epoch, held until their flow ids are known, then written with
 * those ids (`render`). A share names a flow by the frame that created it; the main thread
 * numbers flows across all shares (split.ts), so no event can be written in its final form
 * before the epoch's ids come back.
 *
 * Most events are written to NDJSON at once (`writeEvent`, the bytes one thread writes) with
 * the share's names in place, and only where each name sits is kept: the `flow` field and
 * the top-level fields that name other flows (`tcp_stream`, `udp_stream`: by the creating
 * frame too; FTP's `data_flow` and `fuid`, QUIC's `path_flow`). `render` copies the epoch's
 * bytes once, each name swapped for its id. Nothing is kept per packet or per line but a few
 * numbers in flat arrays: the profile of the first design (a group object per packet, a
 * view per line, and every event that names another flow kept whole until its ids came and
 * then written by `compactJson`) showed each worker allocating as much as one thread
 * running the whole capture, and the events kept across epochs being promoted and marked.
 *
 * Events are kept whole (as objects) only where the bytes cannot be patched or are not the
 * output: the objects mode (`flows`), a filter (it may test flow ids, so it runs once they
 * are known), SMTP's `fuids` and QUIC's `paths` (names inside strings and nested objects).
 */
import type { WireEvent } from '../../events/event.js';
import { FlowIdentities, isIdentityEvent } from '../../events/flow-identity.js';
import type { EventPredicate } from '../../filter/event-predicate.js';
import { LineOut } from '../../events/line-out.js';
import { compactJson, writeEvent } from '../../report/ndjson.js';
import { packEvent } from './event-clone.js';
import { FlowIdMap } from './flow-ids.js';

/** Patch kinds: the number is a flow's name (its id goes there), a stream's, or the line is dropped (kept whole instead). */
const ID = 0;
const STREAM = 1;
const DROP = 2;

const bytesOf = (s: string): Buffer => Buffer.from(s, 'latin1');
const FLOW_KEY = bytesOf(',"flow":');
/** Top-level number fields that hold a flow's name besides `flow`: the key as written, and the patch kind. */
const OTHER_KEYS: readonly { name: 'data_flow' | 'tcp_stream' | 'udp_stream' | 'fuid' | 'path_flow'; key: Buffer; kind: number }[] = [
  { name: 'data_flow', key: bytesOf(',"data_flow":'), kind: ID },
  { name: 'tcp_stream', key: bytesOf(',"tcp_stream":'), kind: STREAM },
  { name: 'udp_stream', key: bytesOf(',"udp_stream":'), kind: STREAM },
  { name: 'fuid', key: bytesOf(',"fuid":'), kind: ID },
  { name: 'path_flow', key: bytesOf(',"path_flow":'), kind: ID },
];

/** An epoch's events as held until the ids come. */
export interface HeldEpoch {
  /** NDJSON lines in emit order, as handed by the LineOut (whole lines, `bytes` in all). */
  chunks: Uint8Array[];
  bytes: number;
  /** 4 per patch, in byte order: offset of the name's digits, their length, the name, the kind. */
  patches: number[];
  /** Events kept whole, and the byte offset each falls at (it follows the bytes before it). */
  objects: WireEvent[];
  objectAt: number[];
  /** 4 per group (order.ts's key), and where each group's bytes and objects end. */
  keys: number[];
  byteEnds: number[];
  objectEnds: number[];
}

/** What a share sends for an epoch: group keys, their ends, and their bytes or packed events. */
export interface RenderedEpoch {
  keys: Float64Array;
  ends: Uint32Array;
  bytes?: Uint8Array;
  events?: ReturnType<typeof packEvent>[];
}

export interface ShareOutputOptions {
  /** NDJSON output (else objects: every event kept whole). */
  ndjson: boolean;
  /** Run once the ids are known, on every event (kept whole then). */
  predicate: EventPredicate | null;
  /** `--types` selects flow.start/flow.update: written; otherwise they only serve the filter. */
  shownIdentity: boolean;
  /** Objects mode: events are packed for a structured clone (a worker's); false on the main thread. */
  pack: boolean;
}

export class ShareOutput {
  private readonly lines: LineOut;
  private readonly whole: boolean;
  private chunks: Uint8Array[] = [];
  /** Bytes of this epoch the LineOut has handed over (the offset of its current chunk's start). */
  private handed = 0;
  private patches: number[] = [];
  private objects: WireEvent[] = [];
  private objectAt: number[] = [];
  private keys: number[] = [];
  private byteEnds: number[] = [];
  private objectEnds: number[] = [];
  /** The key of the group `mark` began: opened only when its first event comes (most packets have none). */
  private pending = false;
  private k0 = 0;
  private k1 = 0;
  private k2 = 0;
  private k3 = 0;
  readonly ids = new FlowIdMap();
  private readonly flows = new FlowIdentities();

  constructor(private readonly opts: ShareOutputOptions) {
    this.whole = !opts.ndjson || opts.predicate !== null;
    this.lines = new LineOut((b) => {
      this.chunks.push(b);
      this.handed += b.length;
    });
  }

  /** A new group begins (order.ts): its key, kept until an event comes. */
  mark(frame: number, phase: number, a: number, b: number): void {
    this.pending = true;
    this.k0 = frame;
    this.k1 = phase;
    this.k2 = a;
    this.k3 = b;
  }

  /** Adds an event to the current group. */
  add(e: WireEvent): void {
    if (this.pending) {
      this.pending = false;
      this.keys.push(this.k0, this.k1, this.k2, this.k3);
      this.byteEnds.push(0);
      this.objectEnds.push(0);
    }
    if (this.whole || e.fuids !== undefined || e.paths !== undefined) this.keepWhole(e);
    else this.write(e);
    const g = this.byteEnds.length - 1;
    this.byteEnds[g] = this.handed + this.lines.used;
    this.objectEnds[g] = this.objects.length;
  }

  private keepWhole(e: WireEvent): void {
    this.objectAt.push(this.handed + this.lines.used);
    this.objects.push(e);
  }

  private write(e: WireEvent): void {
    writeEvent(this.lines, e);
    const flow = e.flow;
    const other = FlowIdMap.namesOtherFlows(e);
    if (flow === null && !other) return;
    // A Buffer (LineOut's chunks are), for its native indexOf.
    const line = this.lines.lastLine() as Buffer;
    const start = this.handed + this.lines.used - line.length;
    // The first `,"flow":` is the base key's: type, frame and ts come before it, and in the
    // type's JSON string a `"` is escaped.
    // Just past the line's `{`: the walk in topLevelValue starts at a top-level position.
    let from = 1;
    if (flow !== null) {
      const at = line.indexOf(FLOW_KEY) + FLOW_KEY.length;
      this.patches.push(start + at, digits(flow), flow, ID);
      from = at;
    }
    if (!other) return;
    for (const k of OTHER_KEYS) {
      const name = e[k.name];
      if (typeof name !== 'number') continue;
      const at = topLevelValue(line, k.key, from);
      if (at < 0) {
        // Never expected (every such field is a top-level number); if it were, the line is
        // dropped and the event written whole when its ids are known.
        this.dropLine(e, start, line.length);
        return;
      }
      // Names are written in byte order: `from` only moves forward, and a later key found
      // before an earlier one's patch would break that order, so patches are sorted below.
      this.patches.push(start + at, digits(name), name, k.kind);
    }
    sortLastPatches(this.patches, start);
  }

  /** Turns the line just written into a gap and keeps its event whole instead. */
  private dropLine(e: WireEvent, start: number, length: number): void {
    const p = this.patches;
    while (p.length && p[p.length - 4]! >= start) p.length -= 4;
    p.push(start, length, 0, DROP);
    this.objectAt.push(start + length);
    this.objects.push(e);
  }

  /** Ends the epoch: what it holds, for `render` once its ids come. */
  take(): HeldEpoch {
    this.lines.flush();
    const held: HeldEpoch = { chunks: this.chunks, bytes: this.handed, patches: this.patches, objects: this.objects, objectAt: this.objectAt, keys: this.keys, byteEnds: this.byteEnds, objectEnds: this.objectEnds };
    this.chunks = [];
    this.handed = 0;
    this.patches = [];
    this.objects = [];
    this.objectAt = [];
    this.keys = [];
    this.byteEnds = [];
    this.objectEnds = [];
    this.pending = false;
    return held;
  }

  /** Writes a held epoch with its flow ids (`ids` has them by now). */
  render(h: HeldEpoch): RenderedEpoch {
    const { predicate, shownIdentity, ndjson } = this.opts;
    const ids = this.ids;
    const out = new Bytes(h.bytes + 8 * (h.patches.length >> 2) + 64);
    const src = new ChunkReader(h.chunks);
    const events: ReturnType<typeof packEvent>[] = [];
    const keys: number[] = [];
    const ends: number[] = [];
    let at = 0; // bytes of the epoch copied so far
    let patch = 0;
    let obj = 0;
    /** Copies the epoch's bytes up to `to`, each name swapped for its id. */
    const copyTo = (to: number): void => {
      const p = h.patches;
      while (patch < p.length && p[patch]! < to) {
        const off = p[patch]!;
        out.copy(src, at, off);
        const kind = p[patch + 3]!;
        if (kind !== DROP) out.uint(kind === ID ? ids.id(p[patch + 2]!) : ids.stream(p[patch + 2]!));
        at = off + p[patch + 1]!;
        patch += 4;
      }
      out.copy(src, at, to);
      at = to;
    };
    for (let g = 0; g < h.byteEnds.length; g++) {
      const before = ndjson ? out.length : events.length;
      const objectEnd = h.objectEnds[g]!;
      for (; obj < objectEnd; obj++) {
        copyTo(h.objectAt[obj]!);
        const item = h.objects[obj]!;
        ids.rename(item);
        const flow = this.flows.track(item);
        if (!shownIdentity && isIdentityEvent(item)) continue;
        if (predicate && !predicate(item, flow)) continue;
        if (ndjson) out.text(compactJson(item) + '\n');
        else events.push(this.opts.pack ? packEvent(item) : (item as never));
      }
      copyTo(h.byteEnds[g]!);
      const after = ndjson ? out.length : events.length;
      if (after === before) continue;
      keys.push(h.keys[4 * g]!, h.keys[4 * g + 1]!, h.keys[4 * g + 2]!, h.keys[4 * g + 3]!);
      ends.push(after);
    }
    const r: RenderedEpoch = { keys: Float64Array.from(keys), ends: Uint32Array.from(ends) };
    if (ndjson) r.bytes = out.take();
    else r.events = events;
    return r;
  }
}

/** Decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Patches of one line, found key by key, put in byte order (a line has a handful). */
function sortLastPatches(p: number[], start: number): void {
  let first = p.length;
  while (first >= 4 && p[first - 4]! >= start) first -= 4;
  for (let i = first + 4; i < p.length; i += 4) {
    for (let j = i; j > first && p[j - 4]! > p[j]!; j -= 4) {
      for (let k = 0; k < 4; k++) {
        const t = p[j + k]!;
        p[j + k] = p[j - 4 + k]!;
        p[j - 4 + k] = t;
      }
    }
  }
}

/**
 * Where the value of the top-level member `key` (`,"name":`) starts in a JSON object line,
 * searching from `from` (a top-level position), or -1. The key text can also be a nested
 * object's: each match is checked to be at depth 1, by walking the line from `from` with
 * strings skipped.
 */
function topLevelValue(line: Buffer, key: Buffer, from: number): number {
  let depth = 1;
  let i = from;
  for (let hit = line.indexOf(key, from); hit >= 0; hit = line.indexOf(key, hit + 1)) {
    for (; i < hit; i++) {
      const c = line[i]!;
      if (c === 0x22) {
        // A string: to its closing quote, escapes skipped.
        for (i++; i < line.length && line[i] !== 0x22; i++) if (line[i] === 0x5c) i++;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
    }
    // `i` may have passed `hit` inside a string: then the match is string text, not a key.
    if (i === hit && depth === 1) return hit + key.length;
  }
  return -1;
}

/** Reads an epoch's chunks by offset (copied out in increasing ranges). */
class ChunkReader {
  private index = 0;
  /** Offset of chunk `index` in the epoch. */
  private base = 0;

  constructor(readonly chunks: Uint8Array[]) {}

  /** Copies `[from, to)` into `dst` at `at`; returns the bytes copied. */
  copyInto(dst: Buffer, at: number, from: number, to: number): number {
    let n = 0;
    while (from < to) {
      let c = this.chunks[this.index]!;
      while (from >= this.base + c.length) {
        this.base += c.length;
        c = this.chunks[++this.index]!;
      }
      const s = from - this.base;
      const e = Math.min(c.length, to - this.base);
      // Buffer's copy takes a range: no view per piece.
      (c as Buffer).copy(dst, at + n, s, e);
      n += e - s;
      from += e - s;
    }
    return n;
  }
}

/** The rendered bytes: one growing buffer, handed over (transferred, not copied) at the end. */
class Bytes {
  private buf: Buffer;
  length = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  copy(src: ChunkReader, from: number, to: number): void {
    if (to <= from) return;
    this.room(to - from);
    this.length += src.copyInto(this.buf, this.length, from, to);
  }

  /** A non-negative integer as ASCII digits. */
  uint(v: number): void {
    const n = digits(v);
    this.room(n);
    for (let i = this.length + n - 1; i >= this.length; i--) {
      this.buf[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.length += n;
  }

  text(s: string): void {
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  private room(n: number): void {
    const need = this.length + n;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
  }

  take(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length);
  }
}
