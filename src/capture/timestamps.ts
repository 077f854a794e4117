/**
 * pcapng timestamps: a 64-bit count of units since 1970 (+ if_tsoffset seconds), where the
 * unit is 10^-n or 2^-n seconds (if_tsresol). Converted to seconds + nanoseconds exactly,
 * without BigInt on the hot path: 64-bit values do not fit a double (ns since 1970 is
 * ~1.7e18 > 2^53), so the division is done as long division in base 2^16.
 */
import { Timestamp } from '../events/time.js';

/** Where `convertInto` writes a time: seconds and nanoseconds (a reader's packet record). */
export interface TimeNumbers {
  sec: number;
  ns: number;
}

const TWO32 = 4294967296;
const TWO16 = 65536;
/** Largest unit count for which base-2^16 long division stays exact in doubles. */
const MAX_FAST_UNITS = 2 ** 36;

export class TimestampConverter {
  /** Timestamp units per second. */
  readonly unitsPerSecond: number;
  private readonly unitsBig: bigint;
  /** 10^k with k <= 9: ns = remainder * nsPerUnit. 0 otherwise. */
  private readonly nsPerUnit: number;
  /** 2^n: the exponent, else -1. */
  private readonly binaryExponent: number;
  /** 10^k: the exponent, else -1. */
  private readonly decimalExponent: number;
  /** Offset in seconds (if_tsoffset). */
  private readonly offsetSeconds: number;

  /**
   * @param tsresol the if_tsresol byte: high bit clear -> 10^-v, set -> 2^-(v & 0x7f).
   * @param offsetSeconds if_tsoffset.
   */
  constructor(tsresol = 6, offsetSeconds = 0) {
    const v = tsresol & 0x7f;
    if (tsresol & 0x80) {
      this.binaryExponent = v;
      this.decimalExponent = -1;
      this.unitsPerSecond = 2 ** v;
      this.nsPerUnit = 0;
    } else {
      this.binaryExponent = -1;
      this.decimalExponent = v;
      this.unitsPerSecond = 10 ** v;
      this.nsPerUnit = v <= 9 ? 10 ** (9 - v) : 0;
    }
    this.unitsBig = this.binaryExponent >= 0 ? 2n ** BigInt(v) : 10n ** BigInt(v);
    this.offsetSeconds = offsetSeconds;
  }

  /** Whether the resolution byte describes a resolution this converter can represent. */
  static valid(tsresol: number): boolean {
    const v = tsresol & 0x7f;
    // 10^-19 or 2^-64 and finer would make a 64-bit counter pointless; reject nonsense.
    return tsresol & 0x80 ? v <= 63 : v <= 19;
  }

  /** Convert the two 32-bit halves of a 64-bit unit count. */
  convert(high: number, low: number): Timestamp {
    const t = { sec: 0, ns: 0 };
    this.convertInto(high, low, t);
    return new Timestamp(t.sec, t.ns);
  }

  /** `convert` into `out`'s two numbers, with no object made (the packet path). */
  convertInto(high: number, low: number, out: TimeNumbers): void {
    const units = this.unitsPerSecond;
    if (units > MAX_FAST_UNITS) return this.convertBig(high, low, out);
    let sec: number;
    let rem: number;
    if (high < 0x200000) {
      // The whole value is below 2^53: exact in a double. Correct the float quotient by one if needed.
      const value = high * TWO32 + low;
      sec = Math.floor(value / units);
      rem = value - sec * units;
      if (rem < 0) {
        sec -= 1;
        rem += units;
      } else if (rem >= units) {
        sec += 1;
        rem -= units;
      }
    } else {
      // Long division of [high][low>>>16][low&0xffff] by units; every partial stays < 2^53.
      const q1 = Math.floor(high / units);
      let r = high - q1 * units;
      let cur = r * TWO16 + (low >>> 16);
      let q2 = Math.floor(cur / units);
      r = cur - q2 * units;
      if (r < 0) {
        q2 -= 1;
        r += units;
      } else if (r >= units) {
        q2 += 1;
        r -= units;
      }
      cur = r * TWO16 + (low & 0xffff);
      let q3 = Math.floor(cur / units);
      r = cur - q3 * units;
      if (r < 0) {
        q3 -= 1;
        r += units;
      } else if (r >= units) {
        q3 += 1;
        r -= units;
      }
      sec = q1 * TWO32 + q2 * TWO16 + q3;
      rem = r;
    }
    out.sec = sec + this.offsetSeconds;
    out.ns = this.remainderToNs(rem);
  }

  /** Fraction of a second in units -> nanoseconds, truncated (as Wireshark does). */
  private remainderToNs(rem: number): number {
    if (this.nsPerUnit !== 0) return rem * this.nsPerUnit;
    const n = this.binaryExponent;
    if (n >= 0) {
      // rem * 1e9 / 2^n = rem * 5^9 * 2^9 / 2^n; rem * 5^9 < 2^(n+21) is exact for n <= 32.
      if (n <= 32) return Math.floor(rem * 1953125 * 2 ** (9 - n));
      return Number((BigInt(rem) * 1_000_000_000n) >> BigInt(n));
    }
    // 10^k with k > 9: drop the digits below a nanosecond.
    return Math.floor(rem / 10 ** (this.decimalExponent - 9));
  }

  private convertBig(high: number, low: number, out: TimeNumbers): void {
    const value = (BigInt(high) << 32n) | BigInt(low);
    const sec = value / this.unitsBig;
    const rem = value % this.unitsBig;
    const ns = (rem * 1_000_000_000n) / this.unitsBig;
    out.sec = Number(sec) + this.offsetSeconds;
    out.ns = Number(ns);
  }
}
