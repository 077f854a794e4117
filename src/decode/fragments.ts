/**
 * IP fragment reassembly for IPv4 (key: id, src, dst, protocol; RFC 791) and IPv6 (key: id,
 * src, dst; RFC 8200). Fragment bytes are copied into one buffer per datagram, so repeated
 * or overlapping fragments cannot grow memory beyond 64 KiB per datagram.
 *
 * Overlap policy: the bytes received first win, as in Zeek's FragReassembler (its
 * Reassembler keeps old data and raises the `fragment_overlap` / `fragment_inconsistency`
 * weirds). Other stacks differ (BSD/Linux favour some new data), so every overlap is
 * reported as `ip.fragment_overlap`, saying whether the bytes differ.
 *
 * Bounds: `max_pending_fragments` datagrams and `max_fragment_bytes` of their buffers (the
 * oldest is evicted: one fragment at offset 65000 makes a 64 KiB buffer, so 8192 such
 * datagrams held 720 MB), `fragment_timeout` seconds of capture time, 65535 bytes per datagram.
 */
import type { Limits } from '../dissect/limits.js';
import { Timestamp } from '../events/time.js';
import { formatAddress } from './address.js';
import type { CoreAnomalyCode } from '../events/anomalies.js';

/** What the decoder needs to know about one fragment. */
export interface FragmentInfo {
  version: 4 | 6;
  id: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 protocol; for IPv6 the Next Header of the fragment header. */
  protocol: number;
  /** Byte offset of this fragment in the datagram's fragmentable part. */
  offset: number;
  more: boolean;
  /** Bytes before the fragmentable part in the final datagram (IPv4 header; IPv6 header + unfragmentable headers). */
  headerLength: number;
  ttl: number;
}

/** A datagram whose fragments are all present. */
export interface ReassembledDatagram {
  /** The fragmentable part, reassembled. */
  data: Uint8Array;
  /** From the fragment at offset 0. */
  protocol: number;
  ttl: number;
  headerLength: number;
  fragments: number;
}

const MAX_DATAGRAM = 65535;

class PendingDatagram {
  buf = new Uint8Array(0);
  /** Covered byte ranges, sorted and merged: [start0, end0, start1, end1, ...]. */
  ranges: number[] = [];
  /** Length of the fragmentable part, known once the last fragment (MF=0) is seen. */
  total = -1;
  protocol = -1;
  ttl = 0;
  headerLength = 0;
  fragments = 0;

  constructor(
    readonly first: Timestamp,
    /** The frame of the first fragment seen: orders time-outs across reassemblers. */
    readonly firstFrame: number,
    readonly description: string,
  ) {}

  received(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += this.ranges[i + 1]! - this.ranges[i]!;
    return n;
  }

  complete(): boolean {
    return this.total >= 0 && this.ranges.length === 2 && this.ranges[0] === 0 && this.ranges[1] === this.total;
  }

  /** Grows the buffer to hold `end` bytes; returns how many bytes it grew by. */
  ensure(end: number): number {
    if (end <= this.buf.length) return 0;
    const before = this.buf.length;
    const grown = new Uint8Array(Math.min(MAX_DATAGRAM, Math.max(end, this.buf.length * 2, 2048)));
    grown.set(this.buf);
    this.buf = grown;
    return grown.length - before;
  }
}

export class FragmentReassembler {
  private readonly pending = new Map<string, PendingDatagram>();
  /**
   * Datagrams in first-seen order, for evicting the oldest. A Map's first entry is not O(1)
   * to find after many deletions (V8 skips the deleted slots), which made a fragment flood
   * quadratic; entries here whose datagram is gone are skipped once, then dropped.
   */
  private order: Array<[string, PendingDatagram]> = [];
  private head = 0;
  /** Bytes of all pending buffers. */
  private bytes = 0;
  /** Frame of the packet being decoded (set by the decoder). */
  frame = 0;
  /** The current packet's time, set by the decoder as numbers (a Timestamp only for a fragment: `now`). */
  sec = 0;
  ns = 0;

  /** The current packet's time as a Timestamp (fragments are rare: made for them only). */
  now(): Timestamp {
    return new Timestamp(this.sec, this.ns);
  }

