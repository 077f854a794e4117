/**
 * An I/O graph with the interval the user picks, as tshark's `-z io,stat,INTERVAL` and
 * Wireshark's Statistics › I/O Graphs: frames and bytes per interval from the first frame.
 * Time is cut in integer nanoseconds, so a frame on a boundary lands in the same bin
 * every run. Memory is bounded: past `MAX_IO_BINS` bins the interval doubles (neighbours
 * merge), and `interval` says the one in use.
 */
export const MAX_IO_BINS = 100_000;

export class IoBins {
  /** Interval in nanoseconds (at least 1). */
  intervalNs: number;
  readonly frames: number[] = [];
  readonly bytes: number[] = [];
  /** The interval asked for, when it had to double. */
  readonly askedNs: number;

  constructor(intervalSeconds: number) {
    this.intervalNs = Math.max(1, Math.round(intervalSeconds * 1e9));
    this.askedNs = this.intervalNs;
  }

  get interval(): number {
    return this.intervalNs / 1e9;
  }

  /** One frame `sinceNs` after the first (earlier times land in the first bin). */
  add(sinceNs: number, bytes: number): void {
    let i = Math.max(0, Math.floor(sinceNs / this.intervalNs));
    while (i >= MAX_IO_BINS) {
      this.widen();
      i = Math.floor(sinceNs / this.intervalNs);
    }
    while (this.frames.length <= i) {
      this.frames.push(0);
      this.bytes.push(0);
    }
    this.frames[i]! += 1;
    this.bytes[i]! += bytes;
  }

  private widen(): void {
    for (const a of [this.frames, this.bytes]) {
      const n = Math.ceil(a.length / 2);
      for (let i = 0; i < n; i++) a[i] = a[2 * i]! + (a[2 * i + 1] ?? 0);
      a.length = n;
    }
    this.intervalNs *= 2;
  }
}

/** Parses `--io-interval`: seconds, a positive number (`0.01`, `1`, `1e-3`); null when not one. */
export function parseInterval(text: string): number | null {
  if (!/^\s*(\d+(\.\d*)?|\.\d+)(e-?\d+)?\s*$/i.test(text)) return null;
  const v = Number(text);
  return Number.isFinite(v) && v >= 1e-9 && v <= 86400 * 365 ? v : null;
}
