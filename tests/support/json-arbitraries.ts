/**
 * Random JSON values for the property tests of the writers (`compactJson`, the NDJSON line
 * builders, the byte writer): the values that have broken JSON writers before, weighted in.
 * Strings with C0 and C1 controls and lone surrogates, -0, numbers at the edges of V8's small
 * integers and of exact doubles, exponents, Timestamps, `__proto__` as a key or text, and
 * undefined members (left out of objects, `null` in arrays).
 */
import fc from 'fast-check';
import type { JsonValue } from '../../src/events/json.js';
import { Timestamp } from '../../src/events/time.js';

export const timestamp = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, ns]) => new Timestamp(s, ns));

export const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('\ud800', 'a\udfffb', '"\\\n\u2028', '\u007f\u0080\u009b', 'caf\u00e9 \u20ac \u{1f600}', '__proto__', ''),
);

export const leaf: fc.Arbitrary<JsonValue | undefined> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e21, 5e-324, 2 ** 31, -(2 ** 31), 2 ** 53, -(2 ** 53) - 2, 123456789012, 0.1 + 0.2),
  text,
  timestamp,
);

/** Any JSON value, nested a few levels, with keys drawn from `text`. */
export const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(text, tie('value'), { maxKeys: 6 }),
}));
