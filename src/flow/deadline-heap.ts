/**
 * A binary min-heap of (deadline, id, key): the flow table's timers. Equal deadlines pop in
 * id order, so what pops first never depends on insertion history. It holds ids and keys,
 * not flows: superseded timers stay until due, and must not keep ended flows alive
 * meanwhile. The key finds the flow in the table's one map (a second map by id cost 37-73
 * bytes a flow: 15 MB with a SYN flood's 200,000 open flows); the id tells whether the flow
 * found is still the timer's (the table's ids also say which of the flow's arms it was).
 */
export class DeadlineHeap {
  private deadlines: number[] = [];
  private ids: number[] = [];
  private keys: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Empties the heap (to rebuild it from the live entries). */
  clear(): void {
    this.deadlines = [];
    this.ids = [];
    this.keys = [];
  }

  /** Keeps only the entries `keep` accepts (superseded timers go). */
  retain(keep: (id: number, key: string) => boolean): void {
    const { deadlines, ids, keys } = this;
    this.clear();
    for (let i = 0; i < ids.length; i++) if (keep(ids[i]!, keys[i]!)) this.push(deadlines[i]!, ids[i]!, keys[i]!);
  }

  /** The smallest deadline, or +Infinity when empty. */
  peek(): number {
    return this.ids.length ? this.deadlines[0]! : Infinity;
  }

  push(deadline: number, id: number, key: string): void {
    this.deadlines.push(deadline);
    this.ids.push(id);
    this.keys.push(key);
    this.up(this.ids.length - 1);
  }

  /** Removes the smallest entry; returns its id, key and deadline (call only when not empty). */
  pop(): { id: number; key: string; deadline: number } {
    const id = this.ids[0]!;
    const key = this.keys[0]!;
    const deadline = this.deadlines[0]!;
    const last = this.ids.length - 1;
    this.move(last, 0);
    this.deadlines.pop();
    this.ids.pop();
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
    const n = this.ids.length;
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