  constructor(
    private readonly limits: Readonly<Limits>,
    private readonly report: (code: CoreAnomalyCode, detail: string) => void,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Add one fragment (its fragmentable bytes); returns the datagram when it completes. */
  add(f: FragmentInfo, payload: Uint8Array, ts: Timestamp): ReassembledDatagram | null {
    const key = fragmentKey(f);
    let d = this.pending.get(key);
    if (d !== undefined && ts.since(d.first) >= this.limits.fragment_timeout) {
      this.timedOut(key, d);
      d = undefined;
    }
    const start = f.offset;
    const end = start + payload.length;
    if (end + f.headerLength > MAX_DATAGRAM) {
      this.report('ip.fragment_too_large', `${describe(f)}: fragment at offset ${start} ends at ${end + f.headerLength} bytes, beyond 65535; datagram dropped`);
      if (d !== undefined) this.forget(key, d);
      return null;
    }
    if (d === undefined) {
      d = new PendingDatagram(ts, this.frame, describe(f));
      this.makeRoom(null);
      this.pending.set(key, d);
      this.order.push([key, d]);
      // Datagrams that completed or timed out leave their entry behind: drop them all once
      // they outnumber the live ones (amortised O(1) per datagram).
      if (this.order.length - this.head > 2 * this.pending.size + 1024) {
        this.order = this.order.slice(this.head).filter((e) => this.pending.get(e[0]) === e[1]);
        this.head = 0;
      }
    }
    d.fragments++;
    if (start === 0) {
      if (d.protocol < 0) {
        d.protocol = f.protocol;
        d.ttl = f.ttl;
        d.headerLength = f.headerLength;
      }
    }
    let limitEnd = end;
    if (!f.more) {
      if (d.total < 0) {
        d.total = end;
        if (d.ranges.length > 0 && d.ranges[d.ranges.length - 1]! > end) {
          this.overlap(d, `the last fragment ends at ${end}, but bytes up to ${d.ranges[d.ranges.length - 1]} were received`);
        }
      } else if (d.total !== end) {
        this.overlap(d, `two last fragments disagree on the length (${d.total} and ${end}); the first is kept`);
      }
    }
    if (d.total >= 0 && limitEnd > d.total) {
      if (f.more) this.overlap(d, `a fragment reaches ${limitEnd}, beyond the datagram end ${d.total}`);
      limitEnd = d.total;
    }
    if (limitEnd > start) {
      this.bytes += d.ensure(limitEnd);
      this.insert(d, payload, start, limitEnd);
      if (this.bytes > this.limits.max_fragment_bytes) this.makeRoom(d);
    }
    if (!d.complete()) return null;
    this.forget(key, d);
    return {
      data: d.buf.subarray(0, d.total),
      protocol: d.protocol < 0 ? f.protocol : d.protocol,
      ttl: d.ttl,
      headerLength: d.headerLength || f.headerLength,
      fragments: d.fragments,
    };
  }

  /**
   * Drop datagrams waiting longer than `fragment_timeout` at capture time `now`, in
   * first-seen order; `before` is told each one's first frame before its anomaly.
   * Every datagram is looked at (not only up to the first young one), so whether one
   * times out depends on it alone, whichever other datagrams share the reassembler.
   */
  expire(now: Timestamp, before?: (firstFrame: number) => void): void {
    const timeout = this.limits.fragment_timeout;
    for (const [key, d] of this.pending) {
      if (now.since(d.first) < timeout) continue;
      before?.(d.firstFrame);
      this.timedOut(key, d);
    }
  }

  private forget(key: string, d: PendingDatagram): void {
    if (this.pending.get(key) !== d) return;
    this.pending.delete(key);
    this.bytes -= d.buf.length;
  }

  private timedOut(key: string, d: PendingDatagram): void {
    this.forget(key, d);
    const total = d.total >= 0 ? String(d.total) : 'unknown';
    this.report('ip.fragment_timeout', `${d.description}: ${d.received()} of ${total} bytes in ${d.fragments} fragments after ${this.limits.fragment_timeout} s; dropped`);
  }

  /**
   * Evicts the oldest datagrams while one more would pass `max_pending_fragments`
   * (`keep` null: one is about to be added) or the buffers pass `max_fragment_bytes`
   * (never evicting `keep`, the datagram that just grew).
   */
  private makeRoom(keep: PendingDatagram | null): void {
    const max = Math.max(1, this.limits.max_pending_fragments);
    const maxBytes = this.limits.max_fragment_bytes;
    for (;;) {
      const byCount = keep === null && this.pending.size >= max;
      const byBytes = this.bytes > maxBytes;
      if (!byCount && !byBytes) return;
      const oldest = this.oldest(keep);
      if (oldest === null) return;
      this.forget(oldest[0], oldest[1]);
      this.report(
        'ip.fragment_limit',
        byCount
          ? `${max} datagrams pending reassembly; dropped the oldest (${oldest[1].description})`
          : `more than ${maxBytes} bytes of datagrams pending reassembly; dropped the oldest (${oldest[1].description})`,
      );
    }
  }

  /** The oldest pending datagram other than `keep`. */
  private oldest(keep: PendingDatagram | null): [string, PendingDatagram] | null {
    let i = this.head;
    let found: [string, PendingDatagram] | null = null;
    for (; i < this.order.length; i++) {
      const e = this.order[i]!;
      if (this.pending.get(e[0]) !== e[1]) {
        if (i === this.head) this.head++;
        continue;
      }
      if (e[1] === keep) continue;
      found = e;
      break;
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return found;
  }

  private overlap(d: PendingDatagram, detail: string): void {
    this.report('ip.fragment_overlap', `${d.description}: ${detail}`);
  }

  /** Copy the bytes of [start, end) not yet covered; report overlaps (first received wins). */
  private insert(d: PendingDatagram, payload: Uint8Array, start: number, end: number): void {
    const r = d.ranges;
    let overlapBytes = 0;
    let differs = false;
    let cursor = start;
    for (let i = 0; i < r.length && cursor < end; i += 2) {
      const rs = r[i]!;
      const re = r[i + 1]!;
      if (re <= cursor) continue;
      if (rs >= end) break;
      if (rs > cursor) d.buf.set(payload.subarray(cursor - start, rs - start), cursor);
      const os = Math.max(rs, cursor);
      const oe = Math.min(re, end);
      overlapBytes += oe - os;
      if (!differs) {
        for (let k = os; k < oe; k++) {
          if (d.buf[k] !== payload[k - start]) {
            differs = true;
            break;
          }
        }
      }
      cursor = oe;
    }
    if (cursor < end) d.buf.set(payload.subarray(cursor - start, end - start), cursor);
    mergeRange(r, start, end);
    if (overlapBytes > 0) {
      this.overlap(
        d,
        differs
          ? `fragment [${start}, ${end}) overlaps ${overlapBytes} bytes already received, with different content; the first received bytes are kept`
          : `fragment [${start}, ${end}) repeats ${overlapBytes} bytes already received (identical)`,
      );
    }
  }
}

/** Insert [start, end) into sorted merged ranges. */
function mergeRange(r: number[], start: number, end: number): void {
  let i = 0;
  while (i < r.length && r[i + 1]! < start) i += 2;
  let j = i;
  let s = start;
  let e = end;
  while (j < r.length && r[j]! <= e) {
    s = Math.min(s, r[j]!);
    e = Math.max(e, r[j + 1]!);
    j += 2;
  }
  r.splice(i, j - i, s, e);
}

function fragmentKey(f: FragmentInfo): string {
  let k = f.version === 4 ? `4/${f.protocol}/${f.id}/` : `6/${f.id}/`;
  const s = f.src;
  const t = f.dst;
  for (let i = 0; i < s.length; i++) k += String.fromCharCode(s[i]!);
  k += '/';
  for (let i = 0; i < t.length; i++) k += String.fromCharCode(t[i]!);
  return k;
}

function describe(f: FragmentInfo): string {
  return `IPv${f.version} datagram id ${f.id} from ${formatAddress(f.src)} to ${formatAddress(f.dst)}`;
}
