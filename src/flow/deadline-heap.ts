/**
 * A binary min-heap of (deadline, id, key): the flow table's timers. Equal deadlines pop in
 * id order, so what pops first never depends on insertion history. It holds ids and keys,
 * not flows: superseded timers stay until due, and must not keep ended flows alive
 * meanwhile. The key finds the flow in the table's one map (a second map by id cost 37-73
 * bytes a flow: 15 MB with a SYN flood's 200,000 open flows); the id tells whether the flow
 * found is still the timer's (the table's ids also say which of the flow's arms it was).
 */
const INITIAL = 1024;

export class DeadlineHeap {
  /*
   * Deadlines and ids in typed arrays grown by doubling (16 bytes an entry, outside the
   * JS heap, where two plain arrays grown by half again held up to 24), keys in a plain
   * array (they are the flows' own strings).
   */
  private deadlines = new Float64Array(INITIAL);
  private ids = new Float64Array(INITIAL);
  private keys: string[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Empties the heap (to rebuild it from the live entries). */
  clear(): void {
    this.deadlines = new Float64Array(INITIAL);
    this.ids = new Float64Array(INITIAL);
    this.keys = [];
    this.n = 0;
  }

  /** Keeps only the entries `keep` accepts (superseded timers go). */
  retain(keep: (id: number, key: string) => boolean): void {
    const { deadlines, ids, keys, n } = this;
    this.clear();
    for (let i = 0; i < n; i++) if (keep(ids[i]!, keys[i]!)) this.push(deadlines[i]!, ids[i]!, keys[i]!);
  }

  /** The smallest deadline, or +Infinity when empty. */
  peek(): number {
    return this.n ? this.deadlines[0]! : Infinity;
  }

  push(deadline: number, id: number, key: string): void {
    const i = this.n++;
    if (i === this.ids.length) {
      const deadlines = new Float64Array(2 * i);
      deadlines.set(this.deadlines);
      this.deadlines = deadlines;
      const ids = new Float64Array(2 * i);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.deadlines[i] = deadline;
    this.ids[i] = id;
    this.keys.push(key);
    this.up(i);
  }

  /** Removes the smallest entry; returns its id, key and deadline (call only when not empty). */
  pop(): { id: number; key: string; deadline: number } {
    const id = this.ids[0]!;
    const key = this.keys[0]!;
    const deadline = this.deadlines[0]!;
    const last = --this.n;
    this.move(last, 0);
    this.keys.pop();
    if (last > 0) this.down(0);
    return { id, key, deadline };
  }

  private less(a: number, b: number): boolean {
    const da = this.deadlines[a]!;
    const db = this.deadlines[b]!;
    return da < db || (da === db && this.ids[a]! < this.ids[b]!);
  }

  private move(from: number, to: number): void {
    this.deadlines[to] = this.deadlines[from]!;
    this.ids[to] = this.ids[from]!;
    this.keys[to] = this.keys[from]!;
  }

  private swap(a: number, b: number): void {
    const d = this.deadlines[a]!;
    const i = this.ids[a]!;
    const k = this.keys[a]!;
    this.move(b, a);
    this.deadlines[b] = d;
    this.ids[b] = i;
    this.keys[b] = k;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.less(r, l) ? r : l;
      if (!this.less(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}
