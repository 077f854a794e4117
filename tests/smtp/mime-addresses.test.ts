import { describe, expect, it } from 'vitest';
import { addressParser } from 'postal-mime';
import { addresses, plainAddress } from '../../src/dissect/mime.js';

/** What addressParser alone makes of a value (the path `addresses` took for every value before). */
const parsed = (v: string): string[] =>
  addressParser(v, { flatten: true })
    .filter((a) => a.address)
    .map((a) => a.address!.toLowerCase());

describe('plain address fast path', () => {
  it('agrees with addressParser on the forms it takes', () => {
    const taken = [
      'alice@wirelens.test',
      'Bob Builder <bob@wirelens.test>',
      'Carol <Carol.Smith+tag@Mail.Example-1.net>',
      'x_y-z@a.b.c.d',
      'A B C 1 <a@b>',
    ];
    for (const v of taken) {
      expect(plainAddress(v)).not.toBeNull();
      expect(addresses([v])).toEqual(parsed(v));
    }
  });

  it('leaves every other form to addressParser', () => {
    const others = [
      '"All staff" <staff@wirelens.test>',
      'Bob <bob@wirelens.test>, carol@wirelens.test',
      'bob@wirelens.test (Bob)',
      ' bob@wirelens.test',
      'Bob  <bob@wirelens.test>',
      'team: a@b, c@d;',
      '<bob@wirelens.test>',
      'client',
      'a..b@c',
      'Jörg <j@x.de>',
      '=?utf-8?q?Bob?= <bob@x.org>',
    ];
    for (const v of others) {
      expect(plainAddress(v)).toBeNull();
      expect(addresses([v])).toEqual(parsed(v));
    }
  });
});
