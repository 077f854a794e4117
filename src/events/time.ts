/**
 * Capture time with nanosecond precision. A float64 of seconds since 1970 keeps only
 * about 0.2 µs, so seconds and nanoseconds are held apart and printed exactly.
 */
export class Timestamp {
  constructor(
    readonly sec: number,
    readonly ns: number,
  ) {}

  static readonly ZERO = new Timestamp(0, 0);

  /**
   * `made` when it already is (sec, ns), else a new Timestamp: for holders that carry packet
   * time as two numbers and build the object only when something reads it, once per time.
   */
  static at(made: Timestamp, sec: number, ns: number): Timestamp {
    return made.sec === sec && made.ns === ns ? made : new Timestamp(sec, ns);
  }

  /** Seconds from `earlier` to this, as a float (durations are small, so precision holds). */
  since(earlier: Timestamp): number {
    return this.sec - earlier.sec + (this.ns - earlier.ns) / 1e9;
  }

  compare(other: Timestamp): number {
    return this.sec !== other.sec ? this.sec - other.sec : this.ns - other.ns;
  }

  isBefore(other: Timestamp): boolean {
    return this.compare(other) < 0;
  }

  plusSeconds(seconds: number): Timestamp {
    const whole = Math.floor(seconds);
    let sec = this.sec + whole;
    let ns = this.ns + Math.round((seconds - whole) * 1e9);
    if (ns >= 1e9) {
      sec += 1;
      ns -= 1e9;
    }
    return new Timestamp(sec, ns);
  }

  /** Seconds as a decimal with exactly nine fractional digits, e.g. `1324162321.000123456`. */
  toString(): string {
    const frac = String(this.ns).padStart(9, '0');
    return `${this.sec}.${frac}`;
  }

  /**
   * JSON.stringify cannot print this number exactly (a double keeps ~16 digits), so it gets
   * the text as a string; the count lets a fast serializer see that it happened and redo the
   * value with `toJson`, which prints the exact number.
   */
  toJSON(): string {
    Timestamp.stringified++;
    return this.toString();
  }

  /** How many times JSON.stringify met a Timestamp. */
  static stringified = 0;

  /** ISO 8601 in UTC with nanoseconds, for people. */
  toIso(): string {
    const d = new Date(this.sec * 1000);
    return `${d.toISOString().slice(0, 19)}.${String(this.ns).padStart(9, '0')}Z`;
  }
}
