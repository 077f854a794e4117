import type { Expectation } from '../dissect/contract.js';
import type { Timestamp } from '../events/time.js';
import { endpointKey } from './key.js';

interface Pending {
  expectation: Expectation;
  until: Timestamp;
  /** Frame that announced it, and its place in announcement order. */
  frame: number;
  seq: number;
}

/** Lapsed expectations are told in announcement order: `frame` and `seq` order them. */
export type LapseHandler = (expectation: Expectation, frame: number, seq: number) => void;
const tellOwnerAt =
  (ts: Timestamp): LapseHandler =>
  (e) =>
    e.expired?.({ frame: 0, ts });

/**
 * Connections announced by a control channel (FTP PORT/EPRT/PASV/EPSV). A new TCP flow
 * whose responder endpoint was announced takes the announced dissector. Unused ones
 * expire by capture time. Bounded: the oldest is dropped beyond `max`.
 */
export class Expectations {
  private readonly byResponder = new Map<string, Pending[]>();
  private count = 0;
  private seq = 0;

  constructor(
    private readonly max: number,
    /** Told when the oldest expectation is dropped to stay within `max`. */
    private readonly onDrop: (expectation: Expectation) => void = () => {},
  ) {}

  add(expectation: Expectation, until: Timestamp, frame = 0): void {
    const key = endpointKey(expectation.responder.addr, expectation.responder.port);
    const list = this.byResponder.get(key) ?? [];
    list.push({ expectation, until, frame, seq: this.seq++ });
    this.byResponder.set(key, list);
    if (++this.count > this.max) this.dropOldest();
  }

  /** The expectation a new flow to `responder` from `originatorAddr` fulfils, removed from the set. */
  /** Whether any connection is expected (a new flow's endpoints need not be printed to ask). */
  get pending(): boolean {
    return this.count > 0;
  }

  take(responderAddr: string, responderPort: number, originatorAddr: string): Expectation | null {
    const key = endpointKey(responderAddr, responderPort);
    const list = this.byResponder.get(key);
    if (!list) return null;
    const i = list.findIndex((p) => !p.expectation.originator_addr || p.expectation.originator_addr === originatorAddr);
    if (i < 0) return null;
    const [found] = list.splice(i, 1);
    if (!list.length) this.byResponder.delete(key);
    this.count--;
    return found!.expectation;
  }

  /**
   * Removes expectations whose time is up and tells their owners, in announcement order
   * (so a share of the expectations lapses in the same relative order as all of them).
   * `lapse` does the telling; by default it calls the owner's `expired` directly.
   */
  expire(now: Timestamp, lapse: LapseHandler = tellOwnerAt(now)): void {
    if (!this.count) return;
    const lapsed: Pending[] = [];
    for (const [key, list] of this.byResponder) {
      const keep = list.filter((p) => p.until.compare(now) >= 0 || (lapsed.push(p), false));
      if (keep.length) this.byResponder.set(key, keep);
      else this.byResponder.delete(key);
    }
    this.count -= lapsed.length;
    lapsed.sort((a, b) => a.seq - b.seq);
    for (const p of lapsed) lapse(p.expectation, p.frame, p.seq);
  }

  /** End of capture: every expectation left is expired, in announcement order. */
  expireAll(at: Timestamp, lapse: LapseHandler = tellOwnerAt(at)): void {
    const all = [...this.byResponder.values()].flat().sort((a, b) => a.seq - b.seq);
    this.byResponder.clear();
    this.count = 0;
    for (const p of all) lapse(p.expectation, p.frame, p.seq);
  }

  private dropOldest(): void {
    let oldestKey: string | null = null;
    let oldest: Pending | null = null;
    for (const [key, list] of this.byResponder) {
      if (list[0] && (!oldest || list[0].until.isBefore(oldest.until))) {
        oldest = list[0];
        oldestKey = key;
      }
    }
    if (!oldestKey) return;
    const list = this.byResponder.get(oldestKey)!;
    const dropped = list.shift()!;
    if (!list.length) this.byResponder.delete(oldestKey);
    this.count--;
    this.onDrop(dropped.expectation);
  }
}
