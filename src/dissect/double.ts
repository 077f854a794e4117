/**
 * Numbers that V8 keeps as doubles from the start, for fields and arrays that will hold
 * doubles (32-bit sequence numbers, nanosecond times, seconds).
 *
 * V8 gives an object's field, and an array's elements, the representation of the first
 * value stored: a small integer ("Smi") makes a Smi field or a Smi array. The first double
 * stored later (a sequence number past 2^31, a time past 2.1 s in nanoseconds, an RTT in
 * seconds) cannot be written in place: V8 deprecates the object's map, builds a new one,
 * and throws away the optimised code that relied on the old one ("wrong map", "code
 * dependencies" in `--trace-deopt`), and TurboFan compiles it again. On the 20 MB bench
 * capture the TCP header's seq/ack, the TCP analyzer's sequence numbers and times and the
 * RTT estimator did this, once each, early in the run (issue 18). Starting them with a
 * double of the same value makes the field a double field at once; later stores of small
 * integers into it are converted, so the values, and the output, are unchanged.
 *
 * A literal cannot do it: V8 stores an integral literal (and constant arithmetic on
 * literals) as a Smi. A value read back from a Float64Array is a heap number, so these are
 * made that way, once, when the module loads.
 */
const cell = new Float64Array(1);

function heapNumber(n: number): number {
  cell[0] = n;
  return cell[0];
}

/** 0 and -1 as heap numbers: initial values of fields that will hold doubles. */
export const DOUBLE_ZERO = heapNumber(0);
export const DOUBLE_MINUS_ONE = heapNumber(-1);
/**
 * 1e9 as a heap number: a factor that makes V8 record a double multiplication from the
 * first time (an integer one is optimised for small integers, then deoptimised on overflow).
 */
export const DOUBLE_BILLION = heapNumber(1e9);

/**
 * An array of exactly `n` slots (to be filled by the caller) whose elements are doubles from
 * the start. An array made by `[]` or `new Array(n)` holds Smis until its first double, and
 * that change of its elements' kind deoptimises the code that reads it; the one heap number
 * stored here makes the change before any caller's code sees the array. `new Array(n)`
 * reserves exactly `n` slots, where assigning past an array's end grows it to 1.5 times plus
 * 16, slack that thousands of open connections each hold (issue 18).
 */
export function doubleArrayOf(n: number): number[] {
  const a = new Array<number>(n);
  if (n > 0) a[0] = DOUBLE_ZERO;
  return a;
}
