import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedKeys, sortPrefix } from '../../src/store/sorted-keys.js';

/** Keys over a small alphabet, so that adds and deletes collide, with or without a long shared start. */
function keyArbitrary(units: readonly string[], maxLength: number): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom('', 'abcdefgh', 'abcdefg\u00e9', 'ab\u0000'), fc.string({ unit: fc.constantFrom(...units), maxLength })).map(([a, b]) => a + b);
}

function checkAgainstModel(ops: readonly (readonly [boolean, string])[], prefixes: readonly string[], blockSize: number): void {
  const keys = new SortedKeys(blockSize);
  const model = new Set<string>();
  for (const [add, key] of ops) {
    expect(add ? keys.add(key) : keys.delete(key)).toBe(add ? !model.has(key) : model.has(key));
    if (add) model.add(key);
    else model.delete(key);
  }
  const sorted = [...model].sort();
  expect([...keys]).toEqual(sorted);
  expect(keys.size).toBe(model.size);
  for (const p of prefixes) expect([...keys.withPrefix(p)]).toEqual(sorted.filter((k) => k.startsWith(p)));
  for (const [, key] of ops) expect(keys.has(key)).toBe(model.has(key));
}

describe('SortedKeys (the prefix index)', () => {
  it('matches a sorted array under any mix of adds and deletes, across many blocks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 5 })), { maxLength: 400 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 }), { maxLength: 5 }),
        (ops, prefixes) => checkAgainstModel(ops, prefixes, 4),
      ),
      { numRuns: 300 },
    );
  });

  it('orders keys that share their first characters, or hold NUL and non-ASCII characters, as JavaScript does', () => {
    const units = ['a', 'b', '\u0000', '\u007f', '\u00e9', '\u4e2d', '\ud83d', '\ude00'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), keyArbitrary(units, 4)), { maxLength: 300 }),
        fc.array(keyArbitrary(units, 2), { maxLength: 5 }),
        (ops, prefixes) => checkAgainstModel(ops, prefixes, 3),
      ),
      { numRuns: 300 },
    );
  });

  it('has sort prefixes that never contradict the order of the keys', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'z', '\u0000', '\u007e', '\u007f', '\u0080'), fc.constantFrom('\u00e9', '\uffff')), maxLength: 9 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(sortPrefix(lo)).toBeLessThanOrEqual(sortPrefix(hi));
        if (lo === hi) expect(sortPrefix(lo)).toBe(sortPrefix(hi));
      }),
      { numRuns: 2000 },
    );
  });
});
